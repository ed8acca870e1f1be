/**
 * Changes this browser made to a dataset's whole document that the server never stored (made offline,
 * say), found after the dataset was converted to rows by page (docs/sync.md#converting-a-dataset-to-rows-by-page).
 *
 * They are in the offline copy of the whole document, whose count of unstored changes the page kept
 * (`CACHE:pending`). The server keeps the document as it last stored it (`GET …/legacy`): what the copy
 * holds beyond that is exactly what was never stored. Applied onto the server's copy, its events say which
 * cells, new rows and deleted rows it holds; those are written into the rows' own documents as this
 * user's edits, which keep them offline and send them like any other. The copy is deleted once the rows' own
 * copies in this browser hold them (or, without those, once they are stored), or at once when it holds nothing
 * unstored.
 */
import * as decoding from 'lib0/decoding';
import { deleteDB } from 'lib0/indexeddb';
import * as Y from 'yjs';
import type { CellValue } from '../../model/columns';
import { getSheets } from '../../model/document';
import { OfflineStore, storedRecords } from '../sync/offline-store';
import { RowClosedError, type RowDocs } from './row-docs';

/** One row's unstored changes: cells set (null: cleared), or the row deleted. */
export interface LegacyRowChange {
  sheetId: string;
  rowId: string;
  cells: Record<string, CellValue | null>;
  deleted: boolean;
}

/**
 * What `copy` (the offline copy of the whole document) holds beyond `stored` (the server's last stored
 * copy, its updates), by row; changes outside the sheets' rows (columns, say) are not rows' and are left.
 */
export function legacyChanges(copy: Y.Doc, stored: readonly Uint8Array[]): LegacyRowChange[] {
  const base = new Y.Doc();
  try {
    base.transact(() => {
      for (const update of stored) Y.applyUpdate(base, update);
    });
    const unstored = Y.encodeStateAsUpdate(copy, Y.encodeStateVector(base));
    const byRow = new Map<string, LegacyRowChange>();
    const rowOf = (sheetId: string, rowId: string) => {
      let change = byRow.get(rowId);
      if (!change) byRow.set(rowId, change = { sheetId, rowId, cells: {}, deleted: false });
      return change;
    };
    const observe = (events: Array<Y.YEvent<any>>) => {
      for (const event of events) {
        const path = event.path;
        // [sheet, 'rows']: rows added or deleted; [sheet, 'rows', row]: cells of one row.
        if (path.length === 2 && path[1] === 'rows') {
          const rows = event.target as Y.Map<Y.Map<CellValue>>;
          for (const [rowId, { action }] of event.changes.keys) {
            const change = rowOf(String(path[0]), rowId);
            if (action === 'delete') change.deleted = true;
            else Object.assign(change.cells, rows.get(rowId)?.toJSON());
          }
        } else if (path.length === 3 && path[1] === 'rows') {
          const row = event.target as Y.Map<CellValue>;
          const change = rowOf(String(path[0]), String(path[2]));
          for (const [column] of event.changes.keys) change.cells[column] = row.has(column) ? row.get(column)! : null;
        }
      }
    };
    getSheets(base).observeDeep(observe);
    Y.applyUpdate(base, unstored);
    getSheets(base).unobserveDeep(observe);
    return [...byRow.values()];
  } finally {
    base.destroy();
  }
}

/**
 * Whether the copy holds a change the server never stored though none was counted as waiting (sent over a
 * live socket and lost by a server that stopped first, in a tab closed before it could send it again): its
 * state vector against the stored document's. Null when the server could not be asked.
 */
async function copyHoldsMore(cacheName: string, legacy: string): Promise<boolean | null> {
  const records = await storedRecords(cacheName).catch(() => []);
  if (records.length === 0) return false;
  const answer = await fetch(`${legacy}?part=state-vector`, { credentials: 'same-origin' });
  if (!answer.ok) return null;
  const stored = Y.decodeStateVector(new Uint8Array(await answer.arrayBuffer()));
  const copy = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(Y.mergeUpdates(records)));
  return [...copy].some(([client, clock]) => clock > (stored.get(client) ?? 0));
}

/**
 * Sends what the offline copy `cacheName` of the dataset's whole document holds that the server never
 * stored into the rows' documents, then deletes the copy. Resolves with the rows changed (`sent`) and those
 * whose rooms the server refused (`refused`: deleted since, say); nothing when there was nothing, or the
 * copy could not be read against the server's (it is then kept for the next load).
 */
export async function sendLegacyChanges(datasetId: string, cacheName: string, rows: RowDocs): Promise<{ sent: number; refused: number }> {
  const pendingKey = `${cacheName}:pending`;
  const legacy = `/api/datasets/${encodeURIComponent(datasetId)}/legacy`;
  const unstored = Number(localStorage.getItem(pendingKey) ?? 0) > 0 || await copyHoldsMore(cacheName, legacy);
  if (unstored === null) return { sent: 0, refused: 0 };
  if (!unstored) {
    localStorage.removeItem(pendingKey);
    await deleteDB(cacheName).catch(() => undefined);
    return { sent: 0, refused: 0 };
  }
  const response = await fetch(legacy, { credentials: 'same-origin' });
  if (!response.ok) return { sent: 0, refused: 0 };
  // The stored updates, each a varUint8Array after their count (`GET …/legacy`).
  const decoder = decoding.createDecoder(new Uint8Array(await response.arrayBuffer()));
  const stored = Array.from({ length: decoding.readVarUint(decoder) }, () => decoding.readVarUint8Array(decoder));
  const copy = new Y.Doc();
  const store = new OfflineStore(cacheName, copy);
  let changes: LegacyRowChange[];
  try {
    await store.load();
    changes = legacyChanges(copy, stored);
  } finally {
    store.destroy();
    copy.destroy();
  }
  let refused = 0;
  for (const { sheetId, rowId, cells, deleted } of changes) {
    try {
      if (deleted) await rows.delete(sheetId, rowId);
      else {
        await rows.change(sheetId, rowId, (map) => {
          for (const [column, value] of Object.entries(cells)) {
            if (value === null) map.delete(column);
            else map.set(column, value);
          }
        });
      }
    } catch (error) {
      if (!(error instanceof RowClosedError)) throw error;
      refused += 1;
    }
  }
  // The rows' documents send the changes, and keep them in this browser until stored (sent again after a reload):
  // the copy goes once they are kept there, or else once they are stored. Kept twice, a reload would write them
  // again, over what others wrote since.
  if (!await rows.keptInBrowser()) await new Promise<void>((resolve) => {
    if (!rows.unsaved) return resolve();
    const off = rows.onChange(() => {
      if (rows.unsaved) return;
      off();
      resolve();
    });
  });
  localStorage.removeItem(pendingKey);
  await deleteDB(cacheName).catch(() => undefined);
  return { sent: changes.length - refused, refused };
}
