import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { Storage } from '../server/storage';
import { backfillFlags } from './backfill';
import type { Db } from './client';
import { SqliteDatasetCatalog } from './datasets';
import { SqliteDuplicateStore } from './duplicates';
import { SqliteReadModel } from './read-model';
import { SqliteRoundStore } from './rounds';
import { SqliteReleaseStore } from './releases';
import { sqliteIndexScheduler } from './sheet-indexes';
import { sqliteReader } from './sql-reader';
import { SqliteSourceStore } from './sources';
import { SqliteDocStore } from './store';
import { SqliteUserDirectory } from './users';
import * as schema from './schema';

/**
 * Reads as of one moment, however many event-loop turns they take (a release of a million rows): on a
 * connection of their own, in a read transaction, which in WAL mode sees the database as it was at its
 * first read while the server's connection goes on writing. An in-memory database has no second
 * connection; there the read runs on the server's own, which sees one state only within one turn.
 */
async function readSnapshot<T>(db: Db, storage: Storage, read: (view: Storage) => Promise<T>): Promise<T> {
  if (db.$client.memory) return read(storage);
  const connection = new Database(db.$client.name, { readonly: true });
  try {
    connection.pragma('busy_timeout = 60000');
    const view = drizzle(connection, { schema }) as Db;
    connection.exec('BEGIN');
    return await read({
      ...storage,
      datasets: new SqliteDatasetCatalog(view, storage.docs as SqliteDocStore),
      readModel: new SqliteReadModel(view),
      sources: new SqliteSourceStore(view),
      duplicates: new SqliteDuplicateStore(view),
    });
  } finally {
    if (connection.inTransaction) connection.exec('COMMIT');
    connection.close();
  }
}

/** Everything the server stores, on one SQLite database (data migrations done). */
export function sqliteStorage(db: Db): Storage {
  const docs = new SqliteDocStore(db);
  backfillFlags(db, docs);
  const storage: Storage = {
    snapshot: (read) => readSnapshot(db, storage, read),
    ping: async () => { db.$client.prepare('select 1').get(); },
    docs, datasets: new SqliteDatasetCatalog(db, docs), readModel: new SqliteReadModel(db, sqliteReader(db.$client).open()), users: new SqliteUserDirectory(db),
    sources: new SqliteSourceStore(db), rounds: new SqliteRoundStore(db, docs),
    releases: new SqliteReleaseStore(db), duplicates: new SqliteDuplicateStore(db),
    holdWrites: () => sqliteIndexScheduler(db.$client).slow.hold(),
  };
  return storage;
}
