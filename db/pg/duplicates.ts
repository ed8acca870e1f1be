/** Duplicate detection's reads and its dismissed groups, PostgreSQL: the SQLite store's queries (`db/duplicates.ts`). */
import { and, eq } from 'drizzle-orm';
import type { DuplicateColumns } from '../../server/duplicates/columns';
import type { DuplicateKeyRecord, DuplicateStore } from '../../server/duplicates/store';
import { duplicateKeysStatement, groupKey, toKeyRecord } from '../duplicates';
import type { PgDb } from './client';
import { duplicateDismissals } from './schema';

export class PgDuplicateStore implements DuplicateStore {
  constructor(private readonly db: PgDb) {}

  async keys(datasetId: string, sheetId: string, columns: DuplicateColumns): Promise<DuplicateKeyRecord[]> {
    const result = await this.db.execute<{ rowId: string; cells: unknown }>(duplicateKeysStatement('pg', datasetId, sheetId, columns));
    return result.rows.map((r) => toKeyRecord(r, columns));
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
