import { describe, expect, it } from 'vitest';
import type { RowsPage } from '../api';
import { ROWS_PAGE_MAX } from './limits';
import { partialCopyNote, readRows } from './sheet-rows';

/** A sheet of `n` rows paged as the rows route pages them (at most ROWS_PAGE_MAX a page); `asked` records each read. */
function sheet(n: number, asked: string[] = []) {
  const rows = Array.from({ length: n }, (_, i) => ({ row_id: `r${i}`, summary: `Row ${i}` }));
  return async (offset: number, limit: number): Promise<RowsPage> => {
    asked.push(`${offset}+${limit}`);
    return { total: rows.length, rows: rows.slice(offset, offset + Math.min(limit, ROWS_PAGE_MAX)) };
  };
}

describe('readRows', () => {
  it('reads every row, a page of the route’s largest size at a time', async () => {
    const asked: string[] = [];
    const { rows, total } = await readRows(sheet(2_500, asked), 100_000);
    expect(total).toBe(2_500);
    expect(rows.map((r) => r.row_id)).toEqual(Array.from({ length: 2_500 }, (_, i) => `r${i}`));
    expect(asked).toEqual(['0+1000', '1000+1000', '2000+1000']);
  });

  it('stops at the most asked for, and tells how many the sheet holds', async () => {
    const asked: string[] = [];
    const { rows, total } = await readRows(sheet(2_500, asked), 1_200);
    expect(rows).toHaveLength(1_200);
    expect(total).toBe(2_500);
    expect(asked).toEqual(['0+1000', '1000+200']);
  });

  it('keeps a row once when rows moved between two pages', async () => {
    let first = true;
    // Pages of 3; a row came first in the order before the second page was read, whose first row is then the
    // last of the first page.
    const read = async (offset: number, limit: number): Promise<RowsPage> => {
      const ids = first ? ['a', 'b', 'c', 'd'] : ['new', 'a', 'b', 'c', 'd'];
      first = false;
      return { total: ids.length, rows: ids.slice(offset, offset + Math.min(limit, 3)).map((row_id) => ({ row_id })) };
    };
    expect((await readRows(read, 10)).rows.map((r) => r.row_id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('tells its progress after each page', async () => {
    const seen: Array<[number, number]> = [];
    await readRows(sheet(1_500), 10_000, (read, total) => seen.push([read, total]));
    expect(seen).toEqual([[1_000, 1_500], [1_500, 1_500]]);
  });
});

describe('partialCopyNote', () => {
  it('says how many rows were copied and how many were not', () => {
    expect(partialCopyNote(100_000, 1_000_000)).toBe('Copied the first 100,000 rows of 1,000,000 (the most one copy holds): '
      + 'the other 900,000 rows were not copied. Search or filter the sheet to copy them in parts.');
  });

  it('says nothing of a copy that holds every row', () => {
    expect(partialCopyNote(1_050, 1_050)).toBeNull();
  });
});
