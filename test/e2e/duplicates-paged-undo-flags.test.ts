/**
 * Undoing a merge where rows are documents of their own (layout `rows`), the reviews: in real Chromium against
 * the real server, three reports of one event, the kept row with a flag of its own, one merged row with an open
 * flag and its thread, the other with a resolved flag. The merge moves both flags to the kept row; Ctrl+Z puts
 * each back on its row exactly (id, cell, status, thread), the kept row keeps only its own, each row's status is
 * as before, in the rows' documents, through the API and in the grid; the history says so.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Anchor, CellValue } from '../../model/columns';
import { reviewStatus, rowFlags } from '../../model/document';
import { getRowCells } from '../../model/row-document';
import { type CreatedUser, createUser, rowHistory } from '../helpers/api';
import { api, type Client } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { type RunningServer, startServer } from '../helpers/server';
import { cell, launchBrowser } from './browser';
import { pagedPage, pageRows, rowsDataset } from './paged-setup';

const DATASET = 'paged-dups-flags';
const TEXT = 'Reuters: Troops shelled Kramatorsk on Monday.\nAP: The army fired artillery at Kramatorsk on Monday.\nAFP: Kramatorsk came under fire.';
const PASSAGES = ['Troops shelled Kramatorsk on Monday.', 'The army fired artillery at Kramatorsk on Monday.', 'Kramatorsk came under fire.'];
const SHELLING = { event_date: '2024-03-04', event_type: 'ASSAULT', actor1: 'Russia (army)', actor2: 'Ukraine', location: 'Kramatorsk' };

let server: RunningServer;
let browser: Browser;
let editor: CreatedUser;
let reviewer: CreatedUser;
let context: BrowserContext;
let page: Page;
let rows: string[];
const clients: Client[] = [];

interface FlagBody { id: string; row: string; column?: string; status: string; comments: Array<{ text: string }> }
const flagsOf = async (row: string) => (await api(server, `/api/datasets/${DATASET}/flags?row=${row}`)).body as FlagBody[];
const review = async (row: string) => (await api(server, `/api/datasets/${DATASET}/rows/${row}/review`)).body as { status: string; openFlags: number };
const flag = async (row: string, column: string, note: string): Promise<string> => {
  const made = await api(server, `/api/datasets/${DATASET}/flags`, { token: reviewer.token, body: { sheet: 'events', row, column, reason: 'other', note } });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return made.body.id as string;
};
const statusOf = (rowId: string) => cell(page, rowId, 'review_status').locator('.status-pill').getAttribute('data-status');
const passages = (value: CellValue | undefined) => (value as Anchor[] | undefined)?.map((a) => a.exact);
/** A row's flags, threads included, as its own document holds them (a stock client's copy of the row's room). */
const docFlags = (i: number) => rowFlags(clients[i]!.doc, rows[i]!);

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  editor = await createUser(server, 'Flo Merger', 'editor');
  reviewer = await createUser(server, 'Rex Reviewer', 'reviewer');
  rows = await rowsDataset(server, DATASET, editor.token, [
    { ...SHELLING, summary: 'Shelling of Kramatorsk.' },
    { ...SHELLING, cameo_code: '195', summary: 'Artillery fire on Kramatorsk.' },
    { ...SHELLING, summary: 'Kramatorsk under fire.' },
  ], clients);
  const source = (await api(server, `/api/datasets/${DATASET}/sources`, { body: { title: 'Wires', text: TEXT } })).body.id as string;
  for (const [i, exact] of PASSAGES.entries()) {
    getRowCells(clients[i]!.doc).set('evidence', [{ source, start: TEXT.indexOf(exact), end: TEXT.indexOf(exact) + exact.length, exact }]);
  }
  await eventually(async () => expect((await pageRows(server, DATASET)).map((r) => passages(r.evidence)?.[0]).sort()).toEqual([...PASSAGES].sort()));
  ({ context, page } = await pagedPage(browser, server, DATASET, editor.token, rows[0]!));
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await context?.close();
  await browser?.close();
  await server?.dispose();
});

describe('undoing a merge in the paged grid', () => {
  it('puts each moved flag back on its row with its thread, and leaves the kept row only its own', async () => {
    const [kept, open, resolved] = rows as [string, string, string];
    const own = await flag(kept, 'summary', 'Which day?');
    const asked = await flag(open, 'actor1', 'Same shelling?');
    expect((await api(server, `/api/datasets/${DATASET}/flags/${asked}/comments`, { token: editor.token, body: { text: 'Looks like it.' } })).status).toBe(201);
    const done = await flag(resolved, 'location', 'Where exactly?');
    expect((await api(server, `/api/datasets/${DATASET}/flags/${done}/resolve`, { method: 'POST', token: reviewer.token, body: {} })).status).toBe(200);
    await eventually(async () => expect((await flagsOf(resolved))[0]?.status).toBe('resolved'));
    await eventually(async () => expect(docFlags(1)).toEqual([expect.objectContaining({ id: asked, status: 'open', column: 'actor1' })]));
    await eventually(async () => expect(JSON.stringify(docFlags(1))).toContain('Looks like it.'));
    const before = [0, 1, 2].map(docFlags);
    const apiBefore = await Promise.all(rows.map(flagsOf));
    expect(apiBefore.map((f) => f.map((x) => x.id))).toEqual([[own], [asked], [done]]);
    expect(await Promise.all(rows.map(async (r) => (await review(r)).status))).toEqual(['flagged', 'flagged', 'unreviewed']);
    await expect.poll(() => statusOf(open)).toBe('flagged');

    // The merge, from the Duplicates view: both flags go to the kept row.
    await page.getByTestId('duplicates-button').click();
    const group = page.getByTestId('duplicate-group');
    await expect.poll(() => group.count()).toBe(1);
    expect(await group.getAttribute('data-rows')).toBe([...rows].sort().join(' '));
    await group.locator(`[data-row="${kept}"]`).getByTestId('merge-into').click();
    await expect.poll(() => page.getByTestId('no-duplicates').count()).toBe(1);
    await eventually(async () => expect((await flagsOf(kept)).map((f) => f.id).sort()).toEqual([own, asked, done].sort()), { what: 'the flags on the kept row' });
    await expect.poll(async () => passages((await pageRows(server, DATASET)).find((r) => r.row_id === kept)?.evidence)).toEqual(PASSAGES);

    // One Ctrl+Z: each flag back on its row as it was, the kept row with its own only.
    await cell(page, kept, 'summary').click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+z');
    await eventually(async () => expect((await pageRows(server, DATASET)).map((r) => r.row_id).sort()).toEqual([...rows].sort()), { what: 'the rows back' });
    await eventually(async () => expect(await Promise.all(rows.map(flagsOf))).toEqual(apiBefore), { what: 'the flags back on their rows' });
    await eventually(async () => expect([0, 1, 2].map(docFlags)).toEqual(before), { what: 'the rows’ documents’ flags' });
    expect([0, 1, 2].map((i) => reviewStatus(clients[i]!.doc, rows[i]!))).toEqual(['flagged', 'flagged', 'unreviewed']);
    expect(await Promise.all(rows.map(async (r) => (await review(r)).status))).toEqual(['flagged', 'flagged', 'unreviewed']);
    // The passages back on their rows too.
    const back = new Map((await pageRows(server, DATASET)).map((r) => [r.row_id, passages(r.evidence)]));
    expect(rows.map((r) => back.get(r))).toEqual(PASSAGES.map((p) => [p]));
    // The grid shows each row's status again.
    await expect.poll(() => statusOf(open), { timeout: 15_000 }).toBe('flagged');
    await expect.poll(() => statusOf(resolved)).toBe('unreviewed');
    await expect.poll(() => statusOf(kept)).toBe('flagged');
    // The history tells what the merge took from the flagged row and that the undo gave its status back.
    const history = await rowHistory(server, DATASET, open);
    expect(history).toContainEqual(expect.objectContaining({ column: 'row_id', old: open, new: kept, merge: expect.objectContaining({ flags: [asked] }) }));
    expect(history.filter((e) => e.column === 'review_status').map((e) => [e.old, e.new, e.by])).toEqual([
      ['unreviewed', 'flagged', 'Rex Reviewer'], ['flagged', 'unreviewed', 'Flo Merger'], ['unreviewed', 'flagged', 'Flo Merger'],
    ]);
  });
});
