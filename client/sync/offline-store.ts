/**
 * A dataset's offline copy in IndexedDB: every change of the document as its own record, folded
 * into one record of the whole document now and then. The layout (an `updates` store with
 * auto-increment keys, and a `custom` store) is y-indexeddb's, so copies written by earlier versions
 * of the client, with any changes they hold that never reached the server, load unchanged.
 *
 * Unlike y-indexeddb, it listens to the document's updates only from `track()` on: loading a whole
 * document then costs no update listener (Yjs encodes every transaction again for its listeners).
 */
import * as idb from 'lib0/indexeddb';
import * as Y from 'yjs';

const UPDATES = 'updates';
/** Past this many records, they are folded into one. */
const FOLD_AT = 500;
const FOLD_DELAY_MS = 1000;

/** Records are Uint8Arrays, as y-indexeddb stores them; lib0's typing names only ArrayBuffer. */
const record = (update: Uint8Array) => update as unknown as ArrayBuffer;

export class OfflineStore {
  private readonly db: Promise<IDBDatabase>;
  private records = 0;
  private closed = false;
  private foldTimer: ReturnType<typeof setTimeout> | undefined;
  /** Settles once every change recorded so far is committed to IndexedDB. */
  private written: Promise<void> = Promise.resolve();

  constructor(readonly name: string, private readonly doc: Y.Doc) {
    this.db = idb.openDB(name, (db) => idb.createStores(db, [[UPDATES, { autoIncrement: true }], ['custom']]));
  }

  /** Applies the stored copy to the document, in one transaction whose origin is this store. */
  async load(): Promise<void> {
    const db = await this.db;
    const [store] = idb.transact(db, [UPDATES], 'readonly');
    const updates = (await idb.getAll(store!)) as Uint8Array[];
    if (this.closed) return;
    this.records = updates.length;
    if (updates.length === 0) return;
    Y.transact(this.doc, () => {
      for (const update of updates) Y.applyUpdate(this.doc, update);
    }, this, false);
  }

  /** Stores every later change of the document (those it loaded itself excepted). */
  track(): void {
    this.doc.on('update', this.onUpdate);
  }

  /** Replaces the stored records with one record of the whole document. */
  async fold(): Promise<void> {
    const db = await this.db;
    if (this.closed) return;
    const [store] = idb.transact(db, [UPDATES]);
    const last = await idb.getLastKey(store!);
    await idb.addAutoKey(store!, record(Y.encodeStateAsUpdate(this.doc)));
    if (last !== null) await idb.del(store!, idb.createIDBKeyRangeUpperBound(last, false));
    this.records = 1;
  }

  /** Resolves once every change the document made so far is committed (or IndexedDB is unavailable). */
  stored(): Promise<void> {
    return this.written;
  }

  destroy(): void {
    this.closed = true;
    clearTimeout(this.foldTimer);
    this.doc.off('update', this.onUpdate);
    void this.db.then((db) => db.close(), () => undefined);
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this || this.closed) return;
    const write = this.db.then((db) => {
      if (this.closed) return undefined;
      const [store] = idb.transact(db, [UPDATES]);
      // Committed, not only requested: a tab closed in between would lose the change.
      const committed = new Promise<void>((resolve, reject) => {
        store!.transaction.addEventListener('complete', () => resolve());
        store!.transaction.addEventListener('abort', () => reject(store!.transaction.error));
      });
      void idb.addAutoKey(store!, record(update));
      if (++this.records >= FOLD_AT && this.foldTimer === undefined) {
        this.foldTimer = setTimeout(() => {
          this.foldTimer = undefined;
          void this.fold();
        }, FOLD_DELAY_MS);
      }
      return committed;
    }).catch(() => undefined); // No IndexedDB here (or it failed): the server alone keeps the changes.
    this.written = Promise.all([this.written, write]).then(() => undefined);
  };
}

/** The records of the offline copy `name` as they are, without building its document (none when it has none). */
export async function storedRecords(name: string): Promise<Uint8Array[]> {
  const db = await idb.openDB(name, (created) => idb.createStores(created, [[UPDATES, { autoIncrement: true }], ['custom']]));
  try {
    const [store] = idb.transact(db, [UPDATES], 'readonly');
    return (await idb.getAll(store!)) as Uint8Array[];
  } finally {
    db.close();
  }
}
