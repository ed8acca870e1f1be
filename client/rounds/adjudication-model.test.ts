import { describe, expect, it } from 'vitest';
import type { RoundUnit } from '../../model/http';
import { choices, emptyCoders, sameValue, startValue, tally, unitState, unitsByRow } from './adjudication-model';

const unit = (over: Partial<RoundUnit>): RoundUnit => ({
  row: 'r1', column: 'event_type', level: 'nominal', values: {}, disagreement: 0, current: null, adjudication: null, ...over,
});

describe('adjudication choices', () => {
  const coders = ['ana', 'ben', 'cy'];

  it('groups coders who gave the same value, in coder order, and leaves empty values out', () => {
    const u = unit({ values: { ana: 'PROTEST', ben: 'ATTACK', cy: 'PROTEST' } });
    expect(choices(u, coders)).toEqual([{ value: 'PROTEST', coders: ['ana', 'cy'] }, { value: 'ATTACK', coders: ['ben'] }]);
    expect(choices(unit({ values: { ana: null, ben: '', cy: 3 } }), coders)).toEqual([{ value: 3, coders: ['cy'] }]);
    expect(emptyCoders(unit({ values: { ana: null, ben: 'x' } }), coders)).toEqual(['ana', 'cy']);
  });

  it('takes the same codes in another order as one value, and tells a number from its text', () => {
    const u = unit({ values: { ana: ['A', 'B'], ben: ['B', 'A'], cy: ['A'] } });
    expect(choices(u, coders).map((c) => c.coders)).toEqual([['ana', 'ben'], ['cy']]);
    expect(sameValue(['B', 'A'], ['A', 'B'])).toBe(true);
    expect(sameValue(3, '3')).toBe(false);
    expect(sameValue(undefined, null)).toBe(false);
  });

  it('starts from the decision already written, else the agreed value, else nothing', () => {
    const decided = unit({
      agreed: 'PROTEST',
      adjudication: { round: 'R', row: 'r1', column: 'event_type', value: 'ATTACK', values: {}, by: 'admin', at: '2026-01-01T00:00:00Z' },
    });
    expect(startValue(decided)).toBe('ATTACK');
    expect(unitState(decided)).toBe('done');
    expect(startValue(unit({ agreed: 'PROTEST' }))).toBe('PROTEST');
    expect(unitState(unit({ agreed: 'PROTEST' }))).toBe('agreed');
    expect(startValue(unit({ values: { ana: 'A', ben: 'B' } }))).toBeUndefined();
    expect(unitState(unit({}))).toBe('open');
  });

  it('groups units by row in the server\'s order, each row\'s columns in the round\'s order', () => {
    const units = [unit({ row: 'r2', column: 'b' }), unit({ row: 'r1', column: 'b' }), unit({ row: 'r2', column: 'a' })];
    expect(unitsByRow(units, ['a', 'b']).map((r) => [r.row, r.units.map((u) => u.column)])).toEqual([['r2', ['a', 'b']], ['r1', ['b']]]);
    expect(tally([...units, unit({ agreed: 'x' })])).toEqual({ done: 0, agreed: 1, open: 3 });
  });
});
