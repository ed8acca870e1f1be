import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { isAnchor, isCellValue } from './columns';
import { columnToYMap, readColumn } from './document';
import { cellProblem, columnFieldProblem, rowIdProblem, sheetFieldProblem } from './layout';

const anchor = { source: 'src1', start: 3, end: 8, exact: 'Seoul' };

describe('anchors and cell values', () => {
  it('takes a well-formed anchor, its span counted in code points', () => {
    expect(isAnchor(anchor)).toBe(true);
    expect(isAnchor({ source: 's', start: 0, end: 2, exact: '😀é' })).toBe(true);
    expect(isCellValue([anchor, { ...anchor, start: 0, end: 0, exact: '' }])).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a span longer than its text', { ...anchor, end: 9 }],
    ['a negative start', { ...anchor, start: -1, end: 4 }],
    ['a fractional offset', { ...anchor, start: 3.5, end: 8.5 }],
    ['no source', { ...anchor, source: '' }],
    ['an extra field', { ...anchor, note: 'x' }],
    ['a missing field', { source: 's', start: 0, end: 1 }],
    ['an array', ['s', 0, 1, 'x']],
  ])('refuses an anchor with %s', (_, value) => {
    expect(isAnchor(value)).toBe(false);
    expect(isCellValue([value])).toBe(false);
  });

  it('refuses a list mixing anchors and strings', () => {
    expect(isCellValue([anchor, 'x'])).toBe(false);
  });
});

describe('layout rules', () => {
  it('knows every field of a column and what it holds', () => {
    for (const [key, value] of Object.entries({
      id: 'summary', name: 'Summary', type: 'evidence', required: true, options: ['a'], optionLabels: { a: 'A' }, description: '', ref: 'events',
      actors: 'actors',
    })) expect(columnFieldProblem(key, value), key).toBeNull();
    expect(columnFieldProblem('width', 100)).toMatch(/no field "width"/);
    expect(columnFieldProblem('id', 'Summary')).toMatch(/id is/);
    expect(columnFieldProblem('id', 'row_id')).toMatch(/id is/);
    expect(columnFieldProblem('optionLabels', ['A'])).toMatch(/optionLabels/);
    expect(columnFieldProblem('ref', 'Not a sheet')).toMatch(/a sheet id/);
    expect(columnFieldProblem('actors', 'Not a sheet')).toMatch(/a sheet id \(the actor list\)/);
    expect(columnFieldProblem('actors', ['actors'])).toMatch(/a sheet id/);
  });

  it('allows a sheet a string name and nothing else as a plain value', () => {
    expect(sheetFieldProblem('name', 'Events')).toBeNull();
    expect(sheetFieldProblem('name', 1)).toMatch(/string/);
    expect(sheetFieldProblem('rows', {})).toMatch(/shared type/);
    expect(sheetFieldProblem('title', 'x')).toMatch(/no field/);
  });

  it('checks row ids and cells', () => {
    expect(rowIdProblem('01J0000000000000000000000A')).toBeNull();
    expect(rowIdProblem('a b')).toMatch(/not a row id/);
    expect(rowIdProblem('x'.repeat(65))).toMatch(/not a row id/);
    expect(cellProblem('summary', 'x')).toBeNull();
    expect(cellProblem('Summary', 'x')).toMatch(/not a column id/);
    expect(cellProblem('summary', { a: 1 })).toMatch(/a cell holds/);
  });
});

describe('readColumn', () => {
  it('reads option labels, keeping only string labels', () => {
    const doc = new Y.Doc();
    const columns = doc.getArray<Y.Map<unknown>>('columns');
    columns.push([columnToYMap({ id: 'kind', name: 'Kind', type: 'enum', options: ['a', 'b'], optionLabels: { a: 'Alpha', b: 'Beta' } })]);
    expect(readColumn(columns.get(0)).optionLabels).toEqual({ a: 'Alpha', b: 'Beta' });
    columns.get(0).set('optionLabels', { a: 'Alpha', b: 2 });
    expect(readColumn(columns.get(0)).optionLabels).toEqual({ a: 'Alpha' });
  });
});
