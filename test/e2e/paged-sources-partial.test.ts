/**
 * The reading pane of a dataset in the `rows` layout says so when the highlights it shows are not all of a
 * source's: the anchors route lists a source's first anchors only (`truncated` past them). Real Chromium
 * against the real server; the passages come in by import, many to a row, as a bulk coding of one long
 * report would.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { csvOf, importFile } from '../helpers/import';
import { browserSuite } from './fixtures';
import { pagedPage, rowsDataset } from './paged-setup';

const DATASET = 'paged-sources-partial';
const TEXT = 'Geneva, 3 March. The monitoring mission counted shelling in twelve villages along the line overnight, '
  + 'with civilian casualties reported in three of them and a school damaged near the river crossing.';
/** Rows of the long report, each coded with PASSAGES passages of it: more than the route lists. */
const ROWS = 60;
const PASSAGES = 100;

const e2e = browserSuite();
let page: Page;
let big = '';
let small = '';

const note = () => page.getByTestId('highlights-partial');

/** Opens a source from the pane's list and waits for its text. */
async function openSource(title: string): Promise<void> {
  const pane = page.getByTestId('reading-pane');
  if (await pane.getByTestId('sources-back').isVisible()) await pane.getByTestId('sources-back').click();
  await pane.locator('.source-item', { hasText: title }).click();
  await expect.poll(() => pane.getByTestId('source-text').textContent()).toBe(TEXT);
}

/** The source's anchors as the route answers. */
const anchors = async (source: string) => (await api(e2e.server, `/api/datasets/${DATASET}/sources/${source}/anchors`)).body as { anchors: unknown[]; truncated: boolean };

beforeAll(async () => {
  const user = await createUser(e2e.server, 'Rita Reader', 'editor');
  const rows = await rowsDataset(e2e.server, DATASET, user.token, [{ summary: 'First' }], e2e.clients);
  for (const title of ['Long report', 'Short note']) {
    const created = await api(e2e.server, `/api/datasets/${DATASET}/sources`, { body: { title, text: TEXT } });
    expect(created.status).toBe(201);
    if (title === 'Long report') big = created.body.id as string;
    else small = created.body.id as string;
  }
  // Row r's passage k spans k to k + r + 1: no two alike.
  const evidence = (r: number) => Array.from({ length: PASSAGES }, (_, k) => `${big}:${k}-${k + r + 1}`).join(';');
  const imported = await importFile(e2e.server, DATASET, 'events', csvOf([['summary', 'evidence'],
    ...Array.from({ length: ROWS }, (_, r) => [`Shelling ${r}`, evidence(r)]), ['Note', `${small}:0-6`]]));
  expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  ({ page } = await pagedPage(e2e.browser, e2e.server, DATASET, user.token, rows[0]!));
  await page.getByTestId('reading-toggle').click();
});

describe('the reading pane of a paged dataset', () => {
  it('says when the highlights shown are only the first of the source’s, and not when they are all', async () => {
    const answer = await anchors(big);
    expect(answer.truncated).toBe(true);
    expect(answer.anchors.length).toBeLessThan(ROWS * PASSAGES);

    await openSource('Long report');
    await expect.poll(() => note().textContent())
      .toBe(`Showing the first ${answer.anchors.length.toLocaleString('en')} highlights of this source: more passages of it are coded, and are not highlighted here.`);
    expect(await note().isVisible()).toBe(true);

    expect((await anchors(small)).truncated).toBe(false);
    await openSource('Short note');
    await expect.poll(() => page.getByTestId('source-text').locator('mark').count()).toBe(1);
    expect(await note().isVisible()).toBe(false);
  });
});
