/**
 * Who is where in the paged grid: two people on a `rows` dataset see each other in the top bar, and
 * the cell the other is in outlined with their name, following them as they move and gone when they
 * leave.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api';
import type { Client } from '../helpers/clients';
import { type RunningServer, startServer } from '../helpers/server';
import { cell, launchBrowser } from './browser';
import { pagedPage, rowsDataset } from './paged-setup';

const DATASET = 'paged-presence';
let server: RunningServer;
let browser: Browser;
let ana: Page;
let ben: Page;
let benContext: BrowserContext;
let rows: string[];
const clients: Client[] = [];

const tagIn = (page: Page, rowId: string, columnId: string) => cell(page, rowId, columnId).locator('.presence-tag');
const outlined = async (page: Page, rowId: string, columnId: string) =>
  (await cell(page, rowId, columnId).getAttribute('class'))?.split(' ').includes('has-presence') ?? false;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const anaUser = await createUser(server, 'Ana Lima', 'editor');
  const benUser = await createUser(server, 'Ben Okafor', 'editor');
  rows = await rowsDataset(server, DATASET, anaUser.token, [{ summary: 'One' }, { summary: 'Two' }, { summary: 'Three' }], clients);
  ana = (await pagedPage(browser, server, DATASET, anaUser.token, rows[0]!)).page;
  ({ page: ben, context: benContext } = await pagedPage(browser, server, DATASET, benUser.token, rows[0]!));
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await browser?.close();
  await server?.dispose();
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
