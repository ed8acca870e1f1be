/**
 * The review rules in the browser: the coder of a flagged row answers or marks it fixed and cannot
 * resolve it; the approve button says why it cannot be used before it is clicked; the row history
 * tells the row's story in plain words; bulk approval lists the rows refused and why. Plus the grid's
 * small things: the event picker opens on typing in the cell Tab went to, the footer counts the rows
 * a search shows, read-only footers list no editing keys, the toolbar fits one line at 1280 px, name
 * tags leave the cell text free, and problem marks show under the focus.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVENTS } from '../../model/demo';
import { createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { cell, cellText, openSheet, rowIds, typeInto } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let rita: Page; // reviewer
let cody: Page; // coder (editor)
let row: string; // the row Cody codes and Rita flags

beforeAll(async () => {
  const reviewer = await createUser(e2e.server, 'Rita Reviewer', 'reviewer');
  const coder = await createUser(e2e.server, 'Cody Coder', 'editor');
  rita = (await e2e.signedIn(reviewer.token, '/d/demo/events')).page;
  cody = (await e2e.signedIn(coder.token, '/d/demo/events')).page;
  await openSheet(rita, 'demo', 'events');
  await openSheet(cody, 'demo', 'events');
  row = (await rowIds(cody))[1]!;
});

const statusOf = (page: Page, rowId: string) => cell(page, rowId, 'review_status').locator('.status-pill').getAttribute('data-status');

/** Opens the review panel (if it is not) on the thread of the row's flag. */
async function openThread(page: Page, rowId: string) {
  const panel = page.getByTestId('review-panel');
  if ((await panel.count()) === 0) await page.getByTestId('review-button').click();
  if ((await panel.getByTestId('flag-detail').count()) > 0) await panel.getByTestId('review-back').click();
  await panel.locator(`.flag-card[data-row="${rowId}"]`).click();
  return panel;
}

describe('the review rules in two browsers', () => {
  it('lets the coder answer and mark a flag fixed but not resolve it, and the reviewer sees the fix in the thread', async () => {
    // Cody codes the date; Rita flags it.
    await typeInto(cody, row, 'event_date', '2024-02-21');
    await expect.poll(() => cellText(rita, row, 'event_date')).toBe('2024-02-21');
    await cell(rita, row, 'event_date').click({ button: 'right' });
    await rita.locator('[data-testid=context-menu] [data-action=flag-cell]').click();
    const dialog = rita.getByTestId('flag-dialog');
    await dialog.getByTestId('flag-reason').selectOption('wrong_date');
    await dialog.getByTestId('flag-note').fill('Is it Thursday?');
    await dialog.getByTestId('flag-submit').click();
    await dialog.waitFor({ state: 'detached' });

    // Cody's thread: the step with who, what and the note; Answer and Mark fixed, no Resolve, and why.
    const codyPanel = await openThread(cody, row);
    await expect.poll(() => codyPanel.getByTestId('coder-note').textContent())
      .toMatch(/You changed this row, so you answer the flag or mark it fixed; Rita Reviewer .*resolves it/);
    expect(await codyPanel.getByTestId('resolve').isVisible()).toBe(false);
    expect(await codyPanel.getByTestId('resolution').isVisible()).toBe(false);
    expect(await codyPanel.getByTestId('reply-send').textContent()).toBe('Answer');
    expect(await codyPanel.locator('[data-step=flagged]').textContent()).toMatch(/Rita Reviewer flagged Date: wrong date · .*Is it Thursday\?/);

    // Cody fixes the cell and marks the flag fixed: a comment of kind "fixed".
    await typeInto(cody, row, 'event_date', '2024-02-22');
    await codyPanel.getByTestId('reply-text').fill('Thursday it is: 2024-02-22.');
    await codyPanel.getByTestId('mark-fixed').click();
    await expect.poll(async () => (await api(e2e.server, `/api/datasets/demo/flags?row=${row}`)).body[0]?.comments)
      .toEqual([expect.objectContaining({ by: 'Cody Coder', kind: 'fixed', text: 'Thursday it is: 2024-02-22.' })]);
    expect((await api(e2e.server, `/api/datasets/demo/flags?row=${row}`)).body[0].status).toBe('open');
    await expect.poll(() => codyPanel.getByTestId('reply-text').inputValue()).toBe('');

    // Rita sees the step in her thread, and she may resolve.
    const ritaPanel = await openThread(rita, row);
    await expect.poll(() => ritaPanel.locator('[data-testid=thread] [data-step=fixed]').textContent())
      .toMatch(/Cody Coder marked it fixed · .*Thursday it is: 2024-02-22\./);
    expect(await ritaPanel.getByTestId('resolve').isVisible()).toBe(true);
    expect(await ritaPanel.getByTestId('mark-fixed').isVisible()).toBe(false);
    expect(await ritaPanel.getByTestId('coder-note').isVisible()).toBe(false);
  });

  it('says on the approve button why it cannot be used: open flags for all, four eyes for the coder, nothing for another reviewer', async () => {
    const ritaPanel = rita.getByTestId('review-panel');
    const codyPanel = cody.getByTestId('review-panel');
    await expect.poll(() => ritaPanel.getByTestId('approve-why').textContent()).toMatch(/1 open flag/);
    expect(await ritaPanel.getByTestId('approve-row').isDisabled()).toBe(true);

    await ritaPanel.getByTestId('resolution').fill('Thanks.');
    await ritaPanel.getByTestId('resolve').click();
    await expect.poll(() => statusOf(cody, row)).toBe('unreviewed');

    // Cody coded the row: his button is disabled, and says why, in view and as its tooltip.
    await expect.poll(() => codyPanel.getByTestId('approve-why').textContent()).toMatch(/You changed this row .*four eyes/);
    expect(await codyPanel.getByTestId('approve-row').isDisabled()).toBe(true);
    expect(await codyPanel.getByTestId('approve-row').getAttribute('title')).toMatch(/four eyes/);

    // Rita did not: once the flag is resolved her button is enabled, with nothing against it.
    await expect.poll(() => ritaPanel.getByTestId('approve-row').isEnabled()).toBe(true);
    expect(await ritaPanel.getByTestId('approve-why').isHidden()).toBe(true);
    await ritaPanel.getByTestId('approve-row').click();
    await expect.poll(() => statusOf(cody, row)).toBe('approved');
    await expect.poll(() => ritaPanel.getByTestId('approve-row').textContent()).toBe('✓ Row approved');
  });

  it('shows the flag, the fix, the resolution and the approval in the row history, and an edit setting it back, live', async () => {
    await cell(rita, row, 'actor1').click();
    await rita.getByTestId('history-button').click();
    const history = rita.getByTestId('history');
    const texts = () => history.locator('.history-text').allTextContents();
    await expect.poll(texts).toContain('Approved by Rita Reviewer');
    const story = await texts();
    const expected = [
      'Approved by Rita Reviewer',
      'Rita Reviewer resolved the flag (wrong date): Thanks.',
      'Cody Coder marked it fixed: Thursday it is: 2024-02-22.',
      'Cody Coder changed Date from “2024-02-21” to “2024-02-22”',
      'Rita Reviewer flagged Date: wrong date — Is it Thursday?',
      'Cody Coder changed Date from “2024-02-22” to “2024-02-21”',
    ];
    // Newest first.
    expect(story.filter((t) => expected.includes(t))).toEqual(expected);
    expect(await history.locator('[data-kind=approved] time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);

    await typeInto(cody, row, 'location', 'Beijing');
    await expect.poll(texts).toContain('Set back to unreviewed by Cody Coder’s edit');
    expect(await texts()).toContain('Cody Coder set Location to “Beijing”');
    await rita.getByTestId('history-button').click();
  });

  it('lists every row a bulk approval refused, with the reason', async () => {
    const ids = await rowIds(cody);
    await cell(cody, ids[0]!, '_row').click();
    await cell(cody, ids[2]!, '_row').click({ modifiers: ['Shift'] });
    const panel = cody.getByTestId('review-panel');
    if ((await panel.getByTestId('flag-detail').count()) > 0) await panel.getByTestId('review-back').click();
    await panel.getByTestId('approve-selected').click();
    const refused = panel.locator('[data-testid=refused-rows] li');
    await expect.poll(() => refused.count()).toBe(1);
    expect(await refused.getAttribute('data-row')).toBe(row);
    expect(await refused.textContent()).toMatch(/row 2 .*— You changed this row .*four eyes/);
    expect(await panel.getByTestId('approve-error').textContent()).toMatch(/^2 approved; 1 not:/);
    await expect.poll(() => statusOf(rita, ids[0]!)).toBe('approved');
    await expect.poll(() => statusOf(rita, ids[2]!)).toBe('approved');
    expect(await statusOf(rita, row)).toBe('unreviewed');
  });
});

describe('the grid’s small things', () => {
  it('opens the event picker on typing in a statement’s event that Tab selected, as a code list opens', async () => {
    await cody.locator('.tab[data-sheet=statements]').click();
    await cody.waitForURL(/\/d\/demo\/statements$/);
    const statement = (await rowIds(cody))[3]!;
    await cell(cody, statement, 'channel').click();
    await cody.keyboard.press('Enter');
    await cody.locator('.pick-editor.pick-enum').waitFor();
    // Tab commits and selects the next cell, as in a spreadsheet; typing there opens its editor.
    await cody.keyboard.press('Tab');
    await expect.poll(() => cell(cody, statement, 'event_id').getAttribute('class')).toContain('ag-cell-focus');
    expect(await cody.locator('.popup-editor').count()).toBe(0);
    await cody.keyboard.type('P');
    await cody.locator('.pick-editor.pick-ref').waitFor();
    expect(await cody.evaluate(() => document.activeElement?.className)).toBe('pick-filter');
    await cody.keyboard.type('utin');
    await cody.keyboard.press('Tab');
    await expect.poll(() => cellText(cody, statement, 'event_id')).toContain('Putin accepts an invitation');
    await cody.keyboard.press('Escape');
    await cody.locator('.tab[data-sheet=events]').click();
    await cody.waitForURL(/\/d\/demo\/events$/);
  });

  it('counts the rows a search shows in the footer, and all rows again without it', async () => {
    const count = cody.getByTestId('row-count');
    await expect.poll(() => count.textContent()).toBe(`${DEMO_EVENTS.length} rows`);
    await cody.getByRole('searchbox', { name: 'Search this sheet' }).fill('Putin');
    await expect.poll(() => rowIds(cody)).toHaveLength(1);
    await expect.poll(() => count.textContent()).toBe(`1 of ${DEMO_EVENTS.length} rows`);
    await cody.getByRole('searchbox', { name: 'Search this sheet' }).fill('');
    await expect.poll(() => count.textContent()).toBe(`${DEMO_EVENTS.length} rows`);
  });

  it('lists editing keys in the footer only for those who may edit', async () => {
    expect(await cody.getByTestId('footer-keys').textContent()).toMatch(/Enter\/F2 edit/);
    const keys = await rita.getByTestId('footer-keys').textContent();
    expect(keys).not.toMatch(/edit|paste|Delete|undo/);
    expect(keys).toMatch(/Ctrl\+C copy · Ctrl\+Shift\+F flag/);
  });

  it('fits the toolbar on one line at 1280 px wide, for an admin who has every tool', async () => {
    const { context, page } = await e2e.signedIn(e2e.server.adminToken, '/d/demo/events');
    try {
      await page.setViewportSize({ width: 1280, height: 720 });
      await openSheet(page, 'demo', 'events');
      const tops = await page.locator('.toolbar > *:not(.spacer)').evaluateAll((items) =>
        items.filter((el) => (el as HTMLElement).offsetParent !== null).map((el) => {
          const r = el.getBoundingClientRect();
          return Math.round(r.top + r.height / 2);
        }));
      expect(tops.length).toBeGreaterThan(10);
      expect(new Set(tops).size, `item centres: ${tops.join(', ')}`).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('puts a collaborator’s name tag where it covers none of the cell’s text, on the first row and below it', async () => {
    const ids = await rowIds(rita);
    for (const target of [ids[0]!, ids[3]!]) {
      await cell(cody, target, 'actor1').click();
      const seen = cell(rita, target, 'actor1');
      await expect.poll(() => seen.locator('.presence-tag').textContent()).toBe('Cody Coder');
      const { tag, text } = await seen.evaluate((el) => {
        const value = el.querySelector('.cell-value')!;
        const range = document.createRange();
        range.selectNodeContents([...value.childNodes].find((n) => n.nodeType === Node.TEXT_NODE)!);
        const box = (r: DOMRect) => ({ top: r.top, bottom: r.bottom, left: r.left, right: r.right });
        return { tag: box(el.querySelector('.presence-tag')!.getBoundingClientRect()), text: box(range.getBoundingClientRect()) };
      });
      const overlaps = tag.left < text.right && text.left < tag.right && tag.top < text.bottom && text.top < tag.bottom;
      expect(overlaps, JSON.stringify({ tag, text })).toBe(false);
    }
  });

  it('keeps a cell’s problem mark visible while it has the focus', async () => {
    const target = (await rowIds(rita))[6]!;
    await cell(cody, target, 'actor1').click();
    await cody.keyboard.press('Delete');
    await expect.poll(() => cell(rita, target, 'actor1').getAttribute('class')).toContain('cell-problem');
    await cell(rita, target, 'actor1').click();
    await expect.poll(() => cell(rita, target, 'actor1').getAttribute('class')).toContain('ag-cell-focus');
    const bar = await cell(rita, target, 'actor1').evaluate((el) => {
      const style = getComputedStyle(el, '::before');
      return { content: style.content, width: style.width, color: style.backgroundColor, position: style.position };
    });
    expect(bar).toEqual({ content: '""', width: '3px', color: 'rgb(229, 72, 77)', position: 'absolute' });
  });
});
