import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvField, csvLines, exportHeader } from './format';

describe('csvField', () => {
  it.each(['=1+1', '+1', '-1', '@x', '\tx', '\rx'])('prefixes formula-like text %j with a quote', (text) => {
    expect(csvField(text, true)).toBe(`'${text}`);
    expect(csvField(text, false)).toBe(text);
  });

  it('never prefixes numbers or booleans', () => {
    expect(csvField(-3.5, true)).toBe('-3.5');
    expect(csvField(0, true)).toBe('0');
    expect(csvField(false, true)).toBe('false');
  });

  it('joins multi values with "; " and prefixes the joined text if it starts like a formula', () => {
    expect(csvField(['diplomatic', 'military'], true)).toBe('diplomatic; military');
    expect(csvField(['=x', 'y'], true)).toBe("'=x; y");
    expect(csvField([], true)).toBe('');
  });

  it('writes nothing for an empty cell and keeps codes with leading zeros', () => {
    expect(csvField(null, true)).toBe('');
    expect(csvField('036', true)).toBe('036');
  });
});

describe('csvLines', () => {
  it('writes RFC 4180: CRLF, quoting of comma, quote, CR and LF, doubled quotes', () => {
    const text = csvLines([['a,b', 'say "hi"', 'cr\rlf\n', 'plain']]);
    expect(text).toBe('"a,b","say ""hi""","cr\rlf\n",plain\r\n');
    expect(parse(text)).toEqual([['a,b', 'say "hi"', 'cr\rlf\n', 'plain']]);
  });
});

describe('exportHeader', () => {
  it('puts row_id first, the columns in order, then review and provenance columns', () => {
    expect(exportHeader([{ id: 'b', name: 'B', type: 'text' }, { id: 'a', name: 'A', type: 'text' }])).toEqual([
      'row_id', 'b', 'a', 'review_status', 'open_flags', 'created_by', 'created_at', 'updated_by', 'updated_at',
    ]);
  });
});
