/**
 * A release larger than one stored part (about a megabyte each): its package is served, part by part, as the
 * bytes its sha256 names, with every row in its CSV; its changelog is read out of the stored zip; and a second
 * release diffs against it. On SQLite and, with TESSERA_TEST_STORE=pg, PostgreSQL.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/clients';
import { importFile } from '../helpers/import';
import { startServer, type RunningServer } from '../helpers/server';

const DATASET = 'large-release';
const ROWS = 14_000;

describe('a release of several stored parts', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer();
    expect((await api(server, '/api/datasets', { body: { id: DATASET, name: 'Large release', template: 'events-statements' } })).status).toBe(201);
    // Text that does not compress: each row adds about 400 bytes to the zip.
    const lines = ['summary,actor1'];
    for (let i = 0; i < ROWS; i++) lines.push(`${randomBytes(300).toString('base64')},Actor ${i}`);
    const imported = await importFile(server, DATASET, 'events', `${lines.join('\n')}\n`);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await server?.dispose();
  });

  it('serves the package as the bytes its sha256 names, with every row, and its changelog', async () => {
    const made = await api(server, `/api/datasets/${DATASET}/releases`, { body: {} });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const response = await fetch(`${server.url}/api/datasets/${DATASET}/releases/1.0/package.zip`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(response.status).toBe(200);
    const zip = new Uint8Array(await response.arrayBuffer());
    // More parts than one write takes (4 of about a megabyte).
    expect(zip.byteLength).toBeGreaterThan(4 * 1024 * 1024);
    expect(createHash('sha256').update(zip).digest('hex')).toBe((made.body as { sha256: string }).sha256);
    const events = parse(strFromU8(unzipSync(zip, { filter: (f) => f.name === 'data/events.csv' })['data/events.csv']!), { columns: true }) as Array<Record<string, string>>;
    expect(events).toHaveLength(ROWS);
    expect(new Set(events.map((r) => r.actor1)).size).toBe(ROWS);

    const changelog = await fetch(`${server.url}/api/datasets/${DATASET}/releases/1.0/CHANGELOG.md`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(await changelog.text()).toContain(`${ROWS} rows`);
  });

  it('diffs a later release against it', async () => {
    const added = await importFile(server, DATASET, 'events', 'summary,actor1\nOne more,Actor new\n');
    expect(added.status).toBe(200);
    expect((await api(server, `/api/datasets/${DATASET}/releases`, { body: {} })).status).toBe(201);
    const diff = await api(server, `/api/datasets/${DATASET}/releases/1.1/diff?from=1.0`);
    const events = (diff.body as { sheets: Record<string, { added: string[]; removed: string[]; changed: unknown[] }> }).sheets.events!;
    expect([events.added.length, events.removed.length, events.changed.length]).toEqual([1, 0, 0]);
  });
});
