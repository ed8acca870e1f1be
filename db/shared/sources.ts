/** The store of sources, on either database: the texts a dataset's rows are coded from, stored once and never changed. */
import { and, type AnyColumn, asc, eq, type SQL, sql } from 'drizzle-orm';
import type { NewSourceRecord, SourceAnchor, SourceRecord, SourceStore } from '../../server/storage';
import { exec, first, type QueryDb, type QueryStore, rows, type Tables, transaction } from './steps';

/** The SQL of the sources store that each database writes its own way. */
export interface SourceDialect {
  /** Whether a text column holds a LIKE pattern (`%…%`, its `\` escaped), ignoring the case of ASCII letters at least. */
  contains(column: AnyColumn, pattern: string): SQL;
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
    const { store, store: { t: { sources, sourceAnchors } } } = this;
    return store.run(transaction(function* (tx) {
      const where = and(eq(sources.datasetId, datasetId), eq(sources.sourceId, sourceId));
      if (!(yield* first(store.forUpdate(tx.select({ id: sources.sourceId }).from(sources).where(where))))) return 'missing';
      // Any anchor of any row of the dataset into this source (the table the triggers on `rows` keep).
      const anchored = yield* first(tx.select({ one: sql<number>`1` }).from(sourceAnchors)
        .where(and(eq(sourceAnchors.datasetId, datasetId), eq(sourceAnchors.sourceId, sourceId))).limit(1));
      if (anchored) return 'anchored';
      yield* exec(tx.delete(sources).where(where));
      return 'deleted';
    }));
  }

  anchors(datasetId: string, sourceId: string, limit: number): Promise<SourceAnchor[]> {
    const { db, t: { sourceAnchors: a } } = this.store;
    return this.store.run(rows(db.select({ sheet: a.sheetId, row: a.rowId, start: a.start, end: a.end, exact: a.exact }).from(a)
      .where(and(eq(a.datasetId, datasetId), eq(a.sourceId, sourceId)))
      .orderBy(asc(a.sheetId), asc(a.rowId), asc(a.cell), asc(a.item)).limit(limit)));
  }

  async *all(datasetId: string): AsyncGenerator<SourceRecord & { text: string }> {
    // One text in memory at a time.
    for (const { id } of await this.list(datasetId)) {
      const source = await this.get(datasetId, id);
      if (source) yield source;
    }
  }
}
