import { and, asc, eq } from 'drizzle-orm';
import type { CellValue } from '../model/columns';
import type { HistoryEntry } from '../model/history';
import type { Db } from '../db/client';
import { cellChanges, users } from '../db/schema';

const fromJson = (value: string | null): CellValue => (value === null ? null : (JSON.parse(value) as CellValue));

/** Cell changes of a dataset, or of one row, oldest first (CONTRACT §7). */
export function rowHistory(db: Db, datasetId: string, rowId?: string): HistoryEntry[] {
  return db.select({
    sheet: cellChanges.sheetId, row: cellChanges.rowId, column: cellChanges.columnId,
    old: cellChanges.old, new: cellChanges.new, by: users.name, at: cellChanges.at,
  }).from(cellChanges).leftJoin(users, eq(users.id, cellChanges.userId))
    .where(and(eq(cellChanges.datasetId, datasetId), rowId === undefined ? undefined : eq(cellChanges.rowId, rowId)))
    .orderBy(asc(cellChanges.id)).limit(rowId === undefined ? 10_000 : 100_000).all()
    .map((h) => ({ ...h, old: fromJson(h.old), new: fromJson(h.new), at: new Date(h.at).toISOString() }));
}
