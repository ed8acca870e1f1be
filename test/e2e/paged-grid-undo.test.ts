/**
 * Undo across rows in the paged grid: Ctrl+Z takes back this user's own last change wherever it was
 * (not someone else's), Ctrl+Y puts it back, and a paste of many rows from the clipboard — more rows
 * than the tab keeps open at once, and than it has read — is written into every row's own room and
 * undone as one step.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { getRowCells } from '../../model/row-document';
import { type CreatedUser, createUser } from '../helpers/api';
import { cell, cellText, pasteIntoFocused, typeInto, waitLive } from './browser';
import { browserSuite } from './fixtures';
import { pagedPage, pageRows, rowsDataset } from './paged-setup';

const DATASET = 'paged-undo';
/**
 * More than the 32 rows a tab keeps open, than it opens at once while more wait (40), and than a page
 * (100): the paste covers rows the grid has not read, whose ids it asks the server for.
 */
const ROWS = 130;
const e2e = browserSuite();
let ana: Page;
let ben: CreatedUser;
let rows: string[];

const serverValue = async (rowId: string, column: string) => (await pageRows(e2e.server, DATASET)).find((r) => r.row_id === rowId)?.[column];
const otherWrites = async (rowId: string, column: string, value: string) => {
  const c = await e2e.rowClient(DATASET, rowId, ben.token);
  getRowCells(c.doc).set(column, value);
};

beforeAll(async () => {
  const anaUser = await createUser(e2e.server, 'Ana Lima', 'editor');
  ben = await createUser(e2e.server, 'Ben Okafor', 'editor');
  const seed = Array.from({ length: ROWS }, (_, i) => ({ summary: `Row ${i + 1}`, actor1: 'China' }));
  rows = await rowsDataset(e2e.server, DATASET, anaUser.token, seed, e2e.clients);
  ana = (await pagedPage(e2e.browser, e2e.server, DATASET, anaUser.token, rows[0]!)).page;
});

describe('undo across rows', () => {
  it("undoes one's own last change wherever it was, and redoes it", async () => {
    await typeInto(ana, rows[0]!, 'actor1', 'Japan');
    await typeInto(ana, rows[1]!, 'actor1', 'Korea');
    await expect.poll(() => serverValue(rows[1]!, 'actor1')).toBe('Korea');
    // Someone else changes the first row meanwhile: not Ana's change to undo.
    await otherWrites(rows[0]!, 'summary', 'Ben was here');
    await expect.poll(() => cellText(ana, rows[0]!, 'summary')).toBe('Ben was here');

    await ana.keyboard.press('Control+z');
    await expect.poll(() => serverValue(rows[1]!, 'actor1')).toBe('China');
    expect(await serverValue(rows[0]!, 'actor1')).toBe('Japan');
    await ana.keyboard.press('Control+z');
    await expect.poll(() => serverValue(rows[0]!, 'actor1')).toBe('China');
    expect(await serverValue(rows[0]!, 'summary')).toBe('Ben was here');
    await expect.poll(() => cellText(ana, rows[0]!, 'actor1')).toBe('China');

    await ana.keyboard.press('Control+y');
    await expect.poll(() => serverValue(rows[0]!, 'actor1')).toBe('Japan');
    await expect.poll(() => cellText(ana, rows[0]!, 'actor1')).toBe('Japan');
    await waitLive(ana);
  });

  it('pastes a block of many rows into their own rooms, and undoes the paste as one step', async () => {
    const url = (i: number) => `https://example.org/${i + 1}`;
    await cell(ana, rows[0]!, 'summary').click();
    // Two columns: the summary and the column after it (the source URL).
    await pasteIntoFocused(ana, rows.map((_, i) => `Pasted ${i + 1}\t${url(i)}`).join('\n'));
    await expect.poll(async () => (await pageRows(e2e.server, DATASET)).filter((r) => r.summary === `Pasted ${rows.indexOf(r.row_id) + 1}`).length, { timeout: 30_000 })
      .toBe(ROWS);
    const stored = await pageRows(e2e.server, DATASET);
    expect(stored.filter((r) => r.source_url !== url(rows.indexOf(r.row_id)))).toEqual([]);
    await waitLive(ana);
    expect(await cellText(ana, rows[1]!, 'summary')).toBe('Pasted 2');

    // Someone else changes one pasted cell since: undo leaves theirs.
    await otherWrites(rows[5]!, 'summary', 'Ben again');
    await expect.poll(() => cellText(ana, rows[5]!, 'summary')).toBe('Ben again');

    await cell(ana, rows[3]!, 'actor1').click();
    await ana.keyboard.press('Control+z');
    const summaries = async () => new Map((await pageRows(e2e.server, DATASET)).map((r) => [r.row_id, r.summary]));
    const expected = new Map(rows.map((id, i) => [id, i === 0 ? 'Ben was here' : i === 5 ? 'Ben again' : `Row ${i + 1}`]));
    await expect.poll(summaries, { timeout: 30_000 }).toEqual(expected);
    expect((await pageRows(e2e.server, DATASET)).filter((r) => r.source_url !== null)).toEqual([]);
    await expect.poll(() => cellText(ana, rows[1]!, 'summary')).toBe('Row 2');
    await waitLive(ana);
  });
});
