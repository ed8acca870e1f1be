/**
 * The Duplicates view in real Chromium against the real server: two reports of one event are listed side
 * by side with what they share and the passages they are coded from; merging keeps one row with both
 * passages, and every grid (and the server) loses the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Anchor } from '../../model/columns';
import { insertRow } from '../../model/document';
import { newRowId } from '../../model/ids';
import { type CreatedUser, createDataset, createUser, rowCount } from '../helpers/api';
import { api, type Client, connectSynced } from '../helpers/clients';
import { cellOf, sheetOf } from '../helpers/docs';
import { cell, openSheet, rowIds } from './browser';
import { browserSuite } from './fixtures';

const TEXT = 'Reuters: Troops shelled Kramatorsk on Monday.\nAP: The army fired artillery at Kramatorsk on Monday.';
const FIRST = 'Troops shelled Kramatorsk on Monday.';
const SECOND = 'The army fired artillery at Kramatorsk on Monday.';

const e2e = browserSuite();
let editor: CreatedUser;
let watcher: Client | undefined;

beforeAll(async () => {
  editor = await createUser(e2e.server, 'Mia Merger', 'editor');
});

afterAll(async () => {
  watcher?.destroy();
});

describe('the Duplicates view', () => {
  it('shows two reports of one event side by side, and merging keeps one row with both passages', async () => {
    await createDataset(e2e.server, 'dup-view');
    const source = (await api(e2e.server, '/api/datasets/dup-view/sources', { body: { title: 'Wires', text: TEXT } })).body.id as string;
    const anchor = (exact: string): Anchor => {
      const start = TEXT.indexOf(exact);
      return { source, start, end: start + exact.length, exact };
    };
    watcher = await connectSynced(e2e.server, 'dup-view');
    const [first, second, other] = [newRowId(), newRowId(), newRowId()];
    const shelling = { event_date: '2024-03-04', date_precision: 'day', event_type: 'ASSAULT', actor1: 'Russia (army)', actor2: 'Ukraine', location: 'Kramatorsk' };
    watcher.doc.transact(() => {
      const events = sheetOf(watcher!.doc, 'events');
      insertRow(events, first, { ...shelling, summary: 'Shelling of Kramatorsk.', evidence: [anchor(FIRST)] });
      insertRow(events, second, { ...shelling, cameo_code: '195', summary: 'Artillery fire on Kramatorsk.', evidence: [anchor(SECOND)] });
      insertRow(events, other, { ...shelling, event_type: 'PROTEST', summary: 'A protest.' });
    });
    await expect.poll(() => rowCount(e2e.server, 'dup-view', 'events')).toBe(3);

    const { context, page } = await e2e.signedIn(editor.token, '/d/dup-view/events');
    try {
      await openSheet(page, 'dup-view', 'events');
      await page.getByTestId('duplicates-button').click();
      const group = page.getByTestId('duplicate-group');
      await expect.poll(() => group.count()).toBe(1);
      expect(await group.getAttribute('data-rows')).toBe([first, second].sort().join(' '));
      expect(await group.locator('.chip').allTextContents()).toEqual(['date', 'event type', 'actors', 'place']);
      expect(await group.getByTestId('duplicate-passage').allTextContents()).toEqual([FIRST, SECOND]);

      await group.locator(`[data-row="${first}"]`).getByTestId('merge-into').click();
      await expect.poll(() => page.getByTestId('no-duplicates').count()).toBe(1);

      // The server's row has both passages and the other's CAMEO code; the other row is gone, here and in the grid.
      await expect.poll(() => (cellOf(watcher!.doc, 'events', first, 'evidence') as Anchor[] | undefined)?.map((a) => a.exact)).toEqual([FIRST, SECOND]);
      expect(cellOf(watcher.doc, 'events', first, 'cameo_code')).toBe('195');
      expect(cellOf(watcher.doc, 'events', second, 'summary')).toBeUndefined();
      await expect.poll(() => rowIds(page)).toEqual([first, other]);
      await expect.poll(() => cell(page, first, 'evidence').textContent()).toBe(`“${FIRST}” +1`);
    } finally {
      await context.close();
    }
  });
});
