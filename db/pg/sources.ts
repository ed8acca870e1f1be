/** The PostgreSQL store of sources (`db/shared/sources.ts`), with PostgreSQL's ILIKE. */
import { sql } from 'drizzle-orm';
import { SharedSourceStore } from '../shared/sources';
import { pgQueryStore } from '../shared/steps';
import type { PgDb } from './client';

export class PgSourceStore extends SharedSourceStore {
  constructor(db: PgDb) {
    super(pgQueryStore(db), {
      // Like SQLite's LIKE, ILIKE ignores the case of ASCII letters (and, in PostgreSQL, of others too).
      contains: (column, pattern) => sql`${column} ilike ${pattern} escape '\\'`,
    });
  }
}
