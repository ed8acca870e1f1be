/**
 * The kinds of documents the sync engine serves, each with its layout: what a client's update may
 * change, how the document's changes are recorded, and what a commit writes besides the log (the
 * projection into the read model). The engine (`SharedDoc`) knows none of them; the registry picks the
 * kind from the room's name.
 */
import * as Y from 'yjs';
import type { CellValue } from '../../model/columns';
import type { Role } from '../../model/roles';
import { parseRoom } from '../../model/rooms';
import type { DatasetCatalog } from '../storage';
import { conflictRecords, getConflicts } from '../../model/conflicts';
import { getReviews } from '../../model/document';
import { genesisUpdate, getRowCells, getRowState, rowCells } from '../../model/row-document';
import { Changes, observeDocument, type Origin } from './changes';
import type { DocCommit, DocStore } from './store';
import { type DecodedUpdate, datasetOfRowsProblem, type NewCell, rowUpdateProblem, updateProblem } from './update-check';

/** Where a transaction's changes go: the changes being staged, and who made them. */
export type ChangeTarget = () => { changes: Changes; origin: Origin | null };

export interface DocumentKind {
  /** Starts recording a document's changes into whatever `target()` returns at the time; returns the stop. */
  observe(doc: Y.Doc, target: ChangeTarget): () => void;
  /** The store's commit of `changes`, reading the document as it now is. */
  toCommit(changes: Changes, doc: Y.Doc): DocCommit;
  /** Why a client with `role` may not apply `update`, or null; values written into cells are added to `cells`. */
  problem(doc: Y.Doc, update: DecodedUpdate, role: Role | undefined, cells?: NewCell[]): string | null;
  /** A document of this kind may have nothing stored yet (a row nobody wrote): it starts empty. */
  readonly mayStartEmpty: boolean;
  /**
   * For a document with nothing logged: the commit of its first update, made from what the read model
   * holds (null when it holds nothing). Written under the room's lock only if the log is still empty.
   */
  genesis?(store: DocStore): Promise<DocCommit | null>;
}

/** A dataset's document (and a round copy's): sheets with their rows, reviews and conflicts (`model/document.ts`). */
export function datasetDocument(room: string): DocumentKind {
  return {
    observe: observeDocument,
    toCommit: (changes, doc) => changes.toCommit(room, doc),
    problem: updateProblem,
    mayStartEmpty: false,
  };
}

/** The document of a dataset whose rows are documents of their own: its sheets' rows stay empty. */
export function datasetOfRowsDocument(room: string): DocumentKind {
  return { ...datasetDocument(room), problem: datasetOfRowsProblem };
}

/**
 * One row's document (`model/row-document.ts`), logged under its own room; its commits write the row's
 * cells, history, review and conflicts into the dataset's read model.
 */
export function rowDocument(room: string, datasetId: string, sheetId: string, rowId: string): DocumentKind {
  return {
    observe(doc, target) {
      const cells = getRowCells(doc);
      const state = getRowState(doc);
      const onCells = (event: Y.YMapEvent<CellValue>) => {
        const { changes, origin } = target();
        changes.recordRowDocEvent(sheetId, rowId, cells, event.changes.keys, origin?.userId ?? null, Date.now(), origin?.note);
      };
      const onState = () => {
        const { changes, origin } = target();
        changes.recordRowDeleted(sheetId, rowId, origin?.userId ?? null, Date.now());
      };
      const onReviews = (events: Array<Y.YEvent<any>>) => target().changes.recordReviewEvents(events);
      const onConflicts = (events: Array<Y.YEvent<any>>) => target().changes.recordConflictEvents(events);
      const onUpdate = (update: Uint8Array) => {
        const { changes, origin } = target();
        changes.updates.push({ update, userId: origin?.userId ?? null, at: Date.now() });
      };
      cells.observe(onCells);
      state.observe(onState);
      getReviews(doc).observeDeep(onReviews);
      getConflicts(doc).observeDeep(onConflicts);
      doc.on('update', onUpdate);
      return () => {
        cells.unobserve(onCells);
        state.unobserve(onState);
        getReviews(doc).unobserveDeep(onReviews);
        getConflicts(doc).unobserveDeep(onConflicts);
        doc.off('update', onUpdate);
      };
    },
    toCommit(changes, doc) {
      const rows = [...changes.rows.values()].slice(-1).map(({ userId, at }) => ({ sheetId, rowId, cells: rowCells(doc), userId, at }));
      const stateVector = changes.updates.length > 0 ? Y.encodeStateVector(doc) : undefined;
      return {
        datasetId, room, updates: changes.updates, stateVector, cells: changes.cells, rows, sheets: [],
        reviews: changes.reviewStates(doc), conflicts: conflictRecords(doc, changes.conflicts),
      };
    },
    problem: rowUpdateProblem,
    mayStartEmpty: true,
    async genesis(store) {
      const cells = await store.storedRow(datasetId, sheetId, rowId);
      if (cells === null) return null;
      const update = { update: genesisUpdate(cells), userId: null, at: Date.now() };
      const stateVector = Y.encodeStateVectorFromUpdate(update.update);
      return { datasetId, room, updates: [update], stateVector, cells: [], rows: [], sheets: [], reviews: [], conflicts: [] };
    },
  };
}

/** The kind of a room's document: by the room's name, and for a dataset's own room by its layout. */
export async function documentKind(datasets: Pick<DatasetCatalog, 'get'>, room: string): Promise<DocumentKind> {
  const parsed = parseRoom(room);
  if (parsed?.row) return rowDocument(room, parsed.datasetId, parsed.row.sheetId, parsed.row.rowId);
  if (parsed && parsed.round === undefined && (await datasets.get(parsed.datasetId))?.layout === 'rows') return datasetOfRowsDocument(room);
  return datasetDocument(room);
}
