/**
 * The indexes of a large sheet (docs/large-sheets.md): once a sheet holds `LARGE_SHEET_ROWS`
 * rows, each of its columns gets a partial index on `rows` — its sort key and the row id, for that sheet's rows
 * only — which the rows page walks to sort and filter (`db/rows-page.ts`). Here: their names and statements (both
 * databases), and when SQLite builds and drops them.
 *
 * An index is built once the sheet's writes have paused (`QUIET_MS`): rows written in bulk (an import, 2,000 per
 * transaction) are not slowed by indexes that every row would update; the indexes are built on all of them at
 * the end, one at a time, by a worker thread on SQLite (`SqliteSlowWrites`) and `CONCURRENTLY` on PostgreSQL, so
 * that neither holds up the server.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Column } from '../model/columns';
import type { DocCommit } from '../server/sync/store';
import { indexedExpressions, keyKind, type KeyKind, type KeySql, LARGE_SHEET_ROWS, sqliteRows } from './rows-page';
import {
  dropSqliteSearchIndex, hasSqliteSearchIndex, SEARCH_BULK_ROWS, sqliteSearchIndexDone, sqliteSearchIndexFill, sqliteSearchIndexFilled,
  sqliteSearchIndexStart, sqliteSearchIndexState,
} from './search-index';
import { WorkerCalls } from './worker-calls';

/**
 * How long a sheet's writes must pause before its indexes are built: longer than the gaps between an import's
 * transactions on a busy machine, so that a build does not start halfway through an import.
 */
export const QUIET_MS = 5000;

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

/** Drops a sheet's column indexes and its search index (before its rows are deleted: each would otherwise be updated row by row). */
export function dropSqliteSheetIndexes(sqlite: Database.Database, datasetId: string, sheetId: string): void {
  for (const name of sqliteSheetIndexes(sqlite, datasetId, sheetId)) sqlite.exec(`drop index if exists "${name}"`);
  dropSqliteSearchIndex(sqlite, datasetId, sheetId);
}

/** Where a store's large-sheet indexes are read, built and dropped; the scheduler below decides when. */
export interface SheetIndexBackend {
  /** The sheet's columns (JSON, as stored) and row count; undefined once it is gone. */
  sheet(datasetId: string, sheetId: string): Promise<{ columns: string; rowCount: number } | undefined>;
  /** Builds what the sheet wants and drops what it no longer does. */
  ensure(datasetId: string, sheetId: string): Promise<void>;
  /** Whether the sheet has any (valid) column or search index. */
  hasIndexes(datasetId: string, sheetId: string): Promise<boolean>;
}

/**
 * Watches a store's commits and builds a sheet's indexes once its writes pause (`QUIET_MS`), one sheet at a
 * time. One per database, shared by the store and the catalog (which deletes datasets).
 */
export class IndexScheduler {
  /** Sheets (`dataset\0sheet`) whose indexes are as their columns want, by those columns' JSON. */
  private readonly ensured = new Map<string, string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private building: Promise<void> = Promise.resolve();

  constructor(private readonly backend: SheetIndexBackend, private readonly onError: (error: unknown) => void = () => undefined) {}

  /** After a commit that wrote rows or columns of these sheets (outside its transaction). */
  async touched(datasetId: string, sheetIds: Iterable<string>): Promise<void> {
    for (const sheetId of sheetIds) {
      const key = `${datasetId}\u0000${sheetId}`;
      const sheet = await this.backend.sheet(datasetId, sheetId);
      if (!sheet || this.ensured.get(key) === sheet.columns) continue;
      // A small sheet has no indexes (unless it shrank: they stay until it grows again).
      if (sheet.rowCount < LARGE_SHEET_ROWS && !this.ensured.has(key)) continue;
      clearTimeout(this.timers.get(key));
      const timer = setTimeout(() => {
        this.timers.delete(key);
        this.building = this.building.then(() => this.build(datasetId, sheetId, key)).catch(this.onError);
      }, QUIET_MS);
      timer.unref();
      this.timers.set(key, timer);
    }
  }

  /** A sheet removed, or its dataset deleted: nothing more is built for it. */
  forget(datasetId: string, sheetId: string): void {
    const key = `${datasetId}\u0000${sheetId}`;
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.ensured.delete(key);
  }

  /** The sheet's indexes are no longer as wanted (one was dropped): the next commit that touches it builds them. */
  stale(datasetId: string, sheetId: string): void {
    this.ensured.delete(`${datasetId}\u0000${sheetId}`);
  }

  /** Runs after the builds already queued (a drop must not race one). */
  after(work: () => Promise<void>): void {
    this.building = this.building.then(work).catch(this.onError);
  }

  /** Resolves once every build that is due has run (tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.timers.size > 0) await new Promise((resolve) => setTimeout(resolve, QUIET_MS / 4));
    await this.building;
  }

  private async build(datasetId: string, sheetId: string, key: string): Promise<void> {
    const before = (await this.backend.sheet(datasetId, sheetId))?.columns;
    await this.backend.ensure(datasetId, sheetId);
    const after = await this.backend.sheet(datasetId, sheetId);
    // Ensured only if the columns did not change meanwhile and the sheet is one that has indexes.
    if (after && after.columns === before && await this.backend.hasIndexes(datasetId, sheetId)) this.ensured.set(key, after.columns);
  }
}

/**
 * Runs statements that take seconds (an index of a million rows) on a connection of the worker thread's own
 * (`db/sql-worker.mjs`), so that the server's event loop keeps answering meanwhile: WAL lets its readers go
 * on. While a statement runs it holds SQLite's one write lock, so the store's commits wait for `writable()`
 * (changes stay in memory, acknowledged once stored) rather than block the loop in the driver's busy wait.
 * An in-memory database has no file another connection could open: its statements run here.
 */
export class SqliteSlowWrites {
  private running: Promise<void> | undefined;
  /** The worker's calls; none for an in-memory database. */
  private readonly calls: WorkerCalls | undefined;
  /** Writes of the server's connection going on (`hold`), and the statements waiting for them to end. */
  private holders = 0;
  private afterHolders: Array<() => void> = [];

  constructor(private readonly sqlite: Database.Database) {
    this.calls = sqlite.memory ? undefined : new WorkerCalls(new URL('./sql-worker.mjs', import.meta.url), sqlite.name);
  }

  /** Whether a statement is running in the worker now. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Resolves when no statement holds the write lock. */
  async writable(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  /**
   * For a write on the server's own connection: resolves once no statement runs here, and holds the next one back
   * until the returned release is called (idempotent), so the write never waits for the lock in the driver's busy
   * wait, which would hold the event loop for as long as a statement runs (seconds at a million rows).
   */
  async hold(): Promise<() => void> {
    this.holders += 1;
    await this.writable();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders -= 1;
      if (this.holders > 0) return;
      const waiting = this.afterHolders;
      this.afterHolders = [];
      for (const resume of waiting) resume();
    };
  }

  /** Runs one statement, after any running one and once no write holds statements back (`hold`). */
  async exec(statement: string): Promise<void> {
    const calls = this.calls;
    if (!calls) {
      try {
        this.sqlite.exec(statement);
      } catch (error) {
        // As the worker: a failed statement of a transaction undoes the rest of it.
        if (this.sqlite.inTransaction) this.sqlite.exec('rollback');
        throw error;
      }
      return;
    }
    for (;;) {
      await this.writable();
      if (this.holders === 0) break;
      await new Promise<void>((resume) => this.afterHolders.push(resume));
    }
    const run = calls.call<void>({ sql: statement });
    this.running = run;
    try {
      await run;
    } finally {
      this.running = undefined;
      // Commits waiting for the lock run (they resume as microtasks) before the next statement is sent.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Lets the worker go (it is started again by the next statement). */
  async close(): Promise<void> {
    await this.calls?.close();
  }
}

/** SQLite's side of the scheduler: reads on the server's connection, builds through `SqliteSlowWrites`. */
export function sqliteIndexBackend(sqlite: Database.Database, slow: SqliteSlowWrites): SheetIndexBackend {
  const sheetRow = (datasetId: string, sheetId: string) => sqlite.prepare('select columns, row_count as rowCount from sheets where dataset_id = ? and sheet_id = ?')
    .get(datasetId, sheetId) as { columns: string; rowCount: number } | undefined;
  return {
    sheet: async (datasetId, sheetId) => sheetRow(datasetId, sheetId),
    hasIndexes: async (datasetId, sheetId) => sqliteSheetIndexes(sqlite, datasetId, sheetId).size > 0 || hasSqliteSearchIndex(sqlite, datasetId, sheetId),
    async ensure(datasetId, sheetId) {
      const sheet = sheetRow(datasetId, sheetId);
      if (!sheet) return;
      const existing = sqliteSheetIndexes(sqlite, datasetId, sheetId);
      const searchable = hasSqliteSearchIndex(sqlite, datasetId, sheetId);
      if (sheet.rowCount < LARGE_SHEET_ROWS && existing.size === 0 && !searchable) return;
      const wanted = wantedIndexes(sqliteRows.keys, datasetId, sheetId, JSON.parse(sheet.columns) as Column[]);
      for (const name of existing) if (!wanted.has(name)) await slow.exec(`drop index if exists "${name}"`);
      for (const [name, definition] of wanted) {
        if (existing.has(name)) continue;
        // The sheet may have gone while the last statement ran.
        if (!sheetRow(datasetId, sheetId)) return;
        await slow.exec(`create index if not exists "${name}" ${definition}`);
      }
      // The search index (db/search-index.ts) last: it follows the cells, whatever the columns. Started, then
      // filled a step at a time, each step a short transaction, so that other writes wait for a step at most; one
      // left half filled (a restart) goes on from where its note says.
      if (searchable || !sheetRow(datasetId, sheetId)) return;
      if (sqliteSearchIndexState(sqlite, datasetId, sheetId) === 'none') await slow.exec(sqliteSearchIndexStart(datasetId, sheetId));
      while (sqliteSearchIndexState(sqlite, datasetId, sheetId) === 'filling') {
        if (sqliteSearchIndexFilled(sqlite, datasetId, sheetId)) await slow.exec(sqliteSearchIndexDone(datasetId, sheetId));
        else await slow.exec(sqliteSearchIndexFill(datasetId, sheetId));
      }
    },
  };
}

/** SQLite's scheduler: the shared one, with drops inside the caller's transaction and commits that wait for a build. */
export class SqliteIndexScheduler {
  readonly slow: SqliteSlowWrites;
  private readonly scheduler: IndexScheduler;

  constructor(private readonly sqlite: Database.Database) {
    this.slow = new SqliteSlowWrites(sqlite);
    this.scheduler = new IndexScheduler(sqliteIndexBackend(sqlite, this.slow));
  }

  /** After a commit that wrote rows or columns of these sheets (outside its transaction). */
  touched(datasetId: string, sheetIds: Iterable<string>): void {
    void this.scheduler.touched(datasetId, sheetIds);
  }

  /** A sheet removed, or its dataset deleted: its indexes go (inside the caller's transaction, before its rows). */
  dropped(datasetId: string, sheetId: string): void {
    this.scheduler.forget(datasetId, sheetId);
    dropSqliteSheetIndexes(this.sqlite, datasetId, sheetId);
  }

  /**
   * Before `rows` new rows are written into the sheet in one transaction (inside it): from `SEARCH_BULK_ROWS`
   * on, its search index goes, to be built again once the writes pause, rather than be kept row by row (~1 ms a
   * row on the event loop at a million rows; dropping it: ~0.3 s).
   */
  bulkWrite(datasetId: string, sheetId: string, rows: number): void {
    if (rows < SEARCH_BULK_ROWS || sqliteSearchIndexState(this.sqlite, datasetId, sheetId) === 'none') return;
    dropSqliteSearchIndex(this.sqlite, datasetId, sheetId);
    this.scheduler.stale(datasetId, sheetId);
  }

  /**
   * Builds one index now (`CREATE INDEX …`), after the builds already queued: the worker runs one statement at a
   * time, so that a commit that waits for `writable()` never meets a build it was not told of.
   */
  buildNow(statement: string): Promise<void> {
    return new Promise((resolve, reject) => this.scheduler.after(() => this.slow.exec(statement).then(resolve, reject)));
  }

  /** Whether an index is being built now (holding the write lock). */
  get building(): boolean {
    return this.slow.busy;
  }

  /** Resolves when no index is being built (a write would wait for the build's lock). */
  writable(): Promise<void> {
    return this.slow.writable();
  }

  /** Resolves once every build that is due has run (tests and benchmarks). */
  idle(): Promise<void> {
    return this.scheduler.idle();
  }
}

const schedulers = new WeakMap<Database.Database, SqliteIndexScheduler>();

/** The scheduler of a connection (one per connection: the store and the catalog share it). */
export function sqliteIndexScheduler(sqlite: Database.Database): SqliteIndexScheduler {
  let scheduler = schedulers.get(sqlite);
  if (!scheduler) schedulers.set(sqlite, scheduler = new SqliteIndexScheduler(sqlite));
  return scheduler;
}
