/** Shaping a dataset in the browser: sheets added and renamed from the tabs, and a paste wider than the sheet. */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSheet, orderedSheetIds, readColumns, sheetName, sheetRows } from '../../model/document';
import { createUser } from '../helpers/api';
import { type Client, connectSynced } from '../helpers/clients';
import { cell, openSheet, pasteIntoFocused, rowIds } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let admin: Page;
let coder: Page;
let watcher: Client;

const tabNames = (page: Page) => page.locator('.tabs .tab .tab-name').allTextContents();

beforeAll(async () => {
  admin = (await e2e.signedIn(e2e.server.adminToken, '/d/demo/events')).page;
  const user = await createUser(e2e.server, 'Cora Coder', 'editor');
  coder = (await e2e.signedIn(user.token, '/d/demo/events')).page;
  await openSheet(admin, 'demo', 'events');
  await openSheet(coder, 'demo', 'events');
  watcher = await connectSynced(e2e.server, 'demo');
});

afterAll(async () => {
  watcher?.destroy();
});

describe('sheets from the tabs', () => {
  it('adds a sheet with +, shows it, and renames it with a double-click; everyone sees it live', async () => {
    await admin.getByTestId('add-sheet').click();
    await admin.getByTestId('prompt-input').fill('Sources');
    await admin.getByTestId('prompt-confirm').click();

    // After the demo's actor list.
    await expect.poll(() => orderedSheetIds(watcher.doc)).toEqual(['events', 'statements', 'actors', 'sources']);
    await expect.poll(() => admin.url()).toMatch(/\/d\/demo\/sources$/);
    await expect.poll(() => tabNames(admin)).toEqual(['Events', 'Statements', 'Actors', 'Sources']);
    await expect.poll(() => tabNames(coder)).toEqual(['Events', 'Statements', 'Actors', 'Sources']);
    expect(await coder.getByTestId('add-sheet').count()).toBe(0);

    await admin.locator('.tab[data-sheet=sources]').dblclick();
    await expect.poll(() => admin.getByTestId('prompt-input').inputValue()).toBe('Sources');
    await admin.getByTestId('prompt-input').fill('Source articles');
    await admin.getByTestId('prompt-input').press('Enter');
    await expect.poll(() => sheetName(getSheet(watcher.doc, 'sources')!)).toBe('Source articles');
    await expect.poll(() => tabNames(coder)).toEqual(['Events', 'Statements', 'Actors', 'Source articles']);

    // And moves it left from its menu.
    await admin.getByTestId('sheet-menu').locator('summary').click();
    await admin.getByTestId('move-sheet-left').click();
    await expect.poll(() => orderedSheetIds(watcher.doc)).toEqual(['events', 'statements', 'sources', 'actors']);
    await expect.poll(() => tabNames(coder)).toEqual(['Events', 'Statements', 'Source articles', 'Actors']);
  });
});

describe('a paste wider than the sheet', () => {
  it('says how many columns fit and, as admin, adds the missing ones and pastes all of it', async () => {
    await admin.locator('.tab[data-sheet=events]').click();
    await openSheet(admin, 'demo', 'events');
    const before = readColumns(getSheet(watcher.doc, 'events')!);
    const last = before.at(-1)!;
    const row = (await rowIds(admin))[0]!;
    await cell(admin, row, last.id).click();
    await pasteIntoFocused(admin, 'Source\tTarget country\tComment\nhttps://example.org/a\tKOR\tchecked twice\n');

    const dialog = admin.getByTestId('wide-paste-dialog');
    await expect.poll(() => dialog.getByTestId('wide-paste-message').textContent()).toBe('3 columns pasted, 1 fits.');
    expect(await dialog.getByTestId('wide-paste-header').isChecked()).toBe(true);
    expect(await dialog.getByTestId('wide-paste-names').textContent()).toContain('Target country, Comment');
    await dialog.getByTestId('wide-paste-add').click();

    await expect.poll(() => readColumns(getSheet(watcher.doc, 'events')!).slice(before.length)).toEqual([
      { id: 'target_country', name: 'Target country', type: 'text' },
      { id: 'comment', name: 'Comment', type: 'text' },
    ]);
    await expect.poll(() => sheetRows(getSheet(watcher.doc, 'events')!).get(row)?.toJSON()).toMatchObject({
      [last.id]: 'https://example.org/a', target_country: 'KOR', comment: 'checked twice',
    });
    // The header line named the columns and was not pasted as a row.
    expect([...sheetRows(getSheet(watcher.doc, 'events')!).values()].some((r) => r.get('target_country') === 'Target country')).toBe(false);
    await expect.poll(() => cell(coder, row, 'comment').textContent()).toContain('checked twice');
  });

  it('pastes what fits for a coder and says how many columns were left out', async () => {
    const columns = readColumns(getSheet(watcher.doc, 'events')!);
    const last = columns.at(-1)!;
    const row = (await rowIds(coder))[1]!;
    await cell(coder, row, last.id).click();
    await pasteIntoFocused(coder, 'kept\tleft out\talso left out');
    await expect.poll(() => coder.locator('.toast').allTextContents()).toContainEqual(expect.stringContaining('3 columns pasted, 1 fits: 2 columns left out'));
    await expect.poll(() => sheetRows(getSheet(watcher.doc, 'events')!).get(row)?.get(last.id)).toBe('kept');
    expect(readColumns(getSheet(watcher.doc, 'events')!)).toHaveLength(columns.length);
  });
});

describe('the export menu', () => {
  it('downloads the whole dataset as a zip of exact-text CSVs, then closes; Escape closes it too', async () => {
    const menu = admin.getByTestId('export');
    await menu.locator('summary').click();
    await expect.poll(() => menu.getAttribute('open')).toBe('');
    await admin.keyboard.press('Escape');
    await expect.poll(() => menu.getAttribute('open')).toBeNull();

    await menu.locator('summary').click();
    await admin.getByTestId('export-rows').selectOption('all');
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByTestId('export-dataset-csv-analysis').click(),
    ]);
    expect(download.suggestedFilename()).toBe('demo-csv.zip');
    await expect.poll(() => menu.getAttribute('open')).toBeNull();
    const files = unzipSync(new Uint8Array(readFileSync((await download.path())!)));
    expect(Object.keys(files)).toEqual(orderedSheetIds(watcher.doc).map((id) => `demo-${id}.csv`));
    const events = new TextDecoder().decode(files['demo-events.csv']!);
    // Exact text: no byte-order mark, nothing prefixed.
    expect(events.startsWith('row_id,')).toBe(true);
    expect(events).toContain('checked twice');
  });
});
