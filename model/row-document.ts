/**
 * The document of one row, in a dataset whose rows are documents of their own (layout `rows`): the room
 * `DATASET/rows/SHEET/ROW` (`model/rooms.ts`). Its layout:
 *
 *   cells      Y.Map  columnId -> value (the value types of a dataset document's cells)
 *   state      Y.Map  deleted: true once the row was deleted (a row is never brought back under its id)
 *   reviews    Y.Map  the row's review, written by the server only: one entry, the row id -> its status and
 *                     flags, the same shape as a dataset document's `reviews` root (`model/reviews.ts`)
 *   conflicts  Y.Map  the row's concurrent-edit conflicts, written by the server only: conflictId -> the
 *                     same entry as a dataset document's `conflicts` root (`model/conflicts.ts`), open or resolved
 *
 * A row that was stored before it had a document of its own (imported, say) gets one made from its stored
 * cells by `genesisUpdate`: every instance makes the same bytes for the same cells, so two that make it at
 * once make one row, and the reserved client id 0 loses every concurrent write in Yjs's map resolution,
 * so a value a client wrote without having seen the genesis is never lost to the row's starting state.
 */
import * as Y from 'yjs';
import type { CellValue } from './columns';

export const ROW_ROOTS = { cells: 'cells', state: 'state', reviews: 'reviews', conflicts: 'conflicts' } as const;
/** The key of `state` that marks the row deleted. */
export const DELETED_KEY = 'deleted';
/** The client id of genesis updates; no client uses it (Yjs never picks 0 for a document). */
export const GENESIS_CLIENT_ID = 0;

export const getRowCells = (doc: Y.Doc) => doc.getMap<CellValue>(ROW_ROOTS.cells);
export const getRowState = (doc: Y.Doc) => doc.getMap<unknown>(ROW_ROOTS.state);

export function isRowDeleted(doc: Y.Doc): boolean {
  return getRowState(doc).get(DELETED_KEY) === true;
}

/** The row's cells as plain values; null once it is deleted. */
export function rowCells(doc: Y.Doc): Record<string, CellValue> | null {
  return isRowDeleted(doc) ? null : (getRowCells(doc).toJSON() as Record<string, CellValue>);
}

/** The first update of a stored row's document: its cells, in column id order, by client id 0. */
export function genesisUpdate(cells: Readonly<Record<string, CellValue>>): Uint8Array {
  // A guid given: Yjs would draw a random one (31 draws from the system's random source), per row loaded.
  const doc = new Y.Doc({ gc: true, guid: 'genesis' });
  doc.clientID = GENESIS_CLIENT_ID;
  const map = getRowCells(doc);
  doc.transact(() => {
    for (const columnId of Object.keys(cells).sort()) {
      const value = cells[columnId];
      if (value !== undefined) map.set(columnId, value);
    }
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}
