import { describe, expect, it } from 'vitest';
import { COLUMN_TYPES, type Column, type ColumnType, isCellValue, isPartialDate, validateCell, validateRow } from './columns';

const col = (type: ColumnType, extra: Partial<Column> = {}): Column => ({ id: `c_${type}`, name: `C ${type}`, type, ...extra });
const codes = (column: Column, value: unknown, ctx = {}) => validateCell(column, value, ctx).map((p) => p.code);

describe('validateCell', () => {
  describe('required', () => {
    it.each(COLUMN_TYPES)('reports an empty required %s cell as required, and nothing when it is optional', (type) => {
      for (const empty of [null, undefined, '', []]) {
        expect(codes(col(type, { required: true, options: ['a'] }), empty)).toEqual(['required']);
        expect(codes(col(type, { options: ['a'] }), empty)).toEqual([]);
      }
    });

    it('treats false and 0 as entered values, not as empty', () => {
      expect(codes(col('boolean', { required: true }), false)).toEqual([]);
      expect(codes(col('number', { required: true }), 0)).toEqual([]);
      expect(codes(col('integer', { required: true }), 0)).toEqual([]);
    });
  });

  it('accepts strings in text and longtext cells and nothing else', () => {
    for (const type of ['text', 'longtext'] as const) {
      expect(codes(col(type), 'China (Liu Xiaoming, special envoy)')).toEqual([]);
      expect(codes(col(type), 'line one\nline two')).toEqual([]);
      expect(codes(col(type), 12)).toEqual(['type']);
      expect(codes(col(type), true)).toEqual(['type']);
      expect(codes(col(type), ['a'])).toEqual(['type']);
    }
  });

  it('accepts finite numbers in number cells', () => {
    expect(codes(col('number'), 3.25)).toEqual([]);
    expect(codes(col('number'), -7)).toEqual([]);
    expect(codes(col('number'), '3.25')).toEqual(['type']);
    expect(codes(col('number'), Infinity)).toEqual(['type']);
    expect(codes(col('number'), NaN)).toEqual(['type']);
  });

  it('accepts whole numbers only in integer cells', () => {
    expect(codes(col('integer'), 42)).toEqual([]);
    expect(codes(col('integer'), -3)).toEqual([]);
    expect(codes(col('integer'), 4.5)).toEqual(['type']);
    expect(codes(col('integer'), '42')).toEqual(['type']);
    expect(codes(col('integer'), NaN)).toEqual(['type']);
  });

  it('accepts true and false in boolean cells, not their spellings', () => {
    expect(codes(col('boolean'), true)).toEqual([]);
    expect(codes(col('boolean'), false)).toEqual([]);
    expect(codes(col('boolean'), 'true')).toEqual(['type']);
    expect(codes(col('boolean'), 1)).toEqual(['type']);
  });

  describe('date', () => {
    it.each(['2024', '2024-02', '2024-02-22', '2024-02-29', '2023-12-31', '0001-01-01'])('accepts the partial or full date %s', (value) => {
      expect(codes(col('date'), value)).toEqual([]);
    });

    it.each([
      '2024-02-30', '2023-02-29', '2024-04-31', '2024-13', '2024-00', '2024-01-00', '2024-01-32',
      '24', '24-02-22', '2024-2-2', '2024/02/22', '22.02.2024', '2024-02-22T10:00:00Z', ' 2024', 'Thursday',
    ])('reports %j as not a date', (value) => {
      expect(codes(col('date'), value)).toEqual(['date']);
    });

    it('reports a non-string date as a type problem', () => {
      expect(codes(col('date'), 20240222)).toEqual(['type']);
    });

    it('agrees with isPartialDate', () => {
      expect(isPartialDate('2024-02')).toBe(true);
      expect(isPartialDate('2024-02-30')).toBe(false);
    });
  });

  it('accepts http and https links in url cells', () => {
    expect(codes(col('url'), 'https://www.scmp.com/news/china/article/3252965')).toEqual([]);
    expect(codes(col('url'), 'http://example.org')).toEqual([]);
    for (const bad of ['www.scmp.com', 'ftp://example.org/file', 'javascript:alert(1)', 'not a link']) {
      expect(codes(col('url'), bad)).toEqual(['url']);
    }
  });

  describe('enum', () => {
    const eventType = col('enum', { options: ['AGREE', 'CONSULT'] });

    it('accepts a code from the list and reports one that is not, case-sensitively', () => {
      expect(codes(eventType, 'AGREE')).toEqual([]);
      expect(codes(eventType, 'agree')).toEqual(['code']);
      expect(codes(eventType, 'ASSAULT')).toEqual(['code']);
    });

    it('names the unknown code in the message', () => {
      expect(validateCell(eventType, 'ASSAULT')[0]!.message).toContain('ASSAULT');
    });

    it('keeps codes as text: 036 is not 36', () => {
      const cameo = col('enum', { options: ['036'] });
      expect(codes(cameo, '036')).toEqual([]);
      expect(codes(cameo, '36')).toEqual(['code']);
      expect(codes(cameo, 36)).toEqual(['type']);
    });

    it('reports every code as unknown when the column has no list', () => {
      expect(codes(col('enum'), 'AGREE')).toEqual(['code']);
    });
  });

  describe('multi', () => {
    const context = col('multi', { options: ['political', 'military', 'diplomatic'] });

    it('accepts a list of known codes', () => {
      expect(codes(context, ['diplomatic'])).toEqual([]);
      expect(codes(context, ['military', 'diplomatic'])).toEqual([]);
    });

    it('reports unknown codes once, naming each of them', () => {
      const problems = validateCell(context, ['military', 'cyber', 'space']);
      expect(problems.map((p) => p.code)).toEqual(['code']);
      expect(problems[0]!.message).toContain('cyber');
      expect(problems[0]!.message).toContain('space');
      expect(problems[0]!.message).not.toContain('military');
    });

    it('reports a value that is not a list of strings as a type problem', () => {
      expect(codes(context, 'military')).toEqual(['type']);
      expect(codes(context, [1, 2])).toEqual(['type']);
      expect(codes(context, ['military', null])).toEqual(['type']);
    });
  });

  describe('ref', () => {
    const eventId = col('ref', { ref: 'events' });
    const exists = { rowExists: (sheet: string, row: string) => sheet === 'events' && row === '01HQ0000000000000000000000' };

    it('accepts a row id that exists in the referenced sheet', () => {
      expect(codes(eventId, '01HQ0000000000000000000000', exists)).toEqual([]);
    });

    it('reports a row id that does not exist', () => {
      expect(codes(eventId, '01HQZZZZZZZZZZZZZZZZZZZZZZ', exists)).toEqual(['ref']);
    });

    it('only checks the type when it cannot look rows up', () => {
      expect(codes(eventId, 'anything')).toEqual([]);
      expect(codes(eventId, 7)).toEqual(['type']);
    });
  });

  describe('junk values', () => {
    const junk: unknown[] = [
      {}, { a: 1 }, NaN, -Infinity, [1, 2, 3], [{}], [[['deep']]], ['ok', 2], () => 1, Symbol('s'), 10n,
      new Date(0), new Map(), Object.create(null), true, 0, 'text',
    ];

    it.each(COLUMN_TYPES)('never throws on junk in a %s cell and answers with a list of problems', (type) => {
      for (const required of [false, true]) {
        const column = col(type, { required, options: ['a'], ref: 'events' });
        for (const value of junk) {
          let problems: unknown;
          expect(() => { problems = validateCell(column, value, { rowExists: () => false }); }, String(typeof value)).not.toThrow();
          expect(Array.isArray(problems)).toBe(true);
        }
      }
    });

    it.each(COLUMN_TYPES)('reports objects, NaN and arrays of numbers in a %s cell as problems', (type) => {
      const column = col(type, { options: ['a'] });
      for (const value of [{}, NaN, [1, 2]]) {
        expect(validateCell(column, value).length, `${type} ${String(value)}`).toBeGreaterThan(0);
      }
    });
  });
});

describe('validateRow', () => {
  it('lists problems by column id and leaves clean columns out', () => {
    const columns: Column[] = [
      { id: 'event_date', name: 'Date', type: 'date', required: true },
      { id: 'event_type', name: 'Event type', type: 'enum', required: true, options: ['AGREE'] },
      { id: 'location', name: 'Location', type: 'text' },
    ];
    const problems = validateRow(columns, { event_date: '2024-02-30', location: 'Rio de Janeiro' });
    expect(Object.keys(problems).sort()).toEqual(['event_date', 'event_type']);
    expect(problems.event_date!.map((p) => p.code)).toEqual(['date']);
    expect(problems.event_type!.map((p) => p.code)).toEqual(['required']);
  });
});

describe('isCellValue', () => {
  it('accepts the value kinds a cell may hold and nothing else', () => {
    for (const ok of ['x', '', 1.5, 0, true, false, null, [], ['a', 'b']]) expect(isCellValue(ok), JSON.stringify(ok)).toBe(true);
    for (const bad of [undefined, NaN, Infinity, {}, [1], ['a', 2], () => 1]) expect(isCellValue(bad), String(bad)).toBe(false);
  });
});
