/**
 * `GET /metrics` (docs/metrics.md): only with METRICS_TOKEN set (404 otherwise), only for
 * `Authorization: Bearer METRICS_TOKEN` (401 otherwise), in the Prometheus text format; and the numbers
 * move with what the server does: requests by route pattern, sockets, documents, edits, store failures.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRow } from '../../model/document';
import { newRowId } from '../../model/ids';
import { api, connectSynced, type Client } from '../helpers/clients';
import { sheetOf } from '../helpers/docs';
import { eventually } from '../helpers/eventually';
import { testDatabaseFor, testOnPostgres } from '../helpers/pg';
import { startServer, type RunningServer } from '../helpers/server';

const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789';

async function scrape(server: RunningServer, token: string | null = METRICS_TOKEN) {
  const response = await fetch(`${server.url}/metrics`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** The value of one sample (`name{labels} value`), or undefined when the text has none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

async function value(server: RunningServer, name: string, labels: Record<string, string> = {}): Promise<number> {
  return sample((await scrape(server)).text, name, labels) ?? 0;
}

describe('GET /metrics without METRICS_TOKEN', () => {
  let server: RunningServer;
  beforeAll(async () => { server = await startServer(); });
  afterAll(async () => { await server.dispose(); });

  it('answers 404 with the JSON error envelope, with or without a token', async () => {
    for (const token of [null, METRICS_TOKEN, server.adminToken]) {
      const { status, text } = await scrape(server, token);
      expect(status).toBe(404);
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'not_found', message: expect.any(String) } });
    }
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let server: RunningServer;
  let client: Client | undefined;
  beforeAll(async () => { server = await startServer({ env: { METRICS_TOKEN } }); });
  afterAll(async () => {
    client?.destroy();
    await server.dispose();
  });

  it('answers 401 with the JSON error envelope without the token, with a wrong one, and with an API token', async () => {
    for (const token of [null, `${METRICS_TOKEN}x`, 'wrong', server.adminToken]) {
      const { status, text } = await scrape(server, token);
      expect(status).toBe(401);
      expect(JSON.parse(text)).toEqual({ error: { code: 'unauthorized', message: expect.any(String), requestId: expect.any(String) } });
    }
  });

  it('answers the Prometheus text format with the tessera_ gauges, counters and histogram', async () => {
    const { status, type, text } = await scrape(server);
    expect(status).toBe(200);
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const [name, kind] of [
      ['tessera_open_sockets', 'gauge'], ['tessera_loaded_documents', 'gauge'], ['tessera_store_healthy', 'gauge'],
      ['tessera_updates_applied_total', 'counter'], ['tessera_updates_stored_total', 'counter'], ['tessera_store_failures_total', 'counter'],
      ['tessera_http_requests_total', 'counter'], ['tessera_http_request_duration_seconds', 'histogram'],
      ['tessera_process_cpu_seconds_total', 'counter'], ['tessera_nodejs_eventloop_lag_seconds', 'gauge'],
    ]) {
      expect(text).toContain(`# TYPE ${name} ${kind}\n`);
    }
    expect(sample(text, 'tessera_store_healthy')).toBe(1);
    expect(sample(text, 'tessera_store_failures_total', { operation: 'commit' })).toBe(0);
  });

  it('counts a request by its route pattern, method and status, with its duration', async () => {
    const labels = { method: 'GET', route: '/api/datasets/:id/sheets/:sheetId/rows', status: '200' };
    const before = await value(server, 'tessera_http_requests_total', labels);
    const durationsBefore = await value(server, 'tessera_http_request_duration_seconds_count', labels);
    expect((await api(server, '/api/datasets/demo/sheets/events/rows')).status).toBe(200);
    await eventually(async () => {
      const { text } = await scrape(server);
      expect(sample(text, 'tessera_http_requests_total', labels)).toBe(before + 1);
      expect(sample(text, 'tessera_http_request_duration_seconds_count', labels)).toBe(durationsBefore + 1);
      expect(sample(text, 'tessera_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(durationsBefore + 1);
    });
    // The pattern, never the path: no label names the dataset or the sheet.
    expect((await scrape(server)).text).not.toMatch(/route="[^"]*\/demo\b/);
  });

  it('counts a refused request under the route it was for, and one no route answers as unmatched', async () => {
    expect((await api(server, '/api/datasets/demo/flags', { token: null })).status).toBe(401);
    expect((await api(server, '/made/up/path', { method: 'POST', body: {} })).status).toBe(404);
    await eventually(async () => {
      const { text } = await scrape(server);
      expect(sample(text, 'tessera_http_requests_total', { method: 'GET', route: '/api/datasets/:id/flags', status: '401' })).toBe(1);
      expect(sample(text, 'tessera_http_requests_total', { method: 'POST', route: 'unmatched', status: '404' })).toBe(1);
    });
  });

  it('counts an open socket and its loaded document, and an edit applied and stored', async () => {
    const applied = await value(server, 'tessera_updates_applied_total');
    const stored = await value(server, 'tessera_updates_stored_total');
    client = await connectSynced(server, 'demo');
    await eventually(async () => {
      const { text } = await scrape(server);
      expect(sample(text, 'tessera_open_sockets')).toBe(1);
      expect(sample(text, 'tessera_loaded_documents')).toBe(1);
    });
    insertRow(sheetOf(client.doc, 'events'), newRowId(), { summary: 'counted' });
    await eventually(async () => {
      const { text } = await scrape(server);
      expect(sample(text, 'tessera_updates_applied_total')).toBeGreaterThan(applied);
      expect(sample(text, 'tessera_updates_stored_total')).toBeGreaterThan(stored);
    });
  });

  it('counts failed commits while the store fails, and reports it unhealthy until it works again', async () => {
    if (!client) client = await connectSynced(server, 'demo');
    const store = await openStore(server);
    try {
      await store.exec(testOnPostgres
        ? `CREATE FUNCTION full_disk() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'database or disk is full'; END $$ LANGUAGE plpgsql;
           CREATE TRIGGER full_disk BEFORE INSERT ON updates FOR EACH ROW EXECUTE FUNCTION full_disk()`
        : `CREATE TRIGGER full_disk BEFORE INSERT ON updates BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
      insertRow(sheetOf(client.doc, 'events'), newRowId(), { summary: 'made while the disk is full' });
      await eventually(async () => {
        const { text } = await scrape(server);
        expect(sample(text, 'tessera_store_failures_total', { operation: 'commit' })).toBeGreaterThanOrEqual(1);
        expect(sample(text, 'tessera_store_healthy')).toBe(0);
      });
      await store.exec(testOnPostgres ? 'DROP TRIGGER full_disk ON updates' : 'DROP TRIGGER full_disk');
      await eventually(async () => expect(await value(server, 'tessera_store_healthy')).toBe(1), { timeoutMs: 15_000 });
    } finally {
      await store.close();
    }
  });
});

/** SQL on the server's store from outside: its SQLite file, or its PostgreSQL database. */
async function openStore(server: RunningServer): Promise<{ exec(sql: string): Promise<void>; close(): Promise<void> }> {
  if (testOnPostgres) {
    const client = new pg.Client({ connectionString: (await testDatabaseFor(server.dataDir)).url });
    await client.connect();
    return { exec: async (sql) => { await client.query(sql); }, close: () => client.end() };
  }
  const db = new Database(join(server.dataDir, 'tessera.db'), { timeout: 5000 });
  return { exec: async (sql) => { db.exec(sql); }, close: async () => { db.close(); } };
}
