/**
 * What changed between two releases, row by row and cell by cell (docs/releases.md#releases):
 * rows are matched by `row_id`; a changed cell is one of the sheet's own columns (in either release)
 * whose value differs. Review status and provenance are not cells and are not compared.
 */
import { type CellValue, type Column, sameCellValue } from '../../model/columns';
import type { Snapshot, SnapshotSheet } from './snapshot';

export interface CellChange {
  row: string;
  column: string;
  old: CellValue;
  new: CellValue;
}

export interface SheetDiff {
  added: string[];
  removed: string[];
  changed: CellChange[];
}

export interface ReleaseDiff {
  sheets: Record<string, SheetDiff>;
}

const EMPTY_SHEET: SnapshotSheet = { id: '', name: '', columns: [], rows: [] };

/** Every sheet of either release, in `to`'s tab order and then those only `from` had. */
export function diffSnapshots(from: Snapshot, to: Snapshot): ReleaseDiff {
  const ids = [...new Set([...to.sheets.map((s) => s.id), ...from.sheets.map((s) => s.id)])];
  const sheets: Record<string, SheetDiff> = {};
  for (const id of ids) {
    sheets[id] = diffSheet(from.sheets.find((s) => s.id === id) ?? EMPTY_SHEET, to.sheets.find((s) => s.id === id) ?? EMPTY_SHEET);
  }
  return { sheets };
}

function diffSheet(from: SnapshotSheet, to: SnapshotSheet): SheetDiff {
  const before = new Map(from.rows.map((r) => [String(r.row_id), r]));
  const after = new Map(to.rows.map((r) => [String(r.row_id), r]));
  const columns = [...new Set([...to.columns, ...from.columns].map((c: Column) => c.id))];
  const changed: CellChange[] = [];
  for (const [row, record] of after) {
    const old = before.get(row);
    if (!old) continue;
    for (const column of columns) {
      const a = old[column] ?? null;
      const b = record[column] ?? null;
      if (!sameValue(a, b)) changed.push({ row, column, old: a, new: b });
    }
  }
  return {
    added: [...after.keys()].filter((row) => !before.has(row)),
    removed: [...before.keys()].filter((row) => !after.has(row)),
    changed,
  };
}

/** Equal cell values: lists (codes, anchors) item by item, objects (anchors, places) field by field whatever their keys' order. */
const sameValue = (a: CellValue, b: CellValue): boolean => sameCellValue(a, b);

/** What changed in a sheet's columns: added, removed, and changed (with the fields that differ). */
export function diffColumns(from: readonly Column[], to: readonly Column[]) {
  const old = new Map(from.map((c) => [c.id, c]));
  const now = new Map(to.map((c) => [c.id, c]));
  const fields = ['name', 'type', 'required', 'options', 'optionLabels', 'description', 'ref'] as const;
  return {
    added: to.filter((c) => !old.has(c.id)),
    removed: from.filter((c) => !now.has(c.id)),
    changed: to.filter((c) => old.has(c.id)).map((c) => {
      const was = old.get(c.id)!;
      return { column: c, fields: fields.filter((f) => JSON.stringify(was[f] ?? null) !== JSON.stringify(c[f] ?? null)), was };
    }).filter((c) => c.fields.length > 0),
  };
}
