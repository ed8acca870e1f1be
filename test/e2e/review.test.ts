/**
 * Issue 4's review loop in two browsers: a reviewer flags a cell, the coder sees the mark live, fixes
 * the cell and answers in the thread; the reviewer resolves and approves, and the approved-rows export
 * has the row. Plus flagging a row from the keyboard, the status filter, four eyes and the progress view.
 */
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser, exportSheet } from '../helpers/api';
import { cell, cellText, openSheet, rowIds, typeInto } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let rita: Page; // reviewer
let cody: Page; // coder (editor)

beforeAll(async () => {
  const reviewer = await createUser(e2e.server, 'Rita Reviewer', 'reviewer');
  const coder = await createUser(e2e.server, 'Cody Coder', 'editor');
  rita = (await e2e.signedIn(reviewer.token, '/d/demo/events')).page;
  cody = (await e2e.signedIn(coder.token, '/d/demo/events')).page;
  await openSheet(rita, 'demo', 'events');
  await openSheet(cody, 'demo', 'events');
});

const classOf = (page: Page, rowId: string, columnId: string) => cell(page, rowId, columnId).getAttribute('class');
const statusOf = (page: Page, rowId: string) => cell(page, rowId, 'review_status').locator('.status-pill').getAttribute('data-status');

async function approvedExport(): Promise<Array<Record<string, string>>> {
  const { status, text } = await exportSheet(e2e.server, 'demo', 'events', 'rows=approved');
  expect(status).toBe(200);
  return parse(text, { columns: true }) as Array<Record<string, string>>;
}

describe('reviewing in two browsers', () => {
  it('marks a cell the reviewer flags in the coder’s browser live; the coder fixes it and answers; the reviewer resolves and approves, and the approved export has the row', async () => {
    const row = (await rowIds(rita))[0]!;
    expect(await cellText(rita, row, 'cameo_code')).toBe('04x');
    expect(await approvedExport()).toEqual([]);

    // Rita flags the CAMEO cell from its right-click menu.
    await cell(rita, row, 'cameo_code').click({ button: 'right' });
    await rita.locator('[data-testid=context-menu] [data-action=flag-cell]').click();
    const dialog = rita.getByTestId('flag-dialog');
    await dialog.getByTestId('flag-reason').selectOption('codebook_question');
    await dialog.getByTestId('flag-note').fill('CAMEO codes have three digits: is 04x meant to be 040?');
    await dialog.getByTestId('flag-submit').click();
    await dialog.waitFor({ state: 'detached' });

    // Cody sees the mark on that cell, and only that cell, and the row's status, without reloading.
    await expect.poll(() => classOf(cody, row, 'cameo_code')).toContain('cell-flagged');
    await expect.poll(() => statusOf(cody, row)).toBe('flagged');
    expect(await classOf(cody, row, 'event_type')).not.toContain('cell-flagged');
    await expect.poll(() => cell(cody, row, '_row').locator('.row-marker.flagged').count()).toBe(1);
    expect(await cell(cody, row, 'cameo_code').getAttribute('title')).toContain('is 04x meant to be 040?');

    // Cody fixes the cell, then finds the flag among the flags on his rows and answers.
    await typeInto(cody, row, 'cameo_code', '040');
    await expect.poll(() => cellText(rita, row, 'cameo_code')).toBe('040');
    await cody.getByTestId('review-button').click();
    const codyPanel = cody.getByTestId('review-panel');
    await expect.poll(() => codyPanel.locator('.segment[aria-selected=true]').getAttribute('data-scope')).toBe('mine');
    const card = codyPanel.locator(`.flag-card[data-row="${row}"]`);
    await card.click();
    await codyPanel.getByTestId('reply-text').fill('Yes: a meeting is 040 (consult). Fixed.');
    await codyPanel.getByTestId('reply-send').click();
    await expect.poll(() => codyPanel.getByTestId('thread').textContent()).toContain('Fixed.');

    // While the flag is open nobody may approve the row, and Cody is told why before he tries.
    await expect.poll(() => codyPanel.getByTestId('approve-why').textContent()).toMatch(/open flag/);
    expect(await codyPanel.getByTestId('approve-row').isDisabled()).toBe(true);
    expect(await statusOf(cody, row)).toBe('flagged');

    // Rita sees the answer and the fix in the thread, resolves the flag, and approves the row.
    await rita.getByTestId('review-button').click();
    const ritaPanel = rita.getByTestId('review-panel');
    await ritaPanel.locator(`.flag-card[data-row="${row}"]`).click();
    await expect.poll(() => ritaPanel.getByTestId('thread').textContent()).toContain('a meeting is 040 (consult). Fixed.');
    await expect.poll(() => ritaPanel.locator('.flag-changes').textContent()).toContain('040');
    await ritaPanel.getByTestId('resolution').fill('Thanks, 040 it is.');
    await ritaPanel.getByTestId('resolve').click();
    await expect.poll(() => ritaPanel.getByTestId('flag-state').textContent()).toBe('Resolved');
    await expect.poll(() => classOf(cody, row, 'cameo_code')).not.toContain('cell-flagged');
    await expect.poll(() => statusOf(cody, row)).toBe('unreviewed');

    // Four eyes: Cody changed the row, so he may not approve it, and he is told why before he tries.
    await expect.poll(() => codyPanel.getByTestId('approve-why').textContent()).toMatch(/four eyes/);
    expect(await codyPanel.getByTestId('approve-row').isDisabled()).toBe(true);
    expect(await statusOf(cody, row)).toBe('unreviewed');

    await ritaPanel.getByTestId('approve-row').click();
    await expect.poll(() => statusOf(rita, row)).toBe('approved');
    await expect.poll(() => statusOf(cody, row)).toBe('approved');
    expect(await ritaPanel.getByTestId('review-error').isHidden()).toBe(true);

    // The resolution is in Cody's thread too.
    await expect.poll(() => codyPanel.getByTestId('thread').textContent()).toContain('Thanks, 040 it is.');

    const approved = await approvedExport();
    expect(approved.map((r) => r.row_id)).toEqual([row]);
    expect(approved[0]).toMatchObject({ review_status: 'approved', open_flags: '0', cameo_code: '040', updated_by: 'Cody Coder' });
  });

  it('flags a whole row with Ctrl+Shift+F from its row number, and filters the grid to the flagged rows', async () => {
    const ids = await rowIds(rita);
    const row = ids[2]!;
    await cell(rita, row, '_row').click();
    await rita.keyboard.press('Control+Shift+F');
    const dialog = rita.getByTestId('flag-dialog');
    expect(await dialog.getByTestId('flag-submit').textContent()).toBe('Flag row');
    await dialog.getByTestId('flag-reason').selectOption('duplicate');
    await dialog.getByTestId('flag-submit').click();
    await dialog.waitFor({ state: 'detached' });

    await expect.poll(() => statusOf(cody, row)).toBe('flagged');
    // A row flag marks the row, not a cell.
    expect(await cody.locator(`.ag-row[row-id="${row}"] .cell-flagged`).count()).toBe(0);

    await cody.getByTestId('status-filter').selectOption('flagged');
    await expect.poll(() => rowIds(cody)).toEqual([row]);
    await cody.getByTestId('status-filter').selectOption('approved');
    await expect.poll(() => rowIds(cody)).toEqual([ids[0]]);
    await cody.getByTestId('status-filter').selectOption('');
    await expect.poll(async () => (await rowIds(cody)).length).toBe(ids.length);
  });

  it('offers no flagging to a viewer, who still sees the marks', async () => {
    const viewer = await createUser(e2e.server, 'Vera Viewer', 'viewer');
    const vera = (await e2e.signedIn(viewer.token, '/d/demo/events')).page;
    await openSheet(vera, 'demo', 'events');
    const row = (await rowIds(vera))[2]!;
    await expect.poll(() => statusOf(vera, row)).toBe('flagged');
    expect(await vera.getByTestId('flag-button').count()).toBe(0);
    await cell(vera, row, 'actor1').click({ button: 'right' });
    const menu = vera.getByTestId('context-menu');
    await menu.waitFor();
    expect(await menu.locator('[data-action=flag-cell], [data-action=flag-row], [data-action=approve]').count()).toBe(0);
    expect(await menu.locator('[data-action=open-thread]').count()).toBe(1);
    await vera.keyboard.press('Escape');
    await vera.context().close();
  });

  it('shows the progress view from the dataset page, counting the approved and flagged rows', async () => {
    await rita.getByTestId('progress-link').click();
    await rita.waitForURL('**/d/demo/-/progress');
    const progress = rita.getByTestId('progress');
    await progress.waitFor();
    await expect.poll(() => progress.locator('[data-stat=flagged] .stat-value').textContent()).toBe('1');
    await expect.poll(() => progress.locator('[data-stat=approved] .stat-detail').textContent()).toBe('1 row');
    // Four charts, drawn.
    await expect.poll(() => progress.locator('canvas').evaluateAll((canvases) =>
      canvases.filter((c) => (c as HTMLCanvasElement).width > 0 && (c as HTMLCanvasElement).height > 0).length)).toBe(4);
  });
});
