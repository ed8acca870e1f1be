/**
 * What the adjudication view offers for each unit (a row × a round column): the coders' values side
 * by side, grouped where they are the same value; the value to start from (the decision already
 * written, else the value every coder agreed on); and the units grouped by row. Pure, tested alone.
 */
import type { CellValue } from '../../model/columns';
import type { RoundUnit } from '../../model/http';

/** A unit is `done` once a decision was written, `agreed` when every coder gave the same value, else `open`. */
export type UnitState = 'done' | 'agreed' | 'open';

export function unitState(unit: RoundUnit): UnitState {
  if (unit.adjudication) return 'done';
  return unit.agreed !== undefined ? 'agreed' : 'open';
}

/** One value a coder gave, with every coder who gave it. */
export interface Choice {
  value: CellValue;
  coders: string[];
}

/**
 * The distinct non-empty values of the unit, in the order of the coders; the same codes in another
 * order are one value (a `multi` cell is a set).
 */
export function choices(unit: RoundUnit, coders: readonly string[]): Choice[] {
  const byKey = new Map<string, Choice>();
  for (const coder of coders) {
    const value = unit.values[coder] ?? null;
    if (isBlank(value)) continue;
    const key = valueKey(value);
    const known = byKey.get(key);
    if (known) known.coders.push(coder);
    else byKey.set(key, { value, coders: [coder] });
  }
  return [...byKey.values()];
}

/** The coders who left the unit empty. */
export function emptyCoders(unit: RoundUnit, coders: readonly string[]): string[] {
  return coders.filter((c) => isBlank(unit.values[c] ?? null));
}

/** The value the view starts from: the decision already written, else the agreed value, else none (undefined). */
export function startValue(unit: RoundUnit): CellValue | undefined {
  if (unit.adjudication) return unit.adjudication.value;
  return unit.agreed;
}

/** Whether two cell values are the same decision (codes compared as sets). */
export function sameValue(a: CellValue | undefined, b: CellValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return valueKey(a) === valueKey(b);
}

export interface RowUnits {
  row: string;
  units: RoundUnit[];
}

/**
 * Units grouped by row, rows in the order their first unit comes (the server sends most disagreement
 * first), columns within a row in the round's order.
 */
export function unitsByRow(units: readonly RoundUnit[], columns: readonly string[]): RowUnits[] {
  const rows = new Map<string, RoundUnit[]>();
  for (const unit of units) {
    const list = rows.get(unit.row);
    if (list) list.push(unit);
    else rows.set(unit.row, [unit]);
  }
  const position = (column: string) => {
    const i = columns.indexOf(column);
    return i === -1 ? columns.length : i;
  };
  return [...rows].map(([row, list]) => ({ row, units: list.sort((a, b) => position(a.column) - position(b.column)) }));
}

/** Counts for the view's summary line. */
export function tally(units: readonly RoundUnit[]): Record<UnitState, number> {
  const counts = { done: 0, agreed: 0, open: 0 };
  for (const unit of units) counts[unitState(unit)]++;
  return counts;
}

function isBlank(value: CellValue): boolean {
  return value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function valueKey(value: CellValue): string {
  if (Array.isArray(value)) {
    const items = value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    return JSON.stringify(['set', [...new Set(items)].sort()]);
  }
  return JSON.stringify([typeof value, value]);
}
