/**
 * The search index of a large sheet (docs/large-sheets.md#what-a-large-sheet-gets-a-search-index): the
 * trigrams of its rows' cells, which narrow a page's text search (`q`) to the rows that may hold the text
 * before the exact terms of `db/rows-page.ts` decide. Built like the sheet's column indexes
 * (`db/sheet-indexes.ts`): once it holds `LARGE_SHEET_ROWS` rows and its writes have paused, off the event
 * loop; until then, and for a text it cannot narrow, the search scans. The answers are the same either way:
 * the index only ever finds more rows than hold the text, never fewer.
 *
 * What is indexed is the row's cells as stored (their JSON text), as the search's first term reads them: a text a
 * cell holds is in it as typed unless it has a quote, a backslash or a control character (JSON escapes those),
 * and such a query is not narrowed. Indexing the whole JSON keeps the index independent of the sheet's columns:
 * a column added, removed or retyped needs no new index.
 *
 * - SQLite: an FTS5 table of the `trigram` tokenizer ignoring case, holding no copy of the cells (contentless),
 *   keyed by the row's rowid and kept by triggers on `rows` that fire for that sheet's rows only. A query is
 *   narrowed by its trigrams, all of which a row holding it holds (`detail=none`: no positions, a third of the size).
 * - PostgreSQL: a partial GIN index of `pg_trgm` on `rows.cells`, which the search's `ILIKE` over the cells uses
 *   as it stands (PostgreSQL rechecks each row it finds).
 *
 * SQLite's rowids of `rows` stay as they are (rows are upserted, never replaced, and nothing runs VACUUM, which
 * could number them anew); a backup copies pages, rowids included.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/** Shortest text the trigrams narrow: a shorter one scans. */
export const SEARCH_MIN_CHARS = 3;

/**
 * SQLite: new rows written into an indexed sheet in one transaction from which its search index is dropped, and
 * built again once the writes pause (an import's slice), rather than kept by its triggers row by row.
 */
export const SEARCH_BULK_ROWS = 1000;

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

/** The name of a sheet's search index (SQLite: its FTS5 table, whose triggers are named after it; PostgreSQL: the index). */
export function searchIndexName(datasetId: string, sheetId: string): string {
  return `rows_s_${hash(`${datasetId}\u0000${sheetId}`)}`;
}

/**
 * Whether the index can narrow a search for this text: three characters or more, and none that the cells' JSON
 * would hold escaped (the same rule as the search's term over the raw cells in `db/rows-page.ts`).
 */
export function searchable(text: string): boolean {
  return [...text].length >= SEARCH_MIN_CHARS && !/["\\\u0000-\u001f]/.test(text);
}

/**
 * An FTS5 query a row holding `text` always matches: each of its trigrams, as a string (the tokenizer folds case
 * on both sides, more widely than SQLite's LIKE, so it finds a superset of what LIKE finds).
 */
export function ftsQuery(text: string): string {
  const chars = [...text];
  const trigrams = new Set<string>();
  for (let i = 0; i + SEARCH_MIN_CHARS <= chars.length; i++) trigrams.add(chars.slice(i, i + SEARCH_MIN_CHARS).join(''));
  return [...trigrams].map((t) => `"${t.replaceAll('"', '""')}"`).join(' AND ');
}

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** Rows a step of filling a sheet's SQLite search index reads (`sqliteSearchIndexFill`): ~0.1 s at 14 cells a row. */
export const SEARCH_FILL_ROWS = 1000;

const fillTable = (name: string) => `${name}_fill`;
const sheetOf = (datasetId: string, sheetId: string, row = '') => `${row}dataset_id = ${quote(datasetId)} and ${row}sheet_id = ${quote(sheetId)}`;

/**
 * The statements that start a sheet's SQLite search index, as one short transaction: the table and the triggers
 * that keep it from now on, and a note of how far the rows it had are in it (`${name}_fill`, none yet). The rows
 * go in by `sqliteSearchIndexFill`, a step at a time: filling a million rows at once held SQLite's one write
 * lock for about two minutes, and every other write (a sign-in) waited for it, the event loop with it.
 */
export function sqliteSearchIndexStart(datasetId: string, sheetId: string): string {
  const name = searchIndexName(datasetId, sheetId);
  const inSheet = (row: 'new' | 'old') => sheetOf(datasetId, sheetId, `${row}.`);
  return `begin immediate;
create virtual table "${name}" using fts5(cells, tokenize = 'trigram case_sensitive 0', content = '', contentless_delete = 1, detail = none);
create table "${fillTable(name)}" (last_rowid integer, end_rowid integer);
insert into "${fillTable(name)}" (last_rowid, end_rowid) select -1, coalesce(max(rowid), -1) from rows where ${sheetOf(datasetId, sheetId)};
create trigger "${name}_insert" after insert on rows when ${inSheet('new')} begin
  insert or replace into "${name}" (rowid, cells) values (new.rowid, new.cells);
end;
create trigger "${name}_update" after update of cells on rows when ${inSheet('new')} begin
  delete from "${name}" where rowid = old.rowid;
  insert into "${name}" (rowid, cells) values (new.rowid, new.cells);
end;
create trigger "${name}_delete" after delete on rows when ${inSheet('old')} begin
  delete from "${name}" where rowid = old.rowid;
end;
commit;`;
}

/**
 * One step of filling a started index: the next `SEARCH_FILL_ROWS` rows of the sheet by rowid, up to the last it had
 * when the index was started (those after are its triggers'), as one transaction. A row its triggers indexed
 * meanwhile is indexed again as it is (`or replace`: never twice). When no row is left
 * the note says so (`null`), and `sqliteSearchIndexFilled` drops it.
 */
export function sqliteSearchIndexFill(datasetId: string, sheetId: string): string {
  const name = searchIndexName(datasetId, sheetId);
  // The rows are walked by rowid, the sheet's kept as they come (`+`: no index of the sheet's rows is used): through
  // an index of the sheet, every step would read all its rows and sort those left (40–270 ms a step at 1M rows,
  // twice a step), where the walk reads what the step takes (1–2 ms).
  const next = `select rowid from rows where +dataset_id = ${quote(datasetId)} and +sheet_id = ${quote(sheetId)} and rowid > (select last_rowid from "${fillTable(name)}")
    and rowid <= (select end_rowid from "${fillTable(name)}") order by rowid limit ${SEARCH_FILL_ROWS}`;
  return `begin immediate;
insert or replace into "${name}" (rowid, cells) select rowid, cells from rows where rowid in (${next});
update "${fillTable(name)}" set last_rowid = (select max(rowid) from (${next}));
commit;`;
}

/** How far a sheet's SQLite search index is: none, started and being filled, or whole (and kept by its triggers). */
export function sqliteSearchIndexState(sqlite: Database.Database, datasetId: string, sheetId: string): 'none' | 'filling' | 'ready' {
  const name = searchIndexName(datasetId, sheetId);
  const has = (table: string) => sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(table) !== undefined;
  if (!has(name)) return 'none';
  return has(fillTable(name)) ? 'filling' : 'ready';
}

/** Whether filling the sheet's SQLite search index has read every row (its note says none is left). */
export function sqliteSearchIndexFilled(sqlite: Database.Database, datasetId: string, sheetId: string): boolean {
  const note = sqlite.prepare(`select last_rowid as after from "${fillTable(searchIndexName(datasetId, sheetId))}"`).get() as { after: number | null } | undefined;
  return note !== undefined && note.after === null;
}

/** The statement that ends filling: without its note, the index is whole. */
export const sqliteSearchIndexDone = (datasetId: string, sheetId: string) => `drop table if exists "${fillTable(searchIndexName(datasetId, sheetId))}"`;

/** Whether the sheet's SQLite search index exists whole (a search may use it). */
export function hasSqliteSearchIndex(sqlite: Database.Database, datasetId: string, sheetId: string): boolean {
  return sqliteSearchIndexState(sqlite, datasetId, sheetId) === 'ready';
}

/** Drops a sheet's SQLite search index and its triggers (before its rows are deleted, which they would follow row by row). */
export function dropSqliteSearchIndex(sqlite: Database.Database, datasetId: string, sheetId: string): void {
  const name = searchIndexName(datasetId, sheetId);
  for (const trigger of ['insert', 'update', 'delete']) sqlite.exec(`drop trigger if exists "${name}_${trigger}"`);
  sqlite.exec(`drop table if exists "${name}"`);
  sqlite.exec(`drop table if exists "${fillTable(name)}"`);
}

/** The definition of a sheet's PostgreSQL search index: what follows `CREATE INDEX name`. */
export function pgSearchIndexDefinition(datasetId: string, sheetId: string): string {
  return `on rows using gin (cells gin_trgm_ops) where dataset_id = ${quote(datasetId)} and sheet_id = ${quote(sheetId)}`;
}
