/**
 * A dataset whose rows are documents of their own, in real Chromium against the real server: the grid
 * reads its rows by page, writes an edit into the row's own room, shows other people's edits as they
 * happen, searches on the server and adds rows.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../model/columns';
import { newRowId } from '../../model/ids';
import { getRowCells } from '../../model/row-document';
import { type CreatedUser, createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { waitFor } from '../helpers/wait';
import { cell, cellText, waitLive } from './browser';
import { browserSuite } from './fixtures';

const DATASET = 'paged';
const e2e = browserSuite();
let editor: CreatedUser;
let page: Page;
const rows = [newRowId(), newRowId(), newRowId()];

const rowClient = (rowId: string) => e2e.rowClient(DATASET, rowId, editor.token);
const pageRows = async (q = '') =>
  ((await api(e2e.server, `/api/datasets/${DATASET}/sheets/events/rows?q=${encodeURIComponent(q)}`)).body as { rows: Array<Record<string, CellValue>> }).rows;

beforeAll(async () => {
  editor = await createUser(e2e.server, 'Chen Wei', 'editor');
  expect((await api(e2e.server, '/api/datasets', { body: { id: DATASET, name: 'Paged', layout: 'rows' } })).status).toBe(201);
  for (const [i, rowId] of rows.entries()) {
    const c = await rowClient(rowId);
    c.doc.transact(() => {
      getRowCells(c.doc).set('summary', `Summary ${i + 1}`);
      getRowCells(c.doc).set('actor1', i === 2 ? 'Japan' : 'China');
    });
  }
  await eventually(async () => expect(await pageRows()).toHaveLength(rows.length));
  ({ page } = await e2e.signedIn(editor.token, `/d/${DATASET}/events`));
  await cell(page, rows[0]!, 'summary').waitFor();
  await waitLive(page);
});

describe('a sheet read by page', () => {
  it('shows the rows the server pages out, with their count', async () => {
    expect(await cellText(page, rows[2]!, 'summary')).toBe('Summary 3');
    expect(await page.locator('[data-testid=row-count]').textContent()).toBe('3 rows');
  });

  it("writes an edit into the row's own room, where everyone else sees it", async () => {
    const other = await rowClient(rows[0]!);
    await cell(page, rows[0]!, 'actor1').click();
    await page.keyboard.type('South Korea');
    await page.keyboard.press('Enter');
    await waitFor(() => getRowCells(other.doc).get('actor1') === 'South Korea', { what: "the edit reaches the row's room" });
    await eventually(async () => expect((await pageRows()).find((r) => r.row_id === rows[0])?.actor1).toBe('South Korea'));
    await waitLive(page);
  });

  it("shows someone else's edit of a row on screen as it happens", async () => {
    const other = await rowClient(rows[1]!);
    getRowCells(other.doc).set('summary', 'Changed elsewhere');
    await waitFor(async () => (await cellText(page, rows[1]!, 'summary')) === 'Changed elsewhere', { what: 'the edit is shown' });
  });

  it('searches the sheet on the server', async () => {
    await page.getByRole('searchbox', { name: 'Search this sheet' }).fill('japan');
    await waitFor(async () => (await page.locator('.ag-row[row-id]').count()) === 1, { what: 'one row matches' });
    // Its cells are drawn a frame after the row itself.
    await expect.poll(() => cellText(page, rows[2]!, 'actor1')).toBe('Japan');
    await page.getByRole('searchbox', { name: 'Search this sheet' }).fill('');
    await waitFor(async () => (await page.locator('.ag-row[row-id]').count()) === 3, { what: 'every row is back' });
  });

  it('goes between sheets by their tabs, and back and forward by the browser', async () => {
    const activeTab = () => page.locator('nav.tabs .tab.active').textContent();
    await page.locator('nav.tabs .tab', { hasText: 'Statements' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/d/${DATASET}/statements`);
    await expect.poll(activeTab).toBe('Statements');
    await expect.poll(() => page.locator('.ag-header-cell[col-id=speaker]').count()).toBe(1);
    await page.goBack();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/d/${DATASET}/events`);
    await expect.poll(activeTab).toBe('Events');
    await cell(page, rows[0]!, 'summary').waitFor();
    await page.goForward();
    await expect.poll(activeTab).toBe('Statements');
    await page.goBack();
    await cell(page, rows[0]!, 'summary').waitFor();
    await waitLive(page);
  });

  it('adds a row that the server keeps', async () => {
    await page.getByTestId('add-row').click();
    await eventually(async () => expect(await pageRows()).toHaveLength(4));
    await waitFor(async () => (await page.locator('.ag-row[row-id]').count()) === 4, { what: 'the new row is shown' });
    await waitLive(page);
  });
});
