/**
 * The grid's spreadsheet habits and rules, in real Chromium against the real server: paste, copy,
 * problems, editors by type, rows, roles and working offline.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api';
import { type Client, connectSynced } from '../helpers/clients';
import { type RunningServer, startServer } from '../helpers/server';
import { validateRow } from '../../model/columns';
import { getSheet, readColumns, sheetRows } from '../../model/document';
import { cell, launchBrowser, openSheet, pasteIntoFocused, rowIds, signedIn, typeInto } from './browser';

let server: RunningServer;
let browser: Browser;
let editor: { context: BrowserContext; page: Page };
/** The server's view of the document, through a stock y-websocket client. */
let watcher: Client;

const rowsOf = (sheet: string) => sheetRows(getSheet(watcher.doc, sheet)!);
const serverCell = (sheet: string, row: string, column: string) => rowsOf(sheet).get(row)?.get(column);
/** Rows of the events sheet with a problem, by the model's own validation. */
function problemRowIds(): string[] {
  const columns = readColumns(getSheet(watcher.doc, 'events')!);
  return [...rowsOf('events').entries()]
    .filter(([, row]) => Object.keys(validateRow(columns, row.toJSON())).length > 0)
    .map(([id]) => id)
    .sort();
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const user = await createUser(server, 'Chen Wei', 'editor');
  editor = await signedIn(browser, server.url, user.token, '/d/demo/events');
  await openSheet(editor.page, 'demo', 'events');
  watcher = await connectSynced(server, 'demo');
});

afterAll(async () => {
  watcher?.destroy();
  await browser?.close();
  await server?.dispose();
});

describe('the grid', () => {
  it('pastes a 3×3 tab-separated block at the focused cell, adding the rows past the last', async () => {
    const page = editor.page;
    const ids = await rowIds(page);
    const secondLast = ids[ids.length - 2]!;
    await cell(page, secondLast, 'actor2').click();
    await pasteIntoFocused(page, 'Seoul govt\tKOR\tprotest\r\nTokyo govt\tJPN\tAGREE\r\nTaipei govt\tTWN\tCONSULT\r\n');

    // Two rows were there (second-last and last); the third line makes a new row.
    await expect.poll(() => rowsOf('events').size).toBe(ids.length + 1);
    const after = await rowIds(page);
    const newRow = after.find((id) => !ids.includes(id))!;
    const target = [secondLast, ids[ids.length - 1]!, newRow];
    const expected = [['Seoul govt', 'KOR', 'PROTEST'], ['Tokyo govt', 'JPN', 'AGREE'], ['Taipei govt', 'TWN', 'CONSULT']];
    for (const [i, row] of target.entries()) {
      expect(serverCell('events', row, 'actor2')).toBe(expected[i]![0]);
      expect(serverCell('events', row, 'actor2_country')).toBe(expected[i]![1]);
      expect(serverCell('events', row, 'event_type')).toBe(expected[i]![2]);
      expect(await cell(page, row, 'actor2_country').textContent()).toBe(expected[i]![1]);
    }
    expect(after.at(-1)).toBe(newRow);
  });

  it('copies the selected block as tab-separated text', async () => {
    const page = editor.page;
    const [first, second] = await rowIds(page);
    await cell(page, first!, 'actor1_country').click();
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(() => page.locator('.ag-cell.cell-in-block').count()).toBe(4);
    const copied = await page.evaluate(() => {
      const transfer = new DataTransfer();
      const event = new ClipboardEvent('copy', { clipboardData: transfer, bubbles: true, cancelable: true });
      (document.activeElement ?? document.body).dispatchEvent(event);
      return transfer.getData('text/plain');
    });
    const row = (id: string) => ['actor1_country', 'actor2'].map((c) => String(serverCell('events', id, c) ?? '')).join('\t');
    expect(copied).toBe(`${row(first!)}\n${row(second!)}`);
  });

  it('marks a required cell left empty at once, counts it, and filters to rows with problems', async () => {
    const page = editor.page;
    const ids = await rowIds(page);
    const row = ids[1]!;
    const before = problemRowIds();
    expect(before).not.toContain(row);
    await expect.poll(() => page.getByTestId('problems-events').textContent()).toBe(before.length ? String(before.length) : '');

    await cell(page, row, 'actor1').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => serverCell('events', row, 'actor1')).toBeUndefined();

    const marked = cell(page, row, 'actor1');
    await expect.poll(() => marked.getAttribute('class')).toMatch(/cell-problem.*cell-missing|cell-missing.*cell-problem/);
    expect(await marked.getAttribute('title')).toMatch(/required/);
    expect(await marked.textContent()).toBe('');
    // The row number carries a marker too.
    await expect.poll(() => cell(page, row, '_row').locator('.row-marker.problem').count()).toBe(1);
    const withProblems = problemRowIds();
    expect(withProblems).toEqual([...before, row].sort());
    await expect.poll(() => page.getByTestId('problems-events').textContent()).toBe(String(withProblems.length));

    await page.getByTestId('problems-only').check();
    await expect.poll(async () => (await rowIds(page)).sort()).toEqual(withProblems);
    await page.getByTestId('problems-only').uncheck();
    await expect.poll(async () => (await rowIds(page)).length).toBe(ids.length);

    await typeInto(page, row, 'actor1', 'China');
    await expect.poll(() => marked.getAttribute('class')).not.toContain('cell-problem');
    await expect.poll(() => cell(page, row, '_row').locator('.row-marker.problem').count()).toBe(0);
    await expect.poll(() => page.getByTestId('problems-events').textContent()).toBe(before.length ? String(before.length) : '');
  });

  it('edits by type: a partial date, a code from the list, several codes and long text', async () => {
    const page = editor.page;
    const row = (await rowIds(page))[2]!;

    await typeInto(page, row, 'event_date', '2024-2');
    await expect.poll(() => serverCell('events', row, 'event_date')).toBe('2024-02');

    await cell(page, row, 'event_type').click();
    await page.keyboard.type('threat');
    await page.locator('.pick-list li.active').filter({ hasText: 'THREATEN' }).waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => serverCell('events', row, 'event_type')).toBe('THREATEN');

    await cell(page, row, 'context').click();
    await page.keyboard.press('Enter');
    await page.locator('.pick-list li', { hasText: 'cbrn' }).click();
    await page.keyboard.press('Enter');
    await expect.poll(() => serverCell('events', row, 'context')).toEqual(['military', 'cbrn']);

    await cell(page, row, 'summary').click();
    await page.keyboard.press('F2');
    const area = page.locator('.longtext-editor textarea');
    await area.fill('First line');
    await area.press('Shift+Enter');
    await area.pressSequentially('second line');
    await area.press('Enter');
    await expect.poll(() => serverCell('events', row, 'summary')).toBe('First line\nsecond line');

    // Escape leaves the cell as it was.
    await cell(page, row, 'location').click();
    await page.keyboard.type('Nowhere');
    await page.keyboard.press('Escape');
    expect(await cell(page, row, 'location').textContent()).not.toContain('Nowhere');
  });

  it('shows who changed the focused row, and when, in the row history', async () => {
    const page = editor.page;
    const row = (await rowIds(page))[2]!;
    await cell(page, row, 'event_type').click();
    await page.getByTestId('history-button').click();
    const history = page.getByTestId('history');
    await expect.poll(() => history.textContent()).toContain('Chen Wei');
    expect(await history.textContent()).toContain('THREATEN');
    await page.getByTestId('history-button').click();
    expect(await history.count()).toBe(0);
  });

  it('shows a statement’s event by its date and summary, and picks one the same way', async () => {
    const page = editor.page;
    await page.locator('.tab[data-sheet=statements]').click();
    await page.waitForURL(/\/d\/demo\/statements$/);
    const ids = await rowIds(page);
    const linked = ids[0]!;
    const eventId = serverCell('statements', linked, 'event_id') as string;
    const summary = serverCell('events', eventId, 'summary') as string;
    await expect.poll(() => cell(page, linked, 'event_id').textContent()).toContain(summary.slice(0, 20));

    const unlinked = ids[3]!;
    expect(serverCell('statements', unlinked, 'event_id')).toBeUndefined();
    await cell(page, unlinked, 'event_id').click();
    await page.keyboard.type('Putin');
    await page.keyboard.press('Enter');
    const putin = [...rowsOf('events').entries()].find(([, r]) => String(r.get('summary')).includes('Putin'))![0];
    await expect.poll(() => serverCell('statements', unlinked, 'event_id')).toBe(putin);
    await expect.poll(() => cell(page, unlinked, 'event_id').textContent()).toContain('Putin');
    await page.locator('.tab[data-sheet=events]').click();
    await page.waitForURL(/\/d\/demo\/events$/);
  });

  it('adds a row at the end with the focus on its first cell, and deletes rows after a confirm', async () => {
    const page = editor.page;
    const before = await rowIds(page);
    await page.getByTestId('add-row').click();
    await expect.poll(async () => (await rowIds(page)).length).toBe(before.length + 1);
    const added = (await rowIds(page)).at(-1)!;
    expect(before).not.toContain(added);
    await expect.poll(() => cell(page, added, 'event_date').getAttribute('class')).toContain('ag-cell-focus');
    await page.keyboard.type('2024-02-24');
    await page.keyboard.press('Tab');
    await expect.poll(() => serverCell('events', added, 'event_date')).toBe('2024-02-24');

    await cell(page, added, 'actor1').click();
    await page.getByTestId('delete-rows').click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(rowsOf('events').has(added)).toBe(true);

    await page.getByTestId('delete-rows').click();
    await page.getByTestId('confirm').click();
    await expect.poll(() => rowsOf('events').has(added)).toBe(false);
    expect(await rowIds(page)).not.toContain(added);
  });

  it('keeps an edit made offline and syncs it when the connection comes back', async () => {
    const { page, context } = editor;
    const row = (await rowIds(page))[0]!;
    await context.setOffline(true);
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toMatch(/^Offline/);

    await typeInto(page, row, 'location', 'Offline edit');
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toBe('Offline — 1 change waiting');
    expect(await cell(page, row, 'location').textContent()).toBe('Offline edit');
    expect(serverCell('events', row, 'location')).not.toBe('Offline edit');

    await context.setOffline(false);
    await expect.poll(() => serverCell('events', row, 'location'), { timeout: 15_000 }).toBe('Offline edit');
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toBe('Saved');
  });

  it('keeps an offline edit across a reload and sends it once back online', async () => {
    const { page } = editor;
    const row = (await rowIds(page))[1]!;
    // The socket is gone (as on a train) but the page can still be reloaded from the server.
    await page.evaluate(() => window.dispatchEvent(new Event('offline')));
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toMatch(/^Offline/);
    await typeInto(page, row, 'country', 'XYZ');
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toBe('Offline — 1 change waiting');

    // Close the page before it can reconnect, and open the sheet again in a new page of the same profile.
    await page.close();
    expect(serverCell('events', row, 'country')).not.toBe('XYZ');
    const again = await editor.context.newPage();
    again.setDefaultTimeout(10_000);
    await again.goto('/d/demo/events');
    await expect.poll(() => serverCell('events', row, 'country'), { timeout: 15_000 }).toBe('XYZ');
    await expect.poll(() => cell(again, row, 'country').textContent()).toBe('XYZ');
    editor.page = again;
  });
});

describe('read-only roles', () => {
  it('gives a viewer a grid that cannot be edited, typed into or pasted into', async () => {
    const viewer = await createUser(server, 'Vera Viewer', 'viewer');
    const { context, page } = await signedIn(browser, server.url, viewer.token, '/d/demo/events');
    try {
      await openSheet(page, 'demo', 'events');
      expect(await page.getByTestId('read-only').isVisible()).toBe(true);
      expect(await page.getByTestId('add-row').count()).toBe(0);
      const row = (await rowIds(page))[0]!;
      const before = serverCell('events', row, 'actor2');

      await cell(page, row, 'actor2').dblclick();
      await page.keyboard.type('viewer typing');
      await page.keyboard.press('Enter');
      expect(await page.locator('.ag-cell-inline-editing, .popup-editor').count()).toBe(0);
      await pasteIntoFocused(page, 'pasted\tby viewer');
      await page.keyboard.press('Delete');

      // A collaborator's edit still arrives, so the page is live, and nothing of the viewer's did.
      watcher.doc.transact(() => rowsOf('events').get(row)!.set('location', 'from the watcher'));
      await expect.poll(() => cell(page, row, 'location').textContent()).toBe('from the watcher');
      expect(await cell(page, row, 'actor2').textContent()).toBe(String(before ?? ''));
      expect(serverCell('events', row, 'actor2')).toBe(before);
    } finally {
      await context.close();
    }
  });
});
