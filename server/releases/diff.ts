/**
 * What changed between two releases, row by row and cell by cell (docs/releases.md#releases):
 * rows are matched by `row_id`; a changed cell is one of the sheet's own columns (in either release)
 * whose value differs. Review status and provenance are not cells and are not compared.
 */
import { type CellValue, type Column, sameCellValue } from '../../model/columns';
import { lineKey, type OpenSnapshot, type SnapshotRecord, type SnapshotRow } from './snapshot';

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
 * come, so only rows not yet matched are held, never a whole release. Rows stored as lines are matched by
 * the sheet and row id their line starts with, and parsed only when their lines differ: most rows of a
 * release are as they were, and parsing them was most of the work.
 */
export async function diffSnapshots(from: OpenSnapshot, to: OpenSnapshot): Promise<ReleaseDiff> {
  const ids = [...new Set([...to.head.sheets.map((s) => s.id), ...from.head.sheets.map((s) => s.id)])];
  const sheets: Record<string, SheetDiff> = Object.fromEntries(ids.map((id) => [id, { added: [], removed: [], changed: [] }]));
  const columnsOf = (id: string) => [...new Set([...(to.head.sheets.find((s) => s.id === id)?.columns ?? []), ...(from.head.sheets.find((s) => s.id === id)?.columns ?? [])]
    .map((c: Column) => c.id))];
  const columns = new Map(ids.map((id) => [id, columnsOf(id)]));
  /** Rows read on one side and not yet met on the other, by sheet id and row id: their line as stored, or their record. */
  const unmatchedBefore = new Map<string, string | SnapshotRecord>();
  const unmatchedAfter = new Map<string, string | SnapshotRecord>();
  const recordOf = (row: string | SnapshotRecord) => (typeof row === 'string' ? (JSON.parse(row) as SnapshotRow)[1] : row);
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
  const meet = (snapshot: OpenSnapshot, index: number, row: string, kept: string | SnapshotRecord, isAfter: boolean) => {
    const sheet = snapshot.head.sheets[index]!.id;
    const key = `${sheet}\u0000${row}`;
    const [mine, theirs] = isAfter ? [unmatchedAfter, unmatchedBefore] : [unmatchedBefore, unmatchedAfter];
    const other = theirs.get(key);
    if (other === undefined) return void mine.set(key, kept);
    theirs.delete(key);
    // The same line is the same record: no cell changed.
    if (other === kept) return;
    compare(sheet, row, recordOf(isAfter ? other : kept), recordOf(isAfter ? kept : other));
  };
  const read = (snapshot: OpenSnapshot, item: string | SnapshotRow, isAfter: boolean) => {
    if (typeof item === 'string') {
      const key = lineKey(item);
      if (key) return meet(snapshot, key[0], key[1], item, isAfter);
      item = JSON.parse(item) as SnapshotRow;
    }
    const [index, record] = item;
    meet(snapshot, index, String(record.row_id), record, isAfter);
  };
  const sameSheets = from.head.sheets.length === to.head.sheets.length && from.head.sheets.every((s, i) => s.id === to.head.sheets[i]!.id);
  const before = new Reader(from);
  const after = new Reader(to);
  for (;;) {
    const b = before.take() ?? await before.next();
    const a = after.take() ?? await after.next();
    if (b === undefined && a === undefined) break;
    // The same line on both sides with nothing held: the same row, as it was (what meeting them would find).
    if (sameSheets && typeof b === 'string' && b === a && unmatchedBefore.size === 0 && unmatchedAfter.size === 0) continue;
    if (b !== undefined) read(from, b, false);
    if (a !== undefined) read(to, a, true);
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

/** A snapshot's rows in order: its lines as stored when it has them, else its records. */
class Reader {
  private readonly batches: AsyncIterator<ReadonlyArray<string | SnapshotRow>>;
  private batch: ReadonlyArray<string | SnapshotRow> = [];
  private at = 0;

  constructor(snapshot: OpenSnapshot) {
    this.batches = snapshot.lines?.[Symbol.asyncIterator]() ?? (async function* () {
      for await (const row of snapshot.rows) yield [row];
    })();
  }

  /** The next row if it is read already. */
  take(): string | SnapshotRow | undefined {
    return this.at < this.batch.length ? this.batch[this.at++] : undefined;
  }

  /** The next row, read; undefined at the end. */
  async next(): Promise<string | SnapshotRow | undefined> {
    for (;;) {
      const item = this.take();
      if (item !== undefined) return item;
      const batch = await this.batches.next();
      if (batch.done) return undefined;
      this.batch = batch.value;
      this.at = 0;
    }
  }
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
