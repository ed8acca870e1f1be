/**
 * Bytes per page: what real Chromium downloads (scripts and stylesheets, nothing cached) to show the sign-in page,
 * the list of datasets and a sheet of the demo, as sent by the server and gzipped, with the chunks each one
 * fetched. The sheet is opened twice: first, in a new profile, and from the list, as a user does, where its row
 * counts only what went over the network (the rest came from the browser's cache).
 *
 * `npm run bench -- bundle`, or `npx tsx bench/bundle.ts`. Builds the client first when it is not current.
 * Prints numbers; never asserts (the budget is test/e2e/bundle.test.ts's). Numbers: docs/bundle.md.
 */
import { join } from 'node:path';
import { buildClientIfStale } from '../scripts/client-build';
import { launchBrowser, waitLive } from '../test/e2e/browser';
import { type Download, pageDownloads, total } from '../test/e2e/page-bytes';
import { startBenchServer } from './server';
import { table } from './stats';

interface PageBytes {
  label: string;
  downloads: Download[];
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

export async function runBundleBench(log: (line: string) => void): Promise<PageBytes[]> {
  buildClientIfStale(join(import.meta.dirname, '..'));
  const server = await startBenchServer();
  const browser = await launchBrowser();
  try {
    const token = encodeURIComponent(server.adminToken);
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1400, height: 860 } });
    const page = await context.newPage();
    const signIn = await pageDownloads(page, async () => {
      await page.goto('/signin');
      await page.getByRole('form', { name: 'Sign in' }).waitFor();
    });
    // A new profile, so that the list downloads what the sign-in page already had too.
    const listContext = await browser.newContext({ baseURL: server.url, viewport: { width: 1400, height: 860 } });
    const listPage = await listContext.newPage();
    const list = await pageDownloads(listPage, async () => {
      await listPage.goto(`/?token=${token}`);
      await listPage.locator('[data-testid=datasets]:not([aria-busy]) [data-dataset=demo]').waitFor();
    });
    const sheetFromList = await pageDownloads(listPage, async () => {
      await listPage.locator('[data-dataset=demo]').click();
      await listPage.locator('.ag-row[row-id]').first().waitFor();
      await waitLive(listPage);
    });
    const sheetContext = await browser.newContext({ baseURL: server.url, viewport: { width: 1400, height: 860 } });
    const sheetPage = await sheetContext.newPage();
    const sheet = await pageDownloads(sheetPage, async () => {
      await sheetPage.goto(`/d/demo/events?token=${token}`);
      await sheetPage.locator('.ag-row[row-id]').first().waitFor();
      await waitLive(sheetPage);
    });
    const pages: PageBytes[] = [
      { label: 'sign-in (/signin)', downloads: signIn },
      { label: 'datasets list (/)', downloads: list },
      { label: 'sheet (/d/demo/events), opened first', downloads: sheet },
      { label: 'sheet, opened from the list (not cached)', downloads: sheetFromList.filter((d) => !d.fromCache) },
    ];
    const js = (d: Download[]) => d.filter((x) => x.kind === 'script');
    const css = (d: Download[]) => d.filter((x) => x.kind === 'stylesheet');
    log(table(
      ['page', 'files', 'JS', 'JS gzip', 'CSS', 'CSS gzip', 'AG Grid'],
      pages.map(({ label, downloads }) => [
        label, String(downloads.length),
        kb(total(js(downloads), 'bytes')), kb(total(js(downloads), 'gzipped')),
        kb(total(css(downloads), 'bytes')), kb(total(css(downloads), 'gzipped')),
        downloads.some((d) => d.grid) ? 'yes' : 'no',
      ]),
    ));
    log('');
    log('Files per page (bytes as sent / gzipped):');
    for (const { label, downloads } of pages) {
      log(`  ${label}: ${downloads.map((d) => `${chunkName(d.path)} ${kb(d.bytes)} / ${kb(d.gzipped)}`).join(', ')}`);
    }
    await Promise.all([context.close(), listContext.close(), sheetContext.close()]);
    return pages;
  } finally {
    await browser.close();
    await server.dispose();
  }
}

/** `index-Bx1a2.js` → `index.js`: the chunk without its content hash. */
function chunkName(path: string): string {
  return path.replace(/^\/assets\//, '').replace(/-[\w-]{8}(\.\w+)$/, '$1');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log('## Bytes per page (scripts and stylesheets; the server sends them as built, uncompressed)\n');
  runBundleBench((line) => console.log(line)).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
