/**
 * The header of an imported file: which column each of its columns fills. A header cell names a
 * column by id or by name (case-insensitive), or is `row_id`; the export's own columns are ignored;
 * anything else is refused naming it, as are two header cells for one column. A `mapping` (one entry
 * per header cell: a column id, `row_id`, or "" to ignore) replaces what the header says.
 */
import { type Column, EXPORT_META_COLUMNS } from '../../model/columns';
import { type PlacePart, placePartOf } from '../../model/places';
import { badRequest } from '../errors';
import { MAX_IMPORT_COLUMNS } from './limits';
import type { RawCell } from './raw';

/** Where a column of the file goes. */
export type HeaderTarget =
  | { kind: 'column'; column: Column }
  /** A part of a place column as the CSV export writes it: `C_country`, `C_lat`, `C_lon`, `C_precision`, `C_geonameid`. */
  | { kind: 'place-part'; column: Column; part: PlacePart }
  | { kind: 'row_id' }
  | { kind: 'ignored' }
  /** A header cell left empty: its values are refused (nothing typed is dropped silently). */
  | { kind: 'blank' };

const EXPORT_OWN: ReadonlySet<string> = new Set(EXPORT_META_COLUMNS);

const headerText = (cell: RawCell | undefined): string =>
  cell === null || cell === undefined ? '' : typeof cell === 'object' ? String(cell.serial) : String(cell).replace(/^\uFEFF/, '').trim();

/** The target of each header cell, in order. */
export function readHeader(cells: readonly RawCell[], columns: readonly Column[], mapping?: readonly string[]): HeaderTarget[] {
  if (cells.length > MAX_IMPORT_COLUMNS) throw badRequest(`The file has ${cells.length} columns; at most ${MAX_IMPORT_COLUMNS} are read`);
  const texts = Array.from(cells, headerText);
  if (mapping && mapping.length !== texts.length) {
    throw badRequest(`mapping has ${mapping.length} entries, but the file's header has ${texts.length} columns`);
  }
  const byId = new Map(columns.map((c) => [c.id.toLowerCase(), c]));
  const byName = new Map<string, Column>();
  for (const c of columns) if (!byName.has(c.name.trim().toLowerCase())) byName.set(c.name.trim().toLowerCase(), c);
  const places = new Map(columns.filter((c) => c.type === 'place').map((c) => [c.id.toLowerCase(), c]));
  const placePart = (text: string): HeaderTarget | null => {
    const found = placePartOf(text, places.keys());
    return found ? { kind: 'place-part', column: places.get(found.column)!, part: found.part } : null;
  };

  const unknown: string[] = [];
  const targets = texts.map((text, i): HeaderTarget => {
    if (mapping) {
      const to = mapping[i]!;
      if (to === '') return { kind: 'ignored' };
      if (to === 'row_id') return { kind: 'row_id' };
      const column = columns.find((c) => c.id === to);
      if (!column) {
        const part = placePart(to);
        if (!part) throw badRequest(`mapping: the sheet has no column "${to}"`);
        return part;
      }
      return { kind: 'column', column };
    }
    const lower = text.toLowerCase();
    if (lower === '') return { kind: 'blank' };
    if (lower === 'row_id') return { kind: 'row_id' };
    const column = byId.get(lower) ?? byName.get(lower);
    if (column) return { kind: 'column', column };
    const part = placePart(lower);
    if (part) return part;
    if (EXPORT_OWN.has(lower)) return { kind: 'ignored' };
    unknown.push(text);
    return { kind: 'ignored' };
  });
  if (unknown.length > 0) {
    const list = unknown.map((u) => `"${u}"`).join(', ');
    throw badRequest(`The sheet has no column ${list} (header cells name a column by id or name): map ${unknown.length === 1 ? 'it' : 'them'} or leave ${unknown.length === 1 ? 'it' : 'them'} out`);
  }
  const seen = new Map<string, number>();
  targets.forEach((target, i) => {
    const id = target.kind === 'column' ? target.column.id
      : target.kind === 'place-part' ? `${target.column.id}_${target.part}`
        : target.kind === 'row_id' ? 'row_id' : null;
    if (id === null) return;
    const first = seen.get(id);
    if (first !== undefined) {
      throw badRequest(`Two columns of the file go to "${id}": "${texts[first]}" (column ${first + 1}) and "${texts[i]}" (column ${i + 1})`);
    }
    seen.set(id, i);
  });
  if (!targets.some((t) => t.kind === 'column' || t.kind === 'place-part')) throw badRequest('The header names none of the sheet\'s columns');
  return targets;
}
