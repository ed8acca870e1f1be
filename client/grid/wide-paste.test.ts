import { describe, expect, it } from 'vitest';
import type { Column } from '../../model/columns';
import { blockWidth, columnsToAdd, looksLikeHeader, widthMessage } from './wide-paste';

const existing: Column[] = [{ id: 'actor', name: 'Actor', type: 'text' }, { id: 'note', name: 'Note', type: 'text' }];

describe('a pasted block wider than the sheet', () => {
  it('says how many columns were pasted and how many fit', () => {
    expect(widthMessage(3, 1)).toBe('3 columns pasted, 1 fits');
    expect(widthMessage(5, 2)).toBe('5 columns pasted, 2 fit');
    expect(blockWidth([['a'], ['a', 'b', 'c'], []])).toBe(3);
  });

  it('takes a first line of distinct, filled, non-numeric cells above more lines as a header', () => {
    expect(looksLikeHeader([['Actor', 'Target', 'Date'], ['Seoul', 'KOR', '2024-02-22']])).toBe(true);
    expect(looksLikeHeader([['Actor', 'Target', 'Date']])).toBe(false);
    expect(looksLikeHeader([['Seoul', 'KOR', '2024-02-22'], ['Tokyo', 'JPN', '2024-02-23']])).toBe(false);
    expect(looksLikeHeader([['Seoul', '', 'x'], ['Tokyo', 'JPN', 'y']])).toBe(false);
    expect(looksLikeHeader([['Name', 'name'], ['a', 'b']])).toBe(false);
    expect(looksLikeHeader([['Actor', '036'], ['a', 'b']])).toBe(false);
  });

  it('names the new text columns from the header, or Column N, with ids unique in the sheet', () => {
    const block = [['x', 'Target', 'Note'], ['Seoul', 'KOR', 'fine']];
    expect(columnsToAdd(block, 1, existing, true)).toEqual([
      { id: 'target', name: 'Target', type: 'text' },
      // "Note" is taken by a column of the sheet: the new one gets a number instead.
      { id: 'column_4', name: 'Column 4', type: 'text' },
    ]);
    expect(columnsToAdd(block, 1, existing, false)).toEqual([
      { id: 'column_3', name: 'Column 3', type: 'text' },
      { id: 'column_4', name: 'Column 4', type: 'text' },
    ]);
  });
});
