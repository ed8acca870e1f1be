/**
 * `node --import tsx scripts/docs-screenshot.ts [FILE]`: the README's screenshot (docs/images/grid.png by
 * default). Starts the server on a free port with a temporary DATA_DIR (the first start's demo dataset),
 * opens the demo's events sheet in Debian's Chromium at 1280×800 with the reading pane on the seed article
 * and a row focused, and saves a PNG (made smaller by pngquant when it is installed). The web client is
 * built first when its sources changed.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { buildClientIfStale } from './client-build';
import { startServer } from '../test/helpers/server';
import { SEED_ARTICLE } from '../model/seed-article';

const ROOT = join(import.meta.dirname, '..');
const out = process.argv[2] ?? join(ROOT, 'docs', 'images', 'grid.png');

buildClientIfStale(ROOT);
const server = await startServer();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`/d/demo/events?token=${encodeURIComponent(server.adminToken)}`);
  await page.locator('.ag-row[row-id]').first().waitFor();
  await page.locator('[data-testid=sync-status][data-state=saved]').waitFor();
  await page.getByTestId('reading-toggle').click();
  await page.getByTestId('reading-pane').locator('.source-item', { hasText: SEED_ARTICLE.title }).click();
  await page.getByTestId('source-text').waitFor();
  // Focus a row so its passage is shown in the text; its first columns stay in view.
  await page.locator('.ag-row[row-index="1"] .ag-cell[col-id="actor1"]').click();
  await page.waitForTimeout(500); // let the highlight scroll into view and the selection paint settle: a picture, not a test
  await page.screenshot({ path: out });
  try {
    // A palette of at most 256 colours: a third of the bytes, and the same picture to the eye.
    execFileSync('pngquant', ['--quality', '70-90', '--force', '--output', out, out]);
  } catch {
    console.log('pngquant is not installed (apt-get install pngquant): the PNG stays as Chromium wrote it');
  }
  console.log(`saved ${out}`);
} finally {
  await browser.close();
  await server.dispose();
}
