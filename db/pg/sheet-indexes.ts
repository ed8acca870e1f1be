/**
 * The indexes of a large sheet on PostgreSQL (see `db/sheet-indexes.ts`): the same indexes, built with
 * `CREATE INDEX CONCURRENTLY` outside any transaction once the sheet's writes pause, so that neither the commit
 * that made the sheet large nor anyone reading or writing meanwhile waits for them. Several instances may
 * start the same build: `IF NOT EXISTS` and a failed build's leftovers (an invalid index) are dealt with.
 * The sheet's search index (`db/search-index.ts`) is built the same way, last, where `pg_trgm` can be had.
 */
import { sql } from 'drizzle-orm';
import { type Column } from '../../model/columns';
import { LARGE_SHEET_ROWS, pgRows } from '../rows-page';
import { pgSearchIndexDefinition, searchIndexName } from '../search-index';
import { IndexScheduler, sheetIndexPrefix, wantedIndexes } from '../sheet-indexes';
import type { PgDb } from './client';

/** The sheet's column indexes, valid or not (a concurrent build that failed leaves an invalid one). */
export async function pgSheetIndexes(db: PgDb, datasetId: string, sheetId: string): Promise<Map<string, boolean>> {
  const prefix = sheetIndexPrefix(datasetId, sheetId);
  const { rows } = await db.execute<{ name: string; valid: boolean }>(sql`select c.relname as name, i.indisvalid as valid
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
    where t.relname = 'rows' and t.relnamespace = to_regnamespace(current_schema()) and left(c.relname, ${prefix.length}) = ${prefix}`);
  return new Map(rows.map((r) => [r.name, r.valid]));
}

/** Whether the sheet's search index exists and is valid (undefined: it does not exist). */
export async function pgSearchIndex(db: PgDb, datasetId: string, sheetId: string): Promise<boolean | undefined> {
  const { rows: [index] } = await db.execute<{ valid: boolean }>(sql`select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
    where c.relname = ${searchIndexName(datasetId, sheetId)} and c.relnamespace = to_regnamespace(current_schema())`);
  return index?.valid;
}

/** Drops a sheet's column indexes and its search index, without blocking reads and writes of `rows`. */
export async function dropPgSheetIndexes(db: PgDb, datasetId: string, sheetId: string): Promise<void> {
  for (const name of (await pgSheetIndexes(db, datasetId, sheetId)).keys()) await db.execute(sql.raw(`drop index concurrently if exists "${name}"`));
  await db.execute(sql.raw(`drop index concurrently if exists "${searchIndexName(datasetId, sheetId)}"`));
}

/** Whether `pg_trgm` is there, made so if it can be (a trusted extension: the database's owner may). */
async function trigrams(db: PgDb): Promise<boolean> {
  try {
    await db.execute(sql`create extension if not exists pg_trgm`);
  } catch {
    // Not installed on the server, not allowed, or made by another instance at the same moment: asked below.
  }
  return (await db.execute(sql`select 1 from pg_extension where extname = 'pg_trgm'`)).rows.length > 0;
}

/**
 * Builds what a sheet wants and drops what it no longer does, when the sheet holds `LARGE_SHEET_ROWS` rows or
 * has indexes already; then refreshes the planner's statistics of `rows` (the indexes' expressions included).
 */
export async function ensurePgSheetIndexes(db: PgDb, datasetId: string, sheetId: string): Promise<void> {
  const { rows: [sheet] } = await db.execute<{ columns: string; rowCount: string }>(sql`select columns, row_count as "rowCount"
    from sheets where dataset_id = ${datasetId} and sheet_id = ${sheetId}`);
  if (!sheet) return;
  const existing = await pgSheetIndexes(db, datasetId, sheetId);
  const search = await pgSearchIndex(db, datasetId, sheetId);
  if (Number(sheet.rowCount) < LARGE_SHEET_ROWS && existing.size === 0 && search === undefined) return;
  const wanted = wantedIndexes(pgRows.keys, datasetId, sheetId, JSON.parse(sheet.columns) as Column[]);
  let built = false;
  for (const [name, valid] of existing) {
    if (wanted.has(name) && valid) continue;
    await db.execute(sql.raw(`drop index concurrently if exists "${name}"`));
  }
  for (const [name, definition] of wanted) {
    if (existing.get(name)) continue;
    try {
      await db.execute(sql.raw(`create index concurrently if not exists "${name}" ${definition}`));
      built = true;
    } catch (error) {
      // Another instance building the same index at the same moment: it will finish it.
      if (!/already exists|deadlock/i.test(String(error))) throw error;
    }
  }
  if (!search && await trigrams(db)) {
    const name = searchIndexName(datasetId, sheetId);
    if (search === false) await db.execute(sql.raw(`drop index concurrently if exists "${name}"`));
    try {
      await db.execute(sql.raw(`create index concurrently if not exists "${name}" ${pgSearchIndexDefinition(datasetId, sheetId)}`));
      built = true;
    } catch (error) {
      if (!/already exists|deadlock/i.test(String(error))) throw error;
    }
  }
  if (built) await db.execute(sql`analyze rows`);
}

/** PostgreSQL's scheduler: the shared one (`db/sheet-indexes.ts`), with drops queued behind any build. */
export class PgIndexScheduler {
  private readonly scheduler: IndexScheduler;

  constructor(private readonly db: PgDb, onError: (error: unknown) => void = () => undefined) {
    this.scheduler = new IndexScheduler({
      async sheet(datasetId, sheetId) {
        const { rows: [sheet] } = await db.execute<{ columns: string; rowCount: string }>(sql`select columns, row_count as "rowCount"
          from sheets where dataset_id = ${datasetId} and sheet_id = ${sheetId}`);
        return sheet && { columns: sheet.columns, rowCount: Number(sheet.rowCount) };
      },
      ensure: (datasetId, sheetId) => ensurePgSheetIndexes(db, datasetId, sheetId),
      hasIndexes: async (datasetId, sheetId) => [...(await pgSheetIndexes(db, datasetId, sheetId)).values()].some(Boolean) || await pgSearchIndex(db, datasetId, sheetId) === true,
    }, onError);
  }

  /** After a commit that wrote rows or columns of these sheets. */
  touched(datasetId: string, sheetIds: Iterable<string>): Promise<void> {
    return this.scheduler.touched(datasetId, sheetIds);
  }

  /** A sheet removed, or its dataset deleted (after that commit): its indexes go. */
  dropped(datasetId: string, sheetId: string): void {
    this.scheduler.forget(datasetId, sheetId);
    this.scheduler.after(() => dropPgSheetIndexes(this.db, datasetId, sheetId));
  }

  /** Resolves once every build that is due has run (tests and benchmarks). */
  idle(): Promise<void> {
    return this.scheduler.idle();
  }
}
