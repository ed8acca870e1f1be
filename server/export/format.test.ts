import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import type { CellValue, Column } from '../../model/columns';
import type { Place } from '../../model/places';
import type { ExportRow } from '../storage';
import { csvField, csvHeader, csvLines, csvLineWriter, csvRecord, exportHeader, exportRecord, withoutFormulaPrefix } from './format';

/** A PRNG with a seed, so that the generated cases are the same every run. */
function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

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

  it('writes the bytes csv-stringify writes with the options exports always used', () => {
    // Text made of the characters the quoting rules turn on, and a few that they do not.
    const rand = prng(11);
    const alphabet = ['"', ',', '\r', '\n', '\uFEFF', ' ', '\t', "'", '=', 'a', 'é', '김', ';'];
    const text = () => Array.from({ length: Math.floor(rand() * 6) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    const records = Array.from({ length: 3000 }, () => Array.from({ length: 1 + Math.floor(rand() * 4) }, text));
    const byCsvStringify = stringify(records, { record_delimiter: '\r\n', quote_record_delimiter: true, quoted_match: /^ | $|\uFEFF/ });
    expect(csvLines(records)).toBe(byCsvStringify);
  });
});

describe('csvLineWriter', () => {
  const columns: Column[] = [
    { id: 'name', name: 'Name', type: 'text' },
    { id: 'n', name: 'N', type: 'number' },
    { id: 'ok', name: 'OK', type: 'boolean' },
    { id: 'codes', name: 'Codes', type: 'multi', options: ['a', 'b'] },
    { id: 'evidence', name: 'Evidence', type: 'evidence' },
    { id: 'place', name: 'Place', type: 'place' },
    // Its id is also that of a part of the place column before it: the part is written in both fields.
    { id: 'place_lat', name: 'Latitude', type: 'text' },
    { id: 'where', name: 'Where', type: 'place' },
  ];
  const seoul: Place = { name: 'Seoul', country: 'KOR', lat: 37.566, lon: 126.9784, precision: 1, geonameid: 1835848 };
  const row = (rowId: string, cells: Record<string, CellValue>, by: string | null = 'ann'): ExportRow => ({
    rowId, cells, reviewStatus: 'approved', openFlags: 2, createdBy: by, createdAt: '2026-12-06T10:00:00.000Z', updatedBy: null, updatedAt: '2026-12-07T10:00:00.000Z',
  });
  const rows = [
    row('r1', { name: '=1+1', n: -3.5, ok: false, codes: ['a', 'b'], evidence: [{ source: 's1', start: 0, end: 4, exact: 'text' }], place: seoul, place_lat: 'north', where: 'Pyongyang' }),
    row('r2', {}, null),
    row('r3', { name: ' edge, "quoted"\r\n', place: { name: '+Seoul', country: null, lat: null, lon: null, precision: 4, geonameid: null }, where: { name: 'not a place' } as unknown as CellValue }),
    row('r4', { name: "'=x", n: 0, ok: true, codes: [], place: null, where: seoul }),
  ];

  it.each([true, false])('writes what the records wrote, field for field (formula-safe: %s)', (excelSafe) => {
    const header = csvHeader(columns);
    const line = csvLineWriter(columns, excelSafe);
    for (const r of rows) {
      const record = csvRecord(columns, exportRecord(columns, r));
      expect(line(r)).toBe(csvLines([header.map((id) => csvField(record[id] ?? null, excelSafe))]));
    }
  });

  it('splits a place into its parts, and writes a cell that holds no place as it is', () => {
    const line = csvLineWriter(columns, true);
    expect(line(rows[0]!)).toBe(
      "r1,'=1+1,-3.5,false,a; b,s1:0-4,Seoul,KOR,37.566,126.9784,1,1835848,37.566,Pyongyang,,,,,,approved,2,ann,2026-12-06T10:00:00.000Z,,2026-12-07T10:00:00.000Z\r\n",
    );
    expect(line(rows[1]!)).toBe(`r2${','.repeat(19)}approved,2,,2026-12-06T10:00:00.000Z,,2026-12-07T10:00:00.000Z\r\n`);
  });
});

describe('exportRecord', () => {
  it("keys a row by the header's ids, in the header's order, whatever the order of its cells", () => {
    const columns: Column[] = [{ id: 'b', name: 'B', type: 'text' }, { id: 'a', name: 'A', type: 'multi', options: ['x'] }];
    const row: ExportRow = {
      rowId: 'r1', cells: { a: ['x'], z: 'not a column', b: 'text' }, reviewStatus: 'unreviewed', openFlags: 0,
      createdBy: null, createdAt: '2026-12-06T10:00:00.000Z', updatedBy: 'ann', updatedAt: '2026-12-07T10:00:00.000Z',
    };
    const json = '{"row_id":"r1","b":"text","a":["x"],"review_status":"unreviewed","open_flags":0,"created_by":null,'
      + '"created_at":"2026-12-06T10:00:00.000Z","updated_by":"ann","updated_at":"2026-12-07T10:00:00.000Z"}';
    expect(JSON.stringify(exportRecord(columns, row))).toBe(json);
    // A second row of the same sheet starts from nothing the first one set.
    expect(exportRecord(columns, { ...row, rowId: 'r2', cells: {} })).toMatchObject({ row_id: 'r2', a: null, b: null });
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
