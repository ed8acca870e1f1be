/** Column types and cell validation: problems are marked for the grid and reviewers, never used to block an edit. */
import { isPlace, type Place, placeProblem } from './places';

export const COLUMN_TYPES = [
  'text', 'longtext', 'number', 'integer', 'date', 'enum', 'multi', 'boolean', 'url', 'ref', 'evidence', 'place',
] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface Column {
  id: string;
  name: string;
  type: ColumnType;
  required?: boolean;
  /** Allowed codes of `enum` and `multi` columns. */
  options?: string[];
  /** A label for each code of `options`, for the codebook. */
  optionLabels?: Record<string, string>;
  description?: string;
  /** For `ref` columns: the sheet whose row ids the cell holds. */
  ref?: string;
  /** For `text` columns: the sheet holding the actor list the cell names an actor of (model/actors.ts). */
  actors?: string;
}

/**
 * What a cell holds: `multi` cells a list of codes, `evidence` cells a list of anchors into sources,
 * `place` cells a place (model/places.ts).
 */
export type CellValue = string | number | boolean | null | string[] | Anchor[] | Place;

/**
 * Whether two cell values are the same value: writing a cell's own value again is no change. Lists
 * compare item by item in order, anchors field by field whatever the order of their keys; a missing
 * value and null are the same.
 */
export function sameCellValue(a: unknown, b: unknown): boolean {
  if (a === b || ((a === null || a === undefined) && (b === null || b === undefined))) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameCellValue(x, b[i]));
  }
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length
    && keys.every((k) => Object.hasOwn(b, k) && sameCellValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Columns every export adds after the sheet's own. */
export const EXPORT_META_COLUMNS = ['review_status', 'open_flags', 'created_by', 'created_at', 'updated_by', 'updated_at'] as const;
/** Ids a sheet's column may not take: the export's own columns would clash with them. */
export const RESERVED_COLUMN_IDS: ReadonlySet<string> = new Set(['row_id', ...EXPORT_META_COLUMNS]);

export const PROBLEM_CODES = ['required', 'type', 'code', 'date', 'url', 'ref', 'place', 'actor'] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface Problem {
  /** A cell check's code, or `quote_not_in_evidence` (model/quotes.ts, a check across a row's cells). */
  code: ProblemCode | 'quote_not_in_evidence';
  message: string;
}

export function isColumnType(value: unknown): value is ColumnType {
  return typeof value === 'string' && (COLUMN_TYPES as readonly string[]).includes(value);
}

/** True for values that count as "nothing entered". */
export function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** True for `YYYY`, `YYYY-MM` or a real calendar day `YYYY-MM-DD`. */
export function isPartialDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [, y, mo, d] = m;
  if (mo === undefined) return true;
  const month = Number(mo);
  if (month < 1 || month > 12) return false;
  if (d === undefined) return true;
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  return day >= 1 && day <= daysInMonth;
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export interface ValidationContext {
  /** Answers whether a row id exists in a sheet; without it `ref` cells are only type-checked. */
  rowExists?: (sheetId: string, rowId: string) => boolean;
  /**
   * Answers whether text names actors of the actor list in a sheet (every `;`-separated part a name or an
   * alias, model/actors.ts); without it actor cells are only type-checked.
   */
  actorNamed?: (sheetId: string, text: string) => boolean;
}

/**
 * The problems of one cell. Never throws on user data: whatever a client wrote into the
 * document comes back as problems, so the grid can mark the cell and a reviewer can filter to it.
 */
export function validateCell(column: Column, value: unknown, ctx: ValidationContext = {}): Problem[] {
  if (isEmpty(value)) {
    return column.required ? [{ code: 'required', message: `${column.name} is required` }] : [];
  }
  const options = column.options ?? [];
  switch (column.type) {
    case 'text':
    case 'longtext':
      if (typeof value !== 'string') return [typeProblem(column, 'text')];
      if (column.actors !== undefined && ctx.actorNamed && !ctx.actorNamed(column.actors, value)) {
        return [{ code: 'actor', message: `${column.name}: "${value}" is not in the actor list` }];
      }
      return [];
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? [] : [typeProblem(column, 'a number')];
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? [] : [typeProblem(column, 'a whole number')];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [typeProblem(column, 'yes or no')];
    case 'date':
      if (typeof value !== 'string') return [typeProblem(column, 'a date')];
      return isPartialDate(value)
        ? []
        : [{ code: 'date', message: `${column.name}: "${value}" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)` }];
    case 'url':
      if (typeof value !== 'string') return [typeProblem(column, 'a link')];
      return isHttpUrl(value) ? [] : [{ code: 'url', message: `${column.name}: "${value}" is not an http(s) link` }];
    case 'enum':
      if (typeof value !== 'string') return [typeProblem(column, 'a code')];
      return options.includes(value) ? [] : [codeProblem(column, [value])];
    case 'multi': {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return [typeProblem(column, 'a list of codes')];
      // Without a code list a multi holds free names (an actor's aliases).
      if (column.options === undefined) return [];
      const unknown = value.filter((v) => !options.includes(v));
      return unknown.length === 0 ? [] : [codeProblem(column, unknown)];
    }
    case 'ref':
      if (typeof value !== 'string') return [typeProblem(column, 'a row reference')];
      if (column.ref && ctx.rowExists && !ctx.rowExists(column.ref, value)) {
        return [{ code: 'ref', message: `${column.name}: row ${value} does not exist` }];
      }
      return [];
    case 'evidence':
      return Array.isArray(value) && value.every(isAnchor) ? [] : [typeProblem(column, 'a list of passages of sources')];
    case 'place': {
      if (!isPlace(value)) return [typeProblem(column, 'a place')];
      const problem = placeProblem(value);
      return problem === null ? [] : [{ code: 'place', message: `${column.name}: ${problem}` }];
    }
  }
}

/** Problems of every column of a row, keyed by column id; columns without problems are left out. */
export function validateRow(
  columns: readonly Column[],
  row: Readonly<Record<string, unknown>>,
  ctx: ValidationContext = {},
): Record<string, Problem[]> {
  const problems: Record<string, Problem[]> = {};
  for (const column of columns) {
    const found = validateCell(column, row[column.id], ctx);
    if (found.length > 0) problems[column.id] = found;
  }
  return problems;
}

function typeProblem(column: Column, expected: string): Problem {
  return { code: 'type', message: `${column.name} should be ${expected}` };
}

function codeProblem(column: Column, codes: string[]): Problem {
  const list = codes.map((c) => `"${c}"`).join(', ');
  return { code: 'code', message: `${column.name}: ${list} not in the code list` };
}

/**
 * A span of a source text that an `evidence` cell points at: Unicode code points `start` to `end` (end
 * exclusive) of source `source`, and `exact`, the text there.
 */
export interface Anchor {
  source: string;
  start: number;
  end: number;
  exact: string;
}

const ANCHOR_KEYS = ['end', 'exact', 'source', 'start'];

/** True for a well-formed anchor: exactly its four fields, a span of `exact`'s length in code points. */
export function isAnchor(value: unknown): value is Anchor {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  if (Object.keys(value).sort().join() !== ANCHOR_KEYS.join()) return false;
  const { source, start, end, exact } = value as Record<string, unknown>;
  return typeof source === 'string' && source !== '' && typeof exact === 'string'
    && Number.isSafeInteger(start) && Number.isSafeInteger(end) && (start as number) >= 0
    && (end as number) - (start as number) === [...exact].length;
}

/**
 * Values a cell of the document may hold: a string, a finite number, a boolean, null, a list of strings
 * (`multi`), a list of anchors (`evidence`), or a place (`place`).
 */
export function isCellValue(value: unknown): value is CellValue {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    default:
      return Array.isArray(value) ? value.every((v) => typeof v === 'string') || value.every(isAnchor) : isPlace(value);
  }
}
