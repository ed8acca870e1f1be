/**
 * Who is where in the paged grid: two people on a `rows` dataset see each other in the top bar, and
 * the cell the other is in outlined with their name, following them as they move and gone when they
 * leave.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api';
import { cell } from './browser';
import { browserSuite } from './fixtures';
import { pagedPage, rowsDataset } from './paged-setup';

const DATASET = 'paged-presence';
const e2e = browserSuite();
let ana: Page;
let ben: Page;
let benContext: BrowserContext;
let rows: string[];

const tagIn = (page: Page, rowId: string, columnId: string) => cell(page, rowId, columnId).locator('.presence-tag');
const outlined = async (page: Page, rowId: string, columnId: string) =>
  (await cell(page, rowId, columnId).getAttribute('class'))?.split(' ').includes('has-presence') ?? false;

beforeAll(async () => {
  const anaUser = await createUser(e2e.server, 'Ana Lima', 'editor');
  const benUser = await createUser(e2e.server, 'Ben Okafor', 'editor');
  rows = await rowsDataset(e2e.server, DATASET, anaUser.token, [{ summary: 'One' }, { summary: 'Two' }, { summary: 'Three' }], e2e.clients);
  ana = (await pagedPage(e2e.browser, e2e.server, DATASET, anaUser.token, rows[0]!)).page;
  ({ page: ben, context: benContext } = await pagedPage(e2e.browser, e2e.server, DATASET, benUser.token, rows[0]!));
});

describe('presence in the paged grid', () => {
  it('shows who is here in the top bar', async () => {
    await expect.poll(() => ana.getByTestId('whos-here').locator('[data-user]').evaluateAll((els) => els.map((e) => e.getAttribute('data-user')).sort()))
      .toEqual(['Ana Lima', 'Ben Okafor']);
  });

  it("outlines the cell someone else is in, with their name, and follows them", async () => {
    await cell(ben, rows[1]!, 'actor1').click();
    await expect.poll(() => tagIn(ana, rows[1]!, 'actor1').textContent()).toBe('Ben Okafor');
    expect(await outlined(ana, rows[1]!, 'actor1')).toBe(true);
    // Nobody is shown in one's own cell.
    expect(await tagIn(ben, rows[1]!, 'actor1').count()).toBe(0);

    await cell(ben, rows[2]!, 'summary').click();
    await expect.poll(() => tagIn(ana, rows[2]!, 'summary').textContent()).toBe('Ben Okafor');
    await expect.poll(() => outlined(ana, rows[1]!, 'actor1')).toBe(false);
    expect(await tagIn(ana, rows[1]!, 'actor1').count()).toBe(0);
  });

  it('shows both ways, and drops whoever leaves', async () => {
    await cell(ana, rows[0]!, 'summary').click();
    await expect.poll(() => tagIn(ben, rows[0]!, 'summary').textContent()).toBe('Ana Lima');
    await benContext.close();
    await expect.poll(() => outlined(ana, rows[2]!, 'summary')).toBe(false);
    await expect.poll(() => ana.getByTestId('whos-here').locator('[data-user]').count()).toBe(1);
  });
});
