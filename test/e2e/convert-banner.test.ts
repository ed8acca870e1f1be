/**
 * A dataset grown large in one document: its admins see, over the whole-document grid, why and how to convert
 * it to rows by page, and the button converts it; the page then reloads as the paged grid by itself. Others
 * are not offered it.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset } from '../helpers/api';
import { api } from '../helpers/clients';
import { importFile } from '../helpers/import';
import { startServer, type RunningServer } from '../helpers/server';
import { launchBrowser, signedIn, userPage } from './browser';

const DATASET = 'grown';
const ROWS = 20_000;

describe('the offer to convert a large dataset', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    await createDataset(server, DATASET);
    const csv = ['summary,event_date', ...Array.from({ length: ROWS }, (_, i) => `Event ${i},2024-02-${String(1 + (i % 28)).padStart(2, '0')}`)].join('\n');
    const imported = await importFile(server, DATASET, 'events', csv);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('is made to its admins only, and converts the dataset, the page reloading as rows by page', async () => {
    const editor = await userPage(browser, server, 'ed', 'editor', `/d/${DATASET}/events`);
    await editor.page.locator('main[data-layout=document] .ag-row[row-id]').first().waitFor({ timeout: 30_000 });
    expect(await editor.page.locator('[data-testid=convert-banner]').count()).toBe(0);
    await editor.context.close();

    const { context, page } = await signedIn(browser, server.url, server.adminToken, `/d/${DATASET}/events`);
    const banner = page.locator('[data-testid=convert-banner]');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toContain('20,000 rows');
    await banner.locator('[data-testid=convert-dataset]').click();
    await page.locator('[data-testid=confirm-dialog] [data-testid=confirm]').click();
    await page.locator('main[data-layout=rows] .ag-row[row-id]').first().waitFor({ timeout: 30_000 });
    expect((await api(server, `/api/datasets/${DATASET}`)).body.layout).toBe('rows');
    expect(await page.locator('[data-testid=convert-banner]').count()).toBe(0);
    await context.close();
  });
});
