import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random';
import { krippendorffAlpha, type Level, unitDisagreements, type Value } from './alpha';

/**
 * Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section E: 4 coders, 12 units,
 * values 1–5, null where a coder gave none.
 */
const REFERENCE: (number | null)[][] = [
  // units:  1     2  3  4  5  6  7  8  9  10    11    12
  /* A */ [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  /* B */ [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  /* C */ [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  /* D */ [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
];

/** Coders × units to units of given values. */
function byUnit(matrix: (Value | null)[][]): Value[][] {
  return matrix[0]!.map((_, u) => matrix.map((coder) => coder[u]!).filter((v): v is Value => v !== null));
}

describe("Krippendorff's alpha", () => {
  it.each([
    ['nominal', 0.743],
    ['ordinal', 0.815],
    ['interval', 0.849],
    ['ratio', 0.797],
  ] as [Level, number][])('gives the 2011 reference example its published %s alpha (%s)', (level, published) => {
    const result = krippendorffAlpha(byUnit(REFERENCE), level);
    expect(result.alpha!.toFixed(3)).toBe(published.toFixed(3));
    // Unit 12 has one value: 11 pairable units, n = 40 pairable values.
    expect(result.units).toBe(11);
    expect(result.values).toBe(40);
  });

  it('puts 8 of the 40 coincidences of the reference example off the diagonal (units 2, 6 and 8: 2 + 4 + 2)', () => {
    const r = krippendorffAlpha(byUnit(REFERENCE), 'nominal');
    expect(r.observed! * r.values).toBeCloseTo(8, 10);
  });

  it('counts pairwise percent agreement over the pairs of values within units', () => {
    // Two units: [a, a, b] has 1 agreeing pair of 3; [c, c] 1 of 1 → 2 of 4.
    expect(krippendorffAlpha([['a', 'a', 'b'], ['c', 'c']], 'nominal').percent).toBe(0.5);
  });

  it('leaves out units with fewer than two values', () => {
    const with1 = krippendorffAlpha([['a', 'b'], ['a', 'a'], ['b', 'b'], ['z']], 'nominal');
    const without = krippendorffAlpha([['a', 'b'], ['a', 'a'], ['b', 'b']], 'nominal');
    expect(with1).toEqual(without);
    expect(with1.units).toBe(3);
  });

  it('is 1 for perfect agreement on data that vary', () => {
    expect(krippendorffAlpha([['a', 'a'], ['b', 'b', 'b'], ['c', 'c']], 'nominal').alpha).toBe(1);
    expect(krippendorffAlpha([[1, 1], [4, 4]], 'interval').alpha).toBe(1);
  });

  it('is undefined (null) when every value is the same: no variation, nothing to tell (Krippendorff 2011)', () => {
    const r = krippendorffAlpha([['a', 'a'], ['a', 'a', 'a']], 'nominal');
    expect(r.alpha).toBeNull();
    expect(r.percent).toBe(1);
    expect(r.units).toBe(2);
  });

  it('is undefined (null) with no pairable unit, or no data at all', () => {
    expect(krippendorffAlpha([['a'], ['b'], []], 'nominal')).toMatchObject({ alpha: null, percent: null, units: 0, values: 0 });
    expect(krippendorffAlpha([], 'interval')).toMatchObject({ alpha: null, percent: null, units: 0 });
  });

  it('is below 0 when coders disagree more than chance would', () => {
    expect(krippendorffAlpha([['a', 'b'], ['b', 'a']], 'nominal').alpha!).toBeLessThan(0);
  });

  it('refuses a non-numeric value at a numeric level', () => {
    expect(() => krippendorffAlpha([['1', '2']], 'interval')).toThrow(TypeError);
  });

  it('agrees with a direct pairwise-distance computation on random data at every level', () => {
    const random = seededRandom(20111);
    for (let round = 0; round < 200; round++) {
      const coders = 2 + Math.floor(random() * 4);
      const units = 1 + Math.floor(random() * 25);
      const range = 1 + Math.floor(random() * 6);
      const matrix = Array.from({ length: coders }, () =>
        Array.from({ length: units }, () => (random() < 0.2 ? null : 1 + Math.floor(random() * range))));
      const data = byUnit(matrix) as number[][];
      for (const level of ['nominal', 'ordinal', 'interval', 'ratio'] as Level[]) {
        const expected = directAlpha(data, level);
        const actual = krippendorffAlpha(data, level).alpha;
        if (expected === null) expect(actual).toBeNull();
        else expect(actual).toBeCloseTo(expected, 9);
      }
    }
  });

  it('scores a unit 0 when its values agree and higher the further apart they are', () => {
    const data: number[][] = [[1, 1], [1, 2], [1, 5], [3]];
    const [agree, near, far, single] = unitDisagreements(data, 'interval');
    expect(agree).toBe(0);
    expect(single).toBe(0);
    expect(near!).toBeGreaterThan(0);
    expect(far!).toBeGreaterThan(near!);
  });
});

/**
 * The textbook definition, written without a coincidence matrix: Do averages the distance over the
 * pairs of values within each unit (each unit weighted by its m_u − 1), De over all pairs of pairable
 * values. Ordinal is interval on mid-ranks of the pooled values, which equals Krippendorff's ordinal metric.
 */
function directAlpha(units: number[][], level: Level): number | null {
  const pairable = units.filter((u) => u.length >= 2);
  const pooled = pairable.flat();
  const n = pooled.length;
  if (n < 2) return null;
  const sorted = [...pooled].sort((a, b) => a - b);
  const midRank = (v: number) => {
    const first = sorted.indexOf(v);
    const last = sorted.lastIndexOf(v);
    return (first + last) / 2;
  };
  const delta = (a: number, b: number): number => {
    if (level === 'nominal') return a === b ? 0 : 1;
    if (level === 'ordinal') return (midRank(a) - midRank(b)) ** 2;
    if (level === 'interval') return (a - b) ** 2;
    return a + b === 0 ? 0 : ((a - b) / (a + b)) ** 2;
  };
  let within = 0;
  for (const u of pairable) {
    let sum = 0;
    for (let i = 0; i < u.length; i++) for (let j = 0; j < u.length; j++) if (i !== j) sum += delta(u[i]!, u[j]!);
    within += sum / (u.length - 1);
  }
  let between = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) between += delta(pooled[i]!, pooled[j]!);
  const observed = within / n;
  const expected = between / (n * (n - 1));
  return expected === 0 ? null : 1 - observed / expected;
}

