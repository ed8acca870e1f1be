/**
 * The review panel redraws its list whenever a flag or a row's coders change anywhere in the dataset.
 * A click on a flag card that this redraw splits (the press on one node, the release on its
 * replacement) used to be lost: the thread never opened. Cards whose flag did not change now stay the
 * same nodes across a redraw.
 */
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { api } from '../helpers/clients';
import { clickAcross, openSheet, rowIds } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let rita: Page;
let rows: string[];

beforeAll(async () => {
  ({ page: rita } = await e2e.userPage('Rita Reviewer', 'reviewer', '/d/demo/events'));
  await openSheet(rita, 'demo', 'events');
  rows = await rowIds(rita);
});

async function flag(row: string, note: string): Promise<string> {
  const { status, body } = await api(e2e.server, '/api/datasets/demo/flags', {
    body: { sheet: 'events', row, column: 'actor1', reason: 'other', note },
  });
  expect(status, JSON.stringify(body)).toBe(201);
  return (body as { id: string }).id;
}

/** Answers in a flag's thread through the API; resolves once Rita's card of it shows the reply. */
async function answer(flagId: string, text: string): Promise<void> {
  const { status } = await api(e2e.server, `/api/datasets/demo/flags/${flagId}/comments`, { body: { text } });
  expect(status).toBe(201);
  await rita.getByTestId('review-panel').locator(`.flag-card[data-flag="${flagId}"]`, { hasText: '1 reply' }).waitFor();
}

it('opens the thread of a flag card pressed while another flag changes and the list redraws', async () => {
  // The older flag is listed below the newer one, so a change to it moves nothing under the pointer.
  const older = await flag(rows[1]!, 'Date unclear');
  const newer = await flag(rows[0]!, 'Which ministry?');
  await rita.getByTestId('review-button').click();
  const panel = rita.getByTestId('review-panel');
  // Someone answers in the older flag's thread while the button is held: the list is redrawn.
  await clickAcross(rita, panel.locator(`.flag-card[data-flag="${newer}"]`), () => answer(older, 'It is the 12th.'));

  await expect.poll(() => panel.getByTestId('flag-detail').getAttribute('data-flag')).toBe(newer);
  expect(await panel.getByTestId('thread').isVisible()).toBe(true);
});

it('opens the thread of a flag card pressed while its own flag changes (an answer in its thread)', async () => {
  const panel = rita.getByTestId('review-panel');
  await panel.getByTestId('review-back').click();
  const flagged = await flag(rows[2]!, 'Is this the same meeting?');
  await clickAcross(rita, panel.locator(`.flag-card[data-flag="${flagged}"]`), () => answer(flagged, 'Yes, the one on the 12th.'));

  await expect.poll(() => panel.getByTestId('flag-detail').getAttribute('data-flag')).toBe(flagged);
});
