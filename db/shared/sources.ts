/** The store of sources, on either database: the texts a dataset's rows are coded from, stored once and never changed. */
import { and, type AnyColumn, asc, eq, gt, lte, type SQL, sql } from 'drizzle-orm';
import type { AnchoredRow, NewSourceRecord, SourceRecord, SourceStore } from '../../server/storage';
import { giveTurns } from '../../server/http/turns';
import { exec, first, type QueryDb, type QueryStore, rows, type Tables, transaction } from './steps';

/** The SQL of the sources store that each database writes its own way. */
export interface SourceDialect {
  /** Whether a text column holds a LIKE pattern (`%…%`, its `\` escaped), ignoring the case of ASCII letters at least. */
  contains(column: AnyColumn, pattern: string): SQL;
  /** Whether a row's cells (JSON text) hold a list with an anchor naming the source. */
  anchors(cells: AnyColumn, sourceId: string): SQL;
  /** Whether a text column holds `text` as it is (case counts): a plain scan, cheaper than a pattern. */
  holds(column: AnyColumn, text: string): SQL;
  /**
   * Rows of the read model scanned per query for a source's anchors: SQLite answers on the server's own
   * thread, so a long scan is cut into slices with turns for other requests between; PostgreSQL answers
   * while the server serves others, so it scans in one query (Infinity).
   */
  scanRows: number;
}

/** Inserts a source, on the database or inside a transaction. */
export function insertSource(db: QueryDb, t: Tables, datasetId: string, source: NewSourceRecord) {
  return exec(db.insert(t.sources).values({
    datasetId, sourceId: source.id, title: source.title, url: source.url, outlet: source.outlet,
    publishedAt: source.publishedAt, text: source.text, sha256: source.sha256, length: source.length,
    createdBy: source.createdBy, createdAt: Date.now(),
  }));
}

export class SharedSourceStore implements SourceStore {
  private readonly summary;

  constructor(private readonly store: QueryStore, private readonly dialect: SourceDialect) {
    const { sources } = store.t;
    this.summary = {
      id: sources.sourceId, title: sources.title, url: sources.url, outlet: sources.outlet,
      publishedAt: sources.publishedAt, length: sources.length, sha256: sources.sha256,
    };
  }

  list(datasetId: string, query?: string): Promise<SourceRecord[]> {
    const { db, t: { sources } } = this.store;
    // The query's own % _ and \ escaped: the query is text, never a pattern.
    const pattern = query ? `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
    const where = pattern === undefined
      ? eq(sources.datasetId, datasetId)
      : and(eq(sources.datasetId, datasetId), sql`(${this.dialect.contains(sources.title, pattern)} or ${this.dialect.contains(sources.text, pattern)})`);
    return this.store.run(rows(db.select(this.summary).from(sources).where(where).orderBy(asc(sources.createdAt), asc(sources.sourceId))));
  }

  get(datasetId: string, sourceId: string): Promise<(SourceRecord & { text: string }) | undefined> {
    const { db, t: { sources } } = this.store;
    return this.store.run(first(db.select({ ...this.summary, text: sources.text }).from(sources)
      .where(and(eq(sources.datasetId, datasetId), eq(sources.sourceId, sourceId)))));
  }

  async text(datasetId: string, sourceId: string): Promise<string | undefined> {
    const { db, t: { sources } } = this.store;
    return (await this.store.run(first(db.select({ text: sources.text }).from(sources)
      .where(and(eq(sources.datasetId, datasetId), eq(sources.sourceId, sourceId))))))?.text;
  }

  insert(datasetId: string, source: NewSourceRecord): Promise<void> {
    return this.store.run(insertSource(this.store.db, this.store.t, datasetId, source));
  }

  delete(datasetId: string, sourceId: string): Promise<'deleted' | 'anchored' | 'missing'> {
    const { store, dialect, store: { t: { sources, rows: readRows } } } = this;
    return store.run(transaction(function* (tx) {
      const where = and(eq(sources.datasetId, datasetId), eq(sources.sourceId, sourceId));
      if (!(yield* first(store.forUpdate(tx.select({ id: sources.sourceId }).from(sources).where(where))))) return 'missing';
      // Any cell of any row of the dataset that holds a list with an anchor naming this source.
      const anchored = yield* first(tx.select({ one: sql<number>`1` }).from(readRows)
        .where(and(eq(readRows.datasetId, datasetId), dialect.anchors(readRows.cells, sourceId))).limit(1));
      if (anchored) return 'anchored';
      yield* exec(tx.delete(sources).where(where));
      return 'deleted';
    }));
  }

  /** `scanRows`: rows read per query (the dialect's unless given: fewer in tests, to cross slices). */
  async anchoredRows(datasetId: string, sourceId: string, limit: number, scanRows = this.dialect.scanRows): Promise<AnchoredRow[]> {
    const { store, dialect, store: { db, t: { rows: readRows, sheets } } } = this;
    // The id's text in the cells first (a plain scan, cheap), the JSON read only for the rows that have it.
    const mentions = dialect.holds(readRows.cells, sourceId);
    const found: AnchoredRow[] = [];
    const sheetIds = await store.run(rows(db.select({ id: sheets.sheetId }).from(sheets).where(eq(sheets.datasetId, datasetId)).orderBy(asc(sheets.sheetId))));
    for (const { id: sheet } of sheetIds) {
      const ofSheet = and(eq(readRows.datasetId, datasetId), eq(readRows.sheetId, sheet));
      // `scanRows` rows at a time in row id order, other requests served between (a million rows take about a second).
      for (let after = ''; ;) {
        const bound = !Number.isFinite(scanRows) ? undefined : await store.run(first(db.select({ row: readRows.rowId }).from(readRows)
          .where(and(ofSheet, gt(readRows.rowId, after))).orderBy(asc(readRows.rowId)).limit(1).offset(scanRows - 1)));
        found.push(...await store.run(rows(db.select({ sheet: readRows.sheetId, row: readRows.rowId, cells: readRows.cells }).from(readRows)
          .where(and(ofSheet, gt(readRows.rowId, after), bound ? lte(readRows.rowId, bound.row) : undefined, mentions, dialect.anchors(readRows.cells, sourceId)))
          .orderBy(asc(readRows.rowId)).limit(limit - found.length))));
        if (found.length >= limit) return found;
        if (!bound) break;
        after = bound.row;
        await giveTurns();
      }
    }
    return found;
  }

  async *all(datasetId: string): AsyncGenerator<SourceRecord & { text: string }> {
    // One text in memory at a time.
    for (const { id } of await this.list(datasetId)) {
      const source = await this.get(datasetId, id);
      if (source) yield source;
    }
  }
}
