/** Reading a client's copy of a dataset document in tests. */
import * as Y from 'yjs';
import type { CellValue } from '../../model/columns';
import { getSheet, getSheets, sheetRows, type YSheet } from '../../model/document';

/**
 * The `sheets` root as plain JSON, taken from the document's encoded state (so it is what the client
 * would send anyone, not just what its in-memory types say).
 */
export function sheetsJson(doc: Y.Doc): Record<string, unknown> {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const json = getSheets(copy).toJSON() as Record<string, unknown>;
  copy.destroy();
  return json;
}

/** A sheet of a client's document; throws if the client does not have it (yet). */
export function sheetOf(doc: Y.Doc, sheetId: string): YSheet {
  const sheet = getSheet(doc, sheetId);
  if (!sheet) throw new Error(`no sheet "${sheetId}" in the document`);
  return sheet;
}

/** The rows of a sheet as plain values, in row-id order (the order the product shows and exports). */
export function rowsOf(doc: Y.Doc, sheetId: string): Array<[string, Record<string, CellValue>]> {
  const sheet = getSheet(doc, sheetId);
  if (!sheet) return [];
  return [...sheetRows(sheet).entries()]
    .map(([id, row]) => [id, row.toJSON() as Record<string, CellValue>] as [string, Record<string, CellValue>])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** One cell of a client's document, or undefined. */
export function cellOf(doc: Y.Doc, sheetId: string, rowId: string, columnId: string): CellValue | undefined {
  const sheet = getSheet(doc, sheetId);
  return sheet ? sheetRows(sheet).get(rowId)?.get(columnId) : undefined;
}
