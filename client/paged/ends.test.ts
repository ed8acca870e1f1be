import type { IDatasource, IGetRowsParams } from 'ag-grid-community';
import { describe, expect, it } from 'vitest';
import { readEndAhead, rowsInView } from './ends';

/** A sheet of `n` rows read a page at a time; `asked` records each read by its first row, `answer` sends them. */
function sheet(n: number) {
  const asked: number[] = [];
  const pending: Array<() => void> = [];
  let version = 'a';
  const source: IDatasource = {
    getRows(params) {
      asked.push(params.startRow);
      const rows = Array.from({ length: Math.min(n, params.endRow) - params.startRow }, (_, i) => ({ row_id: `r${params.startRow + i}`, v: version }));
      pending.push(() => params.successCallback(rows, n));
    },
  };
  const answer = async () => {
    while (pending.length) pending.shift()!();
    await Promise.resolve();
  };
  return { source, asked, answer, change: (v: string) => { version = v; } };
}

/** What the grid asks: rows `start` to `start + 100` in row id order; resolves with the rows it was given. */
function ask(source: IDatasource, startRow: number): Promise<Array<{ row_id: string; v: string }>> {
  return new Promise((resolve) => source.getRows({
    startRow, endRow: startRow + 100, sortModel: [], filterModel: {}, context: undefined,
    successCallback: (rows: unknown[]) => resolve(rows as Array<{ row_id: string; v: string }>), failCallback: () => resolve([]),
  } as unknown as IGetRowsParams));
}

const none = () => false;

/** A sheet of 10,000 rows behind `readEndAhead`, its first page (and the last, read ahead with it) read. */
async function opened() {
  const s = sheet(10_000);
  const ahead = readEndAhead(s.source, 100);
  const first = ask(ahead, 0);
  await s.answer();
  await first;
  return { s, ahead };
}

describe('readEndAhead: the pages a scroll lands on', () => {
  it('reads them at once, and answers the grid’s request for them without asking again', async () => {
    const { s, ahead } = await opened();
    s.asked.length = 0;
    ahead.readRows(5_040, 5_130, none);
    expect(s.asked).toEqual([5_000, 5_100]);
    await s.answer();
    const rows = await ask(ahead, 5_100);
    expect(rows[0]!.row_id).toBe('r5100');
    expect(s.asked).toEqual([5_000, 5_100]);
  });

  it('skips the pages the grid has, and reads a position scrolled to meanwhile once one read comes back', async () => {
    const { s, ahead } = await opened();
    s.asked.length = 0;
    ahead.readRows(5_040, 5_130, (start) => start === 5_000);
    expect(s.asked).toEqual([5_100]);
    ahead.readRows(7_000, 7_150, none);
    ahead.readRows(8_000, 8_150, none);
    // Two reads at most at once: the latest position waits, the one passed over is not read.
    expect(s.asked).toEqual([5_100, 7_000, 7_100]);
    await s.answer();
    expect(s.asked).toEqual([5_100, 7_000, 7_100, 8_000, 8_100]);
    // The pages of the position scrolled past are dropped: the grid's request for one reads it again.
    await s.answer();
    void ask(ahead, 7_000);
    expect(s.asked.at(-1)).toBe(7_000);
  });

  it('drops a page read ahead that holds a row changed since, and every page when rows came or went', async () => {
    const { s, ahead } = await opened();
    ahead.readRows(5_040, 5_130, none);
    await s.answer();
    s.change('b');
    ahead.forget(['r5150']);
    const kept = ask(ahead, 5_000);
    const read = ask(ahead, 5_100);
    await s.answer();
    expect((await kept)[0]!.v).toBe('a');
    expect((await read)[0]!.v).toBe('b');

    // The last page, read ahead with the first: gone once a row was added.
    ahead.forget();
    const count = s.asked.length;
    void ask(ahead, 9_900);
    expect(s.asked.slice(count)).toEqual([9_900]);
  });
});

describe('rowsInView', () => {
  it('maps the share of the scroller’s range onto the rows, with the buffer either side', () => {
    // A million rows of 30 px, the scroller shorter than their height (as a browser caps it).
    expect(rowsInView({ scrollTop: 0, scrollHeight: 10_000_600, clientHeight: 600 }, 1_000_000, 30, 10)).toEqual({ first: 0, last: 30 });
    const middle = rowsInView({ scrollTop: 9_000_000, scrollHeight: 10_000_600, clientHeight: 600 }, 1_000_000, 30, 10)!;
    expect(middle.first).toBeGreaterThanOrEqual(899_970);
    expect(middle.first).toBeLessThanOrEqual(899_990);
    expect(middle.last - middle.first).toBe(40);
    expect(rowsInView({ scrollTop: 10_000_000, scrollHeight: 10_000_600, clientHeight: 600 }, 1_000_000, 30, 10)).toEqual({ first: 999_970, last: 999_999 });
    expect(rowsInView({ scrollTop: 0, scrollHeight: 600, clientHeight: 600 }, 5, 30, 10)).toBeUndefined();
  });
});
