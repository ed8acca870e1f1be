/**
 * The first page loads only what it shows (docs/bundle.md): the sign-in page and the list of datasets do not
 * download AG Grid, the sheet does; the sign-in page's scripts stay small; built assets may be cached for good
 * and pages are checked again. Real Chromium records what each page fetches from the real server.
 */
import type { BrowserContext } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openSheet, waitLive } from './browser';
import { browserSuite } from './fixtures';
import { type Download, pageDownloads, total } from './page-bytes';

/** The sign-in page's scripts, gzipped: the page a new user waits for first. */
const SIGN_IN_SCRIPT_BUDGET = 150 * 1024;

const e2e = browserSuite();
let context: BrowserContext | undefined;

beforeAll(async () => {
});

afterEach(async () => {
  await context?.close();
  context = undefined;
});

/** A fresh browser profile (nothing cached) and its page. */
async function freshPage() {
  context = await e2e.browser.newContext({ baseURL: e2e.server.url, viewport: { width: 1400, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return page;
}

const token = () => encodeURIComponent(e2e.server.adminToken);
const scripts = (downloads: Download[]) => downloads.filter((d) => d.kind === 'script');
const gridChunks = (downloads: Download[]) => downloads.filter((d) => d.grid).map((d) => d.path);

describe('what each page downloads', () => {
  it('the sign-in page loads no AG Grid, and its scripts stay under 150 KB gzipped', async () => {
    const page = await freshPage();
    const downloads = await pageDownloads(page, async () => {
      await page.goto('/signin');
      await page.getByRole('form', { name: 'Sign in' }).waitFor();
    });
    expect(scripts(downloads).length).toBeGreaterThan(0);
    expect(gridChunks(downloads)).toEqual([]);
    expect(total(scripts(downloads), 'gzipped')).toBeLessThan(SIGN_IN_SCRIPT_BUDGET);
  });

  it('the list of datasets loads no AG Grid', async () => {
    const page = await freshPage();
    const downloads = await pageDownloads(page, async () => {
      await page.goto(`/?token=${token()}`);
      await page.locator('[data-testid=datasets]:not([aria-busy]) [data-dataset=demo]').waitFor();
    });
    expect(scripts(downloads).length).toBeGreaterThan(0);
    expect(gridChunks(downloads)).toEqual([]);
  });

  it('a sheet opened from the list loads AG Grid in a chunk of its own, and takes what the list loaded from the cache', async () => {
    const page = await freshPage();
    const list = await pageDownloads(page, async () => {
      await page.goto(`/?token=${token()}`);
      await page.locator('[data-testid=datasets]:not([aria-busy]) [data-dataset=demo]').waitFor();
    });
    const downloads = await pageDownloads(page, async () => {
      await page.locator('[data-dataset=demo]').click();
      await page.locator('.ag-row[row-id]').first().waitFor();
      await waitLive(page);
    });
    expect(gridChunks(downloads)).toHaveLength(1);
    expect(gridChunks(downloads)[0]).toMatch(/^\/assets\/ag-grid-[\w-]+\.js$/);
    const again = downloads.filter((d) => list.some((l) => l.path === d.path));
    expect(again.map((d) => d.path).sort()).toEqual(list.map((d) => d.path).sort());
    expect(again.filter((d) => !d.fromCache).map((d) => d.path)).toEqual([]);
    expect(downloads.filter((d) => d.grid && d.fromCache)).toEqual([]);
  });

  it('built scripts and styles may be cached for good; the page itself is checked each time', async () => {
    const page = await freshPage();
    let pageCache: string | null | undefined;
    page.on('response', (response) => {
      if (response.request().resourceType() === 'document') pageCache = response.headers()['cache-control'] ?? null;
    });
    const downloads = await pageDownloads(page, async () => {
      await page.goto(`/d/demo/events?token=${token()}`);
      await openSheet(page, 'demo', 'events');
    });
    expect(downloads.length).toBeGreaterThan(0);
    for (const d of downloads) {
      expect(d.path).toMatch(/^\/assets\//);
      expect(d.cacheControl, d.path).toBe('public, max-age=31536000, immutable');
    }
    // A sheet's page carries the signed-in user's first screen: for their browser only (docs/large-sheets.md).
    expect(pageCache).toBe('private, no-cache');
    const index = await fetch(`${e2e.server.url}/index.html`);
    expect(index.headers.get('cache-control')).toBe('no-cache');
  });
});
