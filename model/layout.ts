/**
 * The rules of the document layout, as plain checks on values: which roots clients write, which keys a
 * sheet and a column have and what each holds, what a row id and a cell are. `server/sync/update-check.ts`
 * applies them to incoming Yjs updates; `model/document.ts` names the keys.
 */
import { COLUMN_TYPES, isCellValue, RESERVED_COLUMN_IDS } from './columns';
import { COLUMN_ID_KEY, ROOTS, SHEET_KEYS, SHEET_POSITION_KEY } from './document';
import { COLUMN_ID, ROW_ID, SHEET_ID } from './ids';

/** The only root clients write to. */
export const CLIENT_ROOT: string = ROOTS.sheets;
/** Roots only the server writes: the dataset's name, review states and flags, concurrent-edit conflicts. */
export const SERVER_ROOTS: ReadonlySet<string> = new Set([ROOTS.meta, ROOTS.reviews, ROOTS.conflicts]);

/** Column types a column may have in the document (`evidence` cells hold anchors into sources). */
export const DOCUMENT_COLUMN_TYPES: ReadonlySet<string> = new Set([...COLUMN_TYPES, 'evidence']);

const isString = (v: unknown) => typeof v === 'string';
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

export const isColumnId = (v: unknown): v is string => typeof v === 'string' && COLUMN_ID.test(v) && !RESERVED_COLUMN_IDS.has(v);

/** A column's keys, each with what it may hold. The id never changes once set. */
const COLUMN_FIELDS: Record<string, { test: (v: unknown) => boolean; holds: string }> = {
  [COLUMN_ID_KEY]: { test: isColumnId, holds: 'an id of a-z, 0-9 and _ that starts with a letter and is not an export column' },
  name: { test: isString, holds: 'a string' },
  type: { test: (v) => typeof v === 'string' && DOCUMENT_COLUMN_TYPES.has(v), holds: `one of ${[...DOCUMENT_COLUMN_TYPES].join(', ')}` },
  required: { test: (v) => typeof v === 'boolean', holds: 'true or false' },
  options: { test: (v) => Array.isArray(v) && v.every(isString), holds: 'a list of strings' },
  optionLabels: { test: (v) => isPlainObject(v) && Object.values(v).every(isString), holds: 'an object of code: label strings' },
  description: { test: isString, holds: 'a string' },
  ref: { test: (v) => typeof v === 'string' && SHEET_ID.test(v), holds: 'a sheet id' },
  actors: { test: (v) => typeof v === 'string' && SHEET_ID.test(v), holds: 'a sheet id (the actor list)' },
};

/** Why `value` may not be stored under `key` of a column, or null if it may. */
export function columnFieldProblem(key: string, value: unknown): string | null {
  const field = COLUMN_FIELDS[key];
  if (!field) return `a column has no field "${key}"`;
  return field.test(value) ? null : `a column's ${key} is ${field.holds}`;
}

/** Why `value` may not be stored under `key` of a sheet's map as a plain value, or null if it may. */
export function sheetFieldProblem(key: string, value: unknown): string | null {
  if (key === SHEET_KEYS.name) return typeof value === 'string' ? null : "a sheet's name is a string";
  if (key === SHEET_POSITION_KEY) return typeof value === 'number' && Number.isFinite(value) ? null : "a sheet's position is a number";
  if (key === SHEET_KEYS.columns || key === SHEET_KEYS.rows) return `a sheet's ${key} is a shared type, not a plain value`;
  return `a sheet has no field "${key}"`;
}

export function sheetIdProblem(id: string): string | null {
  return SHEET_ID.test(id) ? null : `"${id}" is not a sheet id`;
}

export function rowIdProblem(id: string): string | null {
  return ROW_ID.test(id) ? null : `"${id.slice(0, 80)}" is not a row id (1-64 of 0-9, A-Z, a-z, _ and -)`;
}

/** Why `value` may not be stored in cell `columnId` of a row, or null if it may. */
export function cellProblem(columnId: string, value: unknown): string | null {
  if (!COLUMN_ID.test(columnId)) return `"${columnId.slice(0, 80)}" is not a column id`;
  return isCellValue(value)
    ? null
    : 'a cell holds a string, a finite number, true or false, null, a list of strings, a list of anchors or a place';
}
