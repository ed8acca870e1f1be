/**
 * The header mapping of the import dialog: which column each column of the file fills. Matched the
 * way the server matches a header (by id or by name, ignoring case; the export's own columns ignored),
 * and then adjustable per column. An entry is a column id, `row_id`, or "" (ignored).
 */
import { type Column, EXPORT_META_COLUMNS } from '../../model/columns';
import { placePartOf } from '../../model/places';

const EXPORT_OWN: ReadonlySet<string> = new Set(EXPORT_META_COLUMNS);

/**
 * What the server would make of each header cell; unmatched cells are ignored (and shown as such). A
 * place column's parts as the CSV export writes them (`place_lat`, …) map to themselves.
 */
export function autoMapping(header: readonly string[], columns: readonly Column[]): string[] {
  const taken = new Set<string>();
  const places = columns.filter((c) => c.type === 'place').map((c) => c.id);
  return header.map((cell) => {
    const text = cell.replace(/^\uFEFF/, '').trim().toLowerCase();
    if (text === '' || EXPORT_OWN.has(text)) return '';
    const part = placePartOf(text, places);
    const target = text === 'row_id' ? 'row_id'
      : (columns.find((c) => c.id.toLowerCase() === text) ?? columns.find((c) => c.name.trim().toLowerCase() === text))?.id
        ?? (part ? `${part.column}_${part.part}` : undefined);
    if (!target || taken.has(target)) return '';
    taken.add(target);
    return target;
  });
}

/** Header cells that name nothing of the sheet (neither a column nor one of the export's own). */
export function unmatched(header: readonly string[], columns: readonly Column[]): number[] {
  const auto = autoMapping(header, columns);
  return header.flatMap((cell, i) => {
    const text = cell.trim().toLowerCase();
    return auto[i] === '' && text !== '' && !EXPORT_OWN.has(text) ? [i] : [];
  });
}

/** Targets chosen for more than one column of the file: the server refuses such a mapping. */
export function duplicateTargets(mapping: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const target of mapping) {
    if (target === '') continue;
    if (seen.has(target)) twice.add(target);
    seen.add(target);
  }
  return [...twice];
}
