/**
 * Converting a dataset to rows by page (docs/sync.md#converting-a-dataset-to-rows-by-page), in real Chromium
 * against the real server: changes made offline in the whole-document grid reach the rows' own documents
 * once the dataset is converted, as their author's; an open grid reloads as the paged grid by itself; and
 * the dataset list's admins convert a dataset with its button.
 */
import * as decoding from 'lib0/decoding';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StoreMessage } from '../../model/codes';
import type { CellValue } from '../../model/columns';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { type CreatedUser, createDataset, createUser, rowHistory } from '../helpers/api';
import { api, connectSynced } from '../helpers/clients';
import { type SeededSheet, cell, cellText, listedDatasets, rowIds, seededSheet, typeInto, waitLive } from './browser';
import { browserSuite } from './fixtures';
import { pageRows } from './paged-setup';

const e2e = browserSuite();
let editor: CreatedUser;
let sheet: SeededSheet | undefined;
const contexts: BrowserContext[] = [];

/** Session keys the recorder below writes: they outlive the reload into the paged grid. */
const SEEN_CONVERTING = 'e2e:seen-converting';
const SEEN_TOASTS = 'e2e:toasts';

/** Records, in the tab's session storage, what the converting notice said and every toast's text. */
function recorder([converting, toasts]: readonly [string, string]): void {
  const seen = new WeakSet<Element>();
  new MutationObserver(() => {
    const notice = document.querySelector('[data-testid=dataset-converting]');
    if (notice) sessionStorage.setItem(converting, notice.textContent ?? '');
    for (const note of document.querySelectorAll('.toast')) {
      if (seen.has(note)) continue;
      seen.add(note);
      sessionStorage.setItem(toasts, JSON.stringify([...JSON.parse(sessionStorage.getItem(toasts) ?? '[]') as string[], note.textContent ?? '']));
    }
  }).observe(document, { childList: true, subtree: true });
}

/**
 * Records the converting notice and the toasts on `page` from now on, across its reloads: both come and go
 * on their own (the notice until the reload, a toast after a few seconds).
 */
async function recordNotices(context: BrowserContext, page: Page): Promise<void> {
  const keys = [SEEN_CONVERTING, SEEN_TOASTS] as const;
  await context.addInitScript(recorder, keys);
  await page.evaluate(recorder, keys);
}

/** What the converting notice said, null when it was not shown. */
const convertingNotice = (page: Page) => page.evaluate((key) => sessionStorage.getItem(key), SEEN_CONVERTING);
const toasts = (page: Page) => page.evaluate((key) => JSON.parse(sessionStorage.getItem(key) ?? '[]') as string[], SEEN_TOASTS);
const statusText = (page: Page) => page.getByTestId('sync-status').textContent();

/** The paged grid is up: its footer counts the selection (the whole-document grid's has no such count). */
async function pagedGridShown(page: Page): Promise<void> {
  await page.getByTestId('selection-size').waitFor({ state: 'attached', timeout: 30_000 });
}

/** The browser's offline copies of the dataset's whole document (the paged grid's copies have names of their own). */
function wholeDocumentCopies(page: Page, datasetId: string): Promise<string[]> {
  return page.evaluate(async (id) => (await indexedDB.databases())
    .map((d) => d.name ?? '')
    .filter((name) => name.includes(`:${id}:`) && !name.includes(':converted:')), datasetId);
}

/** The type of a rows socket's frame: the message's type after the room's name. */
function frameType(frame: Buffer): number {
  const decoder = decoding.createDecoder(new Uint8Array(frame));
  decoding.readVarString(decoder);
  return decoding.readVarUint(decoder);
}

const convert = async (datasetId: string) => {
  const { status, body } = await api(e2e.server, `/api/datasets/${datasetId}/layout`, { body: { layout: 'rows' } });
  expect(status, JSON.stringify(body)).toBe(200);
};

/** The events sheet as the JSON export has it, without the time it was exported. */
async function exported(datasetId: string): Promise<unknown> {
  const { status, body } = await api(e2e.server, `/api/datasets/${datasetId}/sheets/events/export?format=json`);
  expect(status).toBe(200);
  const { exportedAt: _at, ...rest } = body as { exportedAt: string };
  return rest;
}

/** Summaries by row id, as the server pages the rows out. */
async function storedSummaries(datasetId: string): Promise<Record<string, CellValue | undefined>> {
  return Object.fromEntries((await pageRows(e2e.server, datasetId)).map((r) => [r.row_id, r.summary]));
}

/** A document-layout dataset of `rows` on the events sheet, open in the editor's whole-document grid. */
async function open(rows: Array<Record<string, CellValue>>): Promise<SeededSheet> {
  sheet = await seededSheet(e2e.browser, e2e.server, editor.token, 'events', rows);
  return sheet;
}

beforeAll(async () => {
  editor = await createUser(e2e.server, 'Ines Offline', 'editor');
});

afterEach(async () => {
  await sheet?.close();
  sheet = undefined;
  for (const context of contexts.splice(0)) await context.close();
});

/**
 * Rows `Kept` and `Other`; the socket gone (as on a train), `text` typed into the second row's summary and the
 * tab closed before it comes back. `counted: false` also takes the change off the tab's count of waiting ones,
 * as for a change sent over a live socket that the server lost before storing it. Then the dataset is
 * converted and opened again in a new tab, which records its notices.
 */
async function typedOfflineThenConverted(text: string, { counted, before }: { counted: boolean; before?: (page: Page) => Promise<void> }) {
  const { page, context, datasetId, rows } = await open([{ summary: 'Kept' }, { summary: 'Other' }]);
  await page.evaluate(() => window.dispatchEvent(new Event('offline')));
  await expect.poll(() => statusText(page)).toMatch(/^Offline/);
  await typeInto(page, rows[1]!, 'summary', text);
  await expect.poll(() => statusText(page)).toBe('Offline — 1 change waiting');
  if (!counted) {
    await page.evaluate((id) => {
      for (const key of Object.keys(localStorage)) if (key.includes(`:${id}:`) && key.endsWith(':pending')) localStorage.setItem(key, '0');
    }, datasetId);
  }
  await page.close();

  await convert(datasetId);
  const again = await context.newPage();
  again.setDefaultTimeout(10_000);
  await recordNotices(context, again);
  await before?.(again);
  await again.goto(`/d/${datasetId}/events`);
  await pagedGridShown(again);
  return { datasetId, rows, context, again };
}

describe('converting a dataset to rows by page', () => {
  it('sends a cell typed, a row added and a row deleted offline in the whole document into the rows, as their author’s', async () => {
    const s = await open([{ summary: 'One' }, { summary: 'Two' }, { summary: 'Three' }]);
    const { page, context, datasetId, rows } = s;
    const [first, second, third] = rows as [string, string, string];
    await recordNotices(context, page);

    await context.setOffline(true);
    await expect.poll(() => statusText(page)).toMatch(/^Offline/);
    await typeInto(page, first, 'summary', 'Written offline');
    await page.getByTestId('add-row').click();
    await expect.poll(async () => (await rowIds(page)).length).toBe(4);
    const added = (await rowIds(page)).at(-1)!;
    await typeInto(page, added, 'summary', 'Added offline');
    await cell(page, third, 'summary').click();
    await page.getByTestId('delete-rows').click();
    await page.getByTestId('confirm').click();
    await expect.poll(() => rowIds(page)).toEqual([first, second, added]);
    await expect.poll(() => statusText(page)).toMatch(/^Offline — \d+ changes waiting$/);
    expect(s.serverCell(first, 'summary')).toBe('One');

    await convert(datasetId);
    await context.setOffline(false);

    // The socket says it reads the whole document; refused, the page waits for the conversion and reloads.
    await pagedGridShown(page);
    expect(await convertingNotice(page)).toMatch(/^This dataset is being converted.*Your last changes had not reached the server yet/);
    await expect.poll(() => storedSummaries(datasetId), { timeout: 30_000 })
      .toEqual({ [first]: 'Written offline', [second]: 'Two', [added]: 'Added offline' });
    await expect.poll(() => cellText(page, first, 'summary')).toBe('Written offline');
    await expect.poll(() => cellText(page, added, 'summary')).toBe('Added offline');
    await expect.poll(() => cell(page, third, 'summary').count()).toBe(0);
    await expect.poll(() => toasts(page)).toContain('Sent your changes to 3 rows made before this dataset was converted to rows by page.');
    await waitLive(page);

    expect(await rowHistory(e2e.server, datasetId, first))
      .toContainEqual(expect.objectContaining({ column: 'summary', old: 'One', new: 'Written offline', by: editor.name }));
    expect(await rowHistory(e2e.server, datasetId, added))
      .toContainEqual(expect.objectContaining({ column: 'summary', new: 'Added offline', by: editor.name }));
    expect(await rowHistory(e2e.server, datasetId, third))
      .toContainEqual(expect.objectContaining({ column: 'summary', old: 'Three', new: null, by: editor.name }));
    // Stored, the old copy goes: the next load finds nothing to send again.
    await expect.poll(() => wholeDocumentCopies(page, datasetId)).toEqual([]);
  });

  it('sends a change kept by a tab closed offline before the conversion once the dataset is opened again', async () => {
    const { datasetId, rows: [first, second], again } = await typedOfflineThenConverted('Typed on the train', { counted: true });
    await expect.poll(() => storedSummaries(datasetId), { timeout: 30_000 }).toEqual({ [first!]: 'Kept', [second!]: 'Typed on the train' });
    await expect.poll(() => cellText(again, second!, 'summary')).toBe('Typed on the train');
    await expect.poll(() => toasts(again)).toContain('Sent your changes to 1 row made before this dataset was converted to rows by page.');
    expect(await rowHistory(e2e.server, datasetId, second!))
      .toContainEqual(expect.objectContaining({ column: 'summary', old: 'Other', new: 'Typed on the train', by: editor.name }));
    await expect.poll(() => wholeDocumentCopies(again, datasetId)).toEqual([]);
  });

  it('sends a change its copy holds beyond what the server stored, though the tab never counted it as waiting', async () => {
    const { datasetId, rows: [first, second], again } = await typedOfflineThenConverted('Sent, never stored', { counted: false });
    await expect.poll(() => storedSummaries(datasetId), { timeout: 30_000 }).toEqual({ [first!]: 'Kept', [second!]: 'Sent, never stored' });
    await expect.poll(() => wholeDocumentCopies(again, datasetId)).toEqual([]);
  });

  it('writes the changes into the rows once: a tab closed before they were stored leaves them to the rows’ own copies', async () => {
    // The rows socket runs through the test, which drops the server's stored acknowledgements (a frame: the room's
    // name, then type 100): the changes reach the server, and the tab never learns they were stored.
    const { datasetId, rows: [, second], context, again } = await typedOfflineThenConverted('Typed once', {
      counted: true,
      before: (page) => page.routeWebSocket((url) => url.pathname.endsWith('/rows'), (ws) => {
        const server = ws.connectToServer();
        server.onMessage((message) => {
          if (typeof message !== 'string' && frameType(message) === StoreMessage.Stored) return;
          ws.send(message);
        });
      }),
    });
    await expect.poll(() => storedSummaries(datasetId), { timeout: 30_000 }).toMatchObject({ [second!]: 'Typed once' });
    expect(await statusText(again)).not.toBe('Saved');
    // Kept with the row in this browser, the change no longer needs the whole document's copy.
    await expect.poll(() => wholeDocumentCopies(again, datasetId)).toEqual([]);
    await again.close();

    // Someone else writes the cell; the next load must not write the old change over it.
    const other = await connectSynced(e2e.server, rowRoom(datasetId, 'events', second!), editor.token);
    e2e.clients.push(other);
    getRowCells(other.doc).set('summary', 'Written after');
    await expect.poll(() => storedSummaries(datasetId)).toMatchObject({ [second!]: 'Written after' });
    // The tab records its toasts too (the recorder runs in every page of the context).
    const third = await context.newPage();
    await third.goto(`/d/${datasetId}/events`);
    await pagedGridShown(third);
    await waitLive(third);
    await expect.poll(() => cellText(third, second!, 'summary')).toBe('Written after');
    expect(await storedSummaries(datasetId)).toMatchObject({ [second!]: 'Written after' });
    expect(await toasts(third)).toEqual([]);
  });

  it('shows the changes it sent once they are stored, though its dataset’s socket joined after', async () => {
    const s = await open([{ summary: 'Shown' }, { summary: 'Read before' }]);
    const { page, context, datasetId, rows } = s;
    const [first, second] = rows as [string, string];
    await page.evaluate(() => window.dispatchEvent(new Event('offline')));
    await typeInto(page, second, 'summary', 'Sent late');
    await expect.poll(() => statusText(page)).toBe('Offline — 1 change waiting');
    await page.close();
    await convert(datasetId);

    // The socket of the dataset's own room (which brings other rows' changes) joins only once the changes
    // are stored; the first page was read before them.
    const again = await context.newPage();
    again.setDefaultTimeout(10_000);
    const held: Array<() => void> = [];
    await again.routeWebSocket((url) => url.pathname === `/ws/${datasetId}`, (ws) => {
      const early: Array<string | Buffer> = [];
      let server: ReturnType<typeof ws.connectToServer> | undefined;
      ws.onMessage((message) => (server ? server.send(message) : early.push(message)));
      held.push(() => {
        server = ws.connectToServer();
        for (const message of early.splice(0)) server.send(message);
      });
    });
    await again.goto(`/d/${datasetId}/events`);
    await pagedGridShown(again);
    await expect.poll(() => storedSummaries(datasetId), { timeout: 30_000 }).toEqual({ [first]: 'Shown', [second]: 'Sent late' });
    for (const release of held.splice(0)) release();
    await expect.poll(() => cellText(again, second, 'summary')).toBe('Sent late');
  });

  it('sends a change the server had not stored when the conversion closed the grid', async () => {
    const s = await open([{ summary: 'Stored' }, { summary: 'Before' }]);
    const { page, context, datasetId, rows } = s;
    const [first, second] = rows as [string, string];
    // The tab's socket runs through the test, which can hold back the tab's updates from the server (as a
    // connection that dies without the browser noticing does): the tab stays live, its change unstored.
    let holdBack = false;
    await page.routeWebSocket(/\/ws\//, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        const update = typeof message !== 'string' && message[0] === 0 && message[1] === 2;
        if (!(holdBack && update)) server.send(message);
      });
    });
    await page.reload();
    await cell(page, second, 'summary').waitFor();
    await waitLive(page);
    await recordNotices(context, page);
    holdBack = true;
    await typeInto(page, second, 'summary', 'Typed as it closed');
    await expect.poll(() => statusText(page)).toBe('Not saved yet');

    await convert(datasetId);
    holdBack = false;
    await pagedGridShown(page);
    expect(await convertingNotice(page)).toContain('Your last changes had not reached the server yet');
    await expect.poll(() => storedSummaries(datasetId), { timeout: 30_000 }).toEqual({ [first]: 'Stored', [second]: 'Typed as it closed' });
    await expect.poll(() => cellText(page, second, 'summary')).toBe('Typed as it closed');
    expect(await rowHistory(e2e.server, datasetId, second))
      .toContainEqual(expect.objectContaining({ column: 'summary', old: 'Before', new: 'Typed as it closed', by: editor.name }));
  });

  it('reloads an open, saved whole-document grid as the paged grid, with every row as it was', async () => {
    const s = await open([{ summary: 'Alpha', actor1: 'China' }, { summary: 'Beta', actor1: 'Japan' }]);
    const { page, context, datasetId, rows } = s;
    const [first, second] = rows as [string, string];
    await recordNotices(context, page);
    await typeInto(page, second, 'actor1', 'South Korea');
    await waitLive(page);
    await expect.poll(() => s.serverCell(second, 'actor1')).toBe('South Korea');
    const before = await exported(datasetId);

    await convert(datasetId);
    await pagedGridShown(page);
    const notice = await convertingNotice(page);
    expect(notice).toContain('This dataset is being converted');
    expect(notice).not.toContain('Your last changes');
    expect(new URL(page.url()).pathname).toBe(`/d/${datasetId}/events`);
    await expect.poll(() => cellText(page, first, 'summary')).toBe('Alpha');
    expect(await cellText(page, second, 'actor1')).toBe('South Korea');
    expect(await page.getByTestId('row-count').textContent()).toBe('2 rows');
    await waitLive(page);
    expect(await exported(datasetId)).toEqual(before);
    // Nothing was waiting, so nothing is sent again; the whole document's copy is let go.
    await expect.poll(() => wholeDocumentCopies(page, datasetId)).toEqual([]);
    expect((await toasts(page)).filter((t) => t.startsWith('Sent your changes'))).toEqual([]);
  });

  it('converts a document dataset from the dataset list’s button after a confirm, and offers none for a rows dataset', async () => {
    await createDataset(e2e.server, 'list-document');
    expect((await api(e2e.server, '/api/datasets', { body: { id: 'list-rows', name: 'By page', layout: 'rows' } })).status).toBe(201);
    const layout = async (id: string) => (await api(e2e.server, `/api/datasets/${id}`)).body.layout as string;
    const { context, page } = await e2e.signedIn(e2e.server.adminToken);
    contexts.push(context);
    expect(await listedDatasets(page)).toEqual(expect.arrayContaining(['list-document', 'list-rows']));
    const button = (id: string) => page.locator(`[data-testid=convert-dataset][data-for="${id}"]`);
    expect(await button('list-rows').count()).toBe(0);

    // Cancelled, nothing happens: the list is read again after the dialog, and still offers it.
    await button('list-document').click();
    const listedAgain = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/datasets' && r.request().method() === 'GET');
    await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Cancel' }).click();
    await listedAgain;
    expect(await layout('list-document')).toBe('document');
    expect(await button('list-document').count()).toBe(1);

    await button('list-document').click();
    await page.getByTestId('confirm').click();
    await expect.poll(() => layout('list-document')).toBe('rows');
    await expect.poll(() => page.locator('.toast').allTextContents()).toContainEqual(expect.stringContaining('converted'));
    await expect.poll(() => button('list-document').count()).toBe(0);
  });
});
