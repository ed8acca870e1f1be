/**
 * The grid's writes to the document. Each user action is one Yjs transaction with the caller's
 * origin, so it is one step for the undo manager and one message to the server.
 */
import type * as Y from 'yjs';
import { decodeTime } from 'ulid';
import type { CellValue } from '../../model/columns';
import { deleteRow, getSheet, insertRow, setCell, sheetRows } from '../../model/document';
import { newRowId } from '../../model/ids';

export interface CellWrite {
  row: string;
  column: string;
  value: CellValue;
}

/** Writes cells (creating rows that do not exist yet) in one transaction. */
export function writeCells(doc: Y.Doc, sheetId: string, writes: readonly CellWrite[], origin: unknown): void {
  const sheet = getSheet(doc, sheetId);
  if (!sheet || writes.length === 0) return;
  doc.transact(() => {
    for (const { row, column, value } of writes) {
      const current = sheetRows(sheet).get(row)?.get(column);
      if (!sameValue(current, value)) setCell(sheet, row, column, value);
    }
  }, origin);
}

/** Adds a row (empty, or with `values`) after every existing one; returns its id. */
export function addRow(doc: Y.Doc, sheetId: string, origin: unknown, values: Readonly<Record<string, CellValue>> = {}): string {
  const sheet = getSheet(doc, sheetId);
  if (!sheet) throw new Error(`no sheet ${sheetId}`);
  const [id] = rowIdsAfter(lastRowId(doc, sheetId), 1);
  doc.transact(() => insertRow(sheet, id!, values), origin);
  return id!;
}

export function deleteRows(doc: Y.Doc, sheetId: string, rowIds: readonly string[], origin: unknown): void {
  const sheet = getSheet(doc, sheetId);
  if (!sheet || rowIds.length === 0) return;
  doc.transact(() => {
    for (const id of rowIds) deleteRow(sheet, id);
  }, origin);
}

/** The greatest row id of a sheet. */
export function lastRowId(doc: Y.Doc, sheetId: string): string | undefined {
  const sheet = getSheet(doc, sheetId);
  if (!sheet) return undefined;
  let last: string | undefined;
  for (const id of sheetRows(sheet).keys()) if (last === undefined || id > last) last = id;
  return last;
}

/**
 * `count` new row ids that sort after `after`, so new rows land at the end even when another
 * coder's clock is ahead of ours (ULIDs order by their time part first).
 */
export function rowIdsAfter(after: string | undefined, count: number): string[] {
  let time = Date.now();
  if (after !== undefined) {
    try {
      time = Math.max(time, decodeTime(after) + 1);
    } catch {
      // Not a ULID (ids from an import): a fresh ULID is the best we can do.
    }
  }
  return Array.from({ length: count }, () => newRowId(time));
}

function sameValue(a: unknown, b: CellValue): boolean {
  if ((a === undefined || a === null || a === '') && (b === null || b === '')) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}
