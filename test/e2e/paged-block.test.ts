/**
 * The selected block in the paged grid (a dataset whose rows are documents of their own, layout `rows`), in
 * real Chromium against the real server, as in the document grid (selection.test.ts): Shift+arrows and
 * Shift+click make a block (the footer gives its size), a copy puts it on the clipboard as tab-separated
 * text, Delete empties its cells in every row's own room and one Ctrl+Z brings them all back; a click after
 * a block starts afresh there.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api';
import { cell, cellText, clickThenPress, waitLive } from './browser';
import { browserSuite } from './fixtures';
import { pagedPage, pageRows, rowsDataset } from './paged-setup';

const DATASET = 'paged-block';
/** Columns in display order, left to right. */
const COLUMNS = ['actor1', 'actor1_country', 'actor2'] as const;
const ROWS = 5;
const e2e = browserSuite();
let page: Page;
let rows: string[];

/** Every cell has a value of its own: `actor1 r2` and so on. */
const seed = (): Array<Record<string, string>> => Array.from({ length: ROWS }, (_, r) => ({ summary: `Row ${r}`, ...Object.fromEntries(COLUMNS.map((c) => [c, `${c} r${r}`])) }));

/** The server's values of the seeded cells, row by row, `null` where one is empty. */
async function serverValues(): Promise<Array<Array<string | null>>> {
  const stored = new Map((await pageRows(e2e.server, DATASET)).map((r) => [r.row_id, r]));
  return rows.map((id) => COLUMNS.map((c) => (stored.get(id)?.[c] as string | null | undefined) ?? null));
}

/** The seeded values with the cells at `[row, column index]` emptied. */
function emptied(cells: Array<[number, number]>): Array<Array<string | null>> {
  const values: Array<Array<string | null>> = seed().map((row) => COLUMNS.map((c) => row[c] ?? null));
  for (const [r, c] of cells) values[r]![c] = null;
  return values;
}

/** The text a copy in the grid puts on the clipboard (the event's own data, as Ctrl+C gives it). */
const copied = () => page.evaluate(() => {
  const transfer = new DataTransfer();
  (document.activeElement ?? document.body).dispatchEvent(new ClipboardEvent('copy', { clipboardData: transfer, bubbles: true, cancelable: true }));
  return transfer.getData('text/plain');
});

const inBlock = () => page.locator('.ag-cell.cell-in-block').count();

beforeAll(async () => {
  const user = await createUser(e2e.server, 'Bea Block', 'editor');
  rows = await rowsDataset(e2e.server, DATASET, user.token, seed(), e2e.clients);
  ({ page } = await pagedPage(e2e.browser, e2e.server, DATASET, user.token, rows[0]!));
});

describe('the selected block of the paged grid', () => {
  it('copies a block made with Shift+arrows as tab-separated text; Delete empties it across rows, one Ctrl+Z brings it back', async () => {
    await cell(page, rows[1]!, 'actor1').click();
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(inBlock).toBe(6);
    expect(await page.getByTestId('selection-size').textContent()).toBe('3 rows × 2 columns selected');

    expect(await copied()).toBe('actor1 r1\tactor1_country r1\nactor1 r2\tactor1_country r2\nactor1 r3\tactor1_country r3');

    await page.keyboard.press('Delete');
    const cleared: Array<[number, number]> = [[1, 0], [1, 1], [2, 0], [2, 1], [3, 0], [3, 1]];
    await expect.poll(serverValues).toEqual(emptied(cleared));
    expect(await cellText(page, rows[2]!, 'actor1')).toBe('');
    expect(await cellText(page, rows[2]!, 'actor2')).toBe('actor2 r2');
    await waitLive(page);

    await page.keyboard.press('Control+z');
    await expect.poll(serverValues).toEqual(emptied([]));
    await expect.poll(() => cellText(page, rows[3]!, 'actor1_country')).toBe('actor1_country r3');
    await waitLive(page);
  });

  it('grows the block to a Shift+clicked cell; a click after it starts afresh, and Delete then clears only that cell', async () => {
    await cell(page, rows[0]!, 'actor1_country').click();
    await cell(page, rows[4]!, 'actor2').click({ modifiers: ['Shift'] });
    await expect.poll(inBlock).toBe(10);
    expect(await copied()).toBe(Array.from({ length: ROWS }, (_, r) => `actor1_country r${r}\tactor2 r${r}`).join('\n'));

    await clickThenPress(page, cell(page, rows[2]!, 'actor1'), 'Delete');
    await expect.poll(serverValues).toEqual(emptied([[2, 0]]));
    expect(await inBlock()).toBe(0);
    await page.keyboard.press('Control+z');
    await expect.poll(serverValues).toEqual(emptied([]));
    await waitLive(page);
  });
});
