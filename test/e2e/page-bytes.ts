/**
 * What a page of the web client downloads: each script and stylesheet the browser fetched while the page
 * opened, with its size as sent and gzipped, and whether it holds AG Grid. Used by the page-weight test and by
 * `bench/bundle.ts` (docs/bundle.md).
 */
import { gzipSync } from 'node:zlib';
import type { Page, Response } from 'playwright-core';

/** A class name that AG Grid's own code builds its grid with, and Tessera's code never spells out. */
const AG_GRID_MARK = 'ag-root-wrapper';

export interface Download {
  /** The path on the server, e.g. `/assets/index-Bx1.js`. */
  path: string;
  kind: 'script' | 'stylesheet';
  /** Bytes as the server sent them. */
  bytes: number;
  /** The same bytes gzipped (level 6, the usual default of servers and proxies that compress). */
  gzipped: number;
  /** The response's Cache-Control header. */
  cacheControl: string | null;
  /** Taken from the browser's cache: nothing went over the network. */
  fromCache: boolean;
  /** True for the chunk that holds AG Grid. */
  grid: boolean;
}

export const total = (downloads: readonly Download[], key: 'bytes' | 'gzipped'): number =>
  downloads.reduce((sum, d) => sum + d[key], 0);

/**
 * Records the scripts and stylesheets `page` downloads while `open` runs (it navigates and waits until the page
 * shows what it is for), then waits until the network has been idle for a moment, so that a chunk fetched late
 * is counted too.
 */
export async function pageDownloads(page: Page, open: () => Promise<void>): Promise<Download[]> {
  const pending: Array<Promise<Download | null>> = [];
  const onResponse = (response: Response) => {
    const kind = response.request().resourceType();
    if (kind === 'script' || kind === 'stylesheet') pending.push(download(response, kind));
  };
  page.on('response', onResponse);
  try {
    await open();
    await page.waitForLoadState('networkidle');
  } finally {
    page.off('response', onResponse);
  }
  return (await Promise.all(pending)).filter((d): d is Download => d !== null);
}

async function download(response: Response, kind: 'script' | 'stylesheet'): Promise<Download | null> {
  const body = await response.body().catch(() => null);
  if (body === null) return null;
  // Chromium counts no body bytes received (Playwright then reports minus the header bytes) for a cache hit.
  const { responseBodySize } = await response.request().sizes();
  return {
    path: new URL(response.url()).pathname,
    kind,
    bytes: body.length,
    gzipped: gzipSync(body, { level: 6 }).length,
    cacheControl: response.headers()['cache-control'] ?? null,
    fromCache: responseBodySize <= 0 && body.length > 0,
    grid: body.includes(AG_GRID_MARK),
  };
}
