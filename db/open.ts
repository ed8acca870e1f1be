/**
 * Opens the store the configuration names: PostgreSQL for a `postgres://` DATABASE_URL, otherwise the
 * embedded SQLite file in DATA_DIR.
 */
import type { Storage } from '../server/storage';
import { openDatabase } from './client';
import { openPgDatabase } from './pg/client';
import { pgStorage } from './pg/storage';
import { sqliteStorage } from './storage';

export interface OpenStorage {
  storage: Storage;
  /** Where the data is, for the log (never the URL's password). */
  where: string;
  close(): Promise<void>;
}

export async function openStorage(config: { DATABASE_URL?: string | undefined; dbFile: string }): Promise<OpenStorage> {
  if (config.DATABASE_URL) {
    const db = await openPgDatabase(config.DATABASE_URL);
    const url = new URL(config.DATABASE_URL);
    return { storage: pgStorage(db), where: `postgres://${url.host}${url.pathname}`, close: () => db.$client.end() };
  }
  const db = openDatabase(config.dbFile);
  return { storage: sqliteStorage(db), where: config.dbFile, close: async () => { db.$client.close(); } };
}
