/**
 * Real Chromium (Debian's, through playwright-core) for the end-to-end tests, and small helpers to
 * drive the grid the way a person does.
 */
import { type Browser, type BrowserContext, type Locator, type Page, chromium } from 'playwright-core';
import { expect } from 'vitest';
import type { CellValue } from '../../model/columns';
import { getSheet, insertRow, sheetRows } from '../../model/document';
import { newRowId } from '../../model/ids';
import type { Role } from '../../model/roles';
import { type CreatedUser, createDataset, createUser, rowCount } from '../helpers/api';
import { type Client, connectSynced } from '../helpers/clients';
import type { RunningServer } from '../helpers/server';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A fresh browser profile (cookies, IndexedDB) signed in with a token, on `path`. */
export async function signedIn(browser: Browser, baseUrl: string, token: string, path = '/'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1400, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
  const url = new URL(path, baseUrl);
  url.searchParams.set('token', token);
  await page.goto(url.toString());
  return { context, page };
}

/** A new user (made by the admin through the API) signed in in a fresh browser profile, on `path`. */
export async function userPage(
  browser: Browser, server: RunningServer, name: string, role: Role, path = '/',
): Promise<{ user: CreatedUser; context: BrowserContext; page: Page }> {
  const user = await createUser(server, name, role);
  return { user, ...await signedIn(browser, server.url, user.token, path) };
}

/** Waits for the grid's live connection: connected, synced, and all of this tab's changes stored. */
export async function waitLive(page: Page): Promise<void> {
  await page.locator('[data-testid=sync-status][data-state=saved]').waitFor();
}

/** Opens a dataset sheet and waits for its rows and a live connection. */
export async function openSheet(page: Page, datasetId: string, sheetId: string): Promise<void> {
  if (!page.url().endsWith(`/d/${datasetId}/${sheetId}`)) await page.goto(`/d/${datasetId}/${sheetId}`);
  await page.locator('.ag-row[row-id]').first().waitFor();
  await waitLive(page);
}

/** The ids of the datasets the list page (`/`) shows, once it has loaded. */
export async function listedDatasets(page: Page): Promise<string[]> {
  await page.goto('/');
  const list = page.locator('[data-testid=datasets]:not([aria-busy])');
  await list.waitFor();
  return list.locator('[data-dataset]').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-dataset')!));
}

export const cell = (page: Page, rowId: string, columnId: string): Locator =>
  page.locator(`.ag-row[row-id="${rowId}"] .ag-cell[col-id="${columnId}"]`);

/** What a cell shows, without the name tags of people who are in it. */
export async function cellText(page: Page, rowId: string, columnId: string): Promise<string> {
  return cell(page, rowId, columnId).evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    copy.querySelectorAll('.presence-tag').forEach((tag) => tag.remove());
    return copy.textContent ?? '';
  });
}

/** Row ids in display order (the rendered ones). */
export async function rowIds(page: Page): Promise<string[]> {
  return page.locator('.ag-row[row-id]').evaluateAll((rows) =>
    rows
      .map((r) => ({ id: r.getAttribute('row-id')!, index: Number(r.getAttribute('row-index')) }))
      .sort((a, b) => a.index - b.index)
      .map((r) => r.id));
}

/** Types a value into a text cell: focus, type (which opens the editor), Enter. */
export async function typeInto(page: Page, rowId: string, columnId: string, text: string): Promise<void> {
  await cell(page, rowId, columnId).click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/** Sends a paste of `text` to the focused grid cell, as Ctrl+V with that text on the clipboard does. */
export async function pasteIntoFocused(page: Page, text: string): Promise<void> {
  await page.evaluate((data) => {
    const target = document.activeElement ?? document.body;
    const transfer = new DataTransfer();
    transfer.setData('text/plain', data);
    target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
  }, text);
}

/** A dataset of the test's own: its rows, a watcher on the server's document and a signed-in page on one sheet. */
export interface SeededSheet {
  datasetId: string;
  sheetId: string;
  /** The seeded rows' ids, in display order. */
  rows: string[];
  /** A stock y-websocket client: the server's view of the document. */
  watcher: Client;
  context: BrowserContext;
  page: Page;
  /** A cell as the server has it. */
  serverCell(rowId: string, columnId: string): CellValue | undefined;
  close(): Promise<void>;
}

let datasetCount = 0;

/**
 * Creates a fresh dataset (events-statements template), writes `rows` into `sheetId` through a stock
 * client, waits until the server has stored them, and opens the sheet in a new browser profile.
 * Each test that uses it starts from the same known state, whatever earlier tests did.
 */
export async function seededSheet(
  browser: Browser, server: RunningServer, token: string, sheetId: string, rows: ReadonlyArray<Record<string, CellValue>>,
): Promise<SeededSheet> {
  const datasetId = `e2e-${process.pid}-${++datasetCount}`;
  await createDataset(server, datasetId);
  const watcher = await connectSynced(server, datasetId);
  const sheet = getSheet(watcher.doc, sheetId);
  if (!sheet) throw new Error(`no sheet ${sheetId}`);
  const ids = rows.map(() => newRowId());
  watcher.doc.transact(() => rows.forEach((values, i) => insertRow(sheet, ids[i]!, values)));
  await expect.poll(() => rowCount(server, datasetId, sheetId), { timeout: 10_000 }).toBe(rows.length);
  const { context, page } = await signedIn(browser, server.url, token, `/d/${datasetId}/${sheetId}`);
  await openSheet(page, datasetId, sheetId);
  await expect.poll(() => rowIds(page)).toEqual(ids);
  return {
    datasetId, sheetId, rows: ids, watcher, context, page,
    serverCell: (rowId, columnId) => sheetRows(sheet).get(rowId)?.get(columnId),
    async close() {
      watcher.destroy();
      await context.close();
    },
  };
}

/**
 * Clicks a cell and presses a key at once: both reach the page back to back, as they do on a busy
 * page, so it handles the key before any timer or deferred event the click set off.
 */
export async function clickThenPress(page: Page, target: Locator, key: string): Promise<void> {
  const box = await target.boundingBox();
  if (!box) throw new Error('the cell is not on the screen');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await Promise.all([page.mouse.down(), page.mouse.up(), page.keyboard.press(key)]);
}

/**
 * Clicks `target` with `meanwhile` between the press and the release (`meanwhile` resolves once what it
 * changed is on the page): a click a redraw splits that way is lost unless the node under it stays.
 */
export async function clickAcross(page: Page, target: Locator, meanwhile: () => Promise<void>): Promise<void> {
  const box = await target.boundingBox();
  if (!box) throw new Error('the target is not on the screen');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await meanwhile();
  await page.mouse.up();
}
