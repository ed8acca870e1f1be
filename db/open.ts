/**
 * Opens the store the configuration names: PostgreSQL for a `postgres://` DATABASE_URL, otherwise the
 * embedded SQLite file in DATA_DIR.
 */
import type { Storage } from '../server/storage';
import { openDatabase } from './client';
import type { OnMigration } from './migrations';
import { openPgDatabase } from './pg/client';
import { pgStorage } from './pg/storage';
import { sqliteIndexScheduler } from './sheet-indexes';
import { sqliteReader } from './sql-reader';
import { sqliteStorage } from './storage';

export interface OpenStorage {
  storage: Storage;
  /** Where the data is, for the log (never the URL's password). */
  where: string;
  close(): Promise<void>;
}

/** `onMigration` hears the name of each migration the start applied (the server logs them). */
export async function openStorage(
  config: { DATABASE_URL?: string | undefined; dbFile: string }, onMigration?: OnMigration,
): Promise<OpenStorage> {
  if (config.DATABASE_URL) {
    const db = await openPgDatabase(config.DATABASE_URL, onMigration);
    const url = new URL(config.DATABASE_URL);
    return { storage: pgStorage(db), where: `postgres://${url.host}${url.pathname}`, close: () => db.$client.end() };
  }
  const db = openDatabase(config.dbFile, onMigration);
  // A large sheet's index still being built is let go: its transaction never committed, it is built again.
  return { storage: sqliteStorage(db), where: config.dbFile, close: async () => {
    await sqliteIndexScheduler(db.$client).slow.close();
    await sqliteReader(db.$client).close();
    db.$client.close();
  } };
}
