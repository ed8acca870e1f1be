import { describe, expect, it } from 'vitest';
import { filterFlags } from './flag-filter';
import type { FlagView } from './review-index';
import type { RowAuthors } from './row-coders';

const flag = (id: string, row: string, over: Partial<FlagView> = {}): FlagView => ({
  id, row, sheet: 'events', column: null, reason: 'wrong_date', note: '', by: 'rita', at: '2024-02-22T10:00:00Z',
  status: 'open', comments: [], ...over,
});

const authors: Record<string, RowAuthors> = {
  r1: { everyone: new Set(['ana', 'ben']), last: 'ben' },
  r2: { everyone: new Set(['ben']), last: 'ben' },
};
const known = (row: string) => authors[row];

describe('the review panel flag filters', () => {
  const flags = [
    flag('a', 'r1'),
    flag('b', 'r2', { reason: 'duplicate', sheet: 'statements' }),
    flag('c', 'r1', { status: 'resolved' }),
    flag('d', 'r3'),
  ];
  const all = { reason: '', coder: '', sheet: '' };

  it('lists open flags, or resolved ones, never both', () => {
    expect(filterFlags(flags, { scope: 'open', ...all }, 'ana', known).map((f) => f.id)).toEqual(['a', 'b', 'd']);
    expect(filterFlags(flags, { scope: 'resolved', ...all }, 'ana', known).map((f) => f.id)).toEqual(['c']);
  });

  it("shows on 'my rows' the open flags of rows I created or changed, and not rows whose history is not known yet", () => {
    expect(filterFlags(flags, { scope: 'mine', ...all }, 'ana', known).map((f) => f.id)).toEqual(['a']);
    expect(filterFlags(flags, { scope: 'mine', ...all }, 'ben', known).map((f) => f.id)).toEqual(['a', 'b']);
  });

  it('filters by reason, by sheet and by coder (any who wrote the row, not only the last)', () => {
    expect(filterFlags(flags, { scope: 'open', ...all, reason: 'duplicate' }, 'ana', known).map((f) => f.id)).toEqual(['b']);
    expect(filterFlags(flags, { scope: 'open', ...all, sheet: 'events' }, 'ana', known).map((f) => f.id)).toEqual(['a', 'd']);
    expect(filterFlags(flags, { scope: 'open', ...all, coder: 'ben' }, 'ana', known).map((f) => f.id)).toEqual(['a', 'b']);
    expect(filterFlags(flags, { scope: 'open', ...all, coder: 'ana' }, 'ana', known).map((f) => f.id)).toEqual(['a']);
    expect(filterFlags(flags, { scope: 'open', ...all, coder: 'cy' }, 'ana', known)).toEqual([]);
  });
});
