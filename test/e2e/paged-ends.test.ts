/**
 * Ctrl+End and Ctrl+Home in a sheet read by page (client/paged/ends.ts): from the page just opened they go to
 * the last and first rows, and the last page was read ahead with the first, so the jump asks the server for
 * nothing. Real Chromium against the real server.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CreatedUser, createUser } from '../helpers/api';
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
