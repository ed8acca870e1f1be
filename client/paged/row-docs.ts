/**
 * The documents of the rows this tab edits, in a dataset whose rows are documents of their own: a row's
 * room is opened when one of its cells is written, and a write waits until the row's document has
 * synced with the server, so a value is never written into a document that has not seen the row's
 * current one. The last MAX_OPEN rows stay open; a row is closed only once the server has stored
 * everything written to it (the save status says so).
 */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import type { CellValue } from '../../model/columns';
import { rowRoom } from '../../model/rooms';
import { DELETED_KEY, getRowCells, getRowState } from '../../model/row-document';
import { ACKS_PARAM, SaveStatus } from '../sync/save-status';

/** The origin of this user's writes into row documents. */
export const ROW_ORIGIN = { source: 'tessera-local-row' } as const;
/** Row documents kept open (a few hundred bytes each on the server while open). */
const MAX_OPEN = 32;

interface OpenRow {
  doc: Y.Doc;
  provider: WebsocketProvider;
  saves: SaveStatus;
  synced: Promise<void>;
}

export class RowDocs {
  /** By room, oldest use first. */
  private readonly open = new Map<string, OpenRow>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly datasetId: string) {}

  /** Writes cells of a row (creating it when it is new), once its document has synced. */
  async write(sheetId: string, rowId: string, cells: Record<string, CellValue>): Promise<void> {
    const row = this.use(sheetId, rowId);
    await row.synced;
    row.doc.transact(() => {
      const map = getRowCells(row.doc);
      for (const [column, value] of Object.entries(cells)) map.set(column, value);
    }, ROW_ORIGIN);
  }

  /** Deletes a row for good. */
  async delete(sheetId: string, rowId: string): Promise<void> {
    const row = this.use(sheetId, rowId);
    await row.synced;
    row.doc.transact(() => getRowState(row.doc).set(DELETED_KEY, true), ROW_ORIGIN);
  }

  /** True while something written in this tab is not yet stored by the server. */
  get unsaved(): boolean {
    return [...this.open.values()].some((row) => row.saves.state !== 'saved');
  }

  /** Called whenever a row's save status changes. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  destroy(): void {
    for (const room of [...this.open.keys()]) this.close(room);
  }

  private use(sheetId: string, rowId: string): OpenRow {
    const room = rowRoom(this.datasetId, sheetId, rowId);
    let row = this.open.get(room);
    if (row) {
      this.open.delete(room);
      this.open.set(room, row);
      return row;
    }
    const doc = new Y.Doc();
    const wsProto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const provider = new WebsocketProvider(`${wsProto}//${location.host}/ws`, room, doc, { disableBc: true, params: { ...ACKS_PARAM } });
    const saves = new SaveStatus(provider, doc);
    saves.onChange(() => {
      for (const listener of this.listeners) listener();
      this.closeIdle();
    });
    const synced = new Promise<void>((resolve) => {
      if (provider.synced) return resolve();
      const onSync = (isSynced: boolean) => {
        if (!isSynced) return;
        provider.off('sync', onSync);
        resolve();
      };
      provider.on('sync', onSync);
    });
    row = { doc, provider, saves, synced };
    this.open.set(room, row);
    this.closeIdle();
    return row;
  }

  /** Closes the oldest rows past MAX_OPEN whose writes are all stored. */
  private closeIdle(): void {
    let excess = this.open.size - MAX_OPEN;
    for (const [room, row] of this.open) {
      if (excess <= 0) return;
      if (row.saves.state !== 'saved') continue;
      this.close(room);
      excess -= 1;
    }
  }

  private close(room: string): void {
    const row = this.open.get(room);
    if (!row) return;
    this.open.delete(room);
    row.saves.destroy();
    row.provider.destroy();
    row.doc.destroy();
  }
}
