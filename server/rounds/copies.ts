/**
 * A coder's copy of a round: a dataset document's layout (docs/sync.md#the-document) with the round's sheet only, holding the round's rows;
 * the round's columns are empty and every other column holds what the dataset holds (the context a
 * coder codes from: the summary, the source, the evidence). A copy never holds any coder's values of
 * the round's columns, so nobody sees another coder's work in it.
 */
import * as Y from 'yjs';
import type { CellValue, Column } from '../../model/columns';
import { getSheet, initDocument, insertRow, readColumns, readRow, sheetName, sheetRows } from '../../model/document';
import { coderCopyRoom } from '../../model/rooms';
import { Changes, observeDocument } from '../sync/changes';
import type { DocCommit } from '../sync/store';

/** What a copy is made from: the dataset's sheet as it is now. */
export interface SheetContent {
  name: string;
  columns: Column[];
  /** Row id → cells, of the rows the sheet holds. */
  rows: Map<string, Record<string, CellValue>>;
}

/** Reads a sheet of a dataset's document; undefined if there is no such sheet. */
export function readSheet(doc: Y.Doc, sheetId: string): SheetContent | undefined {
  const sheet = getSheet(doc, sheetId);
  if (!(sheet instanceof Y.Map)) return undefined;
  const rows = new Map<string, Record<string, CellValue>>();
  for (const [rowId, row] of sheetRows(sheet)) if (row instanceof Y.Map) rows.set(rowId, readRow(row));
  return { name: sheetName(sheet), columns: readColumns(sheet), rows };
}

export interface CopySpec {
  datasetId: string;
  datasetName: string;
  roundId: string;
  sheetId: string;
  rows: readonly string[];
  /** The round's columns: left empty in the copy. */
  columns: readonly string[];
  coderIds: readonly string[];
}

/** The first stored state of every coder's copy: one document, stored under each coder's room. */
export function copyCommits(spec: CopySpec, sheet: SheetContent, createdBy: string): DocCommit[] {
  const doc = new Y.Doc();
  const changes = new Changes();
  const stop = observeDocument(doc, () => ({ changes, origin: { userId: createdBy } }));
  const blind = new Set(spec.columns);
  initDocument(doc, spec.datasetName, [{ id: spec.sheetId, name: sheet.name, columns: sheet.columns }]);
  doc.transact(() => {
    const copy = getSheet(doc, spec.sheetId)!;
    for (const rowId of spec.rows) {
      const cells = Object.fromEntries(Object.entries(sheet.rows.get(rowId) ?? {}).filter(([column]) => !blind.has(column)));
      insertRow(copy, rowId, cells);
    }
  });
  stop();
  const commits = spec.coderIds.map((coder) => changes.toCommit(coderCopyRoom(spec.datasetId, spec.roundId, coder), doc));
  doc.destroy();
  return commits;
}
