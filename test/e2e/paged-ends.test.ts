/**
 * Ctrl+End and Ctrl+Home in a sheet read by page (client/paged/ends.ts): from the page just opened they go to
 * the last and first rows, and the last page was read ahead with the first, so the jump asks the server for
 * nothing, unless a row of it changed since. Real Chromium against the real server.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CreatedUser, createUser } from '../helpers/api';
import { getRowCells } from '../../model/row-document';
import { api } from '../helpers/clients';
import { waitLive } from './browser';
import { browserSuite } from './fixtures';

const DATASET = 'ends';
/** Eleven pages of 100, the last one half full. */
const ROWS = 1_050;

const e2e = browserSuite();
let editor: CreatedUser;
let page: Page;
/** Every page of rows the browser asked for, by offset, in order. */
const asked: number[] = [];

const rowAt = (index: number) => page.locator(`.ag-row[row-index="${index}"] .ag-cell[col-id="summary"]`);

beforeAll(async () => {
  editor = await createUser(e2e.server, 'Ines Duarte', 'editor');
  expect((await api(e2e.server, '/api/datasets', { body: { id: DATASET, name: 'Ends', layout: 'rows' } })).status).toBe(201);
  const csv = ['event_date,summary', ...Array.from({ length: ROWS }, (_, i) => `2024-01-01,Row ${i + 1}`)].join('\n');
  const imported = await fetch(`${e2e.server.url}/api/datasets/${DATASET}/sheets/events/import`, {
    method: 'POST', headers: { authorization: `Bearer ${editor.token}`, 'content-type': 'text/csv' }, body: csv,
  });
  expect(imported.status).toBe(200);
  ({ page } = await e2e.signedIn(editor.token, '/'));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.endsWith('/sheets/events/rows')) asked.push(Number(url.searchParams.get('offset')));
  });
  await page.goto(`/d/${DATASET}/events`);
  await rowAt(0).waitFor();
  await waitLive(page);
});

describe('Ctrl+End and Ctrl+Home in a paged sheet', () => {
  it('reads the last page ahead once the first has come', async () => {
    await expect.poll(() => asked.includes(1_000)).toBe(true);
  });

  it('Ctrl+End shows the last row at once, without asking the server; Ctrl+Home the first', async () => {
    await page.locator('[data-testid=row-count]').click();
    const before = asked.length;
    await page.keyboard.press('Control+End');
    await expect.poll(() => rowAt(ROWS - 1).textContent()).toBe(`Row ${ROWS}`);
    expect(asked.slice(before)).toEqual([]);
    expect(await page.evaluate(() => document.activeElement?.closest('.ag-row')?.getAttribute('row-index'))).toBe(String(ROWS - 1));

    await page.locator('[data-testid=row-count]').click();
    await page.keyboard.press('Control+Home');
    await expect.poll(() => rowAt(0).textContent()).toBe('Row 1');
    expect(await page.evaluate(() => document.activeElement?.closest('.ag-row')?.getAttribute('row-index'))).toBe('0');
  });

  it('inside the grid, they keep the focused column', async () => {
    const focused = () => page.evaluate(() => {
      const cell = document.activeElement?.closest('.ag-cell');
      return [cell?.closest('.ag-row')?.getAttribute('row-index'), cell?.getAttribute('col-id')];
    });
    await rowAt(0).click();
    await page.keyboard.press('Control+End');
    await expect.poll(focused).toEqual([String(ROWS - 1), 'summary']);
    await expect.poll(() => rowAt(ROWS - 1).textContent()).toBe(`Row ${ROWS}`);
    await page.keyboard.press('Control+Home');
    await expect.poll(focused).toEqual(['0', 'summary']);
  });
});

describe('a page read ahead', () => {
  it('is read again when a row of it changed since: the jump shows the change', async () => {
    const last = await api(e2e.server, `/api/datasets/${DATASET}/sheets/events/rows?offset=${ROWS - 1}&limit=1`, { token: editor.token });
    const rowId = (last.body as { rows: Array<{ row_id: string }> }).rows[0]!.row_id;
    const { page: other } = await e2e.signedIn(editor.token, '/');
    const read: string[] = [];
    other.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith('/sheets/events/rows')) read.push(url.search);
    });
    await other.goto(`/d/${DATASET}/events`);
    await waitLive(other);
    await expect.poll(() => read).toContain('?offset=1000&limit=100');

    // Someone else changes the last row, which this tab holds only in the page it read ahead.
    const writer = await e2e.rowClient(DATASET, rowId, editor.token);
    getRowCells(writer.doc).set('summary', 'Changed after the read ahead');
    // The tab learns of it (a row it has not read changed: it asks for the count).
    await expect.poll(() => read).toContain('?offset=0&limit=1');

    await other.locator('[data-testid=row-count]').click();
    await other.keyboard.press('Control+End');
    await expect.poll(() => other.locator(`.ag-row[row-index="${ROWS - 1}"] .ag-cell[col-id="summary"]`).textContent()).toBe('Changed after the read ahead');
  });
});

describe('a jump by the scrollbar', () => {
  it('draws the rows whose page has not come as one empty element each, then their cells once it comes', async () => {
    const { page: other } = await e2e.signedIn(editor.token, `/d/${DATASET}/events`);
    await waitLive(other);
    // The page the middle of the sheet is on is held back until the rows waiting for it are looked at.
    let release = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    await other.route(/\/sheets\/events\/rows\?.*offset=500&/, async (route) => {
      await held;
      await route.continue();
    });
    await other.evaluate(() => {
      const viewport = document.querySelector('.ag-grid-viewport')!;
      viewport.scrollTop = (viewport.scrollHeight - viewport.clientHeight) / 2;
    });
    const row = other.locator('.ag-row[row-index="520"]');
    await expect.poll(() => row.locator('.row-loading').count()).toBeGreaterThan(0);
    expect(await row.locator('.ag-cell').count()).toBe(0);
    release();
    await expect.poll(() => row.locator('.ag-cell[col-id="summary"]').textContent()).toBe('Row 521');
    expect(await row.locator('.row-loading').count()).toBe(0);
  });
});
