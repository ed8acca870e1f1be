/**
 * Typed access to a dataset's Y.Doc. Every read and write of the document layout goes through here, so
 * the string keys live in one place. The layout (docs/sync.md#the-document describes it):
 *
 *   meta    Y.Map  name, schemaVersion              written by the server only
 *   sheets  Y.Map  sheetId -> Y.Map { name, columns: Y.Array<Y.Map>, rows: Y.Map rowId -> Y.Map cells }
 *   reviews Y.Map  rowId -> Y.Map { status, flags }  written by the server only
 *   conflicts Y.Map conflictId -> Y.Map { sheet, row, column, kept, lost, … }  written by the server only
 */
import * as Y from 'yjs';
import { type CellValue, type Column, isColumnType } from './columns';

export const SCHEMA_VERSION = 1;

export type YSheet = Y.Map<unknown>;
export type YRow = Y.Map<CellValue>;
export type YColumn = Y.Map<unknown>;

export const REVIEW_STATUSES = ['unreviewed', 'approved', 'flagged'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export interface Flag {
  id: string;
  sheet: string;
  column: string | null;
  reason: string;
  note: string;
  by: string;
  at: string;
  status: 'open' | 'resolved';
  resolvedBy?: string;
  resolvedAt?: string;
  resolution?: string;
}

export interface SheetInit {
  id: string;
  name: string;
  columns: Column[];
}

/** The document's root types; there are no others. */
export const ROOTS = { meta: 'meta', sheets: 'sheets', reviews: 'reviews', conflicts: 'conflicts' } as const;
/** The keys of a sheet's map. */
export const SHEET_KEYS = { name: 'name', columns: 'columns', rows: 'rows' } as const;
/**
 * A sheet's tab position (a number; lower first), written by the server when sheets are added or
 * reordered. Sheets without one follow those with one, in the map's own order.
 */
export const SHEET_POSITION_KEY = 'position';
/** The key of a column's id in its map. */
export const COLUMN_ID_KEY = 'id';

export const getMeta = (doc: Y.Doc) => doc.getMap<unknown>(ROOTS.meta);
export const getSheets = (doc: Y.Doc) => doc.getMap<YSheet>(ROOTS.sheets);
export const getReviews = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>(ROOTS.reviews);

export function getSheet(doc: Y.Doc, sheetId: string): YSheet | undefined {
  return getSheets(doc).get(sheetId);
}

export function sheetName(sheet: YSheet): string {
  const name = sheet.get(SHEET_KEYS.name);
  return typeof name === 'string' ? name : '';
}

/** A sheet's tab position, or undefined when it has none. */
export function sheetPosition(sheet: YSheet): number | undefined {
  const position = sheet.get(SHEET_POSITION_KEY);
  return typeof position === 'number' && Number.isFinite(position) ? position : undefined;
}

/** The document's sheet ids in tab order. */
export function orderedSheetIds(doc: Y.Doc): string[] {
  const entries = [...getSheets(doc).entries()].filter(([, sheet]) => sheet instanceof Y.Map);
  const at = (sheet: YSheet) => sheetPosition(sheet) ?? Number.POSITIVE_INFINITY;
  // Stable: sheets without a position keep the map's order.
  return entries.map(([id, sheet], index) => ({ id, at: at(sheet), index }))
    .sort((a, b) => (a.at === b.at ? a.index - b.index : a.at < b.at ? -1 : 1))
    .map((e) => e.id);
}

export function sheetColumns(sheet: YSheet): Y.Array<YColumn> {
  return sheet.get(SHEET_KEYS.columns) as Y.Array<YColumn>;
}

export function sheetRows(sheet: YSheet): Y.Map<YRow> {
  return sheet.get(SHEET_KEYS.rows) as Y.Map<YRow>;
}

/** A column's id ('' if it has none). */
export function columnId(ycol: YColumn): string {
  return String(ycol.get(COLUMN_ID_KEY) ?? '');
}

/** A column as plain data; unknown fields from newer clients are ignored, missing ones defaulted. */
export function readColumn(ycol: YColumn): Column {
  const type = ycol.get('type');
  const column: Column = {
    id: columnId(ycol),
    name: String(ycol.get('name') ?? ycol.get(COLUMN_ID_KEY) ?? ''),
    type: isColumnType(type) ? type : 'text',
  };
  const required = ycol.get('required');
  if (required === true) column.required = true;
  const options = ycol.get('options');
  if (Array.isArray(options)) column.options = options.filter((o): o is string => typeof o === 'string');
  const labels = ycol.get('optionLabels');
  if (typeof labels === 'object' && labels !== null && !Array.isArray(labels)) {
    const entries = Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string');
    if (entries.length > 0) column.optionLabels = Object.fromEntries(entries);
  }
  const description = ycol.get('description');
  if (typeof description === 'string' && description !== '') column.description = description;
  const ref = ycol.get('ref');
  if (typeof ref === 'string') column.ref = ref;
  const actors = ycol.get('actors');
  if (typeof actors === 'string') column.actors = actors;
  return column;
}

/** The sheet's columns in display order; anything in the array that is not a column map is skipped. */
export function readColumns(sheet: YSheet): Column[] {
  const columns = sheet.get(SHEET_KEYS.columns);
  if (!(columns instanceof Y.Array)) return [];
  return (columns.toArray() as unknown[]).filter((c): c is YColumn => c instanceof Y.Map).map(readColumn);
}

export function columnToYMap(column: Column): YColumn {
  const ycol = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(column)) {
    if (value !== undefined) ycol.set(key, value);
  }
  return ycol;
}

/** Plain values of a row, keyed by column id. */
export function readRow(row: YRow): Record<string, CellValue> {
  return row.toJSON() as Record<string, CellValue>;
}

/** Adds a sheet with its columns and no rows. */
export function createSheet(doc: Y.Doc, init: SheetInit): YSheet {
  const sheet = new Y.Map<unknown>();
  const columns = new Y.Array<YColumn>();
  columns.push(init.columns.map(columnToYMap));
  sheet.set(SHEET_KEYS.name, init.name);
  sheet.set(SHEET_KEYS.columns, columns);
  sheet.set(SHEET_KEYS.rows, new Y.Map<YRow>());
  getSheets(doc).set(init.id, sheet);
  return sheet;
}

/** Writes the document's meta and sheets in one transaction. */
export function initDocument(doc: Y.Doc, name: string, sheets: readonly SheetInit[], origin?: unknown): void {
  doc.transact(() => {
    const meta = getMeta(doc);
    meta.set('name', name);
    meta.set('schemaVersion', SCHEMA_VERSION);
    for (const sheet of sheets) createSheet(doc, sheet);
  }, origin);
}

/** Inserts a row; empty values are left out rather than stored as null. */
export function insertRow(sheet: YSheet, rowId: string, values: Readonly<Record<string, CellValue>>): YRow {
  const row = new Y.Map<CellValue>();
  for (const [columnId, value] of Object.entries(values)) {
    if (value !== null && value !== '') row.set(columnId, value);
  }
  sheetRows(sheet).set(rowId, row);
  return row;
}

/** Sets one cell; null or '' clears it. Creates the row if it does not exist. */
export function setCell(sheet: YSheet, rowId: string, columnId: string, value: CellValue): void {
  const rows = sheetRows(sheet);
  const row = rows.get(rowId) ?? insertRow(sheet, rowId, {});
  if (value === null || value === '') row.delete(columnId);
  else row.set(columnId, value);
}

/** The id of the sheet that holds a row (row ids are unique across a dataset's sheets), or undefined. */
export function sheetOfRow(doc: Y.Doc, rowId: string): string | undefined {
  for (const [sheetId, sheet] of getSheets(doc)) {
    if (!(sheet instanceof Y.Map)) continue;
    const rows = sheet.get(SHEET_KEYS.rows);
    if (rows instanceof Y.Map && rows.has(rowId)) return sheetId;
  }
  return undefined;
}

export function deleteRow(sheet: YSheet, rowId: string): void {
  sheetRows(sheet).delete(rowId);
}

/** A row's review status; rows never reviewed are `unreviewed`. */
export function reviewStatus(doc: Y.Doc, rowId: string): ReviewStatus {
  const status = getReviews(doc).get(rowId)?.get('status');
  return status === 'approved' || status === 'flagged' ? status : 'unreviewed';
}

/** The flags of a row as plain data, oldest first. */
export function rowFlags(doc: Y.Doc, rowId: string): Flag[] {
  const flags = getReviews(doc).get(rowId)?.get('flags');
  return flags instanceof Y.Array ? (flags.toArray() as Y.Map<unknown>[]).map((f) => f.toJSON() as Flag) : [];
}
