/**
 * The reading pane's list of sources is redrawn whenever anyone's evidence changes a source's count of
 * coded rows. A click on a source whose own count changed between the press and the release used to be
 * lost (the release landed on the item's replacement): the source never opened.
 */
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { anchorsOf } from '../../model/anchors';
import { getSheet, readRow, setCell, sheetRows } from '../../model/document';
import { SEED_ARTICLE } from '../../model/seed-article';
import type { Client } from '../helpers/clients';
import { clickAcross, openSheet } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let watcher: Client;
let cody: Page;

beforeAll(async () => {
  watcher = await e2e.connect('demo');
  ({ page: cody } = await e2e.userPage('Cody Coder', 'editor', '/d/demo/events'));
  await openSheet(cody, 'demo', 'events');
});

it('opens a source pressed while a coder elsewhere changes its count of rows', async () => {
  await cody.getByTestId('reading-toggle').click();
  const pane = cody.getByTestId('reading-pane');
  const item = pane.locator('.source-item', { hasText: SEED_ARTICLE.title });
  const counted = await item.locator('.source-rows').textContent();
  expect(counted).toMatch(/^\d+ rows? coded$/);
  // Another coder takes the article off one row's evidence while the button is held.
  await clickAcross(cody, item, async () => {
    const sheet = getSheet(watcher.doc, 'events')!;
    const [rowId] = [...sheetRows(sheet)].find(([, row]) => anchorsOf(readRow(row).evidence).length > 0)!;
    watcher.doc.transact(() => setCell(sheet, rowId, 'evidence', []));
    await expect.poll(() => item.locator('.source-rows').textContent()).not.toBe(counted);
  });

  await expect.poll(() => pane.getByTestId('source-text').textContent()).toBe(SEED_ARTICLE.text);
});
