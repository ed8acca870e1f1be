/**
 * Merging duplicates where rows are documents of their own (layout `rows`), in real Chromium against the
 * real server: the Duplicates view of the paged grid shows two reports of one event side by side, merging
 * keeps one row with both passages, Ctrl+Z takes the whole merge back as one step (both rows as they
 * were), Ctrl+Y makes it again, and the history has the merge.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Anchor, CellValue } from '../../model/columns';
import { getRowCells } from '../../model/row-document';
import { type CreatedUser, createUser, rowHistory } from '../helpers/api';
import { api, type Client } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { type RunningServer, startServer } from '../helpers/server';
import { evidenceText } from '../../client/grid/renderer';
import { cell, launchBrowser } from './browser';
import { pagedPage, pageRows, rowsDataset } from './paged-setup';

const DATASET = 'paged-dups';
const TEXT = 'Reuters: Troops shelled Kramatorsk on Monday.\nAP: The army fired artillery at Kramatorsk on Monday.';
const FIRST = 'Troops shelled Kramatorsk on Monday.';
const SECOND = 'The army fired artillery at Kramatorsk on Monday.';
const SHELLING = { event_date: '2024-03-04', event_type: 'ASSAULT', actor1: 'Russia (army)', actor2: 'Ukraine', location: 'Kramatorsk' };

let server: RunningServer;
let browser: Browser;
let editor: CreatedUser;
let context: BrowserContext;
let page: Page;
let rows: string[];
const clients: Client[] = [];

const serverRow = async (rowId: string) => (await pageRows(server, DATASET)).find((r) => r.row_id === rowId);
const passages = (value: CellValue | undefined) => (value as Anchor[] | undefined)?.map((a) => a.exact);

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  editor = await createUser(server, 'Mia Merger', 'editor');
  rows = await rowsDataset(server, DATASET, editor.token, [
    { ...SHELLING, summary: 'Shelling of Kramatorsk.' },
    { ...SHELLING, cameo_code: '195', summary: 'Artillery fire on Kramatorsk.' },
    { ...SHELLING, event_type: 'PROTEST', summary: 'A protest.' },
  ], clients);
  const source = (await api(server, `/api/datasets/${DATASET}/sources`, { body: { title: 'Wires', text: TEXT } })).body.id as string;
  const anchor = (exact: string): Anchor => ({ source, start: TEXT.indexOf(exact), end: TEXT.indexOf(exact) + exact.length, exact });
  getRowCells(clients[0]!.doc).set('evidence', [anchor(FIRST)]);
  getRowCells(clients[1]!.doc).set('evidence', [anchor(SECOND)]);
  await eventually(async () => expect(passages((await serverRow(rows[1]!))?.evidence)).toEqual([SECOND]));
  ({ context, page } = await pagedPage(browser, server, DATASET, editor.token, rows[0]!));
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await context?.close();
  await browser?.close();
  await server?.dispose();
});

describe('merging duplicates in the paged grid', () => {
  it('merges two reports into one row with both passages, and undoes the merge as one step', async () => {
    const [first, second] = [rows[0]!, rows[1]!];
    await page.getByTestId('duplicates-button').click();
    const group = page.getByTestId('duplicate-group');
    await expect.poll(() => group.count()).toBe(1);
    expect(await group.getAttribute('data-rows')).toBe([first, second].sort().join(' '));
    // The rows side by side, their cells and passages read from the server.
    expect((await group.getByTestId('duplicate-passage').allTextContents()).sort()).toEqual([FIRST, SECOND].sort());

    await group.locator(`[data-row="${first}"]`).getByTestId('merge-into').click();
    await expect.poll(() => page.getByTestId('no-duplicates').count()).toBe(1);
    await expect.poll(async () => passages((await serverRow(first))?.evidence)).toEqual([FIRST, SECOND]);
    expect((await serverRow(first))?.cameo_code).toBe('195');
    expect(await serverRow(second)).toBeUndefined();
    // The grid shows the kept row with both passages, and the other row no more.
    await expect.poll(() => cell(page, first, 'evidence').textContent()).toBe(evidenceText([FIRST, SECOND]));
    await expect.poll(() => cell(page, second, 'summary').count()).toBe(0);
    // The history has the merge, by the user who made it: in the row's story and through the API.
    await cell(page, first, 'summary').click({ button: 'right' });
    await page.locator('[data-testid=context-menu] [data-action=history]').click();
    await expect.poll(() => page.getByTestId('history').textContent()).toContain('Mia Merger merged 1 duplicate row into this row');
    expect(await rowHistory(server, DATASET, first)).toContainEqual(expect.objectContaining({ column: 'row_id', old: [second], new: first, by: 'Mia Merger' }));

    // One undo takes the whole merge back: both rows as they were, here and on the server.
    await cell(page, first, 'summary').click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await serverRow(second))?.summary).toBe('Artillery fire on Kramatorsk.');
    expect(passages((await serverRow(second))?.evidence)).toEqual([SECOND]);
    expect((await serverRow(second))?.cameo_code).toBe('195');
    expect(passages((await serverRow(first))?.evidence)).toEqual([FIRST]);
    expect((await serverRow(first))?.cameo_code ?? null).toBeNull();
    await expect.poll(() => cell(page, second, 'summary').textContent(), { timeout: 15_000 }).toBe('Artillery fire on Kramatorsk.');
    await expect.poll(() => cell(page, first, 'evidence').textContent()).toBe(evidenceText([FIRST]));

    // Redo merges them again.
    await page.keyboard.press('Control+y');
    await expect.poll(async () => serverRow(second)).toBeUndefined();
    await expect.poll(async () => passages((await serverRow(first))?.evidence)).toEqual([FIRST, SECOND]);
  });
});
