/**
 * Duplicate detection's reads and its dismissed groups, SQLite. The keys query is one statement for both
 * databases (`duplicateKeysStatement`: the rows-page dialect, and how each reads several cells at once).
 */
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { DuplicateColumns } from '../server/duplicates/columns';
import type { DuplicateKeyRecord, DuplicateStore } from '../server/duplicates/store';
import type { Db } from './client';
import { columnPath, pgRows, sqliteRows } from './rows-page';
import { duplicateDismissals } from './schema';

/** The compared cells of a row, in this order, as one JSON array: the database reads each row's JSON once. */
export function comparedColumns(columns: DuplicateColumns): string[] {
  const ids = [columns.date, columns.type, columns.place, columns.location, columns.evidence, ...columns.actors];
  return ids.map((id) => id ?? columns.date);
}

/** How each database reads several cells of a row as one JSON array (SQLite gives its text, PostgreSQL the parsed value). */
const cellArray: Record<'sqlite' | 'pg', (ids: readonly string[]) => SQL> = {
  // json_extract with several paths answers a JSON array of their values (with one, the bare value).
  sqlite: (ids) => sql.raw(`json_extract(r.cells, ${ids.map((id) => `'$.${columnPath(id)}'`).join(', ')})`),
  pg: (ids) => sql.raw(`jsonb_build_array(${ids.map((id) => `x.j -> '${columnPath(id)}'`).join(', ')})`),
};

/**
 * A sheet's rows (those written since `changedSince`, when given), each with its compared cells read from
 * its JSON once. Rows without a date are answered too (the server keeps every
 * row's keys, and tells a deleted row by the count). The blocks (one type, nearby dates) are made in code
 * from these: ordering here by the type and the date costs the database more than sorting the blocks does there.
 */
export function duplicateKeysStatement(dialect: 'sqlite' | 'pg', datasetId: string, sheetId: string, columns: DuplicateColumns, changedSince?: number): SQL {
  const d = dialect === 'sqlite' ? sqliteRows : pgRows;
  const where: SQL[] = [sql`r.dataset_id = ${datasetId}`, sql`r.sheet_id = ${sheetId}`];
  if (changedSince !== undefined) where.push(sql`r.updated_at >= ${changedSince}`);
  return sql`select r.row_id as "rowId", ${cellArray[dialect](comparedColumns(columns))} as "cells"
    from ${d.source(true)} where ${sql.join(where, sql` and `)}`;
}

/** A sheet's row ids. */
export const rowIdsStatement = (datasetId: string, sheetId: string): SQL =>
  sql`select r.row_id as "rowId" from rows r where r.dataset_id = ${datasetId} and r.sheet_id = ${sheetId}`;

/** A sheet's row count. */
export const rowCountStatement = (datasetId: string, sheetId: string): SQL =>
  sql`select count(*) as "n" from rows r where r.dataset_id = ${datasetId} and r.sheet_id = ${sheetId}`;

/** A record of the keys query as the store answers it (the cells' array as text, or parsed). */
export function toKeyRecord(row: { rowId: unknown; cells: unknown }, columns: DuplicateColumns): DuplicateKeyRecord {
  const cells = typeof row.cells === 'string' ? JSON.parse(row.cells) as unknown : row.cells;
  const values = Array.isArray(cells) ? cells as unknown[] : [cells];
  return {
    rowId: String(row.rowId), date: values[0], type: columns.type ? values[1] : null, place: columns.place ? values[2] : null,
    location: columns.location ? values[3] : null, evidence: columns.evidence ? values[4] : null, actors: columns.actors.map((_, i) => values[5 + i]),
  };
}

/** A dismissed group as stored: its row ids, sorted, joined by spaces (row ids have none). */
export const groupKey = (rows: readonly string[]): string => [...new Set(rows)].sort().join(' ');

export class SqliteDuplicateStore implements DuplicateStore {
  constructor(private readonly db: Db) {}

  async keys(datasetId: string, sheetId: string, columns: DuplicateColumns, changedSince?: number): Promise<DuplicateKeyRecord[]> {
    return this.db.all<{ rowId: string; cells: string }>(duplicateKeysStatement('sqlite', datasetId, sheetId, columns, changedSince))
      .map((r) => toKeyRecord(r, columns));
  }

  async rowCount(datasetId: string, sheetId: string): Promise<number> {
    return Number(this.db.get<{ n: number }>(rowCountStatement(datasetId, sheetId))?.n ?? 0);
  }

  async rowIds(datasetId: string, sheetId: string): Promise<string[]> {
    return this.db.all<{ rowId: string }>(rowIdsStatement(datasetId, sheetId)).map((r) => r.rowId);
  }

  async dismissed(datasetId: string, sheetId: string): Promise<string[][]> {
    return this.db.select({ rows: duplicateDismissals.rows }).from(duplicateDismissals)
      .where(and(eq(duplicateDismissals.datasetId, datasetId), eq(duplicateDismissals.sheetId, sheetId))).all()
      .map((r) => r.rows.split(' '));
  }

  async dismiss(datasetId: string, sheetId: string, rows: readonly string[], userId: string, at: number): Promise<boolean> {
    return this.db.insert(duplicateDismissals).values({ datasetId, sheetId, rows: groupKey(rows), dismissedBy: userId, dismissedAt: at })
      .onConflictDoNothing().run().changes === 1;
  }
}
