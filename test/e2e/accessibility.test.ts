/**
 * Accessibility: axe-core (injected from its own source) finds no WCAG 2 A/AA violation on the pages a
 * researcher sees first: sign-in, the datasets list, a sheet, and a dataset's progress, codebook and releases.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSheet } from './browser';
import { browserSuite } from './fixtures';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const e2e = browserSuite();
let page: Page;

beforeAll(async () => {
  // The page's Content-Security-Policy allows no inline script; the test's own context lets axe's in.
  const context = await e2e.browser.newContext({ baseURL: e2e.server.url, bypassCSP: true, viewport: { width: 1400, height: 860 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`/?token=${e2e.server.adminToken}`);
});

/** The page's WCAG 2 A/AA violations, one line each: rule, impact, and the elements it found. */
async function violations(target: Page): Promise<string[]> {
  await target.addScriptTag({ content: AXE_SOURCE });
  return target.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<any> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v: any) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n: any) => `${n.target.join(' ')}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, ' ')}]` : ''}`).join('; ')}`);
  });
}

describe('no axe-core violations (WCAG 2 A/AA)', () => {
  it('on the sign-in page', async () => {
    const context = await e2e.browser.newContext({ baseURL: e2e.server.url, bypassCSP: true });
    const signin = await context.newPage();
    await signin.goto('/signin');
    await signin.locator('form').first().waitFor();
    expect(await violations(signin)).toEqual([]);
    await context.close();
  });

  it('on the datasets list', async () => {
    await page.goto('/');
    await page.locator('[data-testid=datasets]:not([aria-busy]) [data-dataset]').first().waitFor();
    expect(await violations(page)).toEqual([]);
  });

  it('on a demo sheet', async () => {
    await openSheet(page, 'demo', 'events');
    expect(await violations(page)).toEqual([]);
  });

  it('on the progress page', async () => {
    await page.goto('/d/demo/-/progress');
    await page.locator('canvas').first().waitFor();
    expect(await violations(page)).toEqual([]);
  });

  it('on the codebook', async () => {
    await page.goto('/d/demo/-/codebook');
    await page.locator('[data-sheet=events]').waitFor();
    expect(await violations(page)).toEqual([]);
  });

  it('on the releases page', async () => {
    await page.goto('/d/demo/-/releases');
    await page.getByTestId('release-create').waitFor();
    expect(await violations(page)).toEqual([]);
  });
});
