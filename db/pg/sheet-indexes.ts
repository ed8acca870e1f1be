/**
 * The indexes of a large sheet on PostgreSQL (see `db/sheet-indexes.ts`): the same indexes, built with
 * `CREATE INDEX CONCURRENTLY` outside any transaction once the sheet's writes pause, so that neither the commit
 * that made the sheet large nor anyone reading or writing meanwhile waits for them. Several instances may
 * start the same build: `IF NOT EXISTS` and a failed build's leftovers (an invalid index) are dealt with.
 */
import { sql } from 'drizzle-orm';
import { type Column } from '../../model/columns';
import { LARGE_SHEET_ROWS, pgRows } from '../rows-page';
import { QUIET_MS, sheetIndexPrefix, wantedIndexes } from '../sheet-indexes';
import type { PgDb } from './client';

/** The sheet's column indexes, valid or not (a concurrent build that failed leaves an invalid one). */
export async function pgSheetIndexes(db: PgDb, datasetId: string, sheetId: string): Promise<Map<string, boolean>> {
  const prefix = sheetIndexPrefix(datasetId, sheetId);
  const { rows } = await db.execute<{ name: string; valid: boolean }>(sql`select c.relname as name, i.indisvalid as valid
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
    where t.relname = 'rows' and t.relnamespace = to_regnamespace(current_schema()) and left(c.relname, ${prefix.length}) = ${prefix}`);
  return new Map(rows.map((r) => [r.name, r.valid]));
}

/** Drops a sheet's column indexes, without blocking reads and writes of `rows`. */
export async function dropPgSheetIndexes(db: PgDb, datasetId: string, sheetId: string): Promise<void> {
  for (const name of (await pgSheetIndexes(db, datasetId, sheetId)).keys()) await db.execute(sql.raw(`drop index concurrently if exists "${name}"`));
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
  if (Number(sheet.rowCount) < LARGE_SHEET_ROWS && existing.size === 0) return;
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
  if (built) await db.execute(sql`analyze rows`);
}

/** Watches a PostgreSQL store's commits and builds a sheet's indexes once its writes pause (`QUIET_MS`). */
export class PgIndexScheduler {
  /** Sheets (`dataset\0sheet`) whose indexes are as their columns want, by those columns' JSON. */
  private readonly ensured = new Map<string, string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private building: Promise<void> = Promise.resolve();

  constructor(private readonly db: PgDb, private readonly onError: (error: unknown) => void = () => undefined) {}

  /** After a commit that wrote rows or columns of these sheets. */
  async touched(datasetId: string, sheetIds: Iterable<string>): Promise<void> {
    for (const sheetId of sheetIds) {
      const key = `${datasetId}\u0000${sheetId}`;
      const { rows: [sheet] } = await this.db.execute<{ columns: string; rowCount: string }>(sql`select columns, row_count as "rowCount"
        from sheets where dataset_id = ${datasetId} and sheet_id = ${sheetId}`);
      if (!sheet || this.ensured.get(key) === sheet.columns) continue;
      // A small sheet has no indexes (unless it shrank: they stay until it grows again).
      if (Number(sheet.rowCount) < LARGE_SHEET_ROWS && !this.ensured.has(key)) continue;
      clearTimeout(this.timers.get(key));
      const timer = setTimeout(() => {
        this.timers.delete(key);
        this.building = this.building.then(() => this.build(datasetId, sheetId, key)).catch(this.onError);
      }, QUIET_MS);
      timer.unref();
      this.timers.set(key, timer);
    }
  }

  /** A sheet removed, or its dataset deleted (after that commit): its indexes go. */
  dropped(datasetId: string, sheetId: string): void {
    const key = `${datasetId}\u0000${sheetId}`;
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.ensured.delete(key);
    this.building = this.building.then(() => dropPgSheetIndexes(this.db, datasetId, sheetId)).catch(this.onError);
  }

  /** Resolves once every build that is due has run (tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.timers.size > 0) await new Promise((resolve) => setTimeout(resolve, QUIET_MS / 4));
    await this.building;
  }

  private async build(datasetId: string, sheetId: string, key: string): Promise<void> {
    const columnsOf = async () => (await this.db.execute<{ columns: string }>(sql`select columns from sheets
      where dataset_id = ${datasetId} and sheet_id = ${sheetId}`)).rows[0]?.columns;
    const before = await columnsOf();
    await ensurePgSheetIndexes(this.db, datasetId, sheetId);
    const after = await columnsOf();
    if (after !== undefined && after === before && [...(await pgSheetIndexes(this.db, datasetId, sheetId)).values()].some(Boolean)) this.ensured.set(key, after);
  }
}
