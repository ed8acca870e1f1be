/** The SQLite store of sources (`db/shared/sources.ts`), with SQLite's LIKE. */
import { sql } from 'drizzle-orm';
import type { Db } from './client';
import { SharedSourceStore } from './shared/sources';
import { sqliteQueryStore } from './shared/steps';

export class SqliteSourceStore extends SharedSourceStore {
  constructor(db: Db) {
    super(sqliteQueryStore(db), {
      // SQLite's LIKE ignores the case of ASCII letters.
      contains: (column, pattern) => sql`${column} like ${pattern} escape '\\'`,
    });
  }
}
