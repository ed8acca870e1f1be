/**
 * Krippendorff's alpha, by the coincidence-matrix formulation of Krippendorff, "Computing
 * Krippendorff's Alpha-Reliability" (2011). Written here rather than taken from npm: the one package
 * there (`krippendorff` 0.1.0) has a single release, no types and no tests against the reference example.
 *
 * Rules:
 * - Missing values are left out before anything is counted: a unit is the values that were given.
 * - A unit with fewer than two values is not pairable and contributes nothing.
 * - alpha = 1 − Do/De. It is undefined (null) without a pairable unit, and when the data have no
 *   variation at all (De = 0: every value the same): Krippendorff (2011) calls such data unable to
 *   tell anything about reliability, so "all agree" on one value is null, not 1. With variation,
 *   perfect agreement is 1.
 */

export const LEVELS = ['nominal', 'ordinal', 'interval', 'ratio'] as const;
export type Level = (typeof LEVELS)[number];

/**
 * A value as alpha compares it: nominal values are compared for equality only (strings or numbers);
 * ordinal, interval and ratio values are numbers (for ordinal only their order matters).
 */
export type Value = string | number;

export interface AlphaResult {
  /** Null when undefined (see the module's rules). */
  alpha: number | null;
  /** Pairwise percent agreement (0–1): agreeing pairs of values within units over all such pairs; null without one. */
  percent: number | null;
  /** Units with at least two values. */
  units: number;
  /** Pairable values (n, the coincidence matrix's total). */
  values: number;
  /** Observed and expected disagreement; null without pairable values. */
  observed: number | null;
  expected: number | null;
}

/** The distinct values of the pairable units, in order, with how often each occurs (the marginals n_c). */
interface Categories {
  keys: Value[];
  index: Map<Value, number>;
  counts: number[];
}

/**
 * The squared distance of two categories at a level (Krippendorff 2011, the δ² metrics). Ordinal uses
 * the marginals: the values between c and k, counting c and k half.
 */
export function distance(level: Level, cats: { keys: readonly Value[]; counts: readonly number[] }, c: number, k: number): number {
  if (c === k) return 0;
  switch (level) {
    case 'nominal':
      return 1;
    case 'ordinal': {
      const [lo, hi] = c < k ? [c, k] : [k, c];
      let sum = 0;
      for (let g = lo; g <= hi; g++) sum += cats.counts[g]!;
      const d = sum - (cats.counts[lo]! + cats.counts[hi]!) / 2;
      return d * d;
    }
    case 'interval': {
      const d = (cats.keys[c] as number) - (cats.keys[k] as number);
      return d * d;
    }
    case 'ratio': {
      const a = cats.keys[c] as number;
      const b = cats.keys[k] as number;
      if (a + b === 0) return 0;
      const d = (a - b) / (a + b);
      return d * d;
    }
  }
}

function pairable(units: readonly (readonly Value[])[]): (readonly Value[])[] {
  return units.filter((u) => u.length >= 2);
}

function categories(level: Level, units: readonly (readonly Value[])[]): Categories {
  const counts = new Map<Value, number>();
  for (const unit of units) for (const v of unit) counts.set(v, (counts.get(v) ?? 0) + 1);
  const keys = [...counts.keys()];
  if (level !== 'nominal') {
    for (const k of keys) if (typeof k !== 'number' || !Number.isFinite(k)) throw new TypeError(`${level} values must be finite numbers, got ${JSON.stringify(k)}`);
    keys.sort((a, b) => (a as number) - (b as number));
  }
  if (level === 'ratio' && keys.some((k) => (k as number) < 0)) throw new RangeError('ratio values must not be negative');
  return { keys, index: new Map(keys.map((k, i) => [k, i])), counts: keys.map((k) => counts.get(k)!) };
}

/**
 * Krippendorff's alpha of `units`: each unit is the values the coders gave it (missing ones left out).
 * Throws a TypeError for a non-numeric value at a numeric level (the caller maps cells to values).
 */
export function krippendorffAlpha(units: readonly (readonly Value[])[], level: Level): AlphaResult {
  const used = pairable(units);
  const cats = categories(level, used);
  const size = cats.keys.length;
  // The coincidence matrix: each ordered pair of values within a unit, weighted 1/(m_u − 1).
  const o = Array.from({ length: size }, () => new Float64Array(size));
  let agreeingPairs = 0;
  let allPairs = 0;
  for (const unit of used) {
    const m = unit.length;
    const idx = unit.map((v) => cats.index.get(v)!);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        if (i === j) continue;
        o[idx[i]!]![idx[j]!]! += 1 / (m - 1);
        if (j > i) {
          allPairs++;
          if (idx[i] === idx[j]) agreeingPairs++;
        }
      }
    }
  }
  const n = cats.counts.reduce((a, b) => a + b, 0);
  const percent = allPairs === 0 ? null : agreeingPairs / allPairs;
  if (n < 2) return { alpha: null, percent, units: used.length, values: n, observed: null, expected: null };

  let observed = 0;
  let expected = 0;
  for (let c = 0; c < size; c++) {
    for (let k = 0; k < size; k++) {
      if (c === k) continue;
      const d = distance(level, cats, c, k);
      observed += o[c]![k]! * d;
      expected += cats.counts[c]! * cats.counts[k]! * d;
    }
  }
  observed /= n;
  expected /= n * (n - 1);
  const alpha = expected === 0 ? null : 1 - observed / expected;
  return { alpha, percent, units: used.length, values: n, observed, expected };
}

/**
 * How much each unit's values disagree, on the scale of the whole data: the unit's mean squared
 * distance over its pairs of values, divided by the data's expected disagreement De. 0 when the
 * unit's values all agree (or it has fewer than two), about 1 when they are as far apart as chance.
 */
export function unitDisagreements(units: readonly (readonly Value[])[], level: Level): number[] {
  const cats = categories(level, pairable(units));
  const n = cats.counts.reduce((a, b) => a + b, 0);
  let expected = 0;
  for (let c = 0; c < cats.keys.length; c++) {
    for (let k = 0; k < cats.keys.length; k++) if (c !== k) expected += cats.counts[c]! * cats.counts[k]! * distance(level, cats, c, k);
  }
  if (n > 1) expected /= n * (n - 1);
  return units.map((unit) => {
    if (unit.length < 2 || expected === 0) return 0;
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < unit.length; i++) {
      for (let j = i + 1; j < unit.length; j++) {
        sum += distance(level, cats, cats.index.get(unit[i]!)!, cats.index.get(unit[j]!)!);
        pairs++;
      }
    }
    return sum / pairs / expected;
  });
}
