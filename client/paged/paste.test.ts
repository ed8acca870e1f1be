import { describe, expect, it } from 'vitest';
import type { Column } from '../../model/columns';
import { blockLines, planPaste } from './paste';
import { changesOf, same } from './undo';

const columns: Column[] = [
  { id: 'summary', name: 'Summary', type: 'text' },
  { id: 'evidence', name: 'Evidence', type: 'evidence' },
  { id: 'deaths', name: 'Deaths', type: 'integer' },
  { id: 'context', name: 'Context', type: 'multi', options: ['a', 'b'] },
];
const editable = (c: Column) => c.type !== 'evidence';
const ids = ['r0', 'r1', 'r2'];

describe('planPaste', () => {
  it('puts each line on the next row shown and each cell on the next column, typed by column', () => {
    const plan = planPaste('one\tx\t3\ta, b\ntwo\t\t4\n', 1, 'summary', columns, editable, (i) => ids[i]);
    expect(plan).toEqual({
      writes: [
        { row: 'r1', cells: { summary: 'one', deaths: 3, context: ['a', 'b'] } },
        { row: 'r2', cells: { summary: 'two', deaths: 4 } },
      ],
      linesLeft: 0,
    });
  });

  it('counts the lines that found no row', () => {
    const plan = planPaste('a\t1\nb\t2\nc\t3', 2, 'deaths', columns, editable, (i) => ids[i]);
    // A value that is not of the column's type is kept as typed (and marked as a problem), as in the document grid.
    expect(plan.writes).toEqual([{ row: 'r2', cells: { deaths: 'a', context: ['1'] } }]);
    expect(plan.linesLeft).toBe(2);
    expect(blockLines('a\nb\n')).toBe(2);
  });
});

describe('undo steps', () => {
  it('records only the cells a write changed, with the value before', () => {
    expect(changesOf('s', 'r', { a: 'x', b: undefined, c: ['1'] }, { a: 'x', b: 'y', c: ['1', '2'] })).toEqual([
      { sheet: 's', row: 'r', column: 'b', before: undefined, after: 'y' },
      { sheet: 's', row: 'r', column: 'c', before: ['1'], after: ['1', '2'] },
    ]);
  });

  it('compares lists by their contents, and an unset cell as empty', () => {
    expect(same(['a'], ['a'])).toBe(true);
    expect(same(['a'], ['b'])).toBe(false);
    expect(same(undefined, null)).toBe(true);
    expect(same(undefined, '')).toBe(false);
  });
});
