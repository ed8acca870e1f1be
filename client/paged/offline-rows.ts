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

/** The writes of one turn, made in one transaction. */
interface Batch {
  records: Map<string, KeptRow>;
  stored: Set<string>;
  done: Promise<void>;
  settle(error?: unknown): void;
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

  /** A row's record; the rows asked for in one turn are read in one transaction (a paste opens dozens at once). */
  get(room: string): Promise<KeptRow | undefined> {
    return new Promise((resolve, reject) => {
      if (!this.reads) {
        const reads = this.reads = new Map();
        setTimeout(() => void this.read(reads), 0);
      }
      const waiting = this.reads.get(room) ?? [];
      waiting.push({ resolve, reject });
      this.reads.set(room, waiting);
    });
  }

  private reads: Map<string, Array<{ resolve(row: KeptRow | undefined): void; reject(error: unknown): void }>> | null = null;

  private async read(reads: NonNullable<OfflineRows['reads']>): Promise<void> {
    this.reads = null;
    try {
      const db = await this.db;
      if (!db || this.closed) {
        for (const waiting of reads.values()) for (const { resolve } of waiting) resolve(undefined);
        return;
      }
      const store = db.transaction([STORE], 'readonly').objectStore(STORE);
      for (const [room, waiting] of reads) {
        const request = store.get(room);
        request.onsuccess = () => { for (const { resolve } of waiting) resolve(request.result as KeptRow | undefined); };
        request.onerror = () => { for (const { reject } of waiting) reject(request.error); };
      }
    } catch (error) {
      for (const waiting of reads.values()) for (const { reject } of waiting) reject(error);
    }
  }

  /** Every kept row (a few hundred records at most, besides pending ones). */
  async all(): Promise<KeptRow[]> {
    const db = await this.db;
    if (!db || this.closed) return [];
    const [store] = idb.transact(db, [STORE], 'readonly');
    return (await idb.getAll(store!)) as KeptRow[];
  }

  /**
   * Writes a row's record; resolves once IndexedDB committed it. The records put (and rows marked stored) in
   * one turn of the event loop are written in one transaction: a paste or a clear of many rows is a few
   * transactions, not one per row. A later record of a row replaces an earlier one not yet written (each is
   * the row's whole document).
   */
  put(row: KeptRow): Promise<void> {
    return this.queue((batch) => {
      // The record says whether the row holds a change not stored, as of now.
      batch.stored.delete(row.room);
      batch.records.set(row.room, row);
    });
  }

  /** Marks a row's changes stored by the server (its record stays, as a row kept offline). */
  stored(room: string): Promise<void> {
    return this.queue((batch) => {
      // A record queued before is of a document the server has now stored.
      const queued = batch.records.get(room);
      if (queued) batch.records.set(room, { ...queued, pending: false });
      else batch.stored.add(room);
    });
  }

  private batch: Batch | null = null;
  private pruning = false;

  private queue(add: (batch: Batch) => void): Promise<void> {
    let batch = this.batch;
    if (!batch) {
      let settle!: (error?: unknown) => void;
      const done = new Promise<void>((resolve, reject) => {
        settle = (error) => (error === undefined ? resolve() : reject(error));
      });
      batch = this.batch = { records: new Map(), stored: new Set(), done, settle };
      setTimeout(() => void this.write(batch!), 0);
    }
    add(batch);
    return batch.done;
  }

  private async write(batch: Batch): Promise<void> {
    this.batch = null;
    try {
      const db = await this.db;
      if (!db || this.closed) return batch.settle();
      const tx = db.transaction([STORE], 'readwrite');
      const store = tx.objectStore(STORE);
      for (const row of batch.records.values()) store.put(row, row.room);
      // Rows marked stored with no record queued: the kept record is read and written back, in the same transaction.
      for (const room of batch.stored) {
        const read = store.get(room);
        read.onsuccess = () => {
          const kept = read.result as KeptRow | undefined;
          if (kept?.pending) store.put({ ...kept, pending: false }, room);
        };
      }
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
      batch.settle();
    } catch (error) {
      batch.settle(error ?? new Error('IndexedDB failed'));
      return;
    }
    const before = this.writes;
    this.writes += batch.records.size;
    if (Math.floor(this.writes / 50) > Math.floor(before / 50) && !this.pruning) {
      this.pruning = true;
      void this.prune().finally(() => { this.pruning = false; });
    }
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
