/**
 * A sheet's first screen comes with its page (docs/large-sheets.md#the-first-screen): the first rows of a
 * `rows` dataset are painted from the HTML before any of the client's code has run, the grid takes over
 * without asking for them again, nobody gets rows in the page that the API would not give them, and the built
 * files go out compressed. Real Chromium against the real server.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newRowId } from '../../model/ids';
import { getRowCells } from '../../model/row-document';
import { type CreatedUser, createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { waitLive } from './browser';
import { browserSuite } from './fixtures';

const OPEN = 'first-open';
const SECRET = 'first-secret';
/** A cell that would run script or break out of the page's data if anything went out unescaped. */
const HOSTILE = `</script><script>window.__ran = 1</script><img src=x onerror="window.__ran = 2"> & "quotes" 'too' \u2028`;

const e2e = browserSuite();
let editor: CreatedUser;
let outsider: CreatedUser;
let context: BrowserContext | undefined;
const openRows = [newRowId(), newRowId(), newRowId()];
const secretRow = newRowId();

async function writeRow(datasetId: string, rowId: string, summary: string): Promise<void> {
  const c = await e2e.rowClient(datasetId, rowId, editor.token);
  c.doc.transact(() => {
    getRowCells(c.doc).set('summary', summary);
    getRowCells(c.doc).set('actor1', 'Chile');
  });
}

const total = async (datasetId: string) =>
  ((await api(e2e.server, `/api/datasets/${datasetId}/sheets/events/rows?limit=1`)).body as { total?: number }).total;

beforeAll(async () => {
  editor = await createUser(e2e.server, 'Ana Lima', 'editor');
  outsider = await createUser(e2e.server, 'Olu Ade', 'editor');
  for (const [id, name] of [[OPEN, 'Open rows'], [SECRET, 'Secret rows']] as const) {
    expect((await api(e2e.server, '/api/datasets', { body: { id, name, layout: 'rows' } })).status).toBe(201);
  }
  // The secret dataset is for its members only: the editor is one, the outsider is not.
  expect((await api(e2e.server, `/api/datasets/${SECRET}`, { method: 'PATCH', body: { access: 'members' } })).status).toBe(200);
  expect((await api(e2e.server, `/api/datasets/${SECRET}/members/${encodeURIComponent(editor.name)}`, { method: 'PUT', body: { role: 'editor' } })).status).toBe(200);
  for (const [i, rowId] of openRows.entries()) await writeRow(OPEN, rowId, i === 1 ? HOSTILE : `Summary ${i + 1}`);
  await writeRow(SECRET, secretRow, 'Secret summary');
  await eventually(async () => expect(await total(OPEN)).toBe(openRows.length));
  await eventually(async () => expect(await total(SECRET)).toBe(1));
});

afterEach(async () => {
  await context?.close();
  context = undefined;
});

/** A signed-in browser profile of `user`, on the list of datasets. */
async function browserOf(user: CreatedUser): Promise<Page> {
  const opened = await e2e.signedIn(user.token, '/');
  context = opened.context;
  await opened.page.locator('[data-testid=datasets]:not([aria-busy])').waitFor();
  return opened.page;
}

const previewCell = (page: Page, rowId: string, column: string) =>
  page.locator(`[data-testid=sheet-preview] tr[data-row-id="${rowId}"] td[data-col-id="${column}"]`);

/** The session cookie of a signed-in profile, as a Cookie header. */
async function cookieOf(page: Page): Promise<string> {
  return (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
}

describe("a sheet's first screen", () => {
  it("paints the first rows from the page itself, before the client's code runs", async () => {
    const page = await browserOf(editor);
    // No script of the client may load: what shows comes from the HTML alone.
    const blocked: string[] = [];
    await page.route(/\/assets\/.*\.js$/, (route) => {
      blocked.push(new URL(route.request().url()).pathname);
      return route.abort();
    });
    await page.goto(`/d/${OPEN}/events`);
    await expect.poll(() => previewCell(page, openRows[0]!, 'summary').textContent()).toBe('Summary 1');
    expect(await previewCell(page, openRows[2]!, 'actor1').textContent()).toBe('Chile');
    // The hostile cell is shown as text: nothing of it ran, and it broke neither the table nor the data.
    expect(await previewCell(page, openRows[1]!, 'summary').textContent()).toBe(HOSTILE);
    expect(await page.evaluate(() => (window as { __ran?: number }).__ran)).toBeUndefined();
    expect(await page.locator('[data-testid=sheet-preview] tbody tr').count()).toBe(openRows.length);
    expect(await page.locator('[data-testid=sheet-preview] footer').textContent()).toContain('3 rows');
    // The client's code was asked for (the entry and the sheet's chunks hinted ahead) and never ran: the page's
    // data for it is still there, and it holds the rows as the API gives them.
    expect(blocked.some((path) => /^\/assets\/index-[\w-]+\.js$/.test(path))).toBe(true);
    expect(blocked.some((path) => /^\/assets\/ag-grid-[\w-]+\.js$/.test(path))).toBe(true);
    const boot = JSON.parse(await page.locator('#tessera-boot').textContent() ?? '') as {
      me: { name: string }; dataset: { id: string }; sheet: string; page: { total: number; rows: Array<{ row_id: string; summary: string }> };
    };
    expect(boot.me.name).toBe(editor.name);
    expect(boot.dataset.id).toBe(OPEN);
    expect(boot.sheet).toBe('events');
    expect(boot.page.total).toBe(3);
    expect(boot.page.rows.map((r) => r.summary)).toEqual(['Summary 1', HOSTILE, 'Summary 3']);
  });

  it('the grid takes over from it without asking for the user or the dataset, and reads the first page again only once its socket synced', async () => {
    const page = await browserOf(editor);
    const asked: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/')) asked.push(`${url.pathname}${url.search}`);
    });
    await page.goto(`/d/${OPEN}/events`);
    await page.locator(`.ag-row[row-id="${openRows[0]}"] .ag-cell[col-id="summary"]`).waitFor();
    await waitLive(page);
    await expect.poll(() => page.locator('[data-testid=sheet-preview]').count()).toBe(0);
    expect(await page.locator(`.ag-row[row-id="${openRows[1]}"] .ag-cell[col-id="summary"]`).textContent()).toBe(HOSTILE);
    expect(asked.filter((path) => path === '/api/me' || path === `/api/datasets/${OPEN}`)).toEqual([]);
    // The page's own rows were read before its socket joined the room: rows stored meanwhile sent it no delta.
    expect(asked.filter((path) => /\/rows\?offset=0&limit=100$/.test(path))).toHaveLength(1);
    expect(await page.locator('#tessera-boot').count()).toBe(0);
  });

  it('a user the API refuses the dataset gets no rows in the page; its member does', async () => {
    const page = await browserOf(outsider);
    const sheetPage = (cookie: string | null) => fetch(`${e2e.server.url}/d/${SECRET}/events`, { headers: cookie ? { cookie } : {} }).then((r) => r.text());
    expect((await api(e2e.server, `/api/datasets/${SECRET}/sheets/events/rows`, { token: outsider.token })).status).toBe(404);
    const refused = await sheetPage(await cookieOf(page));
    const anonymous = await sheetPage(null);
    for (const html of [refused, anonymous]) {
      expect(html).not.toContain('Secret summary');
      expect(html).not.toContain(secretRow);
      expect(html).not.toContain('Secret rows');
      expect(html).not.toContain('sheet-preview');
    }
    // The refused user's page says who they are, and nothing of the dataset.
    expect(refused).toContain('id="tessera-boot"');
    expect(anonymous).not.toContain('id="tessera-boot"');
    // In the browser, the refusal is the one it always was.
    await page.goto(`/d/${SECRET}/events`);
    await page.getByText(/There is no dataset/).waitFor();
    expect(await page.locator('[data-testid=sheet-preview]').count()).toBe(0);

    await context!.close();
    const member = await browserOf(editor);
    const allowed = await sheetPage(await cookieOf(member));
    expect(allowed).toContain('Secret summary');
    expect(allowed).toContain(`data-row-id="${secretRow}"`);
  });

  it('a sheet of a dataset in the document layout opens as before: no rows in its page', async () => {
    const page = await browserOf(editor);
    const html = await fetch(`${e2e.server.url}/d/demo/events`, { headers: { cookie: await cookieOf(page) } }).then((r) => r.text());
    expect(html).not.toContain('sheet-preview');
    expect(html).not.toContain('"page"');
    await page.goto('/d/demo/events');
    await page.locator('.ag-row[row-id]').first().waitFor();
    await waitLive(page);
  });
});

describe('compressed files', () => {
  it('sends built scripts and styles brotli- or gzip-compressed as the browser accepts, and hashed ones for good', async () => {
    const page = await browserOf(editor);
    const assets: Array<{ path: string; encoding: string | undefined; cache: string | undefined }> = [];
    let pageEncoding: string | undefined;
    page.on('response', (response) => {
      const url = new URL(response.url());
      const headers = response.headers();
      if (response.request().resourceType() === 'document') pageEncoding = headers['content-encoding'];
      if (url.pathname.startsWith('/assets/')) assets.push({ path: url.pathname, encoding: headers['content-encoding'], cache: headers['cache-control'] });
    });
    await page.goto(`/d/${OPEN}/events`);
    await page.locator('.ag-row[row-id]').first().waitFor();
    await waitLive(page);
    const grid = assets.find((a) => /^\/assets\/ag-grid-[\w-]+\.js$/.test(a.path));
    expect(grid).toBeDefined();
    for (const asset of assets) {
      expect(asset.encoding, asset.path).toBe('br');
      expect(asset.cache, asset.path).toBe('public, max-age=31536000, immutable');
    }
    expect(pageEncoding).toBe('br');

    // The same file for every Accept-Encoding: brotli, gzip, or as it is.
    const url = `${e2e.server.url}${grid!.path}`;
    const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    const bytes = Buffer.from(await plain.arrayBuffer());
    const raw = (encoding: string) => new Promise<{ encoding: string | undefined; vary: string | undefined; body: Buffer }>((resolve, reject) => {
      // node:http: fetch would undo the compression before the test could see it.
      import('node:http').then(({ get }) => get(url, { headers: { 'accept-encoding': encoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ encoding: res.headers['content-encoding'], vary: res.headers.vary as string | undefined, body: Buffer.concat(chunks) }));
      }).on('error', reject), reject);
    });
    const br = await raw('gzip, deflate, br');
    expect(br.encoding).toBe('br');
    expect(br.vary).toMatch(/accept-encoding/i);
    expect(br.body.length).toBeLessThan(bytes.length / 3);
    expect(brotliDecompressSync(br.body).equals(bytes)).toBe(true);
    const gz = await raw('gzip');
    expect(gz.encoding).toBe('gzip');
    expect(gunzipSync(gz.body).equals(bytes)).toBe(true);
    const none = await raw('br;q=0, identity');
    expect(none.encoding).toBeUndefined();
    expect(none.body.equals(bytes)).toBe(true);
  });
});
