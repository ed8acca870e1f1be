/**
 * The browser console stays clean on the demo dataset: no warning or error while a coder edits cells,
 * switches sheets and leaves the page. A warning that repeats on every edit (a library told to remove a
 * listener it never had, AG Grid naming a module the grid uses but does not register) hides the one that
 * matters when someone opens the console to find out what went wrong.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { getRowCells } from '../../model/row-document';
import { newRowId } from '../../model/ids';
import { api } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { cell, openSheet, rowIds, waitLive } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();

beforeAll(async () => {
});

/** Every console warning and error of a page, and its uncaught exceptions, as text. */
function consoleProblems(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning' || message.type() === 'error') seen.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => seen.push(`uncaught: ${error.message}`));
  return seen;
}

/** Types into a cell and commits with Enter, then waits until the editor closed and the change is stored. */
async function enter(page: Page, rowId: string, columnId: string, text: string): Promise<void> {
  await cell(page, rowId, columnId).click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await page.locator('.popup-editor, .ag-cell-inline-editing').waitFor({ state: 'detached' });
  await expect.poll(() => cell(page, rowId, columnId).textContent()).toContain(text);
  await waitLive(page);
}

/** Opens a cell's editor with Enter and closes it with `key` without typing: the cell keeps its value. */
async function openAndLeave(page: Page, rowId: string, columnId: string, key: 'Escape' | 'Enter'): Promise<void> {
  await cell(page, rowId, columnId).click();
  await page.keyboard.press('Enter');
  await page.locator('.ag-cell-inline-editing').waitFor();
  await page.keyboard.press(key);
  await page.locator('.ag-cell-inline-editing').waitFor({ state: 'detached' });
}

/** Shows another sheet by its tab, as a click does, and waits for its rows. */
async function showSheet(page: Page, sheetId: string): Promise<void> {
  await page.locator(`.tab[data-sheet="${sheetId}"]`).click();
  await page.waitForURL(`**/d/demo/${sheetId}`);
  await openSheet(page, 'demo', sheetId);
}

describe('the browser console', () => {
  it('shows no warning or error while a coder edits the demo sheets, switches between them and leaves', async () => {
    const context = await e2e.browser.newContext({ baseURL: e2e.server.url, viewport: { width: 1400, height: 860 } });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const problems = consoleProblems(page);
      await page.goto(`/d/demo/events?token=${encodeURIComponent(e2e.server.adminToken)}`);
      await openSheet(page, 'demo', 'events');
      expect(problems).toEqual([]);

      // Several edits one after the other, and editors left without a change (Escape, Enter on the value as it was).
      const [first, second] = await rowIds(page);
      // The demo's actor columns name its actor list: an actor's name (an alias would be written as the name).
      await enter(page, first!, 'actor1', 'South Korea');
      await openAndLeave(page, second!, 'actor2', 'Escape');
      await enter(page, second!, 'actor2', 'Japan');
      await openAndLeave(page, first!, 'location', 'Enter');
      await enter(page, first!, 'location', 'Busan');
      await openAndLeave(page, second!, 'location', 'Escape');
      expect(problems).toEqual([]);

      // The ways of narrowing the rows: search, problems only, review status (each a grid feature of its own).
      const shown = (await rowIds(page)).length;
      await page.getByLabel('Search this sheet').fill('Busan');
      await expect.poll(() => rowIds(page)).toEqual([first]);
      await page.getByLabel('Search this sheet').fill('');
      await page.getByTestId('problems-only').check();
      await page.getByTestId('problems-only').uncheck();
      await page.getByTestId('status-filter').selectOption('approved');
      await expect.poll(async () => (await rowIds(page)).length).toBe(0);
      await page.getByTestId('status-filter').selectOption('');
      await expect.poll(async () => (await rowIds(page)).length).toBe(shown);
      expect(problems).toEqual([]);

      // To the other sheet and back, editing on each.
      await showSheet(page, 'statements');
      const [statement] = await rowIds(page);
      await enter(page, statement!, 'speaker', 'Cho');
      await showSheet(page, 'events');
      await enter(page, second!, 'location', 'Osaka');
      expect(problems).toEqual([]);

      // Away to the list of datasets.
      await page.getByRole('link', { name: 'Datasets' }).click();
      await page.locator('[data-testid=datasets]:not([aria-busy])').waitFor();

      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows no warning or error while a coder opens a sheet of a dataset in the rows layout and picks a code', async () => {
    // The paged grid registers AG Grid's modules of its own (client/paged/page.ts): its pickers are editors of ours.
    expect((await api(e2e.server, '/api/datasets', { body: { id: 'console-paged', name: 'Console paged', template: 'events-statements', layout: 'rows' } })).status).toBe(201);
    const row = newRowId();
    const writer = await e2e.rowClient('console-paged', row, e2e.server.adminToken);
    writer.doc.transact(() => {
      for (const [k, v] of Object.entries({ event_date: '2024-02-05', event_type: 'MOBILIZE', summary: 'A parade.' })) getRowCells(writer.doc).set(k, v);
    });
    await eventually(async () => expect((await api(e2e.server, '/api/datasets/console-paged/sheets/events/rows')).body.total).toBe(1));
    const context = await e2e.browser.newContext({ baseURL: e2e.server.url, viewport: { width: 1400, height: 860 } });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const problems = consoleProblems(page);
      await page.goto(`/d/console-paged/events?token=${encodeURIComponent(e2e.server.adminToken)}`);
      await cell(page, row, 'summary').waitFor({ timeout: 30_000 });
      await waitLive(page);
      await cell(page, row, 'event_type').click();
      await page.keyboard.press('Enter');
      await page.locator('.popup-editor').waitFor();
      await page.keyboard.press('Escape');
      await page.locator('.popup-editor').waitFor({ state: 'detached' });
      await waitLive(page);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
