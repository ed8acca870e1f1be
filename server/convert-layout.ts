/**
 * Converting a dataset from the `document` layout (its rows in its own document) to `rows` (each row a
 * document of its own, read by page): for a dataset that outgrew one document. It is done once, for good.
 *
 * The dataset's room is closed on every instance while it runs (its clients are closed with 4409 and what
 * it applied is stored first). Then, in one transaction under the document's lock: the room's log moves
 * to `DATASET/legacy` (kept, never served), the room starts over with a document of the dataset's name
 * and sheets (as the read model holds them) without rows, and the layout becomes `rows`. The whole document
 * is never built: the rows, reviews, flags, conflicts, history, sources and anchors are the read model's
 * already, in either layout (each commit wrote them with its log, in one transaction), and each row's
 * document starts from its stored cells when it is first opened. A client still holding
 * changes the server never stored sends them from its offline copy into the rows' documents once it
 * loads the converted dataset (`client/paged/legacy-changes.ts`).
 */
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import type { Column } from '../model/columns';
import { getSheets, initDocument, SHEET_POSITION_KEY } from '../model/document';
import type { LayoutChanged } from '../model/http';
import { conflict, notFound } from './errors';
import type { Logger } from './logger';
import type { Storage } from './storage';
import type { DocRegistry } from './sync/registry';

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
    const at = Date.now();
    const done = await storage.datasets.convertToRows({
      datasetId, legacyRoom: legacyRoom(datasetId), build: withoutRows, userId, at,
      audit: [{ actorId: userId, action: 'dataset.convert', target: datasetId, detail: { layout: 'rows' } }],
    });
    if (done.outcome === 'not document') throw conflict('Its rows are documents of their own already');
    log.info({ dataset: datasetId, rows: done.rows, ms: Math.round(performance.now() - started) }, 'dataset converted to rows by page');
    return { id: datasetId, layout: 'rows' as const, convertedAt: new Date(at).toISOString(), rows: done.rows };
  });
}

/**
 * A converted dataset's earlier document as it was last stored: its stored updates (snapshot first), each a
 * `varUint8Array` after their count (a `varUint`), as they are (merging them would cost the server what
 * building the document does); null for a dataset that was not converted. A browser holding changes to it
 * that the server never stored finds what they changed against it.
 */
export async function legacyDocument(storage: Storage, datasetId: string): Promise<Uint8Array | null> {
  const { pieces } = await legacyStored(storage, datasetId);
  if (pieces.length === 0) return null;
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, pieces.length);
  for (const piece of pieces) encoding.writeVarUint8Array(encoder, piece);
  return encoding.toUint8Array(encoder);
}

/**
 * The state vector of a converted dataset's earlier document as it was last stored (what a browser's copy
 * holding more has that was never stored); null for a dataset that was not converted.
 */
export async function legacyStateVector(storage: Storage, datasetId: string): Promise<Uint8Array | null> {
  const { pieces, stateVector } = await legacyStored(storage, datasetId);
  if (pieces.length === 0) return null;
  return stateVector ?? Y.encodeStateVectorFromUpdate(Y.mergeUpdates(pieces));
}

/** The earlier document's stored pieces (snapshot first; none when it was not converted) and their state vector if stored. */
async function legacyStored(storage: Storage, datasetId: string): Promise<{ pieces: Uint8Array[]; stateVector: Uint8Array | null }> {
  const stored = await storage.docs.load(legacyRoom(datasetId));
  return { pieces: stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates, stateVector: stored.stateVector };
}

/** The dataset's document in the `rows` layout: its name, and its sheets (in tab order) with their columns and no rows. */
function withoutRows(name: string, sheets: ReadonlyArray<{ id: string; name: string; columns: Column[] }>): { state: Uint8Array; stateVector: Uint8Array } {
  const doc = new Y.Doc();
  try {
    initDocument(doc, name, sheets);
    doc.transact(() => sheets.forEach(({ id }, position) => getSheets(doc).get(id)!.set(SHEET_POSITION_KEY, position)));
    return { state: Y.encodeStateAsUpdate(doc), stateVector: Y.encodeStateVector(doc) };
  } finally {
    doc.destroy();
  }
}
