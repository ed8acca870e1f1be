import { sql } from 'drizzle-orm';
import type { Storage } from '../../server/storage';
import type { PgDb } from './client';
import { PgDatasetCatalog } from './datasets';
import { PgDuplicateStore } from './duplicates';
import { PgReadModel } from './read-model';
import { PgReleaseStore } from './releases';
import { PgRoundStore } from './rounds';
import { PgSourceStore } from './sources';
import { PgDocStore } from './store';
import { PgUserDirectory } from './users';

/**
 * Everything the server stores, on one PostgreSQL database. (SQLite's flag backfill is not needed: a
 * PostgreSQL database starts with the flags table.)
 */
export function pgStorage(db: PgDb): Storage {
  const docs = new PgDocStore(db);
  return {
    // One read-only REPEATABLE READ transaction: every query in it sees the database as it was at its first.
    // (The stores built on the transaction are used only to read; none of them needs the pool itself.)
    snapshot: (read) => db.transaction((tx) => read(pgStorage(tx as unknown as PgDb)), { isolationLevel: 'repeatable read', accessMode: 'read only' }),
    ping: async () => { await db.execute(sql`select 1`); },
    docs, datasets: new PgDatasetCatalog(db, docs), readModel: new PgReadModel(db), users: new PgUserDirectory(db),
    sources: new PgSourceStore(db), rounds: new PgRoundStore(db, docs), releases: new PgReleaseStore(db),
    duplicates: new PgDuplicateStore(db),
  };
}
