/**
 * A row whose room the server closes (docs/sync.md#the-rows-socket), in real Chromium: a row of a sheet
 * deleted while the tab shows it is marked deleted and cannot be edited, the save status stops waiting for
 * what was written to it offline, and the tab's one rows socket stays open, so the rows of other sheets
 * keep syncing.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { newRowId } from '../../model/ids';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { waitFor } from '../helpers/wait';
import { cell, typeInto, waitLive } from './browser';
import { browserSuite } from './fixtures';
import { pagedPage, rowsDataset } from './paged-setup';

const DATASET = 'paged-closed';
const e2e = browserSuite();
let page: Page;
let events: string[];
const notes = [newRowId(), newRowId()];
/** The rows sockets the tab opened. */
const rowSockets: string[] = [];

beforeAll(async () => {
  const user = await createUser(e2e.server, 'Ines Duarte', 'editor');
  events = await rowsDataset(e2e.server, DATASET, user.token, [{ summary: 'Event one' }, { summary: 'Event two' }], e2e.clients);
  const created = await api(e2e.server, `/api/datasets/${DATASET}/sheets`, { body: { id: 'notes', name: 'Notes', columns: [{ id: 'note', name: 'Note', type: 'text' }] } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  for (const [i, row] of notes.entries()) {
    const client = await e2e.connect(rowRoom(DATASET, 'notes', row), user.token);
    getRowCells(client.doc).set('note', `Note ${i + 1}`);
  }
  await eventually(async () => {
    const page = await api(e2e.server, `/api/datasets/${DATASET}/sheets/notes/rows`);
    expect((page.body as { rows: unknown[] }).rows).toHaveLength(notes.length);
  });
  ({ page } = await pagedPage(e2e.browser, e2e.server, DATASET, user.token, events[0]!));
  page.on('websocket', (ws) => {
    if (ws.url().endsWith('/rows')) rowSockets.push(ws.url());
  });
  await page.getByRole('button', { name: 'Notes' }).click();
  await cell(page, notes[0]!, 'note').waitFor();
});

describe('a row whose room the server closed', () => {
  it('stops waiting for a change written offline into a row whose sheet was deleted meanwhile', async () => {
    await page.evaluate(() => window.dispatchEvent(new Event('offline')));
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toMatch(/^Offline/);
    await typeInto(page, notes[0]!, 'note', 'Written offline');
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toBe('Offline — 1 change waiting');
    expect((await api(e2e.server, `/api/datasets/${DATASET}/sheets/notes`, { method: 'DELETE' })).status).toBe(200);

    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await page.locator(`.ag-row.row-gone[row-id="${notes[0]}"]`).first().waitFor();
    await waitLive(page);
    // Back online, the tab opened its rows socket once, and kept it.
    expect(rowSockets).toHaveLength(1);
  });

  it('shows a row of a sheet deleted meanwhile as deleted, not editable, and the tab saved', async () => {
    // The tab still shows the sheet; the next row focused there is refused by the server.
    await cell(page, notes[1]!, 'note').click();
    const row = page.locator(`.ag-row.row-gone[row-id="${notes[1]}"]`);
    await row.first().waitFor();
    await page.locator(`.ag-row[row-id="${notes[1]}"] .row-marker.closed`).waitFor();
    await cell(page, notes[1]!, 'note').dblclick();
    await page.keyboard.type('Never written');
    await page.keyboard.press('Enter');
    expect(await page.locator('.ag-cell-inline-editing').count()).toBe(0);
    expect(await cell(page, notes[1]!, 'note').textContent()).toBe('Note 2');
    await waitLive(page);
  });

  it('keeps the one rows socket: rows of another sheet still sync', async () => {
    await page.getByRole('button', { name: 'Events' }).click();
    await cell(page, events[1]!, 'summary').waitFor();
    const watcher = await e2e.rowClient(DATASET, events[1]!, (await createUser(e2e.server, 'Watcher', 'editor')).token);
    await cell(page, events[1]!, 'summary').click();
    await page.keyboard.type('Edited beside a deleted sheet');
    await page.keyboard.press('Enter');
    await waitFor(() => getRowCells(watcher.doc).get('summary') === 'Edited beside a deleted sheet', { what: 'the edit reaches the row' });
    await waitLive(page);
    // The refusals closed rooms, not the socket.
    expect(rowSockets).toHaveLength(1);
  });
});
