import { describe, expect, it } from 'vitest';
import type { Column } from '../columns';
import { cellKey, columnAgreement, defaultLevel, levelProblem } from './report';

const coders = ['ann', 'bob'];

describe('round agreement', () => {
  it('compares multi values as sets: order and repeats do not matter', () => {
    expect(cellKey(['military', 'political'])).toBe(cellKey(['political', 'military', 'political']));
    const column: Column = { id: 'context', name: 'Context', type: 'multi', options: ['political', 'military', 'economic'] };
    const { overall, units } = columnAgreement(column, 'nominal', coders, [
      { row: 'r1', values: { ann: ['military', 'political'], bob: ['political', 'military'] } },
      { row: 'r2', values: { ann: ['economic'], bob: ['economic'] } },
      { row: 'r3', values: { ann: ['economic'], bob: ['economic', 'political'] } },
    ]);
    expect(overall.percent).toBeCloseTo(2 / 3, 10);
    expect(units.map((u) => u.agreed)).toEqual([['military', 'political'], ['economic'], undefined]);
    expect(units[2]!.disagreement).toBeGreaterThan(0);
  });

  it('leaves empty cells out: a row coded by one coder only is not a pairable unit', () => {
    const column: Column = { id: 'actor1', name: 'Actor', type: 'text' };
    const { overall, pairs, units } = columnAgreement(column, 'nominal', coders, [
      { row: 'r1', values: { ann: 'China', bob: 'China' } },
      { row: 'r2', values: { ann: 'USA', bob: '' } },
      { row: 'r3', values: { ann: 'USA', bob: 'Japan' } },
    ]);
    expect(overall.units).toBe(2);
    expect(pairs).toEqual([expect.objectContaining({ coders: ['ann', 'bob'], units: 2, percent: 0.5 })]);
    expect(units[1]!.agreed).toBeUndefined();
    expect(units[1]!.values).toEqual({ ann: 'USA', bob: '' });
  });

  it('ranks enum codes in the code list order at the ordinal level', () => {
    const column: Column = { id: 'intensity', name: 'Intensity', type: 'enum', options: ['low', 'medium', 'high'] };
    const rows = [
      { row: 'a', values: { ann: 'low', bob: 'medium' } },
      { row: 'b', values: { ann: 'high', bob: 'high' } },
      { row: 'c', values: { ann: 'low', bob: 'low' } },
      { row: 'd', values: { ann: 'medium', bob: 'high' } },
    ];
    const ordinal = columnAgreement(column, 'ordinal', coders, rows).overall.alpha!;
    // The same data as ranks 1–3: ordinal alpha does not depend on the codes' spelling, only their order.
    const asNumbers = columnAgreement({ ...column, type: 'integer' }, 'ordinal', coders, [
      { row: 'a', values: { ann: 1, bob: 2 } }, { row: 'b', values: { ann: 3, bob: 3 } },
      { row: 'c', values: { ann: 1, bob: 1 } }, { row: 'd', values: { ann: 2, bob: 3 } },
    ]).overall.alpha!;
    expect(ordinal).toBeCloseTo(asNumbers, 12);
  });

  it('defaults numbers to interval and everything else to nominal, and refuses levels a column cannot have', () => {
    expect(defaultLevel('integer')).toBe('interval');
    expect(defaultLevel('enum')).toBe('nominal');
    expect(levelProblem({ id: 'context', name: 'C', type: 'multi' }, 'ordinal')).toMatch(/no order/);
    expect(levelProblem({ id: 'summary', name: 'S', type: 'text' }, 'interval')).toMatch(/numbers/);
    expect(levelProblem({ id: 'likert', name: 'L', type: 'enum', options: ['1', '2', '3'] }, 'interval')).toBeNull();
  });
});
