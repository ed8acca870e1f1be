/**
 * Undoing a merge of duplicates in a dataset's document (the default grid), in real Chromium against the
 * real server (docs/actors-and-duplicates.md#undoing-a-merge): the merge is one step of the merging user's undo,
 * in order with their edits. Ctrl+Z after an edit and a merge takes back the merge first (the merged row
 * back exactly: cells, passage, flag; the kept row as it was), then the edit; Ctrl+Y makes both again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Anchor } from '../../model/columns';
import { insertRow, reviewStatus, rowFlags } from '../../model/document';
import { newRowId } from '../../model/ids';
import { type CreatedUser, createDataset, createUser, rowCount, rowHistory } from '../helpers/api';
import { api, type Client, connectSynced } from '../helpers/clients';
import { cellOf, rowsOf, sheetOf } from '../helpers/docs';
import { cell, openSheet, rowIds, typeInto } from './browser';
import { browserSuite } from './fixtures';

const DATASET = 'dup-undo';
const TEXT = 'Reuters: Troops shelled Kramatorsk on Monday.\nAP: The army fired artillery at Kramatorsk on Monday.';
const FIRST = 'Troops shelled Kramatorsk on Monday.';
const SECOND = 'The army fired artillery at Kramatorsk on Monday.';

const e2e = browserSuite();
let editor: CreatedUser;
let watcher: Client | undefined;

beforeAll(async () => {
  editor = await createUser(e2e.server, 'Uma Undoer', 'editor');
});

afterAll(async () => {
  watcher?.destroy();
});

describe('undoing a merge in the grid', () => {
  it('takes the merge back with Ctrl+Z as one step, in order with the user’s edits, and makes it again with Ctrl+Y', async () => {
    await createDataset(e2e.server, DATASET);
    const source = (await api(e2e.server, `/api/datasets/${DATASET}/sources`, { body: { title: 'Wires', text: TEXT } })).body.id as string;
    const anchor = (exact: string): Anchor => ({ source, start: TEXT.indexOf(exact), end: TEXT.indexOf(exact) + exact.length, exact });
    watcher = await connectSynced(e2e.server, DATASET);
    const [first, second, other] = [newRowId(), newRowId(), newRowId()];
    const shelling = { event_date: '2024-03-04', date_precision: 'day', event_type: 'ASSAULT', actor1: 'Russia (army)', actor2: 'Ukraine', location: 'Kramatorsk' };
    watcher.doc.transact(() => {
      const events = sheetOf(watcher!.doc, 'events');
      insertRow(events, first, { ...shelling, summary: 'Shelling of Kramatorsk.', evidence: [anchor(FIRST)] });
      insertRow(events, second, { ...shelling, cameo_code: '195', summary: 'Artillery fire on Kramatorsk.', evidence: [anchor(SECOND)] });
      insertRow(events, other, { ...shelling, event_type: 'PROTEST', summary: 'A protest.' });
    });
    await expect.poll(() => rowCount(e2e.server, DATASET, 'events')).toBe(3);
    const flagged = await api(e2e.server, `/api/datasets/${DATASET}/flags`, { body: { sheet: 'events', row: second, reason: 'duplicate', note: 'Same shelling?' } });
    expect(flagged.status, JSON.stringify(flagged.body)).toBe(201);
    await expect.poll(() => rowFlags(watcher!.doc, second).length).toBe(1);
    const before = rowsOf(watcher.doc, 'events').filter(([id]) => id !== other);
    const secondFlags = rowFlags(watcher.doc, second);

    const { context, page } = await e2e.signedIn(editor.token, `/d/${DATASET}/events`);
    try {
      await openSheet(page, DATASET, 'events');
      // An edit of the user's, then the merge.
      await typeInto(page, other, 'summary', 'A protest in Kramatorsk.');
      await expect.poll(() => cellOf(watcher!.doc, 'events', other, 'summary')).toBe('A protest in Kramatorsk.');
      await page.getByTestId('duplicates-button').click();
      const group = page.getByTestId('duplicate-group');
      await expect.poll(() => group.count()).toBe(1);
      await group.locator(`[data-row="${first}"]`).getByTestId('merge-into').click();
      await expect.poll(() => page.getByTestId('no-duplicates').count()).toBe(1);
      await expect.poll(() => rowIds(page)).toEqual([first, other]);
      expect(cellOf(watcher.doc, 'events', first, 'cameo_code')).toBe('195');
      expect(reviewStatus(watcher.doc, first)).toBe('flagged');

      // Ctrl+Z takes back the merge: the merged row as it was, with its passage and its flag; the kept row as it was.
      await cell(page, first, 'summary').click();
      await page.keyboard.press('Control+z');
      await expect.poll(() => rowIds(page)).toEqual([first, second, other]);
      await expect.poll(() => rowsOf(watcher!.doc, 'events').filter(([id]) => id !== other)).toEqual(before);
      expect(rowFlags(watcher.doc, second)).toEqual(secondFlags);
      expect([reviewStatus(watcher.doc, first), reviewStatus(watcher.doc, second)]).toEqual(['unreviewed', 'flagged']);
      expect(cellOf(watcher.doc, 'events', other, 'summary')).toBe('A protest in Kramatorsk.');
      await expect.poll(() => cell(page, second, 'evidence').textContent()).toMatch(/^“The army fired artillery/);
      // The Duplicates view lists the pair again.
      await expect.poll(() => page.getByTestId('duplicate-group').count()).toBe(1);
      // The history has the merge and the rows back, by the user.
      await expect.poll(async () => (await rowHistory(e2e.server, DATASET, second)).at(-1)).toMatchObject({ by: 'Uma Undoer', old: null });

      // The next Ctrl+Z takes back the edit before the merge.
      await page.keyboard.press('Control+z');
      await expect.poll(() => cellOf(watcher!.doc, 'events', other, 'summary')).toBe('A protest.');

      // Ctrl+Y makes the edit again, then the merge.
      await page.keyboard.press('Control+y');
      await expect.poll(() => cellOf(watcher!.doc, 'events', other, 'summary')).toBe('A protest in Kramatorsk.');
      await page.keyboard.press('Control+y');
      await expect.poll(() => rowIds(page)).toEqual([first, other]);
      expect(cellOf(watcher.doc, 'events', second, 'summary')).toBeUndefined();
      expect(cellOf(watcher.doc, 'events', first, 'cameo_code')).toBe('195');
    } finally {
      await context.close();
    }
  });
});
