/**
 * The rows this browser keeps offline, for a dataset in the `rows` layout: one IndexedDB database per
 * server, user and dataset incarnation (the dataset's offline copy's name with `:rows`), one record per
 * row room: the row's whole document (a few hundred bytes), its cells as last seen (to show the row
 * when the server cannot be reached), whether it holds a change of this browser the server has not
 * stored yet (`pending`), and when it was last used.
 *
 * Which rows: every row whose document this tab opened (a cell of it focused or edited), the last
 * KEEP_ROWS of them, and every row with a pending change however many there are. A row is written
 * here after each change of its document, and the write is committed before the row may be closed.
 */
import * as idb from 'lib0/indexeddb';
import type { CellValue } from '../../model/columns';

/** Rows kept beyond those with pending changes, most recently used first. */
export const KEEP_ROWS = 500;
const STORE = 'rows';

export interface KeptRow {
  room: string;
  sheet: string;
  row: string;
  /** The row's document as one update. */
  update: Uint8Array;
  /** Its cells as last seen; null once it was deleted. */
  cells: Record<string, CellValue> | null;
  /** A change made in this browser that the server has not said it stored. */
  pending: boolean;
  usedAt: number;
}

export class OfflineRows {
  private readonly db: Promise<IDBDatabase | null>;
  private closed = false;
  private writes = 0;

  constructor(readonly name: string) {
    this.db = idb.openDB(name, (db) => idb.createStores(db, [[STORE]])).catch((err: unknown) => {
      // Storage blocked (a private window): rows are kept in memory only.
      console.warn('Offline rows are not available', err);
      return null;
    });
  }

  async get(room: string): Promise<KeptRow | undefined> {
    const db = await this.db;
    if (!db || this.closed) return undefined;
    const [store] = idb.transact(db, [STORE], 'readonly');
    return (await idb.get(store!, room)) as unknown as KeptRow | undefined;
  }

  /** Every kept row (a few hundred records at most, besides pending ones). */
  async all(): Promise<KeptRow[]> {
    const db = await this.db;
    if (!db || this.closed) return [];
    const [store] = idb.transact(db, [STORE], 'readonly');
    return (await idb.getAll(store!)) as KeptRow[];
  }

  /** Writes a row's record; resolves once IndexedDB committed it. */
  async put(row: KeptRow): Promise<void> {
    const db = await this.db;
    if (!db || this.closed) return;
    const tx = db.transaction([STORE], 'readwrite');
    tx.objectStore(STORE).put(row, row.room);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    if (++this.writes % 50 === 0) void this.prune();
  }

  /** Marks a row's changes stored by the server (its record stays, as a row kept offline). */
  async stored(room: string): Promise<void> {
    const row = await this.get(room);
    if (row?.pending) await this.put({ ...row, pending: false });
  }

  /** Drops the least recently used rows past KEEP_ROWS, never one with a pending change. */
  async prune(): Promise<void> {
    const rows = await this.all();
    const db = await this.db;
    if (!db || this.closed) return;
    const idle = rows.filter((r) => !r.pending).sort((a, b) => b.usedAt - a.usedAt).slice(KEEP_ROWS);
    if (idle.length === 0) return;
    const [store] = idb.transact(db, [STORE]);
    for (const row of idle) await idb.del(store!, row.room);
  }

  destroy(): void {
    this.closed = true;
    void this.db.then((db) => db?.close());
  }
}
