/**
 * Every tab on a `rows` dataset gets every row's delta. A row the tab has read is shown as the delta says; a row
 * it has not read changes nothing on its screen in the grid's plain order (by row id): the tab asks the server
 * only for the sheet's count (a one-row page), and reads its pages again only when rows were added. It used to
 * read all its pages again for every delta, a page query per tab for each keystroke anywhere in the sheet.
 */
import type { Request } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { newRowId } from '../../model/ids';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { createUser } from '../helpers/api';
import { api, connectSynced } from '../helpers/clients';
import { csvOf, importFile } from '../helpers/import';
import { eventually } from '../helpers/eventually';
import { cellText, waitLive } from './browser';
import { browserSuite } from './fixtures';
import { pagedPage, pageRows } from './paged-setup';

const DATASET = 'paged-deltas';
/** Three pages: the last rows are on a page the tab does not read until it is scrolled there. */
const ROWS = 300;
const e2e = browserSuite();
let token: string;
let ids: string[];

beforeAll(async () => {
  token = (await createUser(e2e.server, 'Ana Lima', 'editor')).token;
  expect((await api(e2e.server, '/api/datasets', { body: { id: DATASET, name: DATASET, layout: 'rows' } })).status).toBe(201);
  const imported = await importFile(e2e.server, DATASET, 'events', csvOf([['summary'], ...Array.from({ length: ROWS }, (_, i) => [`Row ${i + 1}`])]));
  expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  ids = (await pageRows(e2e.server, DATASET)).map((r) => r.row_id);
  expect(ids).toHaveLength(ROWS);
});

describe('row deltas in a tab that shows other rows', () => {
  it('asks only for the count when a row it has not read changes, and reads its pages again when one is added', async () => {
    const { page } = await pagedPage(e2e.browser, e2e.server, DATASET, token, ids[0]!);
    const asked: string[] = [];
    page.on('request', (request: Request) => {
      if (/\/sheets\/events\/rows\?/.test(request.url())) asked.push(new URL(request.url()).search);
    });

    // A row on the third page, which the tab has not read, changes: only the count is asked for.
    const far = await connectSynced(e2e.server, rowRoom(DATASET, 'events', ids[ROWS - 1]!), token);
    e2e.clients.push(far);
    getRowCells(far.doc).set('summary', 'Changed far away');
    await expect.poll(() => asked).toContainEqual('?offset=0&limit=1');
    expect(asked.filter((q) => q !== '?offset=0&limit=1'), 'pages read again').toEqual([]);

    // A row shown changes: the delta shows it, nothing is read.
    const near = await connectSynced(e2e.server, rowRoom(DATASET, 'events', ids[0]!), token);
    e2e.clients.push(near);
    getRowCells(near.doc).set('summary', 'Changed in view');
    await expect.poll(() => cellText(page, ids[0]!, 'summary')).toBe('Changed in view');
    expect(asked.filter((q) => q !== '?offset=0&limit=1'), 'pages read again').toEqual([]);

    // A row is added elsewhere: the count says so, and the pages are read again.
    const added = await connectSynced(e2e.server, rowRoom(DATASET, 'events', newRowId()), token);
    e2e.clients.push(added);
    getRowCells(added.doc).set('summary', 'Added elsewhere');
    await expect.poll(() => page.getByTestId('row-count').textContent()).toBe(`${ROWS + 1} rows`);
    expect(asked.some((q) => q.includes('limit=100'))).toBe(true);
  });

  it('empties a cell another coder emptied', async () => {
    const { page } = await pagedPage(e2e.browser, e2e.server, DATASET, token, ids[0]!);
    expect(await cellText(page, ids[2]!, 'summary')).toBe('Row 3');
    const other = await connectSynced(e2e.server, rowRoom(DATASET, 'events', ids[2]!), token);
    e2e.clients.push(other);
    getRowCells(other.doc).delete('summary');
    await expect.poll(() => cellText(page, ids[2]!, 'summary')).toBe('');
  });
});

describe('rows stored while the tab was not synced', () => {
  it('shows rows changed while its socket was away once it is back, and reads its pages again when one was added', async () => {
    const { page } = await pagedPage(e2e.browser, e2e.server, DATASET, token, ids[0]!);
    await page.evaluate(() => window.dispatchEvent(new Event('offline')));
    await page.locator('[data-testid=sync-status][data-state=offline]').waitFor();
    // Stored while no socket of this tab was there to be told.
    const other = await connectSynced(e2e.server, rowRoom(DATASET, 'events', ids[3]!), token);
    e2e.clients.push(other);
    getRowCells(other.doc).set('summary', 'Changed while away');
    await eventually(async () => expect((await pageRows(e2e.server, DATASET)).find((r) => r.row_id === ids[3])?.summary).toBe('Changed while away'));
    expect(await cellText(page, ids[3]!, 'summary')).toBe('Row 4');

    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await waitLive(page);
    expect(await cellText(page, ids[3]!, 'summary')).toBe('Changed while away');

    // A row added while away: the count differs, and the pages are read again.
    const total = (await pageRows(e2e.server, DATASET)).length;
    await page.evaluate(() => window.dispatchEvent(new Event('offline')));
    await page.locator('[data-testid=sync-status][data-state=offline]').waitFor();
    const added = await connectSynced(e2e.server, rowRoom(DATASET, 'events', newRowId()), token);
    e2e.clients.push(added);
    getRowCells(added.doc).set('summary', 'Added while away');
    await eventually(async () => expect((await pageRows(e2e.server, DATASET)).length).toBe(total + 1));
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect.poll(() => page.getByTestId('row-count').textContent()).toBe(`${total + 1} rows`);
  });
});
