/**
 * Likely duplicates in the reviewers' queue (docs/actors-and-duplicates.md#in-the-review-queue), in real
 * Chromium against the real server: the review panel lists the candidate group, a flag with the reason
 * `duplicate` links to it (in the list and in its thread), the link opens the group in the Duplicates view, and dismissing it there takes it
 * out of the queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRow } from '../../model/document';
import { newRowId } from '../../model/ids';
import { type CreatedUser, createDataset, createUser, rowCount } from '../helpers/api';
import { api, type Client, connectSynced } from '../helpers/clients';
import { sheetOf } from '../helpers/docs';
import { openSheet } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let reviewer: CreatedUser;
let watcher: Client | undefined;

beforeAll(async () => {
  // A dataset admin reviews (the queue is the reviewers') and may dismiss a group (editors may).
  reviewer = await createUser(e2e.server, 'Rae Reviewer', 'admin');
});

afterAll(async () => {
  watcher?.destroy();
});

describe('duplicates in the review queue', () => {
  it('lists the candidate group, links a duplicate flag to it, opens it in the Duplicates view, and drops it once dismissed', async () => {
    await createDataset(e2e.server, 'dup-queue');
    watcher = await connectSynced(e2e.server, 'dup-queue');
    const [first, second, other] = [newRowId(), newRowId(), newRowId()];
    const shelling = { event_date: '2024-03-04', date_precision: 'day', event_type: 'ASSAULT', actor1: 'Russia (army)', actor2: 'Ukraine', location: 'Kramatorsk' };
    watcher.doc.transact(() => {
      const events = sheetOf(watcher!.doc, 'events');
      insertRow(events, first, { ...shelling, summary: 'Shelling of Kramatorsk.' });
      insertRow(events, second, { ...shelling, summary: 'Artillery fire on Kramatorsk.' });
      insertRow(events, other, { ...shelling, event_type: 'PROTEST', summary: 'A protest.' });
    });
    await expect.poll(() => rowCount(e2e.server, 'dup-queue', 'events')).toBe(3);
    const flagged = await api(e2e.server, '/api/datasets/dup-queue/flags', { body: { sheet: 'events', row: second, reason: 'duplicate', note: 'Same shelling?' } });
    expect(flagged.status, JSON.stringify(flagged.body)).toBe(201);

    const { context, page } = await e2e.signedIn(reviewer.token, '/d/dup-queue/events');
    try {
      await openSheet(page, 'dup-queue', 'events');
      await page.getByTestId('review-button').click();
      const queue = page.getByTestId('duplicate-queue');
      const group = queue.getByTestId('duplicate-queue-group');
      await expect.poll(() => group.count()).toBe(1);
      const pair = [first, second].sort().join(' ');
      expect(await group.getAttribute('data-rows')).toBe(pair);
      expect(await group.textContent()).toContain('Shelling of Kramatorsk.');

      // The duplicate flag's card links to the group.
      const link = page.getByTestId('flag-list').getByTestId('duplicate-flag-link');
      await expect.poll(() => link.getAttribute('data-rows')).toBe(pair);
      expect(await link.textContent()).toMatch(/^Likely duplicate of 1 other row \(\d+%\): compare$/);
      // Its thread links to the group too, and the link opens it in the Duplicates view.
      await page.locator(`.flag-card[data-row="${second}"]`).click();
      const threadLink = page.getByTestId('review-panel').getByTestId('duplicate-flag-link');
      await expect.poll(() => threadLink.getAttribute('data-rows')).toBe(pair);
      expect(await page.getByTestId('flag-list').count()).toBe(0);
      await threadLink.click();
      const shown = page.locator('[data-testid="duplicate-group"].focused');
      await expect.poll(() => shown.getAttribute('data-rows')).toBe(pair);

      // Dismissed there, the group leaves the queue.
      await shown.getByTestId('not-the-same').click();
      await expect.poll(() => page.getByTestId('no-duplicates').count()).toBe(1);
      await page.getByTestId('review-button').click();
      await expect.poll(() => queue.getByTestId('duplicate-queue-empty').count()).toBe(1);
      expect(await page.getByTestId('flag-list').getByTestId('duplicate-flag-link').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
