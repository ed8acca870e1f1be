/** Duplicate detection's reads and its dismissed groups, PostgreSQL: the SQLite store's queries (`db/duplicates.ts`). */
import { and, eq } from 'drizzle-orm';
import type { DuplicateColumns } from '../../server/duplicates/columns';
import type { DuplicateKeyRecord, DuplicateStore } from '../../server/duplicates/store';
import { duplicateKeysStatement, groupKey, rowCountStatement, rowIdsStatement, toKeyRecord } from '../duplicates';
import type { PgDb } from './client';
import { duplicateDismissals } from './schema';

export class PgDuplicateStore implements DuplicateStore {
  constructor(private readonly db: PgDb) {}

  async keys(datasetId: string, sheetId: string, columns: DuplicateColumns, changedSince?: number): Promise<DuplicateKeyRecord[]> {
    const result = await this.db.execute<{ rowId: string; cells: unknown }>(duplicateKeysStatement('pg', datasetId, sheetId, columns, changedSince));
    return result.rows.map((r) => toKeyRecord(r, columns));
  }

  async rowCount(datasetId: string, sheetId: string): Promise<number> {
    const result = await this.db.execute<{ n: unknown }>(rowCountStatement(datasetId, sheetId));
    return Number(result.rows[0]?.n ?? 0);
  }

  async rowIds(datasetId: string, sheetId: string): Promise<string[]> {
    return (await this.db.execute<{ rowId: string }>(rowIdsStatement(datasetId, sheetId))).rows.map((r) => r.rowId);
  }

  async dismissed(datasetId: string, sheetId: string): Promise<string[][]> {
    const rows = await this.db.select({ rows: duplicateDismissals.rows }).from(duplicateDismissals)
      .where(and(eq(duplicateDismissals.datasetId, datasetId), eq(duplicateDismissals.sheetId, sheetId)));
    return rows.map((r) => r.rows.split(' '));
  }

  async dismiss(datasetId: string, sheetId: string, rows: readonly string[], userId: string, at: number): Promise<boolean> {
    const inserted = await this.db.insert(duplicateDismissals)
      .values({ datasetId, sheetId, rows: groupKey(rows), dismissedBy: userId, dismissedAt: at })
      .onConflictDoNothing().returning({ rows: duplicateDismissals.rows });
    return inserted.length === 1;
  }
}
