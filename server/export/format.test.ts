import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvField, csvLines, exportHeader, withoutFormulaPrefix } from './format';

describe('csvField', () => {
  it.each(['=1+1', '+1', '-1', '@x', '\tx', '\rx'])('prefixes formula-like text %j with a quote', (text) => {
    expect(csvField(text, true)).toBe(`'${text}`);
    expect(csvField(text, false)).toBe(text);
  });

  it.each([
    ['a leading space', ' =1+1'],
    ['a leading LF', '\n=1+1'],
    ['spaces and a no-break space', '  \u00A0@SUM(A1)'],
    ['fullwidth equals', '\uFF1D1+1'],
    ['fullwidth plus', '\uFF0B1'],
    ['fullwidth minus', '\uFF0D1'],
    ['fullwidth at', '\uFF20SUM(A1)'],
    ['zero-width space', '\u200B=1+1'],
    ['zero-width non-joiner', '\u200C=1+1'],
    ['zero-width joiner', '\u200D-1'],
    ['byte-order mark', '\uFEFF=1+1'],
    ['word joiner', '\u2060+1'],
    ['zero-width characters after a space', ' \u200B\u2060=cmd'],
    ['a tab before ordinary text', '\tplain'],
    ['a CR before ordinary text', '\rplain'],
  ])('prefixes text whose first visible character starts a formula: %s', (_what, text) => {
    expect(csvField(text, true)).toBe(`'${text}`);
    expect(csvField(text, false)).toBe(text);
  });

  it.each(['plain', ' plain', '\u200Bplain', 'a=b', 'x-1', '\u2212 1', ''])('leaves other text alone: %j', (text) => {
    expect(csvField(text, true)).toBe(text);
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

  it('writes the bytes every earlier export wrote: lone CR or LF, edge spaces and byte-order marks quoted', () => {
    const records = [
      ['row_id', 'a', 'b'],
      ['lone\rcr', 'lone\nlf', 'cr\r\nlf'],
      [' leading', 'trailing ', ' '],
      ['bom\uFEFFinside', '\uFEFFfirst', 'tab\tinside'],
      ['', 'middle empty', ''],
      ['"', '""', 'a "b" c'],
      ['김정은’s “dialogue”', "'=SUM(A1)", '1;2'],
      [''],
    ];
    const text = csvLines(records);
    expect(text).toBe(
      'row_id,a,b\r\n"lone\rcr","lone\nlf","cr\r\nlf"\r\n" leading","trailing "," "\r\n'
      + '"bom\uFEFFinside","\uFEFFfirst",tab\tinside\r\n,middle empty,\r\n"""","""""","a ""b"" c"\r\n'
      + "김정은’s “dialogue”,'=SUM(A1),1;2\r\n\r\n",
    );
    expect(parse(text, { relax_column_count: true })).toEqual(records);
  });
});

describe('withoutFormulaPrefix', () => {
  it.each(['=1+1', "'=1+1", "''@x", "'plain", "'", 'plain', ' =1', '-036'])('takes back exactly what csvField added to %j', (text) => {
    expect(withoutFormulaPrefix(csvField(text, true))).toBe(text);
  });

  it("prefixes text that already starts with ' before a formula, so that the import can tell", () => {
    expect(csvField("'=1+1", true)).toBe("''=1+1");
    expect(csvField("'plain", true)).toBe("'plain");
  });
});

describe('exportHeader', () => {
  it('puts row_id first, the columns in order, then review and provenance columns', () => {
    expect(exportHeader([{ id: 'b', name: 'B', type: 'text' }, { id: 'a', name: 'A', type: 'text' }])).toEqual([
      'row_id', 'b', 'a', 'review_status', 'open_flags', 'created_by', 'created_at', 'updated_by', 'updated_at',
    ]);
  });
});
