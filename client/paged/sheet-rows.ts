/**
 * Reading many rows of a sheet in the grid's order (its sort, search and status filter), page after page of
 * the rows route, for a block that covers the whole sheet: most of its rows were never read by the grid.
 */
import type { RowsPage } from '../api';
import { ROWS_PAGE_MAX } from './limits';

type Row = RowsPage['rows'][number];

/** One page of the rows route, `offset` and `limit` in the grid's order. */
export type PageReader = (offset: number, limit: number) => Promise<RowsPage>;

export interface RowsRead {
  /** The rows read, in order, at most the `max` asked for. */
  rows: Row[];
  /** How many rows the sheet held in that order, as the last page read said. */
  total: number;
}

/**
 * The first `max` rows (all of them when there are fewer), `progress` told after each page. A row met twice
 * (rows came or went between two pages, moving the others by an offset) is kept once.
 */
export async function readRows(read: PageReader, max: number, progress?: (read: number, total: number) => void): Promise<RowsRead> {
  const rows: Row[] = [];
  const seen = new Set<string>();
  let total = 0;
  let offset = 0;
  while (rows.length < max) {
    const page = await read(offset, Math.min(ROWS_PAGE_MAX, max - rows.length));
    total = page.total;
    for (const row of page.rows) {
      if (seen.has(row.row_id) || rows.length >= max) continue;
      seen.add(row.row_id);
      rows.push(row);
    }
    offset += page.rows.length;
    progress?.(rows.length, total);
    if (page.rows.length === 0 || offset >= total) break;
  }
  return { rows, total };
}

/** What a copy of `total` rows that holds only `copied` of them says (null when it holds them all). */
export function partialCopyNote(copied: number, total: number): string | null {
  if (copied >= total) return null;
  const n = (x: number) => x.toLocaleString('en');
  return `Copied the first ${n(copied)} rows of ${n(total)} (the most one copy holds): the other ${n(total - copied)} rows `
    + 'were not copied. Search or filter the sheet to copy them in parts.';
}
