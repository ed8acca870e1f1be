/** The SQLite store of sources (`db/shared/sources.ts`), with SQLite's LIKE and JSON functions. */
import { sql } from 'drizzle-orm';
import type { Db } from './client';
import { SharedSourceStore } from './shared/sources';
import { sqliteQueryStore } from './shared/steps';

export class SqliteSourceStore extends SharedSourceStore {
  constructor(db: Db) {
    super(sqliteQueryStore(db), {
      // SQLite's LIKE ignores the case of ASCII letters.
      contains: (column, pattern) => sql`${column} like ${pattern} escape '\\'`,
      holds: (column, text) => sql`instr(${column}, ${text}) > 0`,
      // A million rows take about a second: a slice, then a turn for other requests (db/shared/sources.ts).
      scanRows: 20_000,
      anchors: (cells, sourceId) => sql`exists (select 1 from json_each(${cells}) as cell, json_each(cell.value) as item
        where cell.type = 'array' and item.type = 'object' and json_extract(item.value, '$.source') = ${sourceId})`,
    });
  }
}
