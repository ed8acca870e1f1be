/** The PostgreSQL store of sources (`db/shared/sources.ts`), with PostgreSQL's ILIKE and JSON functions. */
import { sql } from 'drizzle-orm';
import { SharedSourceStore } from '../shared/sources';
import { pgQueryStore } from '../shared/steps';
import type { PgDb } from './client';

export class PgSourceStore extends SharedSourceStore {
  constructor(db: PgDb) {
    super(pgQueryStore(db), {
      // Like SQLite's LIKE, ILIKE ignores the case of ASCII letters (and, in PostgreSQL, of others too).
      contains: (column, pattern) => sql`${column} ilike ${pattern} escape '\\'`,
      holds: (column, text) => sql`strpos(${column}, ${text}) > 0`,
      scanRows: Infinity,
      anchors: (cells, sourceId) => sql`exists (select 1 from jsonb_each(${cells}::jsonb) as cell,
        jsonb_array_elements(case when jsonb_typeof(cell.value) = 'array' then cell.value else '[]'::jsonb end) as item
        where jsonb_typeof(item) = 'object' and item ->> 'source' = ${sourceId})`,
    });
  }
}
