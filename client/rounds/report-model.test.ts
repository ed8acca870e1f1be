import { describe, expect, it } from 'vitest';
import type { Agreement } from '../../model/http';
import { barPercent, columnRows, formatAlpha, formatPercent, heatColour, levelsFor, pairMatrix, reliability } from './report-model';

describe('the agreement report', () => {
  it('judges alpha against 0.800 (rely) and 0.667 (tentative), as it reads to three decimals', () => {
    expect(reliability(0.849)).toBe('reliable');
    expect(reliability(0.8)).toBe('reliable');
    expect(reliability(0.7996)).toBe('reliable'); // reads 0.800
    expect(reliability(0.7994)).toBe('tentative');
    expect(reliability(0.743)).toBe('tentative');
    expect(reliability(0.667)).toBe('tentative');
    expect(reliability(0.6664)).toBe('unreliable');
    expect(reliability(-0.2)).toBe('unreliable');
    expect(reliability(null)).toBe('none');
  });

  it('writes alpha to three decimals with a true minus, percent whole, and a dash for undefined', () => {
    expect(formatAlpha(0.74342)).toBe('0.743');
    expect(formatAlpha(1)).toBe('1.000');
    expect(formatAlpha(-0.12)).toBe('−0.120');
    expect(formatAlpha(-0.0001)).toBe('0.000');
    expect(formatAlpha(null)).toBe('—');
    expect(formatPercent(0.8333)).toBe('83%');
    expect(formatPercent(null)).toBe('—');
  });

  it('draws bars on a 0–1 axis: none below zero, full at one', () => {
    expect(barPercent(0.815)).toBe(81.5);
    expect(barPercent(-0.3)).toBe(0);
    expect(barPercent(1)).toBe(100);
    expect(barPercent(null)).toBe(0);
  });

  it('colours matrix cells by reliability, each band its own colour', () => {
    const colours = [heatColour(0.9), heatColour(0.7), heatColour(0.1), heatColour(null)];
    expect(new Set(colours).size).toBe(4);
    expect(heatColour(0.95)).toBe(heatColour(0.81));
  });

  const agreement: Agreement = {
    round: 'R1',
    columns: [
      { column: 'event_type', level: 'nominal', alpha: 0.62, percent: 0.75, units: 4 },
      { column: 'deaths', level: 'interval', alpha: null, percent: null, units: 0 },
    ],
    pairs: [
      { coders: ['ana', 'ben'], column: 'event_type', alpha: 0.5, percent: 0.5, units: 4 },
      { coders: ['ana', 'cy'], column: 'event_type', alpha: 0.9, percent: 1, units: 3 },
      { coders: ['ana', 'ben'], column: 'deaths', alpha: null, percent: null, units: 0 },
    ],
  };

  it('lists columns in the round\'s order by their sheet names, each with its band and bar', () => {
    const rows = columnRows(agreement, new Map([['event_type', 'Event type']]));
    expect(rows.map((r) => [r.name, r.reliability, r.bar])).toEqual([['Event type', 'unreliable', 62], ['deaths', 'none', 0]]);
  });

  it('finds a pair in either order, and nothing on the diagonal or for a pair the report lacks', () => {
    const m = pairMatrix(agreement, 'event_type', ['ana', 'ben', 'cy']);
    expect(m.cell('ana', 'cy')?.alpha).toBe(0.9);
    expect(m.cell('cy', 'ana')?.percent).toBe(1);
    expect(m.cell('ana', 'ana')).toBeNull();
    expect(m.cell('ben', 'cy')).toBeNull();
    expect(pairMatrix(agreement, 'deaths', ['ana', 'ben']).cell('ben', 'ana')?.alpha).toBeNull();
  });

  it('offers interval first for numbers, ordinal for codes and dates, interval for numeric codes, nominal alone for the rest', () => {
    expect(levelsFor({ type: 'integer' })[0]).toBe('interval');
    expect(levelsFor({ type: 'number' })).toContain('ratio');
    expect(levelsFor({ type: 'enum', options: ['low', 'high'] })).toEqual(['nominal', 'ordinal']);
    expect(levelsFor({ type: 'enum', options: ['1', '2', '3'] })).toEqual(['nominal', 'ordinal', 'interval', 'ratio']);
    expect(levelsFor({ type: 'date' })).toEqual(['nominal', 'ordinal']);
    expect(levelsFor({ type: 'text' })).toEqual(['nominal']);
    expect(levelsFor({ type: 'multi', options: ['1', '2'] })).toEqual(['nominal']);
  });
});
