/**
 * Links in the browser are web addresses only. The add-source form refuses a `javascript:` link and says
 * why; the reading pane makes no link of a source's address that is not http(s) (one stored before the
 * server checked them); a `url` cell holding `javascript:` shows as text, marked as a problem, not as a link.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertRow } from '../../model/document';
import { newRowId } from '../../model/ids';
import { SEED_ARTICLE } from '../../model/seed-article';
import { createDataset } from '../helpers/api';
import { api, connectSynced } from '../helpers/clients';
import { sheetOf } from '../helpers/docs';
import { testDatabaseFor, testOnPostgres } from '../helpers/pg';
import { cell, openSheet } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let page: Page;

beforeAll(async () => {
  page = (await e2e.signedIn(e2e.server.adminToken, '/d/demo/events')).page;
  await openSheet(page, 'demo', 'events');
});

type SourceItem = { id: string; title: string; url: string | null };
const sources = async () => (await api(e2e.server, '/api/datasets/demo/sources')).body as SourceItem[];

/** Writes a source's address straight into the server's database, as a source stored before links were checked holds it. */
async function storeSourceUrl(id: string, url: string): Promise<void> {
  if (testOnPostgres) {
    const client = new pg.Client({ connectionString: (await testDatabaseFor(e2e.server.dataDir)).url });
    await client.connect();
    try {
      expect((await client.query('UPDATE sources SET url = $1 WHERE dataset_id = $2 AND source_id = $3', [url, 'demo', id])).rowCount).toBe(1);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(join(e2e.server.dataDir, 'tessera.db'));
  try {
    expect(db.prepare('UPDATE sources SET url = ? WHERE dataset_id = ? AND source_id = ?').run(url, 'demo', id).changes).toBe(1);
  } finally {
    db.close();
  }
}

describe('links that are web addresses only', () => {
  it('refuses a javascript: link in the add-source form and says why; takes an https one', async () => {
    await page.getByTestId('reading-toggle').click();
    const pane = page.getByTestId('reading-pane');
    await pane.getByTestId('add-source').click();
    const form = pane.getByTestId('add-source-form');
    await form.locator('[data-field=title]').fill('Drills');
    await form.locator('[data-field=url]').fill('javascript:alert(document.cookie)');
    await form.locator('[data-field=text]').fill('The drills went ahead.');
    await form.getByTestId('source-save').click();
    await expect.poll(() => form.locator('.form-error').textContent()).toBe('The link must be a web address starting with http:// or https://.');
    expect(await form.locator('.form-error').isVisible()).toBe(true);
    expect((await sources()).map((s) => s.title)).toEqual([SEED_ARTICLE.title]);

    await form.locator('[data-field=url]').fill('https://www.scmp.com/news/drills');
    await form.getByTestId('source-save').click();
    await expect.poll(() => pane.getByTestId('source-title').textContent()).toBe('Drills');
    expect(await pane.getByTestId('source-link').getAttribute('href')).toBe('https://www.scmp.com/news/drills');
  });

  it('makes no link in the reading pane of a stored address that is not http(s)', async () => {
    const drills = (await sources()).find((s) => s.title === 'Drills')!;
    await storeSourceUrl(drills.id, 'javascript:alert(document.cookie)');
    expect((await sources()).find((s) => s.id === drills.id)!.url).toBe('javascript:alert(document.cookie)');
    await page.reload();
    await openSheet(page, 'demo', 'events');
    const pane = page.getByTestId('reading-pane');
    await pane.locator('.source-item', { hasText: 'Drills' }).click();
    await expect.poll(() => pane.getByTestId('source-text').textContent()).toBe('The drills went ahead.');
    expect(await pane.getByTestId('source-title').textContent()).toBe('Drills');
    expect(await pane.locator('a[href^="javascript:" i], [data-testid=source-link]').count()).toBe(0);
  });

  it('shows a javascript: url cell as text, marked as a problem, and an https one as a link', async () => {
    await createDataset(e2e.server, 'links', 'blank');
    const made = await api(e2e.server, '/api/datasets/links/sheets', {
      body: { id: 'sites', name: 'Sites', columns: [{ id: 'name', name: 'Name', type: 'text' }, { id: 'link', name: 'Link', type: 'url' }] },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const writer = await connectSynced(e2e.server, 'links');
    const [bad, good] = [newRowId(), newRowId()];
    try {
      await expect.poll(() => writer.doc.getMap('sheets').has('sites')).toBe(true);
      writer.doc.transact(() => {
        insertRow(sheetOf(writer.doc, 'sites'), bad, { name: 'bad', link: 'javascript:alert(document.cookie)' });
        insertRow(sheetOf(writer.doc, 'sites'), good, { name: 'good', link: 'https://www.scmp.com/news' });
      });
      await expect.poll(async () => (await api(e2e.server, '/api/datasets/links/sheets/sites/problems')).body)
        .toEqual([{ row: bad, column: 'link', code: 'url', message: expect.stringContaining('is not an http(s) link') }]);
    } finally {
      writer.destroy();
    }
    await openSheet(page, 'links', 'sites');
    await cell(page, bad, 'link').waitFor();
    expect(await cell(page, bad, 'link').locator('a').count()).toBe(0);
    expect(await cell(page, bad, 'link').locator('.cell-value').textContent()).toBe('javascript:alert(document.cookie)');
    expect(await cell(page, good, 'link').locator('a').getAttribute('href')).toBe('https://www.scmp.com/news');
  });
});
