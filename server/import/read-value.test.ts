import { describe, expect, it } from 'vitest';
import { indexText } from '../../model/anchors';
import type { Column } from '../../model/columns';
import { readValue, serialToDate } from './read-value';

const ctx = { sourceText: (id: string) => (id === 'src' ? indexText('👍 Hello “world”') : undefined) };
const col = (type: Column['type'], extra: Partial<Column> = {}): Column => ({ id: 'c', name: 'C', type, ...extra });

describe('readValue', () => {
  it('keeps text exactly, only taking off the prefix a formula-safe export adds', () => {
    expect(readValue(col('text'), '  two\r\nlines  ', ctx)).toEqual({ value: '  two\r\nlines  ' });
    expect(readValue(col('text'), "'=SUM(A1)", ctx)).toEqual({ value: '=SUM(A1)' });
    expect(readValue(col('text'), "''=x", ctx)).toEqual({ value: "'=x" });
    expect(readValue(col('text'), "'plain", ctx)).toEqual({ value: "'plain" });
  });

  it('reads numbers, booleans and dates as the grid does, and refuses what is none', () => {
    expect(readValue(col('number'), '1,234.5', ctx)).toEqual({ value: 1234.5 });
    expect(readValue(col('integer'), '2.5', ctx)).toMatchObject({ code: 'type' });
    expect(readValue(col('boolean'), 'Yes', ctx)).toEqual({ value: true });
    expect(readValue(col('boolean'), 0, ctx)).toEqual({ value: false });
    expect(readValue(col('boolean'), 'maybe', ctx)).toMatchObject({ code: 'type' });
    expect(readValue(col('date'), '2024/2/5', ctx)).toEqual({ value: '2024-02-05' });
    expect(readValue(col('date'), 2024, ctx)).toEqual({ value: '2024' });
    expect(readValue(col('date'), { serial: 45342, date1904: false }, ctx)).toEqual({ value: '2024-02-20' });
    expect(readValue(col('date'), '2024-02-30', ctx)).toMatchObject({ code: 'date' });
  });

  it('splits multi on ; and matches codes ignoring case; unknown codes are kept for the grid to mark', () => {
    expect(readValue(col('multi', { options: ['AGREE', 'REJECT'] }), 'agree; Reject;; other', ctx)).toEqual({ value: ['AGREE', 'REJECT', 'other'] });
  });

  it('rebuilds evidence anchors with their exact text from the source, counting code points', () => {
    expect(readValue(col('evidence'), 'src:2-7; src:8-15', ctx)).toEqual({
      value: [{ source: 'src', start: 2, end: 7, exact: 'Hello' }, { source: 'src', start: 8, end: 15, exact: '“world”' }],
    });
    expect(readValue(col('evidence'), 'nope:0-1', ctx)).toMatchObject({ code: 'evidence' });
    expect(readValue(col('evidence'), 'src:0-99', ctx)).toMatchObject({ code: 'evidence' });
    expect(readValue(col('evidence'), 'not an anchor', ctx)).toMatchObject({ code: 'evidence' });
  });

  it('counts Excel day serials from 1899-12-30, or from 1904 for 1904-based workbooks', () => {
    expect(serialToDate({ serial: 61, date1904: false })).toBe('1900-03-01');
    expect(serialToDate({ serial: 45342.75, date1904: false })).toBe('2024-02-20');
    expect(serialToDate({ serial: 0, date1904: true })).toBe('1904-01-01');
  });
});
