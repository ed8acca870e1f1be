/**
 * Converting a dataset from the `document` layout (its rows in its own document) to `rows` (each row a
 * document of its own, read by page): for a dataset that outgrew one document. It is done once, for good.
 *
 * The dataset's room is closed on every instance while it runs (its clients are closed with 4409 and what
 * it applied is stored first). Then, in one transaction under the document's lock: the room's log moves
 * to `DATASET/legacy` (kept, never served), the room starts over with a document of the dataset's name
 * and sheets without rows, the read model takes every row whose cells it did not hold as the document did
 * (it is what the rows' documents start from), and the layout becomes `rows`. Reviews, flags, conflicts,
 * history, sources and anchors are the read model's already, in either layout. A client still holding
 * changes the server never stored sends them from its offline copy into the rows' documents once it
 * loads the converted dataset (`client/paged/legacy-changes.ts`).
 */
import { isDeepStrictEqual } from 'node:util';
import * as Y from 'yjs';
import type { CellValue } from '../model/columns';
import {
  getMeta, getSheets, orderedSheetIds, readRow, SHEET_KEYS, SHEET_POSITION_KEY, sheetRows, type YColumn,
} from '../model/document';
import type { LayoutChanged } from '../model/http';
import { conflict, notFound } from './errors';
import type { Logger } from './logger';
import type { Storage } from './storage';
import type { DocRegistry } from './sync/registry';
import type { RowState } from './sync/store';

/** Where a converted dataset's earlier document is kept: stored, never served. */
export const legacyRoom = (datasetId: string) => `${datasetId}/legacy`;

export async function convertToRows(
  storage: Storage, registry: DocRegistry, log: Logger, datasetId: string, userId: string,
): Promise<LayoutChanged> {
  const dataset = await storage.datasets.get(datasetId);
  if (!dataset) throw notFound(`No dataset "${datasetId}"`);
  if (dataset.layout === 'rows') throw conflict('Its rows are documents of their own already');
  return registry.convert(datasetId, async () => {
    const started = performance.now();
    const stored = await storage.docs.load(datasetId);
    const doc = new Y.Doc();
    try {
      doc.transact(() => {
        if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
        for (const update of stored.updates) Y.applyUpdate(doc, update);
      });
      const at = Date.now();
      const rows = await rowsToWrite(storage, datasetId, doc, userId, at);
      const next = withoutRows(doc);
      const state = Y.encodeStateAsUpdate(next);
      const stateVector = Y.encodeStateVector(next);
      const counts = Object.fromEntries(orderedSheetIds(doc).map((id) => [id, sheetRows(getSheets(doc).get(id)!).size]));
      next.destroy();
      const outcome = await storage.datasets.convertToRows({
        datasetId, legacyRoom: legacyRoom(datasetId), lastSeq: stored.lastSeq, state, stateVector, rows, userId, at,
        audit: [{ actorId: userId, action: 'dataset.convert', target: datasetId, detail: { layout: 'rows', rows: counts } }],
      });
      if (outcome === 'changed') throw conflict('The dataset changed while it was being converted: try again');
      if (outcome === 'not document') throw conflict('Its rows are documents of their own already');
      log.info({ dataset: datasetId, rows: counts, repaired: rows.length, ms: Math.round(performance.now() - started) }, 'dataset converted to rows by page');
      return { id: datasetId, layout: 'rows' as const, convertedAt: new Date(at).toISOString(), rows: counts };
    } finally {
      doc.destroy();
    }
  });
}

/**
 * The rows whose cells the read model does not hold as the document does (none, unless a change was
 * applied and its projection lost): written with the conversion, as `userId`'s at `at`.
 */
async function rowsToWrite(storage: Storage, datasetId: string, doc: Y.Doc, userId: string, at: number): Promise<RowState[]> {
  const inDoc = new Map<string, { sheetId: string; cells: Record<string, CellValue> }>();
  for (const [sheetId, sheet] of getSheets(doc)) {
    for (const [rowId, row] of sheetRows(sheet)) inDoc.set(rowId, { sheetId, cells: readRow(row) });
  }
  const held = await storage.docs.storedRows(datasetId, [...inDoc.keys()]);
  const rows: RowState[] = [];
  for (const [rowId, { sheetId, cells }] of inDoc) {
    const stored = held.get(rowId);
    if (stored?.sheetId !== sheetId || !isDeepStrictEqual(stored.cells, cells)) rows.push({ sheetId, rowId, cells, userId, at });
  }
  return rows;
}

/**
 * A converted dataset's earlier document as it was last stored, as one update; null for a dataset that
 * was not converted. A browser holding changes to it that the server never stored finds what they
 * changed against it.
 */
export async function legacyDocument(storage: Storage, datasetId: string): Promise<Uint8Array | null> {
  const stored = await storage.docs.load(legacyRoom(datasetId));
  const pieces = stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates;
  return pieces.length === 0 ? null : Y.mergeUpdates(pieces);
}

/** A new document of the dataset's meta and sheets (their names, positions and columns as they are), without rows. */
function withoutRows(doc: Y.Doc): Y.Doc {
  const next = new Y.Doc();
  next.transact(() => {
    const meta = getMeta(next);
    for (const [key, value] of getMeta(doc)) meta.set(key, value);
    orderedSheetIds(doc).forEach((sheetId, position) => {
      const was = getSheets(doc).get(sheetId)!;
      const sheet = new Y.Map<unknown>();
      for (const [key, value] of was) {
        if (key === SHEET_KEYS.rows || key === SHEET_KEYS.columns) continue;
        if (!(value instanceof Y.AbstractType)) sheet.set(key, value);
      }
      const columns = new Y.Array<YColumn>();
      const wasColumns = was.get(SHEET_KEYS.columns);
      if (wasColumns instanceof Y.Array) {
        columns.push((wasColumns.toArray() as unknown[]).filter((c): c is YColumn => c instanceof Y.Map).map((c) => new Y.Map(Object.entries(c.toJSON()))));
      }
      sheet.set(SHEET_KEYS.columns, columns);
      sheet.set(SHEET_KEYS.rows, new Y.Map());
      sheet.set(SHEET_POSITION_KEY, position);
      getSheets(next).set(sheetId, sheet);
    });
  });
  return next;
}
