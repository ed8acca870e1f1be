/**
 * Ctrl+A in the paged grid (client/paged/block.ts), in real Chromium against the real server: it selects the
 * whole sheet in the grid's order, rows never read included, and the footer says how much; Ctrl+C puts every
 * row on the clipboard, read from the server page by page; Delete past WRITE_ROWS_MAX rows is refused whole
 * and says so; with a search, Ctrl+A covers the rows found, Delete empties them all (each in its own room) and
 * one Ctrl+Z brings them back; Escape drops the selection.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { WRITE_ROWS_MAX } from '../../client/paged/limits';
import { toTsv } from '../../client/grid/tsv';
import { toText } from '../../client/grid/values';
import type { CellValue, Column } from '../../model/columns';
import { createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { csvOf, importFile } from '../helpers/import';
import { waitLive } from './browser';
import { browserSuite } from './fixtures';
import type { PageRow } from './paged-setup';

const DATASET = 'paged-select-all';
/** Past what Delete empties at once, and many more rows than the grid reads at first (a page or two of 100). */
const ROWS = WRITE_ROWS_MAX + 50;
/** Rows whose `actor1` says `Keep`: what the search finds. */
const kept = (i: number) => i % 7 === 0;
const KEPT = Array.from({ length: ROWS }, (_, i) => i).filter(kept).length;

const e2e = browserSuite();
let context: BrowserContext;
let page: Page;
let columns: Column[];

const cellAt = (index: number, column: string) => page.locator(`.ag-row[row-index="${index}"] .ag-cell[col-id="${column}"]`);
const size = () => page.getByTestId('selection-size').textContent();
const inBlock = () => page.locator('.ag-cell.cell-in-block').count();
const clipboard = () => page.evaluate(() => navigator.clipboard.readText());

/** The sheet's rows in row id order, as the server pages them out (every page). */
async function serverRows(): Promise<PageRow[]> {
  const rows: PageRow[] = [];
  for (let offset = 0; ; offset += 1000) {
    const body = (await api(e2e.server, `/api/datasets/${DATASET}/sheets/events/rows?offset=${offset}&limit=1000`)).body as { rows: PageRow[]; total: number };
    rows.push(...body.rows);
    if (rows.length >= body.total || body.rows.length === 0) return rows;
  }
}

/** The cells the test reads back, row by row: what Delete empties and undo restores. */
const seeded = (rows: readonly PageRow[]) => rows.map((r) => [r.event_date, r.summary, r.actor1].map((v) => v ?? null));

beforeAll(async () => {
  const user = await createUser(e2e.server, 'Ada Select', 'editor');
  expect((await api(e2e.server, '/api/datasets', { body: { id: DATASET, name: DATASET, layout: 'rows' } })).status).toBe(201);
  const imported = await importFile(e2e.server, DATASET, 'events', csvOf([['event_date', 'summary', 'actor1'],
    ...Array.from({ length: ROWS }, (_, i) => ['2024-01-01', `Row ${i + 1}`, `${kept(i) ? 'Keep' : 'Other'} ${i + 1}`])]));
  expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  const detail = (await api(e2e.server, `/api/datasets/${DATASET}`)).body as { sheets: Array<{ id: string; columns: Column[] }> };
  columns = detail.sheets.find((s) => s.id === 'events')!.columns;
  ({ context, page } = await e2e.signedIn(user.token, `/d/${DATASET}/events`));
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: e2e.server.url });
  await cellAt(0, 'summary').waitFor({ timeout: 30_000 });
  await waitLive(page);
});

describe('Ctrl+A in the paged grid', () => {
  it('selects the whole sheet, and Ctrl+C copies every row of it, those the grid never read too', async () => {
    await cellAt(0, 'summary').click();
    await page.keyboard.press('Control+a');
    await expect.poll(size).toBe(`${ROWS.toLocaleString('en')} rows × ${columns.length} columns selected`);
    expect(await inBlock()).toBeGreaterThan(0);
    // The grid has read the first pages only.
    expect(await page.evaluate((last) => document.querySelector(`.ag-row[row-index="${last}"]`) === null, ROWS - 1)).toBe(true);

    await page.evaluate(() => navigator.clipboard.writeText('before the copy'));
    const asked: string[] = [];
    const onRequest = (request: { url(): string }) => {
      const url = new URL(request.url());
      // The grid's own pages are of 100 rows.
      if (url.pathname.endsWith('/sheets/events/rows') && url.searchParams.get('limit') === '1000') asked.push(url.searchParams.get('offset')!);
    };
    page.on('request', onRequest);
    await page.keyboard.press('Control+c');
    const expected = toTsv((await serverRows()).map((row) => columns.map((c) => toText((row[c.id] ?? null) as CellValue))));
    await expect.poll(clipboard).toBe(expected);
    expect(expected.split('\n')).toHaveLength(ROWS);
    expect(expected).toContain(`Row ${ROWS}`);
    // Read from the server in pages of the route's largest size.
    page.off('request', onRequest);
    expect(asked).toEqual(['0', '1000']);

    await page.keyboard.press('Escape');
    await expect.poll(size).toBe('');
    expect(await inBlock()).toBe(0);
  });

  it(`refuses Delete of more than ${WRITE_ROWS_MAX.toLocaleString('en')} rows whole, and says so`, async () => {
    const before = seeded(await serverRows());
    await cellAt(0, 'summary').click();
    await page.keyboard.press('Control+a');
    await expect.poll(size).toBe(`${ROWS.toLocaleString('en')} rows × ${columns.length} columns selected`);
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.toast.error').last().textContent())
      .toBe(`Nothing was emptied: the selection is ${ROWS.toLocaleString('en')} rows, and Delete or cut empties at most `
        + `${WRITE_ROWS_MAX.toLocaleString('en')} rows at once (each row is written in its own room). Search or filter the sheet to fewer rows.`);
    expect(await cellAt(0, 'summary').textContent()).toBe('Row 1');
    await waitLive(page);
    expect(seeded(await serverRows())).toEqual(before);
    // A click drops the selection.
    await cellAt(1, 'summary').click();
    await expect.poll(size).toBe('');
  });

  it('with a search selects the rows found; Delete empties them all in their own rooms, one Ctrl+Z brings them back', async () => {
    const before = await serverRows();
    const found = new Set(before.filter((r) => String(r.actor1).startsWith('Keep')).map((r) => r.row_id));
    expect(found.size).toBe(KEPT);
    await page.getByRole('searchbox', { name: 'Search this sheet' }).fill('Keep');
    await expect.poll(() => page.getByTestId('row-count').textContent()).toBe(`${KEPT} rows`);
    await expect.poll(() => cellAt(0, 'actor1').textContent()).toBe('Keep 1');
    await cellAt(0, 'actor1').click();
    await page.keyboard.press('Control+a');
    await expect.poll(size).toBe(`${KEPT} rows × ${columns.length} columns selected`);

    await page.keyboard.press('Delete');
    const emptied = before.map((r) => (found.has(r.row_id) ? [null, null, null] : seeded([r])[0]));
    await expect.poll(async () => seeded(await serverRows()), { timeout: 60_000 }).toEqual(emptied);
    await waitLive(page);

    // The rows emptied no longer match the search: the grid shows none, and the undo is the page's.
    await page.keyboard.press('Control+z');
    await expect.poll(async () => seeded(await serverRows()), { timeout: 60_000 }).toEqual(seeded(before));
    await waitLive(page);
  });
});
