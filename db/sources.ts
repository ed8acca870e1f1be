/** The SQLite store of sources: the texts a dataset's rows are coded from, stored once and never changed. */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { NewSourceRecord, SourceRecord, SourceStore } from '../server/storage';
import type { Db } from './client';
import { rows, sources } from './schema';

const summary = {
  id: sources.sourceId, title: sources.title, url: sources.url, outlet: sources.outlet,
  publishedAt: sources.publishedAt, length: sources.length, sha256: sources.sha256,
};

/** Inserts a source, on the database or inside a transaction. */
export function insertSource(db: Pick<Db, 'insert'>, datasetId: string, source: NewSourceRecord): void {
  db.insert(sources).values({
    datasetId, sourceId: source.id, title: source.title, url: source.url, outlet: source.outlet,
    publishedAt: source.publishedAt, text: source.text, sha256: source.sha256, length: source.length,
    createdBy: source.createdBy, createdAt: Date.now(),
  }).run();
}

export class SqliteSourceStore implements SourceStore {
  constructor(private readonly db: Db) {}

  async list(datasetId: string, query?: string): Promise<SourceRecord[]> {
    // LIKE with the query's own % _ and \ escaped: the query is text, never a pattern.
    const pattern = query ? `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
    const where = pattern === undefined
      ? eq(sources.datasetId, datasetId)
      : and(eq(sources.datasetId, datasetId), sql`(${sources.title} like ${pattern} escape '\\' or ${sources.text} like ${pattern} escape '\\')`);
    return this.db.select(summary).from(sources).where(where).orderBy(asc(sources.createdAt), asc(sources.sourceId)).all();
  }

  async get(datasetId: string, sourceId: string): Promise<(SourceRecord & { text: string }) | undefined> {
    return this.db.select({ ...summary, text: sources.text }).from(sources)
      .where(and(eq(sources.datasetId, datasetId), eq(sources.sourceId, sourceId))).get();
  }

  async text(datasetId: string, sourceId: string): Promise<string | undefined> {
    return this.db.select({ text: sources.text }).from(sources)
      .where(and(eq(sources.datasetId, datasetId), eq(sources.sourceId, sourceId))).get()?.text;
  }

  async insert(datasetId: string, source: NewSourceRecord): Promise<void> {
    insertSource(this.db, datasetId, source);
  }

  async delete(datasetId: string, sourceId: string): Promise<'deleted' | 'anchored' | 'missing'> {
    return this.db.transaction((tx) => {
      const where = and(eq(sources.datasetId, datasetId), eq(sources.sourceId, sourceId));
      if (!tx.select({ id: sources.sourceId }).from(sources).where(where).get()) return 'missing';
      // Any cell of any row of the dataset that holds a list with an anchor naming this source.
      const anchored = tx.select({ one: sql<number>`1` }).from(rows).where(and(
        eq(rows.datasetId, datasetId),
        sql`exists (select 1 from json_each(${rows.cells}) as cell, json_each(cell.value) as item
          where cell.type = 'array' and item.type = 'object' and json_extract(item.value, '$.source') = ${sourceId})`,
      )).limit(1).get();
      if (anchored) return 'anchored';
      tx.delete(sources).where(where).run();
      return 'deleted';
    });
  }

  async *all(datasetId: string): AsyncGenerator<SourceRecord & { text: string }> {
    // One text in memory at a time.
    for (const { id } of await this.list(datasetId)) {
      const source = await this.get(datasetId, id);
      if (source) yield source;
    }
  }
}
