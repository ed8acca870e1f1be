import { describe, expect, it } from 'vitest';
import type { Column } from '../../model/columns';
import { fromText, normalizeDate, toCellValue, toText } from './values';
import { parseTsv, toTsv } from './tsv';

const col = (type: Column['type'], options?: string[]): Column => ({ id: 'c', name: 'C', type, ...(options ? { options } : {}) });

describe('fromText', () => {
  it('keeps codes as text, leading zeros and all', () => {
    expect(fromText(col('text'), '036')).toBe('036');
  });

  it('turns an empty or blank cell into no value', () => {
    expect(fromText(col('text'), '')).toBeNull();
    expect(fromText(col('number'), '  ')).toBeNull();
  });

  it('accepts YYYY, YYYY-MM and YYYY-MM-DD and tidies short forms', () => {
    expect(fromText(col('date'), '2024')).toBe('2024');
    expect(fromText(col('date'), '2024-02')).toBe('2024-02');
    expect(fromText(col('date'), '2024-2-5')).toBe('2024-02-05');
    expect(fromText(col('date'), '2024/02/22')).toBe('2024-02-22');
    expect(normalizeDate('last week')).toBe('last week');
  });

  it('matches codes to the code list ignoring case, and keeps unknown codes to be marked', () => {
    const column = col('enum', ['AGREE', 'CONSULT']);
    expect(fromText(column, 'agree')).toBe('AGREE');
    expect(fromText(column, 'HUG')).toBe('HUG');
  });

  it('splits several codes on semicolons or commas, without duplicates', () => {
    const column = col('multi', ['economic', 'legislative']);
    expect(fromText(column, 'economic; Legislative, economic')).toEqual(['economic', 'legislative']);
  });

  it('reads numbers, decimal commas included, and keeps text that is not a number', () => {
    expect(fromText(col('number'), '3.5')).toBe(3.5);
    expect(fromText(col('number'), '3,5')).toBe(3.5);
    expect(fromText(col('number'), '1,234')).toBe(1234);
    expect(fromText(col('integer'), '12')).toBe(12);
    expect(fromText(col('integer'), '1.5')).toBe('1.5');
    expect(fromText(col('number'), 'many')).toBe('many');
  });

  it('reads yes/no words as booleans', () => {
    expect(fromText(col('boolean'), 'Yes')).toBe(true);
    expect(fromText(col('boolean'), 'false')).toBe(false);
    expect(fromText(col('boolean'), 'maybe')).toBe('maybe');
  });

  it('keeps line breaks inside long text but drops the one a spreadsheet adds at the end', () => {
    expect(fromText(col('longtext'), 'line one\r\nline two\n')).toBe('line one\nline two');
  });
});

describe('toText and toCellValue', () => {
  it('write values the way they are typed, and read them back the same', () => {
    const multi = col('multi', ['a', 'b']);
    expect(toText(['a', 'b'])).toBe('a; b');
    expect(fromText(multi, toText(['a', 'b']))).toEqual(['a', 'b']);
    expect(toText(true)).toBe('yes');
    expect(toText(null)).toBe('');
    expect(toText(42)).toBe('42');
  });

  it('turns editor output into cell values', () => {
    expect(toCellValue(col('multi', ['a']), [])).toBeNull();
    expect(toCellValue(col('number'), '7')).toBe(7);
    expect(toCellValue(col('text'), undefined)).toBeNull();
  });
});

describe('tab-separated blocks', () => {
  it('parse a 3×3 block from a spreadsheet, ignoring the trailing line break', () => {
    expect(parseTsv('a\tb\tc\r\nd\te\tf\r\ng\th\ti\r\n')).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g', 'h', 'i']]);
  });

  it('keep empty cells', () => {
    expect(parseTsv('a\t\tc\n\t\t')).toEqual([['a', '', 'c'], ['', '', '']]);
  });

  it('read quoted cells with tabs, line breaks and doubled quotes', () => {
    expect(parseTsv('"one\ntwo"\t"say ""hi"""\nx\ty')).toEqual([['one\ntwo', 'say "hi"'], ['x', 'y']]);
  });

  it('take a lone quote literally', () => {
    expect(parseTsv('5" tall\tok')).toEqual([['5" tall', 'ok']]);
  });

  it('round-trip through toTsv', () => {
    const rows = [['a\tb', 'line\nbreak', 'plain'], ['“typographic” ’', '', '金正恩']];
    expect(parseTsv(toTsv(rows))).toEqual(rows);
  });
});

describe('evidence cells as shown in the grid', () => {
  it('shows the first passage’s start in quotes and how many more there are', async () => {
    const { evidenceText } = await import('./renderer');
    expect(evidenceText(['All parties concerned'])).toBe('“All parties concerned”');
    expect(evidenceText(['All parties concerned should face the crux of the question', 'x'])).toBe('“All parties concerned should face the c…” +1');
    expect(evidenceText(['line one\r\nline two'])).toBe('“line one line two”');
  });
});

describe('a place cell as text', () => {
  const SEOUL = { name: 'Seoul', country: 'KOR', lat: 37.566, lon: 126.9784, precision: 1 as const, geonameid: 1835848 };

  it('copies as its name, and a pasted name becomes a place to be picked (no coordinates)', () => {
    expect(toText(SEOUL)).toBe('Seoul');
    expect(fromText(col('place'), ' Panmunjom ')).toEqual({ name: 'Panmunjom', country: null, lat: null, lon: null, precision: 1, geonameid: null });
    expect(fromText(col('place'), '')).toBeNull();
  });

  it('keeps a place pasted as JSON, and one the editor hands back, whole', () => {
    expect(fromText(col('place'), JSON.stringify(SEOUL))).toEqual(SEOUL);
    expect(toCellValue(col('place'), SEOUL)).toBe(SEOUL);
    expect(fromText(col('place'), '{not json')).toMatchObject({ name: '{not json', lat: null });
  });
});
