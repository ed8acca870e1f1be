/**
 * A look into the server's store, for checks the API does not expose (and a write, for a state an older
 * version left behind): its SQLite file, or with TESSERA_TEST_STORE=pg its PostgreSQL database.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import * as Y from 'yjs';
import { openStorage } from '../../db/open';
import { parseRoom } from '../../model/rooms';
import { type DocCommit, emptyCommit } from '../../server/sync/store';
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

/**
 * Commits a change to a room's document straight into the store of a stopped server, as an older version
 * of the server would have: the update `change` makes to the document as stored, logged with the
 * commit's other parts (its projection into the read model, `commit`).
 */
export async function commitWhileStopped(
  dataDir: string, room: string, change: (doc: Y.Doc) => void, commit: Partial<Omit<DocCommit, 'datasetId' | 'updates' | 'stateVector'>> = {},
): Promise<void> {
  const dbFile = join(dataDir, 'tessera.db');
  const { storage, close } = await openStorage({ dbFile, DATABASE_URL: testOnPostgres ? (await testDatabaseFor(dataDir)).url : undefined });
  try {
    const stored = await storage.docs.load(room);
    const doc = new Y.Doc();
    for (const piece of stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates) Y.applyUpdate(doc, piece);
    const before = Y.encodeStateVector(doc);
    change(doc);
    const update = Y.encodeStateAsUpdate(doc, before);
    await storage.docs.append({
      ...emptyCommit(parseRoom(room)?.datasetId ?? room), room, ...commit,
      updates: [{ update, userId: null, at: Date.now() }], stateVector: Y.encodeStateVector(doc),
    });
    doc.destroy();
  } finally {
    await close();
  }
}
