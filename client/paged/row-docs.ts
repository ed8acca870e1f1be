/**
 * The documents of the rows this tab edits, in a dataset whose rows are documents of their own: a row's
 * room is opened when one of its cells is focused or written, and a write waits until the row's document
 * has synced with the server (or, offline, until it is loaded from this browser's copy), so a value is
 * never written into a document that has not seen the row as last known. The last MAX_OPEN rows stay
 * open; a row is closed only once the server has stored everything written to it (the save status says
 * so) and this browser has kept it (`offline-rows.ts`). A row whose room the server closed for good
 * (docs/sync.md#the-rows-socket) is closed at once and remembered as closed: gone (4404, or deleted) it
 * stays closed; refused (4403), or refusing what was written (4400), it is opened again, from the server's
 * copy alone, when the user asks for it again (`touch`). What was written to it and not stored never will
 * be: the save status does not wait for it.
 */
import * as Y from 'yjs';
import type { CellValue } from '../../model/columns';
import { CloseCode } from '../../model/codes';
import { rowRoom } from '../../model/rooms';
import { DELETED_KEY, getRowCells, getRowState, isRowDeleted, rowCells } from '../../model/row-document';
import type { RoomClose } from '../../model/row-frames';
import { SaveStatus } from '../sync/save-status';
import type { OfflineRows } from './offline-rows';
import { type RowRoom, RowSocket } from './row-socket';

/** The origin of this user's writes into row documents. */
export const ROW_ORIGIN = { source: 'tessera-local-row' } as const;
/** Row documents kept open (a few hundred bytes each on the server while open). */
export const MAX_OPEN = 32;

/** What a write found in the cells it changed: the value before (undefined: the cell was never set). */
export type Before = Record<string, CellValue | undefined>;

/** A row whose room the server closed for good; `gone` when the row (or its sheet) no longer exists. */
export interface ClosedRow extends RoomClose {
  sheet: string;
  row: string;
  gone: boolean;
}

/** A write into a row whose room the server closed: nothing was written. */
export class RowClosedError extends Error {
  constructor(readonly closed: ClosedRow) {
    super(`The row ${closed.row} is ${closed.gone ? 'gone' : 'closed'}: ${closed.reason}`);
  }
}

interface OpenRow {
  room: string;
  sheet: string;
  row: string;
  doc: Y.Doc;
  /** Its room on the rows socket; null until the row was loaded from this browser's copy. */
  channel: RowRoom | null;
  saves: SaveStatus;
  synced: Promise<void>;
  /** A change of this browser the server has not said it stored (also one made before a reload). */
  pending: boolean;
  /** Settles once the last change is kept in IndexedDB. */
  kept: Promise<void>;
  /** The state vector the server last said it stored. */
  stored: Map<number, number>;
  /** Writes waiting for the row's document to be ready: the row is not closed meanwhile. */
  busy: number;
  /** Set once the server closed its room for good. */
  closed: ClosedRow | null;
  /** Set once the server's copy was first merged in; it stays set across reconnections. */
  serverSynced: boolean;
}

export class RowDocs {
  /** By room, oldest use first. */
  private readonly open = new Map<string, OpenRow>();
  /** Rows whose rooms the server closed for good, by room. */
  private readonly closedRows = new Map<string, ClosedRow>();
  private readonly listeners = new Set<() => void>();
  private readonly closedListeners = new Set<(closed: ClosedRow) => void>();
  private readonly arrivedListeners = new Set<(sheet: string, row: string, cells: Record<string, CellValue> | null, doc: Y.Doc) => void>();
  /** False once the browser said it went offline (the rows' sockets are dropped until it is back). */
  private online = navigator.onLine;
  private wentOffline: Array<() => void> = [];
  private readonly socket: RowSocket;

  constructor(private readonly datasetId: string, private readonly offline: OfflineRows | null = null) {
    this.socket = RowSocket.forDataset(datasetId);
    window.addEventListener('offline', this.onOffline);
    window.addEventListener('online', this.onOnline);
    if (this.online) this.socket.connect();
  }

  /**
   * Opens a row (to edit it soon, and to keep it offline). A row whose room the server refused is asked
   * for again, from the server's copy; a row that is gone is not.
   */
  touch(sheetId: string, rowId: string): void {
    const room = rowRoom(this.datasetId, sheetId, rowId);
    const closed = this.closedRows.get(room);
    if (closed?.gone) return;
    if (closed) this.closedRows.delete(room);
    this.use(sheetId, rowId, closed !== undefined);
  }

  /** The row's room as the server closed it for good, if it did (until it is asked for again). */
  closedRow(sheetId: string, rowId: string): ClosedRow | undefined {
    return this.closedRows.get(rowRoom(this.datasetId, sheetId, rowId));
  }

  /** Whether the row's document is open in this tab: what it holds reaches the grid through `onArrived`. */
  isOpen(sheetId: string, rowId: string): boolean {
    return this.open.has(rowRoom(this.datasetId, sheetId, rowId));
  }

  /** Called when the server closes a row's room for good. */
  onClosed(listener: (closed: ClosedRow) => void): () => void {
    this.closedListeners.add(listener);
    return () => this.closedListeners.delete(listener);
  }

  /**
   * Called with an open row's cells (null once deleted) once its document is synced with the server, and
   * each time a change from the server reaches it after: what the row holds after merging, which may not be
   * what this tab wrote (another's concurrent value won) and which no delta repeats when the server's copy
   * did not change. `doc` is the row's document, to read what else the server keeps in it (its conflicts).
   */
  onArrived(listener: (sheet: string, row: string, cells: Record<string, CellValue> | null, doc: Y.Doc) => void): () => void {
    this.arrivedListeners.add(listener);
    return () => this.arrivedListeners.delete(listener);
  }

  /** A row's cells once its document is ready (synced with the server, or loaded from this browser offline). */
  async cellsWhenReady(sheetId: string, rowId: string): Promise<Record<string, CellValue>> {
    return this.change(sheetId, rowId, (map) => map.toJSON() as Record<string, CellValue>, false);
  }

  /** Writes cells of a row (creating it when it is new), once its document is ready; returns what they held. */
  async write(sheetId: string, rowId: string, cells: Record<string, CellValue>): Promise<Before> {
    return this.change(sheetId, rowId, (map) => {
      const before: Before = {};
      for (const [column, value] of Object.entries(cells)) {
        before[column] = map.get(column);
        map.set(column, value);
      }
      return before;
    });
  }

  /**
   * Runs `fn` on a row's cells in one transaction of this user, once its document is ready; throws a
   * `RowClosedError` for a row whose room the server closed. `writes`: false when `fn` only reads.
   */
  async change<T>(sheetId: string, rowId: string, fn: (cells: Y.Map<CellValue>) => T, writes = true): Promise<T> {
    const row = this.openRow(sheetId, rowId);
    row.busy += 1;
    this.changed();
    try {
      await row.synced;
      if (row.closed) throw new RowClosedError(row.closed);
      if (!writes) return fn(getRowCells(row.doc));
      let result!: T;
      row.doc.transact(() => {
        result = fn(getRowCells(row.doc));
      }, ROW_ORIGIN);
      return result;
    } finally {
      row.busy -= 1;
      this.changed();
    }
  }

  /** Deletes a row for good. */
  async delete(sheetId: string, rowId: string): Promise<void> {
    const row = this.openRow(sheetId, rowId);
    row.busy += 1;
    try {
      await row.synced;
      if (row.closed) throw new RowClosedError(row.closed);
      row.doc.transact(() => getRowState(row.doc).set(DELETED_KEY, true), ROW_ORIGIN);
    } finally {
      row.busy -= 1;
    }
  }

  /**
   * Resolves once at most `count` rows are open (rows close as the server stores what was written to them), rows
   * closed whose rooms have not yet been left counted: the server holds their rooms until then.
   */
  async roomFor(count: number): Promise<void> {
    while (this.open.size + this.leaving > count) {
      await new Promise<void>((resolve) => {
        const off = this.onChange(() => {
          off();
          resolve();
        });
      });
    }
  }

  /** True while something written in this tab (or before a reload) is not yet stored by the server. */
  get unsaved(): boolean {
    return [...this.open.values()].some((row) => row.pending || row.saves.state !== 'saved');
  }

  /** Rows holding a change the server has not stored, or a write waiting for the row's document. */
  get pendingRows(): number {
    return [...this.open.values()].filter((row) => row.busy > 0 || row.pending || row.saves.state !== 'saved').length;
  }

  /**
   * Whether every change written in this tab that the server has not stored is kept in this browser with its row,
   * to be sent again after a reload (`resume`): false without IndexedDB or when a row's record could not be written.
   */
  async keptInBrowser(): Promise<boolean> {
    const offline = this.offline;
    if (!offline) return false;
    const kept = await Promise.all([...this.open.values()].filter((row) => row.pending).map(async (row) => {
      await row.kept;
      const record = await offline.get(row.room).catch(() => undefined);
      if (!record?.pending) return false;
      const has = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(record.update));
      return [...Y.decodeStateVector(Y.encodeStateVector(row.doc))].every(([client, clock]) => (has.get(client) ?? 0) >= clock);
    }));
    return kept.every(Boolean);
  }

  /** Opens every kept row with a change the server has not stored, so that it is sent. */
  async resume(): Promise<void> {
    if (!this.offline) return;
    for (const kept of await this.offline.all()) if (kept.pending) this.use(kept.sheet, kept.row);
  }

  /** Called whenever a row's save status changes, or rows open or close. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  destroy(): void {
    window.removeEventListener('offline', this.onOffline);
    window.removeEventListener('online', this.onOnline);
    // The socket goes once every row is kept in this browser (each row's record is written first).
    const kept = [...this.open.values()].map((row) => row.kept);
    for (const room of [...this.open.keys()]) this.close(room);
    void Promise.allSettled(kept).then(() => this.socket.destroy());
  }

  private readonly onOffline = (): void => {
    this.online = false;
    // Browsers keep a dead socket open for a long while: drop it, as the dataset's connection does.
    this.socket.disconnect();
    for (const resolve of this.wentOffline.splice(0)) resolve();
    this.changed();
  };

  private readonly onOnline = (): void => {
    this.online = true;
    this.socket.connect();
    this.changed();
  };

  /** Resolves when the browser is (or goes) offline. */
  private whenOffline(): Promise<void> {
    return this.online ? new Promise((resolve) => this.wentOffline.push(resolve)) : Promise.resolve();
  }

  /** The row's open document, opening it; throws a `RowClosedError` for a row whose room the server closed. */
  private openRow(sheetId: string, rowId: string): OpenRow {
    const closed = this.closedRows.get(rowRoom(this.datasetId, sheetId, rowId));
    if (closed) throw new RowClosedError(closed);
    return this.use(sheetId, rowId);
  }

  /** The row's open document, opening it (`fresh`: from the server's copy alone, not this browser's). */
  private use(sheetId: string, rowId: string, fresh = false): OpenRow {
    const room = rowRoom(this.datasetId, sheetId, rowId);
    let row = this.open.get(room);
    if (row) {
      this.open.delete(room);
      this.open.set(room, row);
      return row;
    }
    // A guid given: Yjs would draw a random one (31 draws from the random source), per row opened.
    const doc = new Y.Doc({ guid: room });
    const saves = new SaveStatus(doc);
    const opened: OpenRow = {
      room, sheet: sheetId, row: rowId, doc, channel: null, saves, synced: Promise.resolve(), pending: false, kept: Promise.resolve(), stored: new Map(), busy: 0,
      closed: null, serverSynced: false,
    };
    row = opened;
    saves.onChange(() => this.changed());
    let fromServerSynced!: () => void;
    const fromServer = new Promise<void>((resolve) => { fromServerSynced = resolve; });
    let closedByServer!: () => void;
    const closed = new Promise<void>((resolve) => { closedByServer = resolve; });
    const local = fresh ? Promise.resolve(false) : this.loadKept(opened);
    // Offline, a row kept in this browser is ready once loaded from it; online, once the server synced.
    // A write waiting for a row whose room the server closes is let go (and refused).
    opened.synced = Promise.race([
      fromServer,
      local.then((found) => (found ? this.whenOffline() : never())),
      closed,
    ]);
    void local.then(() => {
      if (!this.open.has(room)) return;
      doc.on('update', (_update: Uint8Array, origin: unknown) => {
        this.keep(opened, origin === ROW_ORIGIN);
        // Not while the first sync is under way: its parts are no state of the row anyone wrote.
        if (origin !== ROW_ORIGIN && opened.serverSynced) this.arrived(opened);
      });
      opened.channel = this.socket.join(room, doc, {
        synced: () => {
          fromServerSynced();
          if (opened.serverSynced) return;
          opened.serverSynced = true;
          this.arrived(opened);
        },
        // Also the whole stored state vector: a row loaded from this browser's copy may hold changes of
        // an earlier tab (another client id), which only the whole state vector being stored covers.
        stored: (stateVector) => {
          opened.stored = stateVector;
          saves.storedAs(stateVector);
          this.checkStored(opened);
        },
        storeFailing: () => saves.failing(),
        closed: (code, reason) => {
          this.roomClosed(opened, code, reason);
          closedByServer();
        },
      });
    });
    this.open.set(room, opened);
    this.changed();
    return opened;
  }

  /** Tells the listeners what a row holds now that the server's changes reached it. */
  private arrived(row: OpenRow): void {
    const cells = rowCells(row.doc);
    for (const listener of [...this.arrivedListeners]) listener(row.sheet, row.row, cells, row.doc);
  }

  /** Applies this browser's copy of the row, if it has one; resolves with whether it had. */
  private async loadKept(row: OpenRow): Promise<boolean> {
    const kept = await this.offline?.get(row.room).catch(() => undefined);
    if (!kept || !this.open.has(row.room)) return false;
    Y.applyUpdate(row.doc, kept.update, this);
    row.pending = kept.pending;
    return true;
  }

  /** Writes the row's record after a change (`mine`: this user's), in the order the changes came. */
  private keep(row: OpenRow, mine: boolean): void {
    if (mine && !row.pending) {
      row.pending = true;
      this.changed();
    }
    const { offline } = this;
    if (!offline) return;
    const record = {
      room: row.room, sheet: row.sheet, row: row.row, update: Y.encodeStateAsUpdate(row.doc), cells: rowCells(row.doc),
      pending: row.pending, usedAt: Date.now(),
    };
    row.kept = row.kept.then(() => offline.put(record)).catch((err: unknown) => console.warn('A row could not be kept offline', err));
  }

  /** A row is stored once the server's stored state vector covers every change its document holds. */
  private checkStored(row: OpenRow): void {
    if (!row.pending) return;
    for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(row.doc))) {
      if ((row.stored.get(client) ?? 0) < clock) return;
    }
    row.pending = false;
    const offline = this.offline;
    if (offline) row.kept = row.kept.then(() => offline.stored(row.room)).catch(() => undefined);
    this.changed();
  }

  private changeTold = false;
  /** Rows closed whose rooms are left once they are kept in this browser. */
  private leaving = 0;

  /** The listeners are told once for all that changed in one go (a write, its row opened and kept, is several changes). */
  private changed(): void {
    if (this.changeTold) return;
    this.changeTold = true;
    queueMicrotask(() => {
      this.changeTold = false;
      for (const listener of [...this.listeners]) listener();
      this.closeIdle();
    });
  }

  /**
   * Closes the oldest rows past MAX_OPEN whose writes are all stored; never the row used last, nor one a
   * write waits for (with more than MAX_OPEN rows unsaved, as offline, the tab keeps them all open).
   */
  private closeIdle(): void {
    let excess = this.open.size - MAX_OPEN;
    const newest = [...this.open.keys()].at(-1);
    for (const [room, row] of this.open) {
      if (excess <= 0) return;
      if (room === newest || row.busy > 0 || row.pending || row.saves.state !== 'saved') continue;
      this.close(room);
      excess -= 1;
    }
  }

  /**
   * The server closed the row's room for good: the row is closed and remembered as closed, and what was
   * written to it and not stored is no longer waited for, here or in this browser's copy.
   */
  private roomClosed(row: OpenRow, code: number, reason: string): void {
    const closed: ClosedRow = { sheet: row.sheet, row: row.row, code, reason, gone: code === CloseCode.NotFound || isRowDeleted(row.doc) };
    row.closed = closed;
    row.channel = null;
    this.closedRows.set(row.room, closed);
    const { offline } = this;
    if (row.pending && offline) row.kept = row.kept.then(() => offline.stored(row.room)).catch(() => undefined);
    row.pending = false;
    if (this.open.get(row.room) === row) this.close(row.room);
    for (const listener of [...this.closedListeners]) listener(closed);
    this.changed();
  }

  private close(room: string): void {
    const row = this.open.get(room);
    if (!row) return;
    this.open.delete(room);
    row.saves.destroy();
    // Kept in this browser first: the record's last write is already queued.
    this.leaving += 1;
    void row.kept.finally(() => {
      row.channel?.leave();
      row.doc.destroy();
      this.leaving -= 1;
      this.changed();
    });
    for (const listener of [...this.listeners]) listener();
  }
}

const never = () => new Promise<void>(() => undefined);
