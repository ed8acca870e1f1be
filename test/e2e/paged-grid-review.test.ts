/**
 * Review in the paged grid (a dataset in the `rows` layout), in two browsers: each row's status, a flag
 * raised from the right-click menu and shown live to the coder, resolved from the review panel,
 * approving (refused by four eyes to whoever changed the row), an edit unapproving the row, the status
 * filter asking the server, and a row's history.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { newRowId } from '../../model/ids';
import { getRowCells } from '../../model/row-document';
import { type CreatedUser, createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { cell, typeInto, waitLive } from './browser';
import { browserSuite } from './fixtures';

const DATASET = 'paged-review';
const e2e = browserSuite();
let coder: CreatedUser;
let rita: Page; // reviewer
let cody: Page; // coder (editor)
const rows = [newRowId(), newRowId(), newRowId()];

const statusOf = (page: Page, rowId: string) => cell(page, rowId, 'review_status').locator('.status-pill').getAttribute('data-status');
const classOf = (page: Page, rowId: string, columnId: string) => cell(page, rowId, columnId).getAttribute('class');
/** The rows shown, once each (a row is drawn in the pinned parts of the grid too). */
const shownRows = (page: Page) => page.locator('.ag-row[row-id]').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('row-id')))]);

async function open(token: string): Promise<Page> {
  const { page } = await e2e.signedIn(token, `/d/${DATASET}/events`);
  // The first page load of a profile builds the grid while other tests share the two cores: allow it longer.
  await cell(page, rows[2]!, 'summary').waitFor({ timeout: 30_000 });
  await waitLive(page);
  return page;
}

beforeAll(async () => {
  coder = await createUser(e2e.server, 'Cody Coder', 'editor');
  const reviewer = await createUser(e2e.server, 'Rita Reviewer', 'reviewer');
  expect((await api(e2e.server, '/api/datasets', { body: { id: DATASET, name: 'Paged review', layout: 'rows' } })).status).toBe(201);
  for (const [i, rowId] of rows.entries()) {
    const c = await e2e.rowClient(DATASET, rowId, coder.token);
    c.doc.transact(() => {
      getRowCells(c.doc).set('summary', `Summary ${i + 1}`);
      getRowCells(c.doc).set('actor1', 'China');
    });
  }
  await eventually(async () => expect(((await api(e2e.server, `/api/datasets/${DATASET}/sheets/events/rows`)).body as { total: number }).total).toBe(3));
  rita = await open(reviewer.token);
  cody = await open(coder.token);
});

describe('review in the paged grid', () => {
  it('shows each row as unreviewed to begin with', async () => {
    for (const row of rows) await expect.poll(() => statusOf(cody, row)).toBe('unreviewed');
  });

  it("marks a cell the reviewer flags in the coder's grid live, with the row's status and marker", async () => {
    const row = rows[0]!;
    await cell(rita, row, 'actor1').click({ button: 'right' });
    await rita.locator('[data-testid=context-menu] [data-action=flag-cell]').click();
    const dialog = rita.getByTestId('flag-dialog');
    await dialog.getByTestId('flag-reason').selectOption('wrong_actor');
    await dialog.getByTestId('flag-note').fill('Is it not Taiwan?');
    await dialog.getByTestId('flag-submit').click();
    await dialog.waitFor({ state: 'detached' });

    await expect.poll(() => statusOf(cody, row)).toBe('flagged');
    await expect.poll(() => classOf(cody, row, 'actor1')).toContain('cell-flagged');
    expect(await classOf(cody, row, 'summary')).not.toContain('cell-flagged');
    await expect.poll(() => cell(cody, row, '_row').locator('.row-marker.flagged').count()).toBe(1);
    expect(await statusOf(cody, rows[1]!)).toBe('unreviewed');
    // The flag's note is the cell's tooltip and the status cell's, as it came.
    await expect.poll(() => cell(cody, row, 'actor1').getAttribute('title')).toContain('Is it not Taiwan?');
    await expect.poll(() => cell(cody, row, 'review_status').getAttribute('title')).toContain('Is it not Taiwan?');
    expect(await cell(cody, rows[1]!, 'review_status').getAttribute('title')).toBe('Unreviewed');
  });

  it('shows only the flagged rows when the status filter asks for them, read from the server', async () => {
    await cody.getByTestId('status-filter').selectOption('flagged');
    await expect.poll(() => shownRows(cody)).toEqual([rows[0]]);
    await cody.getByTestId('status-filter').selectOption('');
    await expect.poll(async () => (await shownRows(cody)).length).toBe(3);
  });

  it('resolves the flag from the review panel; the row is unreviewed again for everyone', async () => {
    const row = rows[0]!;
    await cell(rita, row, 'actor1').click({ button: 'right' });
    await rita.locator('[data-testid=context-menu] [data-action=open-thread]').click();
    const panel = rita.getByTestId('review-panel');
    await panel.getByTestId('resolve').click();
    await expect.poll(() => statusOf(cody, row)).toBe('unreviewed');
    await expect.poll(() => statusOf(rita, row)).toBe('unreviewed');
    await expect.poll(() => classOf(cody, row, 'actor1')).not.toContain('cell-flagged');
    expect(await cell(cody, row, 'actor1').getAttribute('title')).toBeNull();
    expect(await cell(cody, row, 'review_status').getAttribute('title')).toBe('Unreviewed');
  });

  it("approves a row from the grid's menu; the coder's edit of it takes the approval away", async () => {
    const row = rows[1]!;
    await cell(rita, row, 'summary').click({ button: 'right' });
    await rita.locator('[data-testid=context-menu] [data-action=approve]').click();
    await expect.poll(() => statusOf(cody, row)).toBe('approved');
    await expect.poll(() => cell(cody, row, '_row').locator('.row-marker.approved').count()).toBe(1);

    await typeInto(cody, row, 'summary', 'Changed after approval');
    await expect.poll(() => statusOf(rita, row)).toBe('unreviewed');
  });

  it('refuses, by four eyes, the approval of a row to whoever changed it; someone else approves it', async () => {
    const row = rows[1]!; // Cody changed it in the test before.
    await cell(cody, row, 'actor1').click({ button: 'right' });
    await cody.locator('[data-testid=context-menu] [data-action=approve]').click();
    await expect.poll(() => cody.locator('.toast.error').last().textContent()).toMatch(/four eyes/);
    expect(await statusOf(cody, row)).toBe('unreviewed');

    await cell(rita, row, 'actor1').click({ button: 'right' });
    await rita.locator('[data-testid=context-menu] [data-action=approve]').click();
    await expect.poll(() => statusOf(cody, row)).toBe('approved');
  });

  it("shows a row's story from the grid's menu, and follows the focused row", async () => {
    await cell(rita, rows[1]!, 'summary').click({ button: 'right' });
    await rita.locator('[data-testid=context-menu] [data-action=history]').click();
    const history = rita.getByTestId('history');
    await expect.poll(() => history.textContent()).toContain('Changed after approval');
    await cell(rita, rows[0]!, 'summary').click();
    await expect.poll(() => history.textContent()).toContain('Is it not Taiwan?');
  });
});
