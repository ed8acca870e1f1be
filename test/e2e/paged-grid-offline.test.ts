/**
 * Rows kept offline by the paged grid: the rows a coder focused or edited are kept in IndexedDB with
 * their documents; an edit made offline is kept there across a reload and sent once the server can be
 * reached; and when the sheet's pages cannot be read, the kept rows are shown (and can be edited).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { columnId, getSheet, sheetColumns } from '../../model/document';
import { createUser } from '../helpers/api';
import { api, connectSynced } from '../helpers/clients';
import { waitFor } from '../helpers/wait';
import { cell, cellText, pasteIntoFocused, typeInto, waitLive } from './browser';
import { browserSuite } from './fixtures';
import { type PageRow, pagedPage, pageRows, rowsDataset } from './paged-setup';

const DATASET = 'paged-offline';
const e2e = browserSuite();
let context: BrowserContext;
let page: Page;
let rows: string[];
let token: string;

const serverValue = async (rowId: string, column: string) => (await pageRows(e2e.server, DATASET)).find((r) => r.row_id === rowId)?.[column];

/** The rows this profile keeps offline for the dataset: `{row, summary, pending}` by row id order. */
function keptRows(on: Page): Promise<Array<{ row: string; summary: unknown; pending: boolean }>> {
  return on.evaluate(async () => {
    const info = (await indexedDB.databases()).find((d) => d.name?.endsWith(':rows'));
    if (!info?.name) return [];
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(info.name!);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const all = await new Promise<Array<{ row: string; cells: Record<string, unknown> | null; pending: boolean }>>((resolve, reject) => {
      const request = db.transaction('rows').objectStore('rows').getAll();
      request.onsuccess = () => resolve(request.result as never);
      request.onerror = () => reject(request.error);
    });
    db.close();
    return all.map((r) => ({ row: r.row, summary: r.cells?.summary, pending: r.pending })).sort((a, b) => (a.row < b.row ? -1 : 1));
  });
}

/**
 * Makes the sheet's pages unreadable for `on`: the rows route fails, and the data the server puts into the
 * sheet's page (server/first-screen.ts: the first rows among them) is taken out before the client reads it,
 * as when the server cannot read them.
 */
async function withoutPages(on: Page): Promise<void> {
  await on.route('**/sheets/events/rows?**', (route) => route.abort());
  await on.addInitScript(() => {
    new MutationObserver(() => document.getElementById('tessera-boot')?.remove()).observe(document, { childList: true, subtree: true });
  });
}

beforeAll(async () => {
  const user = await createUser(e2e.server, 'Ana Lima', 'editor');
  token = user.token;
  rows = await rowsDataset(e2e.server, DATASET, user.token, [{ summary: 'One' }, { summary: 'Two' }, { summary: 'Three' }], e2e.clients);
  ({ page, context } = await pagedPage(e2e.browser, e2e.server, DATASET, user.token, rows[0]!));
});

describe('rows kept offline', () => {
  it('keeps the rows focused or edited, not the others', async () => {
    await cell(page, rows[0]!, 'summary').click();
    await typeInto(page, rows[1]!, 'actor1', 'China');
    await waitLive(page);
    await expect.poll(() => keptRows(page)).toEqual([
      { row: rows[0], summary: 'One', pending: false },
      { row: rows[1], summary: 'Two', pending: false },
    ]);
  });

  it('keeps an edit made offline across a reload, and sends it once the server is reached', async () => {
    // The sockets are gone (as on a train); the page itself can still be loaded again.
    await page.evaluate(() => window.dispatchEvent(new Event('offline')));
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toMatch(/^Offline/);
    await typeInto(page, rows[1]!, 'summary', 'Written offline');
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toBe('Offline — 1 change waiting');
    await expect.poll(async () => (await keptRows(page)).find((r) => r.row === rows[1])).toEqual({ row: rows[1], summary: 'Written offline', pending: true });
    expect(await serverValue(rows[1]!, 'summary')).toBe('Two');

    // Closed before it can reconnect; the sheet opened again in the same profile, with the server
    // reachable but its pages not (so what is shown is what this browser kept).
    await page.close();
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await withoutPages(page);
    await page.goto(`/d/${DATASET}/events`);
    await expect.poll(() => serverValue(rows[1]!, 'summary'), { timeout: 15_000 }).toBe('Written offline');
    await expect.poll(() => page.getByTestId('row-count').textContent()).toBe('2 rows kept offline');
    expect(await cellText(page, rows[1]!, 'summary')).toBe('Written offline');
    expect(await cell(page, rows[2]!, 'summary').count()).toBe(0);
    await expect.poll(async () => (await keptRows(page)).every((r) => !r.pending)).toBe(true);
  });

  it('edits a kept row offline from its kept copy, sends it once back online, and shows the sheet again', async () => {
    // This page has not opened the first row's document yet: offline, it is opened from the kept copy.
    await page.evaluate(() => window.dispatchEvent(new Event('offline')));
    await typeInto(page, rows[0]!, 'summary', 'Edited from the kept copy');
    await expect.poll(async () => (await keptRows(page)).find((r) => r.row === rows[0]))
      .toEqual({ row: rows[0], summary: 'Edited from the kept copy', pending: true });
    expect(await serverValue(rows[0]!, 'summary')).toBe('One');

    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect.poll(() => serverValue(rows[0]!, 'summary'), { timeout: 15_000 }).toBe('Edited from the kept copy');
    await waitLive(page);
    await page.unrouteAll();
    await page.reload();
    await cell(page, rows[2]!, 'summary').waitFor();
    expect(await page.getByTestId('row-count').textContent()).toBe('3 rows');
    expect(await cellText(page, rows[0]!, 'summary')).toBe('Edited from the kept copy');
  });

  it('keeps more rows changed offline open than it keeps open online (32), and sends them all', async () => {
    const many = 'paged-offline-many';
    const count = 36;
    const ids = await rowsDataset(e2e.server, many, token, Array.from({ length: count }, (_, i) => ({ summary: `Row ${i + 1}` })), e2e.clients);
    const tab = await context.newPage();
    tab.setDefaultTimeout(10_000);
    await tab.goto(`/d/${many}/events`);
    await cell(tab, ids[0]!, 'summary').waitFor({ timeout: 30_000 });
    await waitLive(tab);
    // Pasted online first: every row is kept (and, past 32, the oldest closed again once stored).
    await cell(tab, ids[0]!, 'summary').click();
    await pasteIntoFocused(tab, ids.map((_, i) => `Online ${i + 1}`).join('\n'));
    await expect.poll(async () => (await keptRows(tab)).filter((r) => String(r.summary).startsWith('Online') && !r.pending).length, { timeout: 30_000 })
      .toBe(count);
    await waitLive(tab);
    await tab.evaluate(() => window.dispatchEvent(new Event('offline')));
    await cell(tab, ids[0]!, 'summary').click();
    await pasteIntoFocused(tab, ids.map((_, i) => `Offline ${i + 1}`).join('\n'));
    await expect.poll(() => tab.getByTestId('sync-status').textContent(), { timeout: 20_000 }).toBe(`Offline — ${count} changes waiting`);

    await tab.evaluate(() => window.dispatchEvent(new Event('online')));
    const stored = async () => ((await api(e2e.server, `/api/datasets/${many}/sheets/events/rows?limit=100`)).body as { rows: PageRow[] }).rows
      .filter((r) => r.summary === `Offline ${ids.indexOf(r.row_id) + 1}`).length;
    await expect.poll(stored, { timeout: 30_000 }).toBe(count);
    await waitLive(tab);
  });

  it('sends what the dataset’s offline copy holds that the server lacks, loaded while the socket opens', async () => {
    // The copy of an earlier visit holds a change of the dataset's document that never reached the server
    // (an admin renamed a column offline): made here as that tab would have, with a client id of its own.
    const admin = await connectSynced(e2e.server, DATASET, e2e.server.adminToken);
    e2e.clients.push(admin);
    const offline = new Y.Doc();
    Y.applyUpdate(offline, Y.encodeStateAsUpdate(admin.doc));
    const summary = readColumnMaps(offline).find((c) => columnId(c) === 'summary')!;
    summary.set('name', 'Summary (renamed offline)');
    const unsent = Y.encodeStateAsUpdate(offline, Y.encodeStateVector(admin.doc));

    const { context: adminContext, page: adminPage } = await pagedPage(e2e.browser, e2e.server, DATASET, e2e.server.adminToken, rows[0]!);
    try {
      await adminPage.evaluate(async (update) => {
        const info = (await indexedDB.databases()).find((d) => d.name?.startsWith('tessera:') && !d.name.endsWith(':rows'));
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open(info!.name!);
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction('updates', 'readwrite');
          tx.objectStore('updates').add(new Uint8Array(update));
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        db.close();
      }, [...unsent]);
      await adminPage.reload();
      await waitFor(() => readColumnMaps(admin.doc).find((c) => columnId(c) === 'summary')?.get('name') === 'Summary (renamed offline)',
        { timeoutMs: 15_000, what: 'the column renamed offline at the server' });
      await expect.poll(() => adminPage.locator('.ag-header-cell[col-id=summary]').textContent()).toContain('Summary (renamed offline)');
    } finally {
      await adminContext.close();
    }
  });
});

/** The column maps of the document's `events` sheet. */
function readColumnMaps(doc: Y.Doc): Array<Y.Map<unknown>> {
  return sheetColumns(getSheet(doc, 'events')!).toArray();
}
