/**
 * `ref` cells in the paged grid (a dataset whose rows are documents of their own, layout `rows`), in real
 * Chromium against the real server: the picker searches the referenced sheet on the server as one types (by
 * any of its rows' cells, not only the label), Enter writes the chosen row's id into the row's own room, the
 * cell shows the row's label, and so does another browser's; a change of the referenced row's label reaches both.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../model/columns';
import { newRowId } from '../../model/ids';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { type CreatedUser, createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { cell, cellText, waitLive } from './browser';
import { browserSuite } from './fixtures';

const DATASET = 'paged-refs';
const e2e = browserSuite();
let ana: CreatedUser;
let ana1: Page;
let ben: Page;
const statement = newRowId();
/** Events the statement may name: only the second has a Geneva in any cell, and that in its location. */
const EVENTS: Array<Record<string, CellValue>> = [
  { event_date: '2024-03-01', summary: 'Talks resumed', actor1: 'China', location: 'Beijing' },
  { event_date: '2024-03-02', summary: 'A ceasefire was agreed', actor1: 'Russia', location: 'Geneva' },
  { event_date: '2024-03-03', summary: 'Troops withdrawn', actor1: 'Japan', location: 'Tokyo' },
];
const events = EVENTS.map(() => newRowId());

const rowsOf = async (sheet: string) => ((await api(e2e.server, `/api/datasets/${DATASET}/sheets/${sheet}/rows?limit=1000`)).body.rows as Array<Record<string, unknown>>);
const stored = async () => (await rowsOf('statements')).find((r) => r.row_id === statement)?.event_id;

async function write(sheet: string, rowId: string, cells: Record<string, CellValue>): Promise<void> {
  const c = await e2e.connect(rowRoom(DATASET, sheet, rowId), ana.token);
  c.doc.transact(() => {
    for (const [k, v] of Object.entries(cells)) getRowCells(c.doc).set(k, v);
  });
}

async function statementsPage(token: string): Promise<Page> {
  const { page } = await e2e.signedIn(token, `/d/${DATASET}/statements`);
  await cell(page, statement, 'speaker').waitFor({ timeout: 30_000 });
  await waitLive(page);
  return page;
}

beforeAll(async () => {
  ana = await createUser(e2e.server, 'Ana Refs', 'editor');
  const benUser = await createUser(e2e.server, 'Ben Refs', 'editor');
  expect((await api(e2e.server, '/api/datasets', { body: { id: DATASET, name: 'Paged refs', template: 'events-statements', layout: 'rows' } })).status).toBe(201);
  for (const [i, id] of events.entries()) await write('events', id, EVENTS[i]!);
  await write('statements', statement, { statement_date: '2024-03-02', speaker: 'A spokesperson', quote: 'We welcome it.' });
  await eventually(async () => expect((await rowsOf('events')).length).toBe(EVENTS.length));
  await eventually(async () => expect((await rowsOf('statements')).length).toBe(1));
  ana1 = await statementsPage(ana.token);
  ben = await statementsPage(benUser.token);
});

describe('ref cells in the paged grid', () => {
  it('picks a row by typing one of its cells, searched on the server; the cell shows its label, here and in another browser', async () => {
    await cell(ana1, statement, 'event_id').click();
    await ana1.keyboard.type('genev');
    const picker = ana1.getByTestId('ref-editor');
    const choices = picker.locator('.ref-list li[data-value]');
    await expect.poll(() => choices.evaluateAll((els) => els.map((e) => e.getAttribute('data-value')))).toEqual([events[1]]);
    expect(await choices.first().locator('.pick-label').textContent()).toBe('2024-03-02 · A ceasefire was agreed');
    expect(await choices.first().locator('.pick-hint').textContent()).toContain('Geneva');
    await ana1.keyboard.press('Enter');

    await expect.poll(() => stored()).toBe(events[1]);
    expect(await picker.count()).toBe(0);
    await expect.poll(() => cellText(ana1, statement, 'event_id')).toBe('2024-03-02 · A ceasefire was agreed');
    await expect.poll(() => cellText(ben, statement, 'event_id')).toBe('2024-03-02 · A ceasefire was agreed');
  });

  it('shows the label a referenced row has now, when it changes', async () => {
    await write('events', events[1]!, { summary: 'A ceasefire was signed' });
    await expect.poll(() => cellText(ben, statement, 'event_id')).toBe('2024-03-02 · A ceasefire was signed');
    await expect.poll(() => cellText(ana1, statement, 'event_id')).toBe('2024-03-02 · A ceasefire was signed');
  });

  it('reads the labels of the refs on a page when it is opened, and empties a ref with “(empty)”', async () => {
    const page = await statementsPage(ana.token);
    await expect.poll(() => cellText(page, statement, 'event_id')).toBe('2024-03-02 · A ceasefire was signed');

    // Enter opens the sheet's first rows with the cell's own row highlighted; “(empty)” above it.
    await cell(page, statement, 'event_id').click();
    await page.keyboard.press('Enter');
    const list = page.getByTestId('ref-editor').locator('.ref-list');
    await expect.poll(() => list.locator('li.active').getAttribute('data-value')).toBe(events[1]);
    expect(await list.locator('li[data-value]').evaluateAll((els) => els.map((e) => e.getAttribute('data-value')))).toEqual(['', ...events]);
    await page.keyboard.press('PageUp');
    await page.keyboard.press('Enter');
    await expect.poll(() => stored()).toBeNull();
    await expect.poll(() => cellText(ben, statement, 'event_id')).toBe('');
  });

  it('marks a ref to a row its sheet does not hold, and clears the mark once it names one', async () => {
    const missing = newRowId();
    await write('statements', statement, { event_id: missing });
    const classes = () => cell(ben, statement, 'event_id').evaluate((el) => [...el.classList]);
    await expect.poll(() => cellText(ben, statement, 'event_id')).toBe(`missing row ${missing}`);
    await expect.poll(classes).toContain('cell-problem');
    await write('statements', statement, { event_id: events[2]! });
    await expect.poll(() => cellText(ben, statement, 'event_id')).toBe('2024-03-03 · Troops withdrawn');
    await expect.poll(classes).not.toContain('cell-problem');
  });
});
