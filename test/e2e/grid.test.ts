/**
 * The grid's spreadsheet habits and rules, in real Chromium against the real server: paste, copy,
 * problems, editors by type, rows, roles and working offline. Each test has a dataset and a browser
 * profile of its own (seededSheet), so no test depends on what another left behind.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedUser, createUser, rowHistory } from '../helpers/api';
import { connectSynced } from '../helpers/clients';
import type { CellValue } from '../../model/columns';
import { validateRow } from '../../model/columns';
import { getSheet, readColumns, sheetRows } from '../../model/document';
import { type SeededSheet, cell, openSheet, pasteIntoFocused, rowIds, seededSheet, typeInto } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let editor: CreatedUser;
let sheet: SeededSheet | undefined;

/** A complete event (no problems): every required column has a value. */
const event = (n: number): Record<string, CellValue> => ({
  event_date: `2024-02-1${n}`, date_precision: 'day', actor1: `Actor ${n}`, actor1_country: 'CHN', actor2: `Target ${n}`, actor2_country: 'USA',
  event_type: 'CONSULT', location: `Place ${n}`, country: 'KOR', summary: `Summary ${n}`,
});

/** A fresh events sheet of `rows` for `token` (the editor's by default), closed after the test. */
async function open(rows: Array<Record<string, CellValue>>, token = editor.token): Promise<SeededSheet> {
  sheet = await seededSheet(e2e.browser, e2e.server, token, 'events', rows);
  return sheet;
}

/** Rows of the events sheet with a problem, by the model's own validation of the server's document. */
function problemRowIds(s: SeededSheet): string[] {
  const events = getSheet(s.watcher.doc, 'events')!;
  const columns = readColumns(events);
  return [...sheetRows(events).entries()]
    .filter(([, row]) => Object.keys(validateRow(columns, row.toJSON())).length > 0)
    .map(([id]) => id)
    .sort();
}

beforeAll(async () => {
  editor = await createUser(e2e.server, 'Chen Wei', 'editor');
});

afterEach(async () => {
  await sheet?.close();
  sheet = undefined;
});

describe('the grid', () => {
  it('pastes a 3×3 tab-separated block at the focused cell, adding the rows past the last', async () => {
    const s = await open([event(1), event(2), event(3)]);
    const { page, rows } = s;
    await cell(page, rows[1]!, 'actor2').click();
    await pasteIntoFocused(page, 'Seoul govt\tKOR\tprotest\r\nTokyo govt\tJPN\tAGREE\r\nTaipei govt\tTWN\tCONSULT\r\n');

    // Two rows were there (second-last and last); the third line makes a new row.
    await expect.poll(() => sheetRows(getSheet(s.watcher.doc, 'events')!).size).toBe(4);
    await expect.poll(async () => (await rowIds(page)).length).toBe(4);
    const after = await rowIds(page);
    const newRow = after.find((id) => !rows.includes(id))!;
    const target = [rows[1]!, rows[2]!, newRow];
    const expected = [['Seoul govt', 'KOR', 'PROTEST'], ['Tokyo govt', 'JPN', 'AGREE'], ['Taipei govt', 'TWN', 'CONSULT']];
    for (const [i, row] of target.entries()) {
      expect(s.serverCell(row, 'actor2')).toBe(expected[i]![0]);
      expect(s.serverCell(row, 'actor2_country')).toBe(expected[i]![1]);
      expect(s.serverCell(row, 'event_type')).toBe(expected[i]![2]);
      await expect.poll(() => cell(page, row, 'actor2_country').textContent()).toBe(expected[i]![1]);
    }
    expect(after.at(-1)).toBe(newRow);
    // The row above the block is untouched.
    expect(s.serverCell(rows[0]!, 'actor2')).toBe('Target 1');
  });

  it('copies the selected block as tab-separated text', async () => {
    const { page, rows, serverCell } = await open([event(1), event(2), event(3)]);
    const [first, second] = rows;
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
    const row = (id: string) => ['actor1_country', 'actor2'].map((c) => String(serverCell(id, c) ?? '')).join('\t');
    expect(copied).toBe(`${row(first!)}\n${row(second!)}`);
    expect(copied).toBe('CHN\tTarget 1\nCHN\tTarget 2');
  });

  it('marks a required cell left empty at once, counts it, and filters to rows with problems', async () => {
    const { summary: _, ...noSummary } = event(4);
    const s = await open([event(1), event(2), event(3), noSummary]);
    const { page, rows } = s;
    const row = rows[1]!;
    const before = problemRowIds(s);
    expect(before).toEqual([rows[3]!]);
    await expect.poll(() => page.getByTestId('problems-events').textContent()).toBe('1');

    await cell(page, row, 'actor1').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => s.serverCell(row, 'actor1')).toBeUndefined();

    const marked = cell(page, row, 'actor1');
    await expect.poll(() => marked.getAttribute('class')).toMatch(/cell-problem.*cell-missing|cell-missing.*cell-problem/);
    expect(await marked.getAttribute('title')).toMatch(/required/);
    expect(await marked.textContent()).toBe('');
    // The row number carries a marker too.
    await expect.poll(() => cell(page, row, '_row').locator('.row-marker.problem').count()).toBe(1);
    const withProblems = problemRowIds(s);
    expect(withProblems).toEqual([...before, row].sort());
    await expect.poll(() => page.getByTestId('problems-events').textContent()).toBe('2');

    await page.getByTestId('problems-only').check();
    await expect.poll(async () => (await rowIds(page)).sort()).toEqual(withProblems);
    await page.getByTestId('problems-only').uncheck();
    await expect.poll(async () => (await rowIds(page)).length).toBe(rows.length);

    await typeInto(page, row, 'actor1', 'China');
    await expect.poll(() => marked.getAttribute('class')).not.toContain('cell-problem');
    await expect.poll(() => cell(page, row, '_row').locator('.row-marker.problem').count()).toBe(0);
    await expect.poll(() => page.getByTestId('problems-events').textContent()).toBe('1');
  });

  it('edits by type: a partial date, a code from the list, several codes and long text', async () => {
    const { page, rows, serverCell } = await open([event(1), { ...event(2), context: ['military'] }]);
    const row = rows[1]!;

    await typeInto(page, row, 'event_date', '2024-2');
    await expect.poll(() => serverCell(row, 'event_date')).toBe('2024-02');

    await cell(page, row, 'event_type').click();
    await page.keyboard.type('threat');
    await page.locator('.pick-list li.active').filter({ hasText: 'THREATEN' }).waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => serverCell(row, 'event_type')).toBe('THREATEN');

    await cell(page, row, 'context').click();
    await page.keyboard.press('Enter');
    await page.locator('.pick-list li', { hasText: 'cbrn' }).click();
    await page.keyboard.press('Enter');
    await expect.poll(() => serverCell(row, 'context')).toEqual(['military', 'cbrn']);

    await cell(page, row, 'summary').click();
    await page.keyboard.press('F2');
    const area = page.locator('.longtext-editor textarea');
    await area.fill('First line');
    await area.press('Shift+Enter');
    await area.pressSequentially('second line');
    await area.press('Enter');
    await expect.poll(() => serverCell(row, 'summary')).toBe('First line\nsecond line');

    // Escape leaves the cell as it was.
    await cell(page, row, 'location').click();
    await page.keyboard.type('Nowhere');
    await page.keyboard.press('Escape');
    await page.locator('.ag-cell-inline-editing').waitFor({ state: 'detached' });
    expect(await cell(page, row, 'location').textContent()).toBe('Place 2');
    expect(serverCell(row, 'location')).toBe('Place 2');
    // The other row was left alone by all of it.
    expect(serverCell(rows[0]!, 'event_type')).toBe('CONSULT');
  });

  it('shows who changed the focused row, and when, in the row history', async () => {
    const s = await open([event(1), event(2)]);
    const { page, rows } = s;
    const row = rows[1]!;
    await typeInto(page, row, 'location', 'Pyongyang');
    // The panel loads a row's history when it opens: wait until the server has recorded the change.
    await expect.poll(async () => (await rowHistory(e2e.server, s.datasetId, row)).map((e) => e.new)).toContain('Pyongyang');
    await cell(page, row, 'event_type').click();
    await page.getByTestId('history-button').click();
    const history = page.getByTestId('history');
    await expect.poll(() => history.textContent()).toContain('Chen Wei');
    expect(await history.textContent()).toContain('Pyongyang');
    await page.getByTestId('history-button').click();
    expect(await history.count()).toBe(0);
  });

  it('shows a statement’s event by its date and summary, and picks one the same way', async () => {
    // The demo dataset's statements point at its events; no other test in this file changes it.
    const { context, page } = await e2e.signedIn(editor.token, '/d/demo/statements');
    const watcher = await connectSynced(e2e.server, 'demo');
    try {
      await openSheet(page, 'demo', 'statements');
      const rowsOf = (id: string) => sheetRows(getSheet(watcher.doc, id)!);
      const serverCell = (sheetId: string, row: string, column: string) => rowsOf(sheetId).get(row)?.get(column);
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
    } finally {
      watcher.destroy();
      await context.close();
    }
  });

  it('adds a row at the end with the focus on its first cell, and deletes rows after a confirm', async () => {
    const { page, rows, serverCell, watcher } = await open([event(1), event(2)]);
    const has = (id: string) => sheetRows(getSheet(watcher.doc, 'events')!).has(id);
    await page.getByTestId('add-row').click();
    await expect.poll(async () => (await rowIds(page)).length).toBe(rows.length + 1);
    const added = (await rowIds(page)).at(-1)!;
    expect(rows).not.toContain(added);
    await expect.poll(() => cell(page, added, 'event_date').getAttribute('class')).toContain('ag-cell-focus');
    await page.keyboard.type('2024-02-24');
    await page.keyboard.press('Tab');
    await expect.poll(() => serverCell(added, 'event_date')).toBe('2024-02-24');

    await cell(page, added, 'actor1').click();
    await page.getByTestId('delete-rows').click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(has(added)).toBe(true);

    await page.getByTestId('delete-rows').click();
    await page.getByTestId('confirm').click();
    await expect.poll(() => has(added)).toBe(false);
    await expect.poll(() => rowIds(page)).toEqual(rows);
    expect(has(rows[0]!) && has(rows[1]!)).toBe(true);
  });

  it('keeps an edit made offline and syncs it when the connection comes back', async () => {
    const { page, context, rows, serverCell } = await open([event(1), event(2)]);
    const row = rows[0]!;
    await context.setOffline(true);
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toMatch(/^Offline/);

    await typeInto(page, row, 'location', 'Offline edit');
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toBe('Offline — 1 change waiting');
    expect(await cell(page, row, 'location').textContent()).toBe('Offline edit');
    expect(serverCell(row, 'location')).toBe('Place 1');

    await context.setOffline(false);
    await expect.poll(() => serverCell(row, 'location'), { timeout: 15_000 }).toBe('Offline edit');
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toBe('Saved');
  });

  it('keeps an offline edit across a reload and sends it once back online', async () => {
    const s = await open([event(1), event(2)]);
    const { page, rows, serverCell } = s;
    const row = rows[1]!;
    // The socket is gone (as on a train) but the page can still be reloaded from the server.
    await page.evaluate(() => window.dispatchEvent(new Event('offline')));
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toMatch(/^Offline/);
    await typeInto(page, row, 'country', 'XYZ');
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toBe('Offline — 1 change waiting');

    // Close the page before it can reconnect, and open the sheet again in a new page of the same profile.
    await page.close();
    expect(serverCell(row, 'country')).toBe('KOR');
    const again = await s.context.newPage();
    again.setDefaultTimeout(10_000);
    await again.goto(`/d/${s.datasetId}/events`);
    await expect.poll(() => serverCell(row, 'country'), { timeout: 15_000 }).toBe('XYZ');
    await expect.poll(() => cell(again, row, 'country').textContent()).toBe('XYZ');
  });
});

describe('read-only roles', () => {
  it('gives a viewer a grid that cannot be edited, typed into or pasted into', async () => {
    const viewer = await createUser(e2e.server, 'Vera Viewer', 'viewer');
    const { page, rows, serverCell, watcher } = await open([event(1), event(2)], viewer.token);
    expect(await page.getByTestId('read-only').isVisible()).toBe(true);
    expect(await page.getByTestId('add-row').count()).toBe(0);
    const row = rows[0]!;

    await cell(page, row, 'actor2').dblclick();
    await page.keyboard.type('viewer typing');
    await page.keyboard.press('Enter');
    expect(await page.locator('.ag-cell-inline-editing, .popup-editor').count()).toBe(0);
    await pasteIntoFocused(page, 'pasted\tby viewer');
    await page.keyboard.press('Delete');

    // A collaborator's edit still arrives, so the page is live, and nothing of the viewer's did.
    watcher.doc.transact(() => sheetRows(getSheet(watcher.doc, 'events')!).get(row)!.set('location', 'from the watcher'));
    await expect.poll(() => cell(page, row, 'location').textContent()).toBe('from the watcher');
    expect(await cell(page, row, 'actor2').textContent()).toBe('Target 1');
    expect(serverCell(row, 'actor2')).toBe('Target 1');
    expect(serverCell(row, 'actor2_country')).toBe('USA');
  });
});
