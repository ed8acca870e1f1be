/**
 * Duplicate detection's reads and its dismissed groups, SQLite. The keys query is one statement for both
 * databases (`duplicateKeysStatement`: the rows-page dialect, and how each reads several cells at once).
 */
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Column } from '../model/columns';
import type { DuplicateColumns } from '../server/duplicates/columns';
import type { ChangedDate, DatePosition, DuplicateKeyRecord, DuplicateStore } from '../server/duplicates/store';
import type { Db } from './client';
import { columnPath, keyKind, pgRows, sqliteRows } from './rows-page';
import { duplicateDismissals } from './schema';
import { columnIndexName, sqliteIndexScheduler, sqliteSheetIndexes, wantedIndexes } from './sheet-indexes';

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

/**
 * The date column's index (name and what follows `CREATE INDEX name`): the large-sheet index of that column
 * (`db/sheet-indexes.ts`), the same name and expressions, so the rows page and the sweep share one.
 */
export function dateIndexOf(dialect: 'sqlite' | 'pg', datasetId: string, sheetId: string, column: Column): { name: string; definition: string } {
  const [[name, definition]] = [...wantedIndexes((dialect === 'sqlite' ? sqliteRows : pgRows).keys, datasetId, sheetId, [column])] as [[string, string]];
  return { name, definition };
}

/**
 * Up to `limit` rows with a date cell, by its sort key then row id: those of the key `from.key` after the row
 * `from.rowId`, or those of keys after `from.key` (from the first, without `from`). Each is one range of the date column's
 * index (whose expressions these are, as the rows page's; SQLite is told to use it, PostgreSQL's planner picks
 * it): a page costs its own rows however deep into the sheet it is. (A comparison of the key and row id together
 * is not read as a range of an index on an expression: each page would walk the index from its start.)
 */
export function byDateStatement(
  dialect: 'sqlite' | 'pg', datasetId: string, sheetId: string, columns: DuplicateColumns,
  from: { key: string; rowId?: string } | undefined, limit: number, until?: string,
): SQL {
  const d = dialect === 'sqlite' ? sqliteRows : pgRows;
  const key = sql.raw(d.keys.text('r.cells', columns.date));
  const hint = dialect === 'sqlite' ? d.indexHint(columnIndexName(d.keys, datasetId, sheetId, columns.date, keyKind('date')!)) : sql``;
  // The literals of the index's own WHERE: a partial index is chosen by them.
  const where: SQL[] = [sql.raw(`r.dataset_id = ${d.keys.literal(datasetId)} and r.sheet_id = ${d.keys.literal(sheetId)}`), sql`${key} is not null`];
  if (from?.rowId !== undefined) where.push(sql`${key} = ${from.key} and r.row_id > ${from.rowId}`);
  else where.push(sql`${key} > ${from?.key ?? ''}`);
  if (until !== undefined) where.push(sql`${key} <= ${until}`);
  return sql`select r.row_id as "rowId", ${key} as "key", ${cellArray[dialect](comparedColumns(columns))} as "cells"
    from ${d.source(true)}${hint} where ${sql.join(where, sql` and `)} order by ${from?.rowId !== undefined ? sql`r.row_id` : sql`${key}, r.row_id`} limit ${limit}`;
}

/**
 * A page in date order after `after` (`DuplicateStore.byDate`): the rest of its key's rows, then the keys after
 * it (up to `until`, when given), each a range of the index (`byDateStatement`).
 */
export async function byDatePage<T extends { rowId: unknown; key: unknown; cells: unknown }>(
  run: (statement: SQL) => Promise<T[]>, dialect: 'sqlite' | 'pg', datasetId: string, sheetId: string, columns: DuplicateColumns,
  after: DatePosition | undefined, limit: number, until?: string,
): Promise<Array<DuplicateKeyRecord & { position: DatePosition }>> {
  const rows = after ? await run(byDateStatement(dialect, datasetId, sheetId, columns, after, limit, until)) : [];
  if (rows.length < limit) rows.push(...await run(byDateStatement(dialect, datasetId, sheetId, columns, after && { key: after.key }, limit - rows.length, until)));
  return rows.map((r) => toPositionedRecord(r, columns));
}

/**
 * Up to `limit` rows of a sheet written at or after `since` (ms), each with its date cell's sort key (the date
 * index's expression, null for an empty cell). The rows' JSON is read only for the rows written since.
 */
export function changedDatesStatement(dialect: 'sqlite' | 'pg', datasetId: string, sheetId: string, dateColumn: string, since: number, limit: number): SQL {
  const key = sql.raw((dialect === 'sqlite' ? sqliteRows : pgRows).keys.text('r.cells', dateColumn));
  return sql`select r.row_id as "rowId", ${key} as "key" from rows r
    where r.dataset_id = ${datasetId} and r.sheet_id = ${sheetId} and r.updated_at >= ${since} limit ${limit}`;
}

/** Rows asked about at once by `existingRows`: below SQLite's limit on a statement's parameters. */
export const EXISTING_CHUNK = 5_000;

/** Which of `rowIds` (at most EXISTING_CHUNK) the sheet has: each looked up by the primary key. */
export const existingRowsStatement = (datasetId: string, sheetId: string, rowIds: readonly string[]): SQL =>
  sql`select r.row_id as "rowId" from rows r where r.dataset_id = ${datasetId} and r.sheet_id = ${sheetId}
    and r.row_id in (${sql.join(rowIds.map((id) => sql`${id}`), sql`, `)})`;

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

/** A record of the date-ordered query, with its position. */
export function toPositionedRecord(row: { rowId: unknown; key: unknown; cells: unknown }, columns: DuplicateColumns): DuplicateKeyRecord & { position: DatePosition } {
  const record = toKeyRecord(row, columns) as DuplicateKeyRecord & { position: DatePosition };
  record.position = { key: String(row.key), rowId: record.rowId };
  return record;
}

/** A dismissed group as stored: its row ids, sorted, joined by spaces (row ids have none). */
export const groupKey = (rows: readonly string[]): string => [...new Set(rows)].sort().join(' ');

export class SqliteDuplicateStore implements DuplicateStore {
  constructor(private readonly db: Db) {}

  async keys(datasetId: string, sheetId: string, columns: DuplicateColumns, changedSince?: number): Promise<DuplicateKeyRecord[]> {
    return this.db.all<{ rowId: string; cells: string }>(duplicateKeysStatement('sqlite', datasetId, sheetId, columns, changedSince))
      .map((r) => toKeyRecord(r, columns));
  }

  async byDate(datasetId: string, sheetId: string, columns: DuplicateColumns, after: DatePosition | undefined, limit: number, until?: string) {
    return byDatePage(async (statement) => this.db.all<{ rowId: string; key: string; cells: string }>(statement), 'sqlite', datasetId, sheetId, columns, after, limit, until);
  }

  async changedDates(datasetId: string, sheetId: string, dateColumn: string, since: number, limit: number): Promise<ChangedDate[]> {
    return this.db.all<ChangedDate>(changedDatesStatement('sqlite', datasetId, sheetId, dateColumn, since, limit));
  }

  async existingRows(datasetId: string, sheetId: string, rowIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < rowIds.length; i += EXISTING_CHUNK) {
      const chunk = rowIds.slice(i, i + EXISTING_CHUNK);
      for (const r of this.db.all<{ rowId: string }>(existingRowsStatement(datasetId, sheetId, chunk))) found.add(r.rowId);
    }
    return found;
  }

  async dateIndex(datasetId: string, sheetId: string, column: Column): Promise<void> {
    const sqlite = this.db.$client;
    const { name, definition } = dateIndexOf('sqlite', datasetId, sheetId, column);
    if (sqliteSheetIndexes(sqlite, datasetId, sheetId).has(name)) return;
    // Built on the worker's connection (seconds at a million rows): the event loop goes on meanwhile.
    await sqliteIndexScheduler(sqlite).buildNow(`create index if not exists "${name}" ${definition}`);
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
