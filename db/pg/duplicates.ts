/** Duplicate detection's reads and its dismissed groups, PostgreSQL: the SQLite store's queries (`db/duplicates.ts`). */
import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, sql } from 'drizzle-orm';
import type { Column } from '../../model/columns';
import type { DuplicateColumns } from '../../server/duplicates/columns';
import type { ChangedDate, DatePosition, DuplicateKeyRecord, DuplicateStore } from '../../server/duplicates/store';
import {
  byDatePage, changedDatesStatement, dateIndexOf, duplicateKeysStatement, EXISTING_CHUNK, existingRowsStatement, groupKey, rowCountStatement,
  rowIdsStatement, toKeyRecord,
} from '../duplicates';
import type { PgDb } from './client';
import { duplicateDismissals } from './schema';
import { pgSheetIndexes } from './sheet-indexes';

/** How often the date column's index is looked at while another session builds it. */
const INDEX_POLL_MS = 250;

export class PgDuplicateStore implements DuplicateStore {
  constructor(private readonly db: PgDb) {}

  async keys(datasetId: string, sheetId: string, columns: DuplicateColumns, changedSince?: number): Promise<DuplicateKeyRecord[]> {
    const result = await this.db.execute<{ rowId: string; cells: unknown }>(duplicateKeysStatement('pg', datasetId, sheetId, columns, changedSince));
    return result.rows.map((r) => toKeyRecord(r, columns));
  }

  async byDate(datasetId: string, sheetId: string, columns: DuplicateColumns, after: DatePosition | undefined, limit: number, until?: string) {
    return byDatePage(async (statement) => (await this.db.execute<{ rowId: string; key: string; cells: unknown }>(statement)).rows, 'pg', datasetId, sheetId, columns, after, limit, until);
  }

  async changedDates(datasetId: string, sheetId: string, dateColumn: string, since: number, limit: number): Promise<ChangedDate[]> {
    return (await this.db.execute<{ rowId: string; key: string | null }>(changedDatesStatement('pg', datasetId, sheetId, dateColumn, since, limit))).rows;
  }

  async existingRows(datasetId: string, sheetId: string, rowIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < rowIds.length; i += EXISTING_CHUNK) {
      const { rows } = await this.db.execute<{ rowId: string }>(existingRowsStatement(datasetId, sheetId, rowIds.slice(i, i + EXISTING_CHUNK)));
      for (const r of rows) found.add(r.rowId);
    }
    return found;
  }

  async dateIndex(datasetId: string, sheetId: string, column: Column): Promise<void> {
    const { name, definition } = dateIndexOf('pg', datasetId, sheetId, column);
    for (;;) {
      const valid = (await pgSheetIndexes(this.db, datasetId, sheetId)).get(name);
      if (valid) return;
      if (valid === undefined) {
        try {
          // Beside the server's reads and writes, as the scheduler builds the sheet's indexes.
          await this.db.execute(sql.raw(`create index concurrently if not exists "${name}" ${definition}`));
          continue;
        } catch (error) {
          // Another instance (or the scheduler) building the same index at the same moment: it finishes it.
          if (!/already exists|deadlock/i.test(String(error))) throw error;
        }
      } else if (!await this.building(name)) {
        // Left invalid by a build that failed: made again.
        await this.db.execute(sql.raw(`drop index concurrently if exists "${name}"`));
        continue;
      }
      await sleep(INDEX_POLL_MS);
    }
  }

  /** Whether some session is building this index now. */
  private async building(name: string): Promise<boolean> {
    const { rows } = await this.db.execute<{ n: string }>(sql`select count(*) as n from pg_stat_progress_create_index p
      join pg_class c on c.oid = p.index_relid where c.relname = ${name}`);
    return Number(rows[0]?.n ?? 0) > 0;
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
