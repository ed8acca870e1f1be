/**
 * Issue 10 in Chromium: a coder opens the reading pane on the demo, selects Liu Xiaoming's quote in the
 * seed article with the mouse and makes a statement from it (S); another coder's browser shows the new
 * row and its highlight live; clicking a highlight shows its row (the next one on a shared passage, and
 * on its own sheet); a reviewer focusing the row sees its passage in the pane and in the flag's detail.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Anchor } from '../../model/anchors';
import { getSheet, readRow, sheetRows } from '../../model/document';
import { SEED_ARTICLE } from '../../model/seed-article';
import { createUser } from '../helpers/api';
import { type Client, connectSynced } from '../helpers/clients';
import { cell, openSheet, rowIds } from './browser';
import { browserSuite } from './fixtures';
import { dragSelect } from './select-text';

const QUOTE = 'All parties concerned should face the crux of the question of the peninsula and address their respective concerns in a balanced manner through meaningful dialogue';
/** Where the quote starts in the article, in code points. */
const QUOTE_START = Array.from(SEED_ARTICLE.text.slice(0, SEED_ARTICLE.text.indexOf(QUOTE))).length;
/** A passage only one demo event is coded from. */
const EVENT_PASSAGE = 'This month, North Korea’s legislature voted to scrap all economic cooperation agreements with South Korea.';

const e2e = browserSuite();
let watcher: Client;
let cody: Page; // coder
let ewa: Page; // another coder
let rita: Page; // reviewer

beforeAll(async () => {
  watcher = await connectSynced(e2e.server, 'demo');
  const [coder, other, reviewer] = await Promise.all([
    createUser(e2e.server, 'Cody Coder', 'editor'), createUser(e2e.server, 'Ewa Editor', 'editor'), createUser(e2e.server, 'Rita Reviewer', 'reviewer'),
  ]);
  cody = (await e2e.signedIn(coder.token, '/d/demo/statements')).page;
  ewa = (await e2e.signedIn(other.token, '/d/demo/statements')).page;
  rita = (await e2e.signedIn(reviewer.token, '/d/demo/statements')).page;
  await Promise.all([openSheet(cody, 'demo', 'statements'), openSheet(ewa, 'demo', 'statements'), openSheet(rita, 'demo', 'statements')]);
});

afterAll(async () => {
  watcher?.destroy();
});

/** Opens the reading pane and the seed article in it. */
async function openArticle(page: Page): Promise<void> {
  await page.getByTestId('reading-toggle').click();
  const pane = page.getByTestId('reading-pane');
  await pane.locator('.source-item', { hasText: SEED_ARTICLE.title }).click();
  await expect.poll(() => pane.getByTestId('source-text').textContent()).toBe(SEED_ARTICLE.text);
}

/** A sheet's row ids in the server's document, in id order. */
const sheetRowIds = async (sheet: string) => [...sheetRows(getSheet(watcher.doc, sheet)!).keys()].sort();

/** The row id of the grid's focused cell. */
const focusedRow = (page: Page) => page.locator('.ag-cell-focus').first().evaluate((el) => el.closest('.ag-row')?.getAttribute('row-id') ?? null);
const marksOf = (page: Page, sheet: string, row: string) => page.getByTestId('source-text').locator(`mark[data-rows~="${sheet}/${row}"]`);

describe('sources and evidence in the browser', () => {
  let statement = '';

  it('makes a statement from a passage selected in the reading pane: its quote verbatim, a direct quote, anchored in code points', async () => {
    await openArticle(cody);
    // Another coder has the article open meanwhile.
    await openArticle(ewa);
    const before = new Set(await rowIds(cody));
    await dragSelect(cody, QUOTE);
    await cody.keyboard.press('s');

    // The new row is in the grid, focused on its speaker for the coder to go on.
    await expect.poll(async () => (await rowIds(cody)).filter((id) => !before.has(id)).length).toBe(1);
    statement = (await rowIds(cody)).find((id) => !before.has(id))!;
    await expect.poll(() => focusedRow(cody)).toBe(statement);
    await expect.poll(() => cody.locator('.ag-cell-focus').getAttribute('col-id')).toBe('speaker');
    await expect.poll(() => cell(cody, statement, 'evidence').textContent()).toBe('“All parties concerned should face the c…”');

    // The server has the row as the pane wrote it.
    const anchor: Anchor = { source: expect.any(String) as unknown as string, start: QUOTE_START, end: QUOTE_START + Array.from(QUOTE).length, exact: QUOTE };
    await expect.poll(() => {
      const row = sheetRows(getSheet(watcher.doc, 'statements')!).get(statement);
      return row ? readRow(row) : null;
    }).toEqual({ quote: QUOTE, quote_type: 'direct', evidence: [anchor] });
    // Its passage is highlighted as the focused row's.
    await expect.poll(() => marksOf(cody, 'statements', statement).first().getAttribute('class')).toContain('current');
    // A direct quote that is its evidence's text is no problem.
    expect(await cell(cody, statement, 'quote').getAttribute('class')).not.toContain('cell-problem');
  });

  it('shows the new row and its highlight live in another coder’s browser; a click on a shared passage shows its rows in turn', async () => {
    expect(statement).not.toBe('');
    await expect.poll(() => cell(ewa, statement, 'quote').count()).toBe(1);
    const mark = marksOf(ewa, 'statements', statement);
    await expect.poll(() => mark.count()).toBeGreaterThan(0);
    expect(await mark.evaluateAll((marks) => marks.map((m) => m.textContent).join(''))).toBe(QUOTE);

    // The demo's first statement is coded from the same passage: each click shows the next of the two rows.
    const rows = (await mark.first().getAttribute('data-rows'))!.split(' ');
    expect(rows).toHaveLength(2);
    expect(rows).toContain(`statements/${statement}`);
    await mark.first().click();
    const first = await focusedRow(ewa);
    expect(rows).toContain(`statements/${first}`);
    await marksOf(ewa, 'statements', statement).first().click();
    await expect.poll(() => focusedRow(ewa)).not.toBe(first);
    expect(rows).toContain(`statements/${await focusedRow(ewa)}`);
  });

  it('shows an event’s row on the events sheet when its highlight is clicked', async () => {
    const mark = ewa.getByTestId('source-text').locator('mark', { hasText: 'legislature voted to scrap' });
    const [key] = (await mark.first().getAttribute('data-rows'))!.split(' ');
    expect(key).toMatch(/^events\//);
    const eventRow = key!.slice('events/'.length);
    await mark.first().click();
    await expect.poll(() => ewa.url()).toMatch(/\/d\/demo\/events$/);
    await expect.poll(() => focusedRow(ewa)).toBe(eventRow);
    expect(await mark.evaluateAll((marks) => marks.map((m) => m.textContent).join(''))).toBe(EVENT_PASSAGE);
  });

  it('anchors a passage after an emoji in a pasted source in code points, which the server accepts', async () => {
    const text = 'Seoul 😀😀 (Yonhap)\nThe ministry said: “Talks resume on Monday.”\nMore later.';
    const passage = 'Talks resume on Monday.';
    await cody.getByTestId('sources-back').click();
    await cody.getByTestId('add-source').click();
    const form = cody.getByTestId('add-source-form');
    await form.locator('[data-field=title]').fill('Talks resume');
    await form.locator('[data-field=outlet]').fill('Yonhap');
    await form.locator('[data-field=text]').fill(text);
    await form.getByTestId('source-save').click();
    await expect.poll(() => cody.getByTestId('source-text').textContent()).toBe(text);

    const before = (await sheetRowIds('events')).length;
    await dragSelect(cody, passage);
    await cody.getByTestId('new-event').click();
    const start = Array.from(text.slice(0, text.indexOf(passage))).length;
    expect(start).toBe(text.indexOf(passage) - 2);
    await expect.poll(async () => (await sheetRowIds('events')).length).toBe(before + 1);
    const row = (await sheetRowIds('events')).at(-1)!;
    await expect.poll(() => readRow(sheetRows(getSheet(watcher.doc, 'events')!).get(row)!).evidence)
      .toEqual([{ source: expect.any(String), start, end: start + passage.length, exact: passage }]);
    // The watcher has the anchor only because the server checked it against the text and applied it
    // (a refused update is sent on to nobody); and this browser's changes are stored.
    await expect.poll(() => cody.locator('[data-testid=sync-status]').getAttribute('data-state')).toBe('saved');
    await expect.poll(() => cody.url()).toMatch(/\/d\/demo\/events$/);
    await expect.poll(() => focusedRow(cody)).toBe(row);
  });

  it('shows a reviewer the passage of the row they focus, in the pane and in a flag’s detail', async () => {
    // Focusing the row opens its source in the pane and marks its passage.
    await rita.getByTestId('reading-toggle').click();
    await cell(rita, statement, 'speaker').click();
    await expect.poll(() => rita.getByTestId('source-title').textContent()).toBe(SEED_ARTICLE.title);
    const current = rita.getByTestId('source-text').locator('mark.current');
    await expect.poll(() => current.evaluateAll((marks) => marks.map((m) => m.textContent).join(''))).toBe(QUOTE);
    // Reviewers read; they do not code.
    expect(await rita.getByTestId('coding-bar').isHidden()).toBe(true);

    // Flagging the row, the flag's detail shows the passage with the text around it.
    await cell(rita, statement, 'speaker').click({ button: 'right' });
    await rita.locator('[data-testid=context-menu] [data-action=flag-cell]').click();
    const dialog = rita.getByTestId('flag-dialog');
    await dialog.getByTestId('flag-reason').selectOption({ index: 1 });
    await dialog.getByTestId('flag-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await rita.getByTestId('review-button').click();
    const panel = rita.getByTestId('review-panel');
    await panel.locator(`.flag-card[data-row="${statement}"]`).click();
    const passages = panel.getByTestId('row-passages');
    await expect.poll(() => passages.locator('mark').textContent()).toBe(QUOTE);
    await expect.poll(() => passages.textContent()).toContain('Liu told Jung Pak');
  });

  it('adds a selected passage to the focused row’s evidence from the right-click menu', async () => {
    // Cody is still on the pasted source, the event he made from it focused in the grid.
    const row = (await focusedRow(cody))!;
    expect(await cell(cody, row, 'evidence').textContent()).toBe('“Talks resume on Monday.”');
    await dragSelect(cody, 'The ministry said');
    // Right-click in the middle of the selection.
    const box = await cody.evaluate(() => {
      const r = document.getSelection()!.getRangeAt(0).getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    });
    await cody.mouse.click(box.x, box.y, { button: 'right' });
    await cody.locator('[data-testid=context-menu] [data-action=add-evidence]').click();
    await expect.poll(() => cell(cody, row, 'evidence').textContent()).toBe('“Talks resume on Monday.” +1');
    await expect.poll(() => (readRow(sheetRows(getSheet(watcher.doc, 'events')!).get(row)!).evidence as Anchor[]).map((x) => x.exact))
      .toEqual(['Talks resume on Monday.', 'The ministry said']);
  });

  it('searches the sources by their text, adds one from a Markdown file, and remembers the pane hidden and its width', async () => {
    const pane = cody.getByTestId('reading-pane');
    await cody.getByTestId('sources-back').click();
    await pane.getByTestId('source-search').fill('resume on Monday');
    await expect.poll(() => pane.locator('.source-item .source-title').allTextContents()).toEqual(['Talks resume']);
    await pane.getByTestId('source-search').fill('');
    await expect.poll(() => pane.locator('.source-item').count()).toBe(2);

    await pane.getByTestId('add-source').click();
    await pane.getByTestId('source-file').setInputFiles({
      name: 'briefing.md', mimeType: 'text/markdown', buffer: Buffer.from('# Briefing on the drills\r\nThe drills went ahead.\r\n'),
    });
    await expect.poll(() => pane.getByTestId('source-title').textContent()).toBe('Briefing on the drills');
    // Stored as sent: the CRLF line ends are kept.
    expect(await pane.getByTestId('source-text').textContent()).toBe('# Briefing on the drills\r\nThe drills went ahead.\r\n');

    // Wider by a drag of its edge, then hidden from the keyboard: both kept over a reload.
    const width = await pane.evaluate((el) => (el as HTMLElement).offsetWidth);
    const edge = (await pane.getByTestId('reading-resize').boundingBox())!;
    await cody.mouse.move(edge.x + edge.width / 2, edge.y + 100);
    await cody.mouse.down();
    await cody.mouse.move(edge.x + edge.width / 2 + 120, edge.y + 100, { steps: 5 });
    await cody.mouse.up();
    await expect.poll(() => pane.evaluate((el) => (el as HTMLElement).offsetWidth)).toBe(width + 120);
    await cody.locator('body').press('Control+Shift+E');
    await expect.poll(() => pane.isHidden()).toBe(true);
    await cody.reload();
    await openSheet(cody, 'demo', 'events');
    expect(await cody.getByTestId('reading-pane').isHidden()).toBe(true);
    await cody.getByTestId('reading-toggle').click();
    await expect.poll(() => cody.getByTestId('reading-pane').evaluate((el) => (el as HTMLElement).offsetWidth)).toBe(width + 120);
  });
});
