/**
 * Column administration, written straight into the document: the order of a sheet's `columns` is
 * the display order, and a column's id never changes. One transaction per action, with the caller's origin.
 */
import type * as Y from 'yjs';
import type { Column, ColumnType } from '../../model/columns';
import { type YColumn, columnToYMap, getSheet, readColumn, sheetColumns } from '../../model/document';
import { COLUMN_ID } from '../../model/ids';
import { RESERVED_COLUMN_IDS } from '../../model/columns';

/** What an admin may change on a column (everything but the id). */
export type ColumnPatch = Partial<Omit<Column, 'id'>>;

/** A column id made from a name: `Actor 1 country` → `actor_1_country`, unique in the sheet. */
export function columnIdFromName(name: string, taken: ReadonlySet<string>): string {
  let base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 50);
  if (!/^[a-z]/.test(base)) base = `col_${base}`.replace(/_+$/, '');
  let id = base;
  for (let n = 2; taken.has(id) || RESERVED_COLUMN_IDS.has(id); n++) id = `${base}_${n}`;
  return id;
}

/** Why a new column cannot be added, or null. */
export function checkNewColumn(column: Column, existing: readonly Column[]): string | null {
  if (!COLUMN_ID.test(column.id)) return 'Column ids start with a letter and use a–z, 0–9 and _ only.';
  if (RESERVED_COLUMN_IDS.has(column.id)) return `"${column.id}" is a column every export adds; choose another id.`;
  if (existing.some((c) => c.id === column.id)) return `There is already a column "${column.id}".`;
  if (column.name.trim() === '') return 'Give the column a name.';
  return null;
}

export function addColumn(doc: Y.Doc, sheetId: string, column: Column, origin: unknown, index?: number): void {
  const columns = columnsOf(doc, sheetId);
  doc.transact(() => {
    const at = index === undefined ? columns.length : Math.max(0, Math.min(index, columns.length));
    columns.insert(at, [columnToYMap(clean(column))]);
  }, origin);
}

/** Changes fields of a column; `undefined` or empty values remove optional fields. */
export function updateColumn(doc: Y.Doc, sheetId: string, columnId: string, patch: ColumnPatch, origin: unknown): void {
  const ycol = findColumn(doc, sheetId, columnId);
  if (!ycol) return;
  doc.transact(() => {
    for (const [key, value] of Object.entries(patch) as Array<[keyof ColumnPatch, unknown]>) {
      const empty = value === undefined || value === false || value === '' || (Array.isArray(value) && value.length === 0);
      if (key === 'name' || key === 'type') {
        if (typeof value === 'string' && value !== '') ycol.set(key, value);
      } else if (empty) {
        if (ycol.has(key)) ycol.delete(key);
      } else if (!sameJson(ycol.get(key), value)) {
        ycol.set(key, value);
      }
    }
  }, origin);
}

/** Changes a column's type, keeping only the fields the new type uses. */
export function changeColumnType(doc: Y.Doc, sheetId: string, columnId: string, type: ColumnType, origin: unknown, ref?: string): void {
  const patch: ColumnPatch = { type };
  if (type !== 'enum' && type !== 'multi') {
    patch.options = undefined;
    patch.optionLabels = undefined;
  }
  patch.ref = type === 'ref' ? ref : undefined;
  // Only a text column names an actor list.
  if (type !== 'text') patch.actors = undefined;
  updateColumn(doc, sheetId, columnId, patch, origin);
}

/** Moves a column by `delta` places in the display order. */
export function moveColumn(doc: Y.Doc, sheetId: string, columnId: string, delta: number, origin: unknown): void {
  const columns = columnsOf(doc, sheetId);
  const from = columns.toArray().findIndex((c) => c.get('id') === columnId);
  if (from < 0) return;
  const to = Math.max(0, Math.min(columns.length - 1, from + delta));
  if (to === from) return;
  doc.transact(() => {
    // A Y type cannot be moved: the column is copied to its new place and the old one deleted.
    const copy = columnToYMap(readColumn(columns.get(from)));
    columns.delete(from, 1);
    columns.insert(to, [copy]);
  }, origin);
}

/** Removes a column from the sheet; its values stay in the rows (and come back with an undo). */
export function deleteColumn(doc: Y.Doc, sheetId: string, columnId: string, origin: unknown): void {
  const columns = columnsOf(doc, sheetId);
  doc.transact(() => {
    const list = columns.toArray();
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.get('id') === columnId) columns.delete(i, 1);
  }, origin);
}

function columnsOf(doc: Y.Doc, sheetId: string): Y.Array<YColumn> {
  const sheet = getSheet(doc, sheetId);
  if (!sheet) throw new Error(`no sheet ${sheetId}`);
  return sheetColumns(sheet);
}

function findColumn(doc: Y.Doc, sheetId: string, columnId: string): YColumn | undefined {
  return columnsOf(doc, sheetId).toArray().find((c) => c.get('id') === columnId);
}

function clean(column: Column): Column {
  const out: Column = { id: column.id, name: column.name.trim(), type: column.type };
  if (column.required) out.required = true;
  if (column.description?.trim()) out.description = column.description.trim();
  if ((column.type === 'enum' || column.type === 'multi') && column.options?.length) out.options = column.options;
  if ((column.type === 'enum' || column.type === 'multi') && column.optionLabels && Object.keys(column.optionLabels).length > 0) out.optionLabels = column.optionLabels;
  if (column.type === 'ref' && column.ref) out.ref = column.ref;
  if (column.type === 'text' && column.actors) out.actors = column.actors;
  return out;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
