/**
 * The agreement report as the page shows it: each column's alpha placed against the thresholds
 * researchers use (α ≥ 0.800 to rely on a variable, ≥ 0.667 for tentative conclusions), the bar
 * lengths, and the coder-pair matrix with its heat colours. Pure, so it is tested without a page.
 */
import type { Column } from '../../model/columns';
import type { Agreement, AgreementLevel } from '../../model/http';

/** Rely on a variable from here on (Krippendorff). */
export const RELIABLE = 0.8;
/** Tentative conclusions only, from here up to RELIABLE. */
export const TENTATIVE = 0.667;

/** Where an alpha stands; `none` when it is undefined (no pairable values, or no variation to judge). */
export type Reliability = 'reliable' | 'tentative' | 'unreliable' | 'none';

export const RELIABILITY_LABELS: Record<Reliability, string> = {
  reliable: 'reliable (α ≥ 0.800)',
  tentative: 'tentative (0.667 ≤ α < 0.800)',
  unreliable: 'unreliable (α < 0.667)',
  none: 'no alpha (too few values, or no variation)',
};

export function reliability(alpha: number | null): Reliability {
  if (alpha === null || !Number.isFinite(alpha)) return 'none';
  // Alpha is reported to three decimals: 0.7995 reads 0.800, and is judged as it reads.
  const shown = Math.round(alpha * 1000) / 1000;
  if (shown >= RELIABLE) return 'reliable';
  if (shown >= TENTATIVE) return 'tentative';
  return 'unreliable';
}

/** Alpha to three decimals as the literature writes it (`0.743`, `−0.120`); an em dash when undefined. */
export function formatAlpha(alpha: number | null): string {
  if (alpha === null || !Number.isFinite(alpha)) return '—';
  const text = Math.abs(alpha).toFixed(3);
  return alpha < 0 && text !== '0.000' ? `−${text}` : text;
}

/** A 0–1 share as a whole percent (`83%`); an em dash when undefined. */
export function formatPercent(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return '—';
  return `${Math.round(share * 100)}%`;
}

/**
 * The bar's length as a percent of the chart's width. The axis runs from 0 to 1: alpha below 0
 * (systematic disagreement) draws no bar, and the label says the value.
 */
export function barPercent(alpha: number | null): number {
  if (alpha === null || !Number.isFinite(alpha)) return 0;
  return Math.round(Math.min(1, Math.max(0, alpha)) * 1000) / 10;
}

/** A heat colour for a matrix cell, by reliability: green, amber, red, grey. */
export function heatColour(alpha: number | null): string {
  return HEAT[reliability(alpha)];
}

const HEAT: Record<Reliability, string> = {
  reliable: '#d6f0df',
  tentative: '#fbecc7',
  unreliable: '#f8d4d0',
  none: '#eef0f4',
};

export interface ColumnRow {
  column: string;
  /** The column's name in the dataset (its id when the sheet no longer has it). */
  name: string;
  level: AgreementLevel;
  alpha: number | null;
  percent: number | null;
  units: number;
  reliability: Reliability;
  bar: number;
}

/** One row per round column, in the round's order, named as the sheet names them. */
export function columnRows(agreement: Agreement, names: ReadonlyMap<string, string>): ColumnRow[] {
  return agreement.columns.map((c) => ({
    column: c.column,
    name: names.get(c.column) ?? c.column,
    level: c.level,
    alpha: c.alpha,
    percent: c.percent,
    units: c.units,
    reliability: reliability(c.alpha),
    bar: barPercent(c.alpha),
  }));
}

export interface PairCell {
  alpha: number | null;
  percent: number | null;
  units: number;
}

export interface PairMatrix {
  coders: string[];
  /** `cell(a, b)` for two different coders, either order; null when the report has no such pair. */
  cell(a: string, b: string): PairCell | null;
}

/** The coder-pair matrix of one column: a square of coders, each cell that pair's agreement. */
export function pairMatrix(agreement: Agreement, column: string, coders: readonly string[]): PairMatrix {
  const cells = new Map<string, PairCell>();
  for (const p of agreement.pairs) {
    if (p.column !== column) continue;
    const [a, b] = p.coders;
    const cell = { alpha: p.alpha, percent: p.percent, units: p.units };
    cells.set(pairKey(a, b), cell);
    cells.set(pairKey(b, a), cell);
  }
  return { coders: [...coders], cell: (a, b) => (a === b ? null : cells.get(pairKey(a, b)) ?? null) };
}

const pairKey = (a: string, b: string) => JSON.stringify([a, b]);

/**
 * The measurement levels a column can be judged at; the first is the default (numbers interval,
 * everything else nominal). Ordinal needs an order (numbers, dates, or codes ranked in the code list's
 * order); interval and ratio need numbers (numeric columns, or codes that are all numbers).
 */
export function levelsFor(column: Pick<Column, 'type' | 'options'>): AgreementLevel[] {
  if (column.type === 'number' || column.type === 'integer') return ['interval', 'ratio', 'ordinal', 'nominal'];
  if (column.type === 'enum') {
    const numeric = (column.options ?? []).length > 0 && (column.options ?? []).every((o) => o.trim() !== '' && Number.isFinite(Number(o)));
    return numeric ? ['nominal', 'ordinal', 'interval', 'ratio'] : ['nominal', 'ordinal'];
  }
  if (column.type === 'date') return ['nominal', 'ordinal'];
  return ['nominal'];
}
