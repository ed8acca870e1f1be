import { afterEach, describe, expect, it, vi } from 'vitest';
import { reviewStatus } from '../../model/document';
import { type FlagRecord, rowFlagRecords } from '../../model/reviews';
import { ReviewMirror } from './review-mirror';

const flag = (row: string, status: FlagRecord['status']): FlagRecord => ({
  id: `flag-${row}`, sheet: 'events', row, column: null, reason: 'wrong', note: '', by: 'rita', at: '2026-12-07T10:00:00.000Z',
  status, comments: [], ...(status === 'resolved' && { resolvedBy: 'sam', resolvedAt: '2026-12-07T10:01:00.000Z' }),
});

/** A fake `fetch` whose answer to the flags list is held until `answer` is called. */
function heldFlagsList() {
  let answer!: (flags: FlagRecord[]) => void;
  const body = new Promise<FlagRecord[]>((resolve) => { answer = resolve; });
  vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(await body), { status: 200, headers: { 'content-type': 'application/json' } })));
  return (flags: FlagRecord[]) => answer(flags);
}

describe('ReviewMirror', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('keeps a review a delta told of while the flags list was on its way (the list is older)', async () => {
    const mirror = new ReviewMirror('demo');
    const answer = heldFlagsList();
    const loading = mirror.load();
    // The flag on row a is resolved while the list (read before that) is on its way.
    mirror.deltas([{ sheet: 'events', row: 'a', cells: {}, review: { status: 'unreviewed', flags: [flag('a', 'resolved')] } }]);
    answer([flag('a', 'open'), flag('b', 'open')]);
    await loading;
    expect(reviewStatus(mirror.doc, 'a')).toBe('unreviewed');
    expect(rowFlagRecords(mirror.doc, 'a').map((f) => f.status)).toEqual(['resolved']);
    // Rows no delta told of take the list's flags.
    expect(reviewStatus(mirror.doc, 'b')).toBe('flagged');
    mirror.destroy();
  });

  it('takes the list over what it was told before asking for it', async () => {
    const mirror = new ReviewMirror('demo');
    mirror.deltas([{ sheet: 'events', row: 'a', cells: {}, review: { status: 'unreviewed', flags: [] } }]);
    const answer = heldFlagsList();
    const loading = mirror.load();
    answer([flag('a', 'open')]);
    await loading;
    expect(reviewStatus(mirror.doc, 'a')).toBe('flagged');
    mirror.destroy();
  });
});
