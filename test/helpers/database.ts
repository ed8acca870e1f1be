/** A read-only look into the server's SQLite file, for checks the API does not expose. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { RunningServer } from './server';

export interface StoredCounts {
  /** Logged updates (not yet compacted) written on behalf of the user. */
  updates: number;
  /** History entries attributed to the user. */
  cellChanges: number;
}

/** What the store holds on behalf of one user; safe while the server runs (WAL allows a second reader). */
export function storedByUser(server: RunningServer, userId: string): StoredCounts {
  const db = new Database(join(server.dataDir, 'tessera.db'), { readonly: true, fileMustExist: true });
  try {
    const count = (table: string) =>
      (db.prepare(`select count(*) as n from ${table} where user_id = ?`).get(userId) as { n: number }).n;
    return { updates: count('updates'), cellChanges: count('cell_changes') };
  } finally {
    db.close();
  }
}

/** How a dataset's document is stored: logged updates not yet compacted, and whether a snapshot exists. */
export function storedLog(server: RunningServer, datasetId: string): { updates: number; snapshot: boolean } {
  const db = new Database(join(server.dataDir, 'tessera.db'), { readonly: true, fileMustExist: true });
  try {
    const updates = (db.prepare('select count(*) as n from updates where dataset_id = ?').get(datasetId) as { n: number }).n;
    const snapshot = db.prepare('select 1 from snapshots where dataset_id = ?').get(datasetId) !== undefined;
    return { updates, snapshot };
  } finally {
    db.close();
  }
}
