/**
 * What changed between two releases, row by row and cell by cell (docs/releases.md#releases):
 * rows are matched by `row_id`; a changed cell is one of the sheet's own columns (in either release)
 * whose value differs. Review status and provenance are not cells and are not compared.
 */
import { type CellValue, type Column, sameCellValue } from '../../model/columns';
import type { OpenSnapshot, SnapshotRecord, SnapshotRow } from './snapshot';

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

/**
 * Every sheet of either release, in `to`'s tab order and then those only `from` had. Both are read once,
 * side by side: rows that come in the same order (as two releases of one dataset do) are matched as they
 * come, so only rows not yet matched are held, never a whole release.
 */
export async function diffSnapshots(from: OpenSnapshot, to: OpenSnapshot): Promise<ReleaseDiff> {
  const ids = [...new Set([...to.head.sheets.map((s) => s.id), ...from.head.sheets.map((s) => s.id)])];
  const sheets: Record<string, SheetDiff> = Object.fromEntries(ids.map((id) => [id, { added: [], removed: [], changed: [] }]));
  const columnsOf = (id: string) => [...new Set([...(to.head.sheets.find((s) => s.id === id)?.columns ?? []), ...(from.head.sheets.find((s) => s.id === id)?.columns ?? [])]
    .map((c: Column) => c.id))];
  const columns = new Map(ids.map((id) => [id, columnsOf(id)]));
  /** Rows read on one side and not yet met on the other, by sheet id and row id. */
  const unmatchedBefore = new Map<string, SnapshotRecord>();
  const unmatchedAfter = new Map<string, SnapshotRecord>();
  const compare = (sheet: string, row: string, old: SnapshotRecord, now: SnapshotRecord) => {
    for (const column of columns.get(sheet)!) {
      const a = old[column] ?? null;
      const b = now[column] ?? null;
      if (!sameValue(a, b)) sheets[sheet]!.changed.push({ row, column, old: a, new: b });
    }
  };
  /**
   * A row read on one side: compared with the other side's row of the same sheet and id if that came
   * already, else kept until it comes. `isAfter`: the row is `to`'s.
   */
  const meet = (snapshot: OpenSnapshot, [index, record]: SnapshotRow, isAfter: boolean) => {
    const sheet = snapshot.head.sheets[index]!.id;
    const row = String(record.row_id);
    const key = `${sheet}\u0000${row}`;
    const [mine, theirs] = isAfter ? [unmatchedAfter, unmatchedBefore] : [unmatchedBefore, unmatchedAfter];
    const other = theirs.get(key);
    if (!other) return void mine.set(key, record);
    theirs.delete(key);
    compare(sheet, row, isAfter ? other : record, isAfter ? record : other);
  };
  const before = from.rows[Symbol.asyncIterator]();
  const after = to.rows[Symbol.asyncIterator]();
  let beforeDone = false;
  let afterDone = false;
  while (!beforeDone || !afterDone) {
    const [b, a] = await Promise.all([beforeDone ? null : before.next(), afterDone ? null : after.next()]);
    if (b?.done) beforeDone = true;
    else if (b) meet(from, b.value, false);
    if (a?.done) afterDone = true;
    else if (a) meet(to, a.value, true);
  }
  for (const key of unmatchedAfter.keys()) {
    const [sheet, row] = key.split('\u0000') as [string, string];
    sheets[sheet]!.added.push(row);
  }
  for (const key of unmatchedBefore.keys()) {
    const [sheet, row] = key.split('\u0000') as [string, string];
    sheets[sheet]!.removed.push(row);
  }
  return { sheets };
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
