import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import type { Anchor } from '../../model/columns';
import { DEMO_EVENTS, DEMO_STATEMENTS } from '../../model/demo';
import { getSheet, insertRow, setCell, sheetRows } from '../../model/document';
import { newRowId } from '../../model/ids';
import { buildApp, type App } from '../../test/helpers/app';

const apps: App[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** An app with dataset `ds`: the demo's rows without their evidence. */
async function app(): Promise<App> {
  const built = await buildApp();
  apps.push(built);
  expect((await built.call('/api/datasets', { body: { id: 'ds', name: 'Sources test' } })).status).toBe(201);
  await built.services.registry.with('ds', (shared) => shared.transact({ userId: null }, (doc) => {
    for (const values of DEMO_EVENTS) insertRow(getSheet(doc, 'events')!, newRowId(), values);
    for (const { event: _, ...values } of DEMO_STATEMENTS) insertRow(getSheet(doc, 'statements')!, newRowId(), values);
  }));
  await built.services.registry.with('ds', (shared) => shared.flush());
  return built;
}

const ARTICLE = '🇰🇷 Seoul, 22 Feb.\r\nLiu said: “All parties concerned should talk.”\r\nMore text.';
const QUOTE = 'All parties concerned should talk.';
const anchorOf = (source: string, text: string, exact: string): Anchor => {
  const points = Array.from(text);
  const first = Array.from(exact);
  for (let i = 0; i + first.length <= points.length; i++) {
    if (points.slice(i, i + first.length).join('') === exact) return { source, start: i, end: i + first.length, exact };
  }
  throw new Error(`"${exact}" is not in the text`);
};

/** Uploads a file as the admin. */
async function upload(a: App, type: string, body: string, query = '') {
  const res = await a.app.request(`/api/datasets/ds/sources${query}`, {
    method: 'POST', headers: { authorization: `Bearer ${a.adminToken}`, 'content-type': `${type}; charset=utf-8` }, body,
  });
  return { status: res.status, body: await res.json() as any };
}

function rowIds(a: App, sheet: string, dataset = 'ds'): Promise<string[]> {
  return a.services.registry.with(dataset, (shared) => shared.read((doc) => [...sheetRows(getSheet(doc, sheet)!).keys()].sort()));
}

async function edit(a: App, sheet: string, row: string, column: string, value: any): Promise<void> {
  await a.services.registry.with('ds', (shared) => shared.transact({ userId: null }, (doc) => setCell(getSheet(doc, sheet)!, row, column, value)));
  await a.services.registry.with('ds', (shared) => shared.flush());
}

describe('the sources API', () => {
  it('stores a source given as JSON and answers its length in code points and the sha256 of its UTF-8 text', async () => {
    const a = await app();
    const created = await a.call('/api/datasets/ds/sources', {
      body: { title: 'SCMP', text: ARTICLE, url: 'https://www.scmp.com/a', outlet: 'SCMP', publishedAt: '2024-02-23' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String), title: 'SCMP', url: 'https://www.scmp.com/a', outlet: 'SCMP', publishedAt: '2024-02-23',
      length: Array.from(ARTICLE).length, sha256: createHash('sha256').update(Buffer.from(ARTICLE, 'utf8')).digest('hex'),
    });
    expect(created.body.length).toBe(ARTICLE.length - 2); // the flag emoji is two code points in four UTF-16 units

    const list = await a.call('/api/datasets/ds/sources');
    expect(list.body).toEqual([created.body]);
    const one = await a.call(`/api/datasets/ds/sources/${created.body.id}`);
    expect(one.body).toEqual({ ...created.body, text: ARTICLE });
    expect((await a.call('/api/datasets/ds/sources/nope')).status).toBe(404);
  });

  it('lets editors add sources and refuses viewers and reviewers', async () => {
    const a = await app();
    const viewer = await a.user('vera', 'viewer');
    const reviewer = await a.user('rita', 'reviewer');
    const editor = await a.user('ed', 'editor');
    const body = { title: 'T', text: 'text' };
    expect((await a.call('/api/datasets/ds/sources', { body, token: viewer.token })).status).toBe(403);
    expect((await a.call('/api/datasets/ds/sources', { body, token: reviewer.token })).status).toBe(403);
    expect((await a.call('/api/datasets/ds/sources', { body, token: editor.token })).status).toBe(201);
    expect((await a.call('/api/datasets/ds/sources', { body: { title: 'T', text: '' } })).status).toBe(400);
    expect((await a.call('/api/datasets/ds/sources', { body: { title: 'T', text: 'a\uD800b' } })).status).toBe(400);
  });

  it('refuses a source link that is not http(s), as JSON and as an upload, with the JSON error envelope', async () => {
    const a = await app();
    for (const url of ['javascript:alert(document.cookie)', 'JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'file:///etc/passwd', 'ftp://example.org/a', 'vbscript:msgbox(1)']) {
      const refused = await a.call('/api/datasets/ds/sources', { body: { title: 'T', text: 'text', url } });
      expect(refused.status, url).toBe(400);
      expect(refused.body.error.code, url).toBe('bad_request');
      expect(refused.body.error.message, url).toMatch(/^url: /);
      const uploaded = await upload(a, 'text/plain', 'text', `?url=${encodeURIComponent(url)}`);
      expect(uploaded.status, url).toBe(400);
      expect(uploaded.body.error.code, url).toBe('bad_request');
    }
    expect((await a.call('/api/datasets/ds/sources', { body: { title: 'T', text: 'text', url: 'javascript:alert(1)' } })).body.error.message)
      .toBe('url: a source link must start with http:// or https://');
    expect((await a.call('/api/datasets/ds/sources')).body).toEqual([]);
    for (const url of ['https://www.scmp.com/news/a', 'HTTP://example.org/b?c=1']) {
      expect((await a.call('/api/datasets/ds/sources', { body: { title: 'T', text: 'text', url } })).status, url).toBe(201);
    }
    expect((await upload(a, 'text/plain', 'text', '?url=https%3A%2F%2Fexample.org%2Fc')).status).toBe(201);
  });

  it('takes an HTML upload: readable text without script, style or head, entities decoded, title from <title>', async () => {
    const a = await app();
    const html = '<!doctype html><html><head><title>Envoys &amp; peninsula</title><style>p{color:red}</style>'
      + '<script>alert("x")</script></head><body><h1>Headline</h1><p>Liu said: &ldquo;Talk.&rdquo; &#128077;</p>'
      + '<!-- hidden --><p>Second&nbsp;line</p></body></html>';
    const created = await upload(a, 'text/html', html);
    expect(created.status).toBe(201);
    expect(created.body.title).toBe('Envoys & peninsula');
    const text = (await a.call(`/api/datasets/ds/sources/${created.body.id}`)).body.text;
    expect(text).toBe('Headline\n\nLiu said: “Talk.” 👍\n\nSecond\u00A0line');
  });

  it('takes a Markdown upload as it is (CRLF kept), titled by its first heading or by ?title=', async () => {
    const a = await app();
    const md = '# Envoys agree\r\n\r\nBody text.\r\n';
    const created = await upload(a, 'text/markdown', md);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'Envoys agree', length: md.length });
    expect((await a.call(`/api/datasets/ds/sources/${created.body.id}`)).body.text).toBe(md);
    const titled = await upload(a, 'text/plain', 'plain text', '?title=My%20title&outlet=Wire');
    expect(titled.body).toMatchObject({ title: 'My title', outlet: 'Wire' });
    const latin1 = await a.app.request('/api/datasets/ds/sources', {
      method: 'POST', headers: { authorization: `Bearer ${a.adminToken}`, 'content-type': 'text/plain; charset=iso-8859-1' }, body: 'caf\xe9',
    });
    expect(latin1.status).toBe(400);
  });

  it('takes uploads up to 10 MiB and answers 413 past that', async () => {
    const a = await app();
    const limit = 10 * 1024 * 1024;
    expect((await upload(a, 'text/plain', 'x'.repeat(limit))).status).toBe(201);
    expect((await upload(a, 'text/plain', 'x'.repeat(limit + 1))).status).toBe(413);
  });

  it('refuses to delete a source while a row anchors to it, and deletes it once none does', async () => {
    const a = await app();
    const { body: source } = await a.call('/api/datasets/ds/sources', { body: { title: 'A', text: ARTICLE } });
    const { body: other } = await a.call('/api/datasets/ds/sources', { body: { title: 'B', text: 'other' } });
    const row = (await rowIds(a, 'events'))[0]!;
    await edit(a, 'events', row, 'evidence', [anchorOf(source.id, ARTICLE, 'Seoul')]);

    const refused = await a.call(`/api/datasets/ds/sources/${source.id}`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('conflict');
    expect((await a.call(`/api/datasets/ds/sources/${other.id}`, { method: 'DELETE' })).status).toBe(200);

    await edit(a, 'events', row, 'evidence', null);
    expect((await a.call(`/api/datasets/ds/sources/${source.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await a.call('/api/datasets/ds/sources')).body).toEqual([]);
    expect((await a.call(`/api/datasets/ds/sources/${source.id}`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('GET …/sheets/:sheet/problems', () => {
  it('lists the grid’s problems and direct quotes that are not the exact text of an anchor', async () => {
    const a = await app();
    const { body: source } = await a.call('/api/datasets/ds/sources', { body: { title: 'A', text: ARTICLE } });
    const [first] = await rowIds(a, 'statements');
    const before = await a.call('/api/datasets/ds/sheets/statements/problems');
    expect(before.status).toBe(200);
    // The three direct quotes have no anchors yet.
    expect(before.body.filter((p: any) => p.code === 'quote_not_in_evidence')).toHaveLength(3);

    await edit(a, 'statements', first!, 'quote', QUOTE);
    await edit(a, 'statements', first!, 'quote_type', 'direct');
    await edit(a, 'statements', first!, 'evidence', [anchorOf(source.id, ARTICLE, 'Liu said')]);
    await edit(a, 'statements', first!, 'speaker', '');
    await edit(a, 'statements', first!, 'statement_date', '2024-02-30');
    const mine = (await a.call('/api/datasets/ds/sheets/statements/problems')).body.filter((p: any) => p.row === first);
    expect(mine.map((p: any) => [p.column, p.code]).sort()).toEqual([
      ['quote', 'quote_not_in_evidence'], ['speaker', 'required'], ['statement_date', 'date'],
    ]);

    await edit(a, 'statements', first!, 'evidence', [anchorOf(source.id, ARTICLE, 'Liu said'), anchorOf(source.id, ARTICLE, QUOTE)]);
    const after = (await a.call('/api/datasets/ds/sheets/statements/problems')).body.filter((p: any) => p.row === first);
    expect(after.map((p: any) => p.code).sort()).toEqual(['date', 'required']);
    expect((await a.call('/api/datasets/ds/sheets/nope/problems')).status).toBe(404);
  });
});

describe('evidence in exports', () => {
  it('writes anchors as sourceId:start-end in CSV, keeps them as objects in JSON, and exports the crosswalk and the sources', async () => {
    const a = await app();
    const { body: source } = await a.call('/api/datasets/ds/sources', { body: { title: 'A, "quoted"', text: ARTICLE, url: 'https://x.org/a' } });
    const [row] = await rowIds(a, 'events');
    const anchors = [anchorOf(source.id, ARTICLE, 'Seoul'), anchorOf(source.id, ARTICLE, QUOTE)];
    await edit(a, 'events', row!, 'evidence', anchors);

    const csv = parse((await a.call('/api/datasets/ds/sheets/events/export?format=csv')).body as string, { columns: true }) as any[];
    expect(csv.find((r) => r.row_id === row).evidence).toBe(`${source.id}:${anchors[0]!.start}-${anchors[0]!.end}; ${source.id}:${anchors[1]!.start}-${anchors[1]!.end}`);
    const json = (await a.call('/api/datasets/ds/sheets/events/export?format=json')).body;
    expect(json.rows.find((r: any) => r.row_id === row).evidence).toEqual(anchors);

    const crosswalk = (await a.call('/api/datasets/ds/evidence/export?format=json')).body;
    expect(crosswalk).toEqual(anchors.map((x) => ({ sheet: 'events', row_id: row, source_id: source.id, start: x.start, end: x.end, exact: x.exact })));
    const crossCsv = parse((await a.call('/api/datasets/ds/evidence/export')).body as string) as string[][];
    expect(crossCsv[0]).toEqual(['sheet', 'row_id', 'source_id', 'start', 'end', 'exact']);
    expect(crossCsv.slice(1)).toEqual(anchors.map((x) => ['events', row, source.id, String(x.start), String(x.end), x.exact]));

    const sources = (await a.call('/api/datasets/ds/sources/export?format=json')).body;
    expect(sources).toEqual([{
      id: source.id, title: 'A, "quoted"', url: 'https://x.org/a', outlet: null, published_at: null, sha256: source.sha256, text: ARTICLE,
    }]);
    const sourcesCsv = parse((await a.call('/api/datasets/ds/sources/export?format=csv')).body as string, { columns: true }) as any[];
    expect(sourcesCsv).toEqual([{ id: source.id, title: 'A, "quoted"', url: 'https://x.org/a', outlet: '', published_at: '', sha256: source.sha256, text: ARTICLE }]);
    expect((await a.call('/api/datasets/ds/evidence/export?format=xml')).status).toBe(400);
  });

  it('writes a JSON crosswalk that parses whatever the number of anchors (batches of 100)', async () => {
    const a = await app();
    const text = 'x'.repeat(300);
    const { body: source } = await a.call('/api/datasets/ds/sources', { body: { title: 'X', text } });
    const [row] = await rowIds(a, 'events');
    await edit(a, 'events', row!, 'evidence', Array.from({ length: 100 }, (_, i) => ({ source: source.id, start: i, end: i + 1, exact: 'x' })));
    const res = await a.app.request('/api/datasets/ds/evidence/export?format=json', { headers: { authorization: `Bearer ${a.adminToken}` } });
    expect(JSON.parse(await res.text())).toHaveLength(100);
  });
});

describe('the demo dataset', () => {
  it('holds the seed article as a source, and every demo row anchors into it', async () => {
    const a = await app();
    const { body: sources } = await a.call('/api/datasets/demo/sources');
    expect(sources).toEqual([expect.objectContaining({ title: expect.stringContaining('Korean peninsula'), outlet: 'South China Morning Post' })]);
    const text = (await a.call(`/api/datasets/demo/sources/${sources[0].id}`)).body.text as string;
    const crosswalk = (await a.call('/api/datasets/demo/evidence/export?format=json')).body as any[];
    const rows = [...await rowIds(a, 'events', 'demo'), ...await rowIds(a, 'statements', 'demo')];
    expect(new Set(crosswalk.map((x) => x.row_id))).toEqual(new Set(rows));
    for (const x of crosswalk) {
      expect(x.source_id).toBe(sources[0].id);
      expect(Array.from(text).slice(x.start, x.end).join('')).toBe(x.exact);
    }
    expect((await a.call(`/api/datasets/demo/sources/${sources[0].id}`, { method: 'DELETE' })).status).toBe(409);
  });

  it('gives every direct quote of the demo its exact passage: no quote_not_in_evidence', async () => {
    const a = await app();
    const { body: problems } = await a.call('/api/datasets/demo/sheets/statements/problems');
    expect(problems.filter((p: { code: string }) => p.code === 'quote_not_in_evidence')).toEqual([]);
  });
});
