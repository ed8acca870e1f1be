/** The PostgreSQL store of sources: the texts a dataset's rows are coded from, stored once and never changed. */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { NewSourceRecord, SourceRecord, SourceStore } from '../../server/storage';
import type { PgDb, PgTx } from './client';
import { rows, sources } from './schema';

const summary = {
  id: sources.sourceId, title: sources.title, url: sources.url, outlet: sources.outlet,
  publishedAt: sources.publishedAt, length: sources.length, sha256: sources.sha256,
};

/** Inserts a source, on the database or inside a transaction. */
export async function insertSource(db: PgDb | PgTx, datasetId: string, source: NewSourceRecord): Promise<void> {
  await db.insert(sources).values({
    datasetId, sourceId: source.id, title: source.title, url: source.url, outlet: source.outlet,
    publishedAt: source.publishedAt, text: source.text, sha256: source.sha256, length: source.length,
    createdBy: source.createdBy, createdAt: Date.now(),
  });
}

export class PgSourceStore implements SourceStore {
  constructor(private readonly db: PgDb) {}

  async list(datasetId: string, query?: string): Promise<SourceRecord[]> {
    // ILIKE with the query's own % _ and \ escaped: the query is text, never a pattern. Like SQLite's
    // LIKE, it ignores the case of ASCII letters (and, in PostgreSQL, of others too).
    const pattern = query ? `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
    const where = pattern === undefined
      ? eq(sources.datasetId, datasetId)
      : and(eq(sources.datasetId, datasetId), sql`(${sources.title} ilike ${pattern} escape '\\' or ${sources.text} ilike ${pattern} escape '\\')`);
    return this.db.select(summary).from(sources).where(where).orderBy(asc(sources.createdAt), asc(sources.sourceId));
  }

  async get(datasetId: string, sourceId: string): Promise<(SourceRecord & { text: string }) | undefined> {
    return (await this.db.select({ ...summary, text: sources.text }).from(sources)
      .where(and(eq(sources.datasetId, datasetId), eq(sources.sourceId, sourceId))))[0];
  }

  async text(datasetId: string, sourceId: string): Promise<string | undefined> {
    return (await this.db.select({ text: sources.text }).from(sources)
      .where(and(eq(sources.datasetId, datasetId), eq(sources.sourceId, sourceId))))[0]?.text;
  }

  async insert(datasetId: string, source: NewSourceRecord): Promise<void> {
    await insertSource(this.db, datasetId, source);
  }

  async delete(datasetId: string, sourceId: string): Promise<'deleted' | 'anchored' | 'missing'> {
    return this.db.transaction(async (tx) => {
      const where = and(eq(sources.datasetId, datasetId), eq(sources.sourceId, sourceId));
      if ((await tx.select({ id: sources.sourceId }).from(sources).where(where).for('update')).length === 0) return 'missing';
      // Any cell of any row of the dataset that holds a list with an anchor naming this source.
      const anchored = await tx.select({ one: sql<number>`1` }).from(rows).where(and(
        eq(rows.datasetId, datasetId),
        sql`exists (select 1 from jsonb_each(${rows.cells}::jsonb) as cell,
          jsonb_array_elements(case when jsonb_typeof(cell.value) = 'array' then cell.value else '[]'::jsonb end) as item
          where jsonb_typeof(item) = 'object' and item ->> 'source' = ${sourceId})`,
      )).limit(1);
      if (anchored.length > 0) return 'anchored';
      await tx.delete(sources).where(where);
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
