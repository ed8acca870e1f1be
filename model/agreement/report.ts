/**
 * Agreement of a double-coding round: cells become the values alpha compares, per column and per
 * pair of coders, and each unit (row × column) gets a disagreement score for adjudication.
 */
import { type CellValue, type Column, type ColumnType, isEmpty } from '../columns';
import { krippendorffAlpha, type Level, unitDisagreements, type Value } from './alpha';

export { LEVELS, type Level } from './alpha';

/** The level a column gets when the round names none: numbers interval, everything else nominal. */
export function defaultLevel(type: ColumnType): Level {
  return type === 'number' || type === 'integer' ? 'interval' : 'nominal';
}

/** Whether a column's values can be read at a level; null if so, else why not (for a 400). */
export function levelProblem(column: Column, level: Level): string | null {
  if (level === 'nominal') return null;
  const numericCodes = column.type === 'enum' && (column.options ?? []).length > 0 && column.options!.every(isNumeric);
  if (level === 'ordinal') {
    return ['number', 'integer', 'enum', 'date'].includes(column.type) ? null
      : `column "${column.id}" (${column.type}) has no order: use nominal`;
  }
  return column.type === 'number' || column.type === 'integer' || numericCodes ? null
    : `column "${column.id}" (${column.type}) does not hold numbers: ${level} needs them`;
}

function isNumeric(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}

/**
 * The key under which two cells count as the same value: the value itself as JSON, lists (`multi`,
 * `evidence`) as the sorted set of their items, so `[b, a]` and `[a, b, a]` agree.
 */
export function cellKey(value: CellValue): string {
  if (!Array.isArray(value)) return JSON.stringify(value);
  const items = (value as unknown[]).map((item) => (typeof item === 'string' ? item : JSON.stringify(item, Object.keys(item as object).sort())));
  return JSON.stringify([...new Set(items)].sort());
}

/** Reads one column's cells as alpha's values at a level; null for a cell left out (empty, or not a number at a numeric level). */
function reader(column: Column, level: Level, cells: readonly CellValue[]): (value: CellValue | undefined) => Value | null {
  if (level === 'nominal') return (v) => (v === undefined || isEmpty(v) ? null : cellKey(v));
  if (level === 'ordinal') {
    // Only order matters: rank every distinct value; codes in the code list's order, then others by text.
    const options = column.options ?? [];
    const distinct = [...new Set(cells.filter((v) => !isEmpty(v)).map((v) => cellKey(v)))];
    const order = (key: string): [number, number | string] => {
      const value = JSON.parse(key) as CellValue;
      if (typeof value === 'number') return [0, value];
      const at = typeof value === 'string' ? options.indexOf(value) : -1;
      return at >= 0 ? [1, at] : [2, key];
    };
    distinct.sort((a, b) => {
      const [ga, va] = order(a);
      const [gb, vb] = order(b);
      if (ga !== gb) return ga - gb;
      return typeof va === 'number' ? va - (vb as number) : (va < vb ? -1 : va > vb ? 1 : 0);
    });
    const rank = new Map(distinct.map((k, i) => [k, i]));
    return (v) => (v === undefined || isEmpty(v) ? null : rank.get(cellKey(v)) ?? null);
  }
  return (v) => {
    if (typeof v === 'number' && Number.isFinite(v)) return numberAt(level, v);
    if (typeof v === 'string' && isNumeric(v)) return numberAt(level, Number(v));
    return null;
  };
}

function numberAt(level: Level, n: number): number | null {
  return level === 'ratio' && n < 0 ? null : n;
}

/** One row of a round as the coders coded it: coder name → the cell's value in their copy (absent: empty). */
export interface CodedRow {
  row: string;
  values: Readonly<Record<string, CellValue | undefined>>;
}

export interface ColumnAgreement {
  column: string;
  level: Level;
  alpha: number | null;
  percent: number | null;
  units: number;
}

export interface PairAgreement extends ColumnAgreement {
  coders: [string, string];
}

export interface UnitScore {
  row: string;
  column: string;
  level: Level;
  values: Record<string, CellValue>;
  /** The value when every coder gave the same non-empty one. */
  agreed?: CellValue;
  disagreement: number;
}

/** Alpha and percent agreement of one column over the round's rows, overall and per pair of coders. */
export function columnAgreement(column: Column, level: Level, coders: readonly string[], rows: readonly CodedRow[]): {
  overall: ColumnAgreement; pairs: PairAgreement[]; units: UnitScore[];
} {
  const read = reader(column, level, rows.flatMap((r) => coders.map((c) => r.values[c] ?? null)));
  const valuesOf = (r: CodedRow, who: readonly string[]) => who.map((c) => read(r.values[c])).filter((v): v is Value => v !== null);
  const all = krippendorffAlpha(rows.map((r) => valuesOf(r, coders)), level);
  const overall = { column: column.id, level, alpha: all.alpha, percent: all.percent, units: all.units };
  const pairs: PairAgreement[] = [];
  for (let i = 0; i < coders.length; i++) {
    for (let j = i + 1; j < coders.length; j++) {
      const pair = [coders[i]!, coders[j]!] as [string, string];
      const r = krippendorffAlpha(rows.map((row) => valuesOf(row, pair)), level);
      pairs.push({ coders: pair, column: column.id, level, alpha: r.alpha, percent: r.percent, units: r.units });
    }
  }
  const scores = unitDisagreements(rows.map((r) => valuesOf(r, coders)), level);
  const units = rows.map((r, i): UnitScore => {
    const values = Object.fromEntries(coders.map((c) => [c, r.values[c] ?? null])) as Record<string, CellValue>;
    const keys = new Set(coders.map((c) => r.values[c]).map((v) => (v === undefined || isEmpty(v) ? null : cellKey(v))));
    const unit: UnitScore = { row: r.row, column: column.id, level, values, disagreement: scores[i]! };
    const [only] = keys;
    if (keys.size === 1 && only !== null) unit.agreed = values[coders[0]!]!;
    return unit;
  });
  return { overall, pairs, units };
}
