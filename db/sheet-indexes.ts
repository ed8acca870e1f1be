/**
 * The indexes of a large sheet (docs/large-sheets.md): once a sheet holds `LARGE_SHEET_ROWS`
 * rows, each of its columns gets a partial index on `rows` — its sort key and the row id, for that sheet's rows
 * only — which the rows page walks to sort and filter (`db/rows-page.ts`). Here: their names and statements (both
 * databases), and when SQLite builds and drops them.
 *
 * An index is built once the sheet's writes have paused (`QUIET_MS`): rows written in bulk (an import, 2,000 per
 * transaction) are not slowed by indexes that every row would update; the indexes are built on all of them at
 * the end, one per event-loop turn.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Column } from '../model/columns';
import type { DocCommit } from '../server/sync/store';
import { indexedExpressions, keyKind, type KeyKind, type KeySql, LARGE_SHEET_ROWS, sqliteRows } from './rows-page';

/** How long a sheet's writes must pause before its indexes are built. */
export const QUIET_MS = 1000;

const hash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

/** Every index of a sheet's columns is named with this, then a hash of what it holds. */
export function sheetIndexPrefix(datasetId: string, sheetId: string): string {
  return `rows_k_${hash(`${datasetId}\u0000${sheetId}`, 12)}_`;
}

/** A column's index is named by what it holds: an index made by an older definition is not taken for it. */
export function columnIndexName(keys: KeySql, datasetId: string, sheetId: string, columnId: string, kind: KeyKind): string {
  return `${sheetIndexPrefix(datasetId, sheetId)}${hash(indexedExpressions(keys, kind, columnId).join(', '), 8)}`;
}

/** The indexes a sheet's columns want: name → what follows `CREATE INDEX name` (table, expressions, the sheet's rows). */
export function wantedIndexes(keys: KeySql, datasetId: string, sheetId: string, columns: readonly Column[]): Map<string, string> {
  const wanted = new Map<string, string>();
  for (const column of columns) {
    const kind = keyKind(column.type);
    if (!kind) continue;
    wanted.set(columnIndexName(keys, datasetId, sheetId, column.id, kind),
      `on rows (${indexedExpressions(keys, kind, column.id).join(', ')}) where dataset_id = ${keys.literal(datasetId)} and sheet_id = ${keys.literal(sheetId)}`);
  }
  return wanted;
}

/** The sheets whose rows or columns a commit wrote (not one it removed). */
export function touchedSheets(commit: DocCommit): Set<string> {
  const touched = new Set(commit.rows.map((r) => r.sheetId));
  for (const { sheetId, sheet } of commit.sheets) {
    if (sheet) touched.add(sheetId);
    else touched.delete(sheetId);
  }
  return touched;
}

/** The sheet's column indexes that exist. */
export function sqliteSheetIndexes(sqlite: Database.Database, datasetId: string, sheetId: string): Set<string> {
  const prefix = sheetIndexPrefix(datasetId, sheetId);
  return new Set((sqlite.prepare("select name from sqlite_master where type = 'index' and tbl_name = 'rows' and substr(name, 1, ?) = ?")
    .all(prefix.length, prefix) as { name: string }[]).map((r) => r.name));
}

/** Drops a sheet's column indexes (before its rows are deleted: each would otherwise be updated row by row). */
export function dropSqliteSheetIndexes(sqlite: Database.Database, datasetId: string, sheetId: string): void {
  for (const name of sqliteSheetIndexes(sqlite, datasetId, sheetId)) sqlite.exec(`drop index if exists "${name}"`);
}

/**
 * Builds what a sheet wants and drops what it no longer does (a removed column's, or one whose type changed
 * kind), when the sheet holds `LARGE_SHEET_ROWS` rows or has indexes already. Each statement runs on its own:
 * `turn` is awaited between them, so that a million-row sheet holds the server for one index at a time.
 */
export async function ensureSqliteSheetIndexes(sqlite: Database.Database, datasetId: string, sheetId: string, turn: () => Promise<void> = async () => {}): Promise<void> {
  const sheet = sqlite.prepare('select columns, row_count as rowCount from sheets where dataset_id = ? and sheet_id = ?')
    .get(datasetId, sheetId) as { columns: string; rowCount: number } | undefined;
  if (!sheet) return;
  const existing = sqliteSheetIndexes(sqlite, datasetId, sheetId);
  if (sheet.rowCount < LARGE_SHEET_ROWS && existing.size === 0) return;
  const wanted = wantedIndexes(sqliteRows.keys, datasetId, sheetId, JSON.parse(sheet.columns) as Column[]);
  for (const name of existing) {
    if (wanted.has(name)) continue;
    sqlite.exec(`drop index if exists "${name}"`);
  }
  for (const [name, definition] of wanted) {
    if (existing.has(name)) continue;
    await turn();
    // The sheet may have gone while this waited for its turn.
    if (!sqlite.prepare('select 1 from sheets where dataset_id = ? and sheet_id = ?').get(datasetId, sheetId)) return;
    sqlite.exec(`create index if not exists "${name}" ${definition}`);
  }
}

/**
 * Watches a SQLite store's commits and builds a sheet's indexes once its writes pause (`QUIET_MS`). One per
 * database connection, shared by the store and the catalog (which deletes datasets).
 */
export class SqliteIndexScheduler {
  /** Sheets (`dataset\0sheet`) whose indexes are as their columns want, by those columns' JSON. */
  private readonly ensured = new Map<string, string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private building: Promise<void> = Promise.resolve();

  constructor(private readonly sqlite: Database.Database) {}

  /** After a commit that wrote rows or columns of these sheets (outside its transaction). */
  touched(datasetId: string, sheetIds: Iterable<string>): void {
    for (const sheetId of sheetIds) {
      const key = `${datasetId}\u0000${sheetId}`;
      const sheet = this.sqlite.prepare('select columns, row_count as rowCount from sheets where dataset_id = ? and sheet_id = ?')
        .get(datasetId, sheetId) as { columns: string; rowCount: number } | undefined;
      if (!sheet || this.ensured.get(key) === sheet.columns) continue;
      // A small sheet has no indexes (unless it shrank: they stay until it grows again).
      if (sheet.rowCount < LARGE_SHEET_ROWS && !this.ensured.has(key)) continue;
      clearTimeout(this.timers.get(key));
      const timer = setTimeout(() => {
        this.timers.delete(key);
        this.building = this.building.then(() => this.build(datasetId, sheetId, key)).catch(() => undefined);
      }, QUIET_MS);
      timer.unref();
      this.timers.set(key, timer);
    }
  }

  /** A sheet removed, or its dataset deleted: its indexes go (inside the caller's transaction, before its rows). */
  dropped(datasetId: string, sheetId: string): void {
    const key = `${datasetId}\u0000${sheetId}`;
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.ensured.delete(key);
    dropSqliteSheetIndexes(this.sqlite, datasetId, sheetId);
  }

  /** Resolves once every build that is due has run (tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.timers.size > 0) await new Promise((resolve) => setTimeout(resolve, QUIET_MS / 4));
    await this.building;
  }

  private async build(datasetId: string, sheetId: string, key: string): Promise<void> {
    const columns = (this.sqlite.prepare('select columns from sheets where dataset_id = ? and sheet_id = ?').get(datasetId, sheetId) as { columns: string } | undefined)?.columns;
    await ensureSqliteSheetIndexes(this.sqlite, datasetId, sheetId, () => new Promise((resolve) => setImmediate(resolve)));
    const now = this.sqlite.prepare('select columns, row_count as rowCount from sheets where dataset_id = ? and sheet_id = ?')
      .get(datasetId, sheetId) as { columns: string; rowCount: number } | undefined;
    // Ensured only if the columns did not change meanwhile and the sheet is one that has indexes.
    if (now && now.columns === columns && sqliteSheetIndexes(this.sqlite, datasetId, sheetId).size > 0) this.ensured.set(key, now.columns);
  }
}

const schedulers = new WeakMap<Database.Database, SqliteIndexScheduler>();

/** The scheduler of a connection. */
export function sqliteIndexScheduler(sqlite: Database.Database): SqliteIndexScheduler {
  let scheduler = schedulers.get(sqlite);
  if (!scheduler) schedulers.set(sqlite, scheduler = new SqliteIndexScheduler(sqlite));
  return scheduler;
}
