import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getSheet, setCell, sheetRows } from '../../model/document';
import { buildApp } from '../../test/helpers/app';

type App = Awaited<ReturnType<typeof buildApp>>;
const apps: App[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function app(file?: string): Promise<App> {
  const built = await buildApp({ file });
  apps.push(built);
  return built;
}

/** The demo's event rows, oldest first, read from its document. */
function eventRows(a: App): Promise<string[]> {
  return a.services.registry.with('demo', (shared) => shared.read((doc) => [...sheetRows(getSheet(doc, 'events')!).keys()].sort()));
}

/** An edit of one cell as `userId`, as a socket's would be applied. */
async function edit(a: App, userId: string, row: string, column: string, value: string): Promise<void> {
  await a.services.registry.with('demo', (shared) => shared.transact({ userId }, (doc) => setCell(getSheet(doc, 'events')!, row, column, value)));
  await a.services.registry.with('demo', (shared) => shared.flush());
}

describe('review reads on a cold dataset', () => {
  it('lists flags and refuses approval of a flagged row without building the document', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cold-'));
    dirs.push(dir);
    const first = await app(join(dir, 'db.sqlite'));
    const row = (await eventRows(first))[0]!;
    const rita = await first.user('rita', 'reviewer');
    const created = await first.call('/api/datasets/demo/flags', { token: rita.token, body: { sheet: 'events', row, reason: 'wrong_date', note: 'Thursday?' } });
    expect(created.status).toBe(201);
    await first.close();
    apps.length = 0;

    const second = await app(join(dir, 'db.sqlite'));
    const listed = await second.call('/api/datasets/demo/flags?status=open');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([expect.objectContaining({ id: created.body.id, row, reason: 'wrong_date', note: 'Thursday?', by: 'rita', status: 'open' })]);
    const refused = await second.call(`/api/datasets/demo/rows/${row}/approve`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/open flag/);
    expect(second.services.registry.loaded('demo')?.isHot ?? false).toBe(false);
  });
});

describe('approval', () => {
  it('refuses an approver who changed any cell of the row since it was created, not only the last change', async () => {
    const a = await app();
    const [row] = await eventRows(a);
    const reviewer = await a.user('rita', 'admin');
    const editor = await a.user('eddie', 'editor');
    await edit(a, reviewer.id, row!, 'summary', 'Rita fixed the summary');
    await edit(a, editor.id, row!, 'location', 'Beijing');
    const refused = await a.call(`/api/datasets/demo/rows/${row}/approve`, { method: 'POST', token: reviewer.token });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/four eyes/);
    const other = await a.user('olga', 'reviewer');
    expect((await a.call(`/api/datasets/demo/rows/${row}/approve`, { method: 'POST', token: other.token })).status).toBe(200);
    // Approved now: a change after the approval is what counts for the next one.
    await edit(a, editor.id, row!, 'location', 'Pyongyang');
    expect((await a.call(`/api/datasets/demo/rows/${row}/approve`, { method: 'POST', token: reviewer.token })).status).toBe(200);
  });

  it('approves many rows in one request and says why each refused one was refused', async () => {
    const a = await app();
    const [free, flagged, edited] = await eventRows(a);
    const rita = await a.user('rita', 'admin');
    await a.call('/api/datasets/demo/flags', { token: rita.token, body: { sheet: 'events', row: flagged, reason: 'duplicate' } });
    await edit(a, rita.id, edited!, 'summary', 'changed by rita');
    const { status, body } = await a.call('/api/datasets/demo/approve', { token: rita.token, body: { rows: [free, flagged, edited, 'no-such-row'] } });
    expect(status).toBe(200);
    expect(body.approved).toEqual([free]);
    expect(body.refused).toEqual([
      { row: flagged, code: 'conflict', message: expect.stringMatching(/open flag/) },
      { row: edited, code: 'conflict', message: expect.stringMatching(/four eyes/) },
      { row: 'no-such-row', code: 'not_found', message: expect.any(String) },
    ]);
    const history = await a.call(`/api/datasets/demo/history?row=${free}`);
    expect(history.body.at(-1)).toMatchObject({ column: 'review_status', old: 'unreviewed', new: 'approved', by: 'rita' });
  });

  it('lists who coded each flagged row from the history', async () => {
    const a = await app();
    const [row] = await eventRows(a);
    const eddie = await a.user('eddie', 'editor');
    await edit(a, eddie.id, row!, 'summary', 'eddie was here');
    await a.call('/api/datasets/demo/flags', { body: { sheet: 'events', row, reason: 'other' } });
    const { body } = await a.call('/api/datasets/demo/flags');
    expect(body[0]).toMatchObject({ row, coders: ['admin', 'eddie'], lastChangedBy: 'eddie' });
  });
});

describe('the dataset scope', () => {
  it.each(['', '/history', '/flags', '/progress', '/settings', '/sheets/events/export'])('answers 404 with the error envelope for an unknown dataset at %s', async (path) => {
    const a = await app();
    const { status, body } = await a.call(`/api/datasets/no-such-dataset${path}`);
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: { code: 'not_found', message: 'No dataset "no-such-dataset"' } });
  });

  it('tells each user their role on the dataset', async () => {
    const a = await app();
    const vera = await a.user('vera', 'viewer');
    expect((await a.call('/api/datasets/demo', { token: vera.token })).body).toMatchObject({ id: 'demo', role: 'viewer' });
    expect((await a.call('/api/datasets/demo')).body).toMatchObject({ id: 'demo', role: 'admin' });
  });
});
