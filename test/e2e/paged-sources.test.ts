/**
 * Sources in the paged grid (a dataset in the `rows` layout, docs/sources.md): a coder opens the reading
 * pane from the toolbar, opens a source, selects a passage and adds it to the focused row's evidence (A);
 * the row's own document has it, the passage is highlighted, and another coder's browser with the source
 * open shows it live (and the first shows the second's). A click on a highlight shows its row; focusing a
 * row shows its passage; E makes a new event from a passage; the actors a passage names are offered for
 * the focused row; rows imported in bulk are highlighted too, and a click shows a row whose page is not
 * read; undo takes the evidence back, highlight and all.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { api } from '../helpers/clients';
import { csvOf, importFile } from '../helpers/import';
import { cell } from './browser';
import { browserSuite } from './fixtures';
import { actorList, pagedPage, pageRows, rowsDataset } from './paged-setup';
import { dragSelect } from './select-text';

const DATASET = 'paged-sources';
const TEXT = 'Seoul, 14 Feb. North Korea fired two short-range missiles into the sea on Wednesday.\n\n'
  + 'South Korea’s defence ministry condemned the launch and called for talks. Analysts expect more tests this spring.';
const FIRED = 'North Korea fired two short-range missiles into the sea';
const CONDEMNED = 'South Korea’s defence ministry condemned the launch';
const CALLED = 'called for talks';
const ANALYSTS = 'Analysts expect more tests this spring.';
const codePoint = (exact: string) => Array.from(TEXT.slice(0, TEXT.indexOf(exact))).length;

const e2e = browserSuite();
let ana: Page;
let ben: Page;
let rows: string[];
let source = '';
let token = '';

const marksOf = (page: Page, row: string) => page.getByTestId('source-text').locator(`mark[data-rows~="events/${row}"]`);
const markedText = (page: Page, row: string) => marksOf(page, row).evaluateAll((marks) => marks.map((m) => m.textContent).join(''));
const focusedRow = (page: Page) => page.locator('.ag-cell-focus').first().evaluate((el) => el.closest('.ag-row')?.getAttribute('row-id') ?? null);
const evidenceOf = async (row: string) => (await pageRows(e2e.server, DATASET)).find((r) => r.row_id === row)?.evidence ?? null;

/** Selects `passage` in the pane's text without the mouse (a drag is in select-text.ts). */
async function selectText(page: Page, passage: string): Promise<void> {
  await page.getByTestId('source-text').evaluate((el, wanted) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let node = walker.nextNode();
    while (node && !node.textContent!.includes(wanted)) node = walker.nextNode();
    if (!node) throw new Error(`"${wanted}" is not in one piece of the text`);
    const range = document.createRange();
    range.setStart(node, node.textContent!.indexOf(wanted));
    range.setEnd(node, node.textContent!.indexOf(wanted) + wanted.length);
    document.getSelection()!.removeAllRanges();
    document.getSelection()!.addRange(range);
  }, passage);
}

/** Opens the reading pane from the toolbar, and the source in it. */
async function openSource(page: Page): Promise<void> {
  await page.getByTestId('reading-toggle').click();
  const pane = page.getByTestId('reading-pane');
  await pane.locator('.source-item', { hasText: 'Launch' }).click();
  await expect.poll(() => pane.getByTestId('source-text').textContent()).toBe(TEXT);
}

beforeAll(async () => {
  const anaUser = await createUser(e2e.server, 'Ana Lima', 'editor');
  token = anaUser.token;
  const benUser = await createUser(e2e.server, 'Ben Okafor', 'editor');
  rows = await rowsDataset(e2e.server, DATASET, anaUser.token, [{ summary: 'Launch' }, { summary: 'Condemnation' }, { summary: 'Other' }], e2e.clients);
  const created = await api(e2e.server, `/api/datasets/${DATASET}/sources`, { body: { title: 'Launch', text: TEXT, outlet: 'Yonhap' } });
  expect(created.status).toBe(201);
  source = created.body.id as string;
  ana = (await pagedPage(e2e.browser, e2e.server, DATASET, anaUser.token, rows[0]!)).page;
  ben = (await pagedPage(e2e.browser, e2e.server, DATASET, benUser.token, rows[0]!)).page;
});

describe('sources in the paged grid', () => {
  it('adds a selected passage to the focused row’s evidence, into the row’s own document, highlighted here and live in another browser', async () => {
    await openSource(ben);
    await cell(ana, rows[0]!, 'summary').click();
    await openSource(ana);
    await dragSelect(ana, FIRED);
    await ana.keyboard.press('a');

    const anchor = { source, start: codePoint(FIRED), end: codePoint(FIRED) + Array.from(FIRED).length, exact: FIRED };
    await expect.poll(() => evidenceOf(rows[0]!)).toEqual([anchor]);
    await expect.poll(() => markedText(ana, rows[0]!)).toBe(FIRED);
    expect(await marksOf(ana, rows[0]!).first().getAttribute('class')).toContain('current');
    await expect.poll(() => cell(ana, rows[0]!, 'evidence').textContent()).toBe('“North Korea fired two short-range missi…”');
    // Another coder with the source open sees the passage highlighted, from the row's delta.
    await expect.poll(() => markedText(ben, rows[0]!)).toBe(FIRED);
  });

  it('shows the other browser’s new anchor live, and a highlight’s row on a click', async () => {
    await cell(ben, rows[1]!, 'summary').click();
    await dragSelect(ben, CONDEMNED);
    await ben.getByTestId('add-evidence').click();
    await expect.poll(() => markedText(ana, rows[1]!)).toBe(CONDEMNED);

    // Ana clicks Ben's passage: the grid goes to its row.
    await marksOf(ana, rows[1]!).first().click();
    await expect.poll(() => focusedRow(ana)).toBe(rows[1]!);
  });

  it('emphasises the focused row’s passage', async () => {
    await cell(ana, rows[0]!, 'actor1').click();
    await expect.poll(() => marksOf(ana, rows[0]!).first().getAttribute('class')).toContain('current');
    expect(await marksOf(ana, rows[1]!).first().getAttribute('class')).not.toContain('current');
    await cell(ana, rows[1]!, 'actor1').click();
    await expect.poll(() => marksOf(ana, rows[1]!).first().getAttribute('class')).toContain('current');
  });

  it('makes a new event from a passage (E) and shows it, focused, at the sheet’s end', async () => {
    const before = new Set((await pageRows(e2e.server, DATASET)).map((r) => r.row_id));
    await dragSelect(ana, CALLED);
    await ana.keyboard.press('e');
    const start = codePoint(CALLED);
    await expect.poll(async () => (await pageRows(e2e.server, DATASET)).filter((r) => !before.has(r.row_id)).map((r) => r.evidence))
      .toEqual([[{ source, start, end: start + Array.from(CALLED).length, exact: CALLED }]]);
    const row = (await pageRows(e2e.server, DATASET)).find((r) => !before.has(r.row_id))!.row_id;
    await expect.poll(() => focusedRow(ana)).toBe(row);
    await expect.poll(() => marksOf(ana, row).first().getAttribute('class')).toContain('current');
    await expect.poll(() => markedText(ben, row)).toBe(CALLED);
  });

  it('offers the actors a selected passage names, for the focused row, written into its own document', async () => {
    // An actor list, named by the events' actor1 column: the grid reads it as the column comes to name it.
    await actorList(e2e.server, DATASET, token, [{ name: 'North Korea', aliases: ['Pyongyang', 'DPRK'] }, { name: 'South Korea', aliases: ['Seoul'] }], e2e.clients);
    await cell(ana, rows[2]!, 'summary').click();
    await selectText(ana, FIRED);
    const offers = ana.getByTestId('actor-offers');
    await expect.poll(() => offers.locator('.actor-offer').evaluateAll((els) => els.map((e) => e.getAttribute('data-actor')))).toEqual(['North Korea']);
    await offers.locator('[data-actor="North Korea"] [data-column=actor1]').click();
    await expect.poll(async () => (await pageRows(e2e.server, DATASET)).find((r) => r.row_id === rows[2])?.actor1).toBe('North Korea');
    await expect.poll(() => cell(ana, rows[2]!, 'actor1').textContent()).toBe('North Korea');
  });
  it('reads the highlights again when rows come in bulk (an import), and shows a highlight’s row not loaded yet', async () => {
    const start = codePoint(ANALYSTS);
    const filler = Array.from({ length: 299 }, (_, i) => [`Filler ${i}`, '']);
    const imported = await importFile(e2e.server, DATASET, 'events', csvOf([['summary', 'evidence'], ...filler,
      ['Imported', `${source}:${start}-${start + Array.from(ANALYSTS).length}`]]));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const row = (await pageRows(e2e.server, DATASET)).find((r) => r.summary === 'Imported')!.row_id;
    await expect.poll(() => markedText(ana, row)).toBe(ANALYSTS);
    await expect.poll(() => markedText(ben, row)).toBe(ANALYSTS);

    // Its page is not read: a click on its passage asks the server where it stands, and goes there.
    expect(await cell(ana, row, 'summary').count()).toBe(0);
    await marksOf(ana, row).first().click();
    await expect.poll(() => focusedRow(ana)).toBe(row);
    await expect.poll(() => cell(ana, row, 'summary').textContent()).toBe('Imported');
  });

  it('takes the evidence back with undo, and its highlight in both browsers', async () => {
    await ben.locator('body').press('Control+z');
    await expect.poll(() => evidenceOf(rows[1]!)).toBe(null);
    await expect.poll(() => marksOf(ana, rows[1]!).count()).toBe(0);
    await expect.poll(() => marksOf(ben, rows[1]!).count()).toBe(0);
    expect(await markedText(ana, rows[0]!)).toBe(FIRED);
  });
});
