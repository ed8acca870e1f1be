/**
 * The grid's keys behave as in Excel and Google Sheets, in real Chromium against the real server:
 * Tab, Shift+Tab, Enter and Shift+Enter commit an edit and leave the next cell selected, not in edit
 * mode, so that typing there replaces its value (never appends to it); F2 and Enter edit keeping the
 * value; Home, Ctrl+Home and Tab at the row's ends stay on data cells. Values are checked in the
 * server's document (a stock client), not only in the page.
 */
import type { Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedUser, createUser } from '../helpers/api';
import type { CellValue, Column } from '../../model/columns';
import { columnToYMap, getSheet, insertRow, sheetColumns, sheetRows } from '../../model/document';
import { newRowId } from '../../model/ids';
import { type SeededSheet, cell, seededSheet } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let editor: CreatedUser;
let sheet: SeededSheet | undefined;

/** A complete event whose every cell holds a value of its own, so an append to any of them shows. */
const event = (n: number): Record<string, CellValue> => ({
  event_date: `2024-02-1${n}`, date_precision: 'day', actor1: `Actor ${n}`, actor1_country: 'CHN', actor2: `Target ${n}`,
  actor2_country: 'USA', event_type: 'CONSULT', cameo_code: '036', context: ['diplomatic'], location: `Place ${n}`, country: 'PRK',
  summary: `Talks with Choe Son-hui ${n}.`, source_url: `https://example.org/${n}`, source_excerpt: `Excerpt ${n}.`,
});

/** Columns added at the end of the events sheet, after Evidence: the types the template lacks. */
const EXTRA: Column[] = [
  { id: 'deaths', name: 'Deaths', type: 'integer' },
  { id: 'confirmed', name: 'Confirmed', type: 'boolean' },
];

beforeAll(async () => {
  editor = await createUser(e2e.server, 'Kim Ha-eun', 'editor');
});

afterEach(async () => {
  await sheet?.close();
  sheet = undefined;
});

async function open(rows: Array<Record<string, CellValue>>, sheetId = 'events'): Promise<SeededSheet> {
  sheet = await seededSheet(e2e.browser, e2e.server, editor.token, sheetId, rows);
  return sheet;
}

/** Waits until the grid's focus is on a cell. */
async function focusedOn(page: Page, rowId: string, columnId: string): Promise<void> {
  await expect.poll(() => cell(page, rowId, columnId).getAttribute('class')).toContain('ag-cell-focus');
}

/** No editor is open: the focused cell is selected, not being edited. */
async function notEditing(page: Page): Promise<void> {
  expect(await page.locator('.ag-cell-inline-editing, .popup-editor').count()).toBe(0);
}

/** The focus is on this cell and it is only selected. */
async function selectedOnly(page: Page, rowId: string, columnId: string): Promise<void> {
  await focusedOn(page, rowId, columnId);
  await notEditing(page);
}

describe('after an edit, the next cell is selected and typing replaces it', () => {
  it('Tab: typing PRK + Enter in the next cell stores PRK, not PRKPRK', async () => {
    const { page, rows, serverCell } = await open([event(1), event(2)]);
    const [row, below] = [rows[0]!, rows[1]!];
    expect(serverCell(row, 'country')).toBe('PRK');
    await cell(page, row, 'location').click();
    await page.keyboard.type('Pyongyang');
    await page.keyboard.press('Tab');
    await focusedOn(page, row, 'country');
    await page.keyboard.type('PRK');
    await page.keyboard.press('Enter');
    // Enter moved on to the cell below, selected; an edit there reaches the server after the one
    // above (one client's changes arrive in order), so once it is there the one above is final.
    await selectedOnly(page, below, 'country');
    await page.keyboard.type('KOR');
    await page.keyboard.press('Enter');
    await expect.poll(() => serverCell(below, 'country')).toBe('KOR');
    expect(serverCell(row, 'country')).toBe('PRK');
    expect(serverCell(row, 'location')).toBe('Pyongyang');
  });

  it('Enter: typing in the cell below replaces its value', async () => {
    const { page, rows, serverCell } = await open([event(1), event(2), event(3)]);
    await cell(page, rows[0]!, 'location').click();
    await page.keyboard.type('Seoul');
    await page.keyboard.press('Enter');
    await selectedOnly(page, rows[1]!, 'location');
    await page.keyboard.type('Busan');
    await page.keyboard.press('Enter');
    await selectedOnly(page, rows[2]!, 'location');
    await page.keyboard.type('Incheon');
    await page.keyboard.press('Tab');
    await expect.poll(() => [0, 1, 2].map((i) => serverCell(rows[i]!, 'location'))).toEqual(['Seoul', 'Busan', 'Incheon']);
  });

  it('Shift+Tab and Shift+Enter: typing in the cell before or above replaces its value', async () => {
    const { page, rows, serverCell } = await open([event(1), event(2)]);
    const [top, bottom] = [rows[0]!, rows[1]!];
    await cell(page, bottom, 'country').click();
    await page.keyboard.type('KOR');
    await page.keyboard.press('Shift+Tab');
    await selectedOnly(page, bottom, 'location');
    await page.keyboard.type('Gangneung');
    await page.keyboard.press('Shift+Enter');
    await selectedOnly(page, top, 'location');
    await page.keyboard.type('Kaesong');
    await page.keyboard.press('Enter');
    await expect.poll(() => serverCell(top, 'location')).toBe('Kaesong');
    expect(serverCell(bottom, 'location')).toBe('Gangneung');
    expect(serverCell(bottom, 'country')).toBe('KOR');
  });

  it('every editor type: text, code, codes, long text, link, date, number, yes/no', async () => {
    const s = await open([event(1), event(2)]);
    const { page, rows, serverCell, watcher } = s;
    watcher.doc.transact(() => sheetColumns(getSheet(watcher.doc, 'events')!).push(EXTRA.map(columnToYMap)));
    const row = rows[0]!;
    watcher.doc.transact(() => {
      const cells = sheetRows(getSheet(watcher.doc, 'events')!).get(row)!;
      cells.set('deaths', 3);
      cells.set('confirmed', false);
    });
    await expect.poll(() => cell(page, row, 'confirmed').textContent()).not.toBe('');

    // Each value is typed into a cell reached by Tab after the edit of the one before it.
    await cell(page, row, 'event_date').click();
    await page.keyboard.type('2024-03');
    await page.keyboard.press('Tab');
    await selectedOnly(page, row, 'date_precision');
    await page.keyboard.type('month');
    await page.keyboard.press('Tab');
    await selectedOnly(page, row, 'actor1');
    await page.keyboard.type('Kim Yo-jong');
    await page.keyboard.press('Tab');

    await cell(page, row, 'cameo_code').click();
    await page.keyboard.type('04x');
    await page.keyboard.press('Tab');
    await selectedOnly(page, row, 'context');
    await page.keyboard.type('military');
    await page.keyboard.press('Tab');
    await selectedOnly(page, row, 'location');
    await page.keyboard.type('Panmunjom');
    await page.keyboard.press('Tab');
    await selectedOnly(page, row, 'country');
    await page.keyboard.type('KOR');
    await page.keyboard.press('Tab');
    // The place is picked from the gazetteer (test/e2e/places.test.ts): here it is passed over.
    await selectedOnly(page, row, 'place');
    await page.keyboard.press('Tab');
    await selectedOnly(page, row, 'summary');
    await page.keyboard.type('Kim met Choe.');
    await page.keyboard.press('Tab');
    await selectedOnly(page, row, 'source_url');
    await page.keyboard.type('https://example.org/new');
    await page.keyboard.press('Tab');
    await selectedOnly(page, row, 'source_excerpt');
    await page.keyboard.type('Verbatim.');
    // Evidence is not typed into: Tab after an edit goes on to the next cell that takes one.
    await page.keyboard.press('Tab');
    await selectedOnly(page, row, 'deaths');
    await page.keyboard.type('12');
    await page.keyboard.press('Tab');
    await selectedOnly(page, row, 'confirmed');
    await page.keyboard.type('yes');
    await page.keyboard.press('Enter');

    const expected: Record<string, CellValue> = {
      event_date: '2024-03', date_precision: 'month', actor1: 'Kim Yo-jong', cameo_code: '04x', context: ['military'],
      location: 'Panmunjom', country: 'KOR', summary: 'Kim met Choe.', source_url: 'https://example.org/new',
      source_excerpt: 'Verbatim.', deaths: 12, confirmed: true,
    };
    const stored = () => Object.fromEntries(Object.keys(expected).map((c) => [c, serverCell(row, c)]));
    await expect.poll(stored).toEqual(expected);
    // The other row was left alone.
    expect(serverCell(rows[1]!, 'summary')).toBe('Talks with Choe Son-hui 2.');
  });

  it('a statement’s event (ref) after Tab: typing picks the event it names', async () => {
    const s = await open([{ statement_date: '2024-02-20', speaker: 'Choe Son-hui', quote: 'No.', channel: 'meeting' }], 'statements');
    const { page, rows, serverCell, watcher } = s;
    const [talks, visit] = [newRowId(), newRowId()];
    watcher.doc.transact(() => {
      const events = getSheet(watcher.doc, 'events')!;
      insertRow(events, talks, { ...event(1), summary: 'Talks in Beijing' });
      insertRow(events, visit, { ...event(2), summary: 'Putin visits Pyongyang' });
    });
    const row = rows[0]!;
    watcher.doc.transact(() => sheetRows(getSheet(watcher.doc, 'statements')!).get(row)!.set('event_id', talks));
    await expect.poll(() => cell(page, row, 'event_id').textContent()).toContain('Talks in Beijing');

    await cell(page, row, 'channel').click();
    await page.keyboard.type('interview');
    await page.keyboard.press('Tab');
    await selectedOnly(page, row, 'event_id');
    await page.keyboard.type('Putin');
    await page.keyboard.press('Enter');
    await expect.poll(() => serverCell(row, 'event_id')).toBe(visit);
    expect(serverCell(row, 'channel')).toBe('interview');
  });
});

describe('editing a selected cell', () => {
  it('F2 and Enter edit keeping the value, Escape keeps the old one, on text, long text and codes', async () => {
    const { page, rows, serverCell } = await open([event(1), event(2), event(3)]);
    await cell(page, rows[0]!, 'location').click();
    await page.keyboard.press('F2');
    await page.keyboard.type(' North');
    await page.keyboard.press('Enter');
    await selectedOnly(page, rows[1]!, 'location');
    await page.keyboard.press('Enter');
    await page.keyboard.type(' South');
    await page.keyboard.press('Enter');
    await selectedOnly(page, rows[2]!, 'location');
    await page.keyboard.type('Elsewhere');
    await page.keyboard.press('Escape');
    await page.locator('.ag-cell-inline-editing').waitFor({ state: 'detached' });
    await expect.poll(() => [0, 1].map((i) => serverCell(rows[i]!, 'location'))).toEqual(['Place 1 North', 'Place 2 South']);
    expect(serverCell(rows[2]!, 'location')).toBe('Place 3');

    // F2 on a long text and on a multi-pick keeps what is there too.
    await cell(page, rows[2]!, 'summary').click();
    await page.keyboard.press('F2');
    await page.keyboard.type(' More.');
    await page.keyboard.press('Enter');
    await expect.poll(() => serverCell(rows[2]!, 'summary')).toBe('Talks with Choe Son-hui 3. More.');
    await cell(page, rows[2]!, 'context').click();
    await page.keyboard.press('F2');
    await page.keyboard.type('cbrn');
    await page.keyboard.press(' ');
    await page.keyboard.press('Enter');
    await expect.poll(() => serverCell(rows[2]!, 'context')).toEqual(['diplomatic', 'cbrn']);
    // A code typed and then unticked stays unticked.
    await cell(page, rows[2]!, 'context').click();
    await page.keyboard.press('F2');
    await page.keyboard.type('cbrn');
    await page.keyboard.press(' ');
    await page.keyboard.press('Enter');
    await expect.poll(() => serverCell(rows[2]!, 'context')).toEqual(['diplomatic']);
  });
});

describe('moving by keys', () => {
  it('Home goes to the row’s first data cell and Ctrl+Home to the first row’s; End and Ctrl+End to the last', async () => {
    const { page, rows, serverCell } = await open([event(1), event(2), event(3)]);
    const [first, second, last] = [rows[0]!, rows[1]!, rows[2]!];
    await cell(page, second, 'location').click();
    await page.keyboard.press('Home');
    await selectedOnly(page, second, 'event_date');
    // Typing there edits the cell (the row number took no typing).
    await page.keyboard.type('2025');
    await page.keyboard.press('Enter');
    await expect.poll(() => serverCell(second, 'event_date')).toBe('2025');

    await cell(page, last, 'country').click();
    await page.keyboard.press('Control+Home');
    await selectedOnly(page, first, 'event_date');
    await page.keyboard.press('End');
    await selectedOnly(page, first, 'evidence');
    await page.keyboard.press('Control+End');
    await selectedOnly(page, last, 'evidence');
    await page.keyboard.press('Home');
    await selectedOnly(page, last, 'event_date');
  });

  it('Tab past the last column wraps to the next row’s first data cell, Shift+Tab back to the row above', async () => {
    const { page, rows, serverCell } = await open([event(1), event(2)]);
    const [top, bottom] = [rows[0]!, rows[1]!];
    await cell(page, top, 'source_excerpt').click();
    await page.keyboard.press('Tab');
    await selectedOnly(page, top, 'evidence');
    await page.keyboard.press('Tab');
    await selectedOnly(page, bottom, 'event_date');
    await page.keyboard.press('Shift+Tab');
    await selectedOnly(page, top, 'evidence');

    // After an edit too, and typing there replaces the value.
    await page.keyboard.press('Shift+Tab');
    await selectedOnly(page, top, 'source_excerpt');
    await page.keyboard.type('Last words.');
    await page.keyboard.press('Tab');
    await selectedOnly(page, bottom, 'event_date');
    await page.keyboard.type('2024-05');
    await page.keyboard.press('Shift+Tab');
    await selectedOnly(page, top, 'source_excerpt');
    await expect.poll(() => [serverCell(top, 'source_excerpt'), serverCell(bottom, 'event_date')]).toEqual(['Last words.', '2024-05']);
  });
});
