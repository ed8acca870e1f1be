/**
 * A look into the server's store, for checks the API does not expose (and a write, for a state an older
 * version left behind): its SQLite file, or with TESSERA_TEST_STORE=pg its PostgreSQL database.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { testDatabaseFor, testOnPostgres } from './pg';
import type { RunningServer } from './server';

export interface StoredCounts {
  /** Logged updates (not yet compacted) written on behalf of the user. */
  updates: number;
  /** History entries attributed to the user. */
  cellChanges: number;
}

/** Runs `count` queries (SQL with one `?` parameter, answering a column `n`) against the server's store. */
export async function counts<K extends string>(server: RunningServer, queries: Record<K, [string, string]>): Promise<Record<K, number>> {
  const out = {} as Record<K, number>;
  if (testOnPostgres) {
    const client = new pg.Client({ connectionString: (await testDatabaseFor(server.dataDir)).url });
    await client.connect();
    try {
      for (const [key, [query, param]] of Object.entries(queries) as Array<[K, [string, string]]>) {
        out[key] = Number((await client.query(query.replace('?', '$1'), [param])).rows[0].n);
      }
    } finally {
      await client.end();
    }
    return out;
  }
  // Safe while the server runs: WAL allows a second reader.
  const db = new Database(join(server.dataDir, 'tessera.db'), { readonly: true, fileMustExist: true });
  try {
    for (const [key, [query, param]] of Object.entries(queries) as Array<[K, [string, string]]>) {
      out[key] = (db.prepare(query).get(param) as { n: number }).n;
    }
    return out;
  } finally {
    db.close();
  }
}

/** What the store holds on behalf of one user. */
export function storedByUser(server: RunningServer, userId: string): Promise<StoredCounts> {
  return counts(server, {
    updates: ['select count(*) as n from updates where user_id = ?', userId],
    cellChanges: ['select count(*) as n from cell_changes where user_id = ?', userId],
  });
}

/** How a dataset's document is stored: logged updates not yet compacted, and whether a snapshot exists. */
export async function storedLog(server: RunningServer, datasetId: string): Promise<{ updates: number; snapshot: boolean }> {
  const found = await counts(server, {
    updates: ['select count(*) as n from updates where dataset_id = ?', datasetId],
    snapshots: ['select count(*) as n from snapshots where dataset_id = ?', datasetId],
  });
  return { updates: found.updates, snapshot: found.snapshots > 0 };
}

/**
 * Runs statements (SQL with `?` parameters) against the server's store, to set up a state an older
 * version left behind.
 */
export async function execute(server: RunningServer, statements: Array<[string, unknown[]]>): Promise<void> {
  if (testOnPostgres) {
    const client = new pg.Client({ connectionString: (await testDatabaseFor(server.dataDir)).url });
    await client.connect();
    try {
      for (const [query, params] of statements) {
        let n = 0;
        await client.query(query.replace(/\?/g, () => `$${++n}`), params);
      }
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(join(server.dataDir, 'tessera.db'), { fileMustExist: true });
  try {
    for (const [query, params] of statements) db.prepare(query).run(...params);
  } finally {
    db.close();
  }
}
