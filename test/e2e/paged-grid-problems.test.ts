/**
 * The checks of the document grid in the paged grid, for the rows it has read: a required cell left
 * empty, a code not in the list, a bad date; marked on the cell (with why, as its tooltip) and the row
 * number, counted in the footer, and gone as soon as the row is fixed, here or by someone else. Column headers
 * show their description as their tooltip.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { getRowCells } from '../../model/row-document';
import { createUser } from '../helpers/api';
import { cell, typeInto } from './browser';
import { browserSuite } from './fixtures';
import { pagedPage, rowsDataset } from './paged-setup';

const DATASET = 'paged-problems';
const e2e = browserSuite();
let page: Page;
let token: string;
let rows: string[];

const classes = async (rowId: string, columnId: string) => (await cell(page, rowId, columnId).getAttribute('class'))?.split(' ') ?? [];
const complete = { event_date: '2024-03-01', date_precision: 'day', actor1: 'China', event_type: 'AGREE', summary: 'Fine' };

beforeAll(async () => {
  const user = await createUser(e2e.server, 'Ana Lima', 'editor');
  token = user.token;
  rows = await rowsDataset(e2e.server, DATASET, token, [
    complete,
    { ...complete, event_type: 'BOGUS', event_date: '1 March' },
    { ...complete, actor1: null, summary: 'No actor' },
  ], e2e.clients);
  page = (await pagedPage(e2e.browser, e2e.server, DATASET, token, rows[0]!)).page;
});

describe('problems of loaded rows', () => {
  it('marks a code not in the list, a bad date and a missing required cell, and counts the rows', async () => {
    await expect.poll(() => classes(rows[1]!, 'event_type')).toContain('cell-problem');
    expect(await classes(rows[1]!, 'event_date')).toContain('cell-problem');
    expect(await classes(rows[1]!, 'actor1')).not.toContain('cell-problem');
    expect(await classes(rows[2]!, 'actor1')).toEqual(expect.arrayContaining(['cell-problem', 'cell-missing']));
    for (const column of ['event_date', 'actor1', 'event_type', 'summary']) expect(await classes(rows[0]!, column)).not.toContain('cell-problem');
    expect(await cell(page, rows[1]!, '_row').locator('.row-marker.problem').count()).toBe(1);
    expect(await cell(page, rows[0]!, '_row').locator('.row-marker.problem').count()).toBe(0);
    expect(await page.getByTestId('problem-count').textContent()).toBe('2 loaded with problems');

    await cell(page, rows[1]!, 'event_type').hover();
    await expect.poll(() => cell(page, rows[1]!, 'event_type').getAttribute('title')).toContain('not in the code list');
  });

  it("shows a column's description as its header's tooltip, and the review column's what a status is", async () => {
    const headerTitle = (columnId: string) => page.locator(`.ag-header-cell[col-id=${columnId}]`).evaluate((el) =>
      [el, ...el.querySelectorAll('[title]')].map((e) => e.getAttribute('title') ?? '').join(' ').trim());
    expect(await headerTitle('event_type')).toBe('PLOVER event type.');
    expect(await headerTitle('review_status')).toContain('Review status of the row');
  });

  it('clears a problem fixed in this tab, and one fixed by someone else', async () => {
    await typeInto(page, rows[2]!, 'actor1', 'Japan');
    await expect.poll(() => classes(rows[2]!, 'actor1')).not.toContain('cell-problem');
    await expect.poll(() => page.getByTestId('problem-count').textContent()).toBe('1 loaded with problems');

    const other = await e2e.rowClient(DATASET, rows[1]!, token);
    other.doc.transact(() => {
      getRowCells(other.doc).set('event_type', 'CONSULT');
      getRowCells(other.doc).set('event_date', '2024-03-02');
    });
    await expect.poll(() => classes(rows[1]!, 'event_type')).not.toContain('cell-problem');
    expect(await classes(rows[1]!, 'event_date')).not.toContain('cell-problem');
    await expect.poll(() => page.getByTestId('problem-count').textContent()).toBe('');
  });
});
