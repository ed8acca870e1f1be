/**
 * Likely duplicates in the reviewers' queue of the paged grid (layout `rows`), in real Chromium against the
 * real server, as in the document grid (docs/actors-and-duplicates.md#in-the-review-queue): the review
 * panel lists the candidate group with its rows' labels, a flag with the reason `duplicate` links to it,
 * and the link opens the group, marked, in the paged grid's Duplicates view.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedUser, createUser } from '../helpers/api';
import { api, type Client } from '../helpers/clients';
import { type RunningServer, startServer } from '../helpers/server';
import { launchBrowser } from './browser';
import { pagedPage, rowsDataset } from './paged-setup';

const DATASET = 'paged-dup-queue';
const SHELLING = { event_date: '2024-03-04', date_precision: 'day', event_type: 'ASSAULT', actor1: 'Russia (army)', actor2: 'Ukraine', location: 'Kramatorsk' };

let server: RunningServer;
let browser: Browser;
let reviewer: CreatedUser;
let context: BrowserContext;
let page: Page;
let rows: string[];
const clients: Client[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // A dataset admin reviews (the queue is the reviewers').
  reviewer = await createUser(server, 'Rae Reviewer', 'admin');
  rows = await rowsDataset(server, DATASET, reviewer.token, [
    { ...SHELLING, summary: 'Shelling of Kramatorsk.' },
    { ...SHELLING, summary: 'Artillery fire on Kramatorsk.' },
    { ...SHELLING, event_type: 'PROTEST', summary: 'A protest.' },
  ], clients);
  const flagged = await api(server, `/api/datasets/${DATASET}/flags`, { body: { sheet: 'events', row: rows[1], reason: 'duplicate', note: 'Same shelling?' } });
  expect(flagged.status, JSON.stringify(flagged.body)).toBe(201);
  ({ context, page } = await pagedPage(browser, server, DATASET, reviewer.token, rows[0]!));
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await context?.close();
  await browser?.close();
  await server?.dispose();
});

describe('duplicates in the paged grid’s review queue', () => {
  it('lists the candidate group, links the duplicate flag to it, and opens it in the Duplicates view', async () => {
    const pair = [rows[0]!, rows[1]!].sort().join(' ');
    await page.getByTestId('review-button').click();
    const group = page.getByTestId('duplicate-queue').getByTestId('duplicate-queue-group');
    await expect.poll(() => group.count()).toBe(1);
    expect(await group.getAttribute('data-rows')).toBe(pair);
    // The rows' labels, from the loaded page: date and summary.
    expect(await group.textContent()).toContain('2024-03-04 · Shelling of Kramatorsk.');

    const link = page.getByTestId('flag-list').getByTestId('duplicate-flag-link');
    await expect.poll(() => link.getAttribute('data-rows')).toBe(pair);
    await link.click();
    const shown = page.locator('[data-testid="duplicate-group"].focused');
    await expect.poll(() => shown.getAttribute('data-rows')).toBe(pair);
    expect((await shown.getByTestId('merge-into').count())).toBe(2);
  });
});
