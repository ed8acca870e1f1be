/**
 * When the server cannot store (disk full, a broken file), nobody is told "Saved": /healthz answers
 * 503, clients that asked for acks (`acks=1`) get no acknowledgement for new edits and hear that the
 * server cannot save; once writes work again the server recovers on its own, stores what it kept in
 * memory, acknowledges it and reports healthy. Stock clients never see these extra messages.
 *
 * The failure is made in the real server's SQLite file by another connection: a trigger that aborts
 * every insert into the update log, as a full disk aborts the write transaction.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { ACKS_PARAM, SaveStatus } from '../../client/sync/save-status';
import { insertRow } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset } from '../helpers/api';
import { api } from '../helpers/clients';
import { sheetOf } from '../helpers/docs';
import { openRawSocket } from '../helpers/raw-socket';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';
import pg from 'pg';
import { testDatabaseFor, testOnPostgres } from '../helpers/pg';

const DATASET = 'fragile';

describe('when storing fails', () => {
  let server: RunningServer;
  /** SQL on the server's store (its SQLite file, or its PostgreSQL database with TESSERA_TEST_STORE=pg). */
  let store: { query(sql: string, params?: string[]): Promise<Array<Record<string, unknown>>>; close(): Promise<void> };
  let doc: Y.Doc;
  let provider: WebsocketProvider;
  let saves: SaveStatus;

  beforeAll(async () => {
    server = await startServer();
    await createDataset(server, DATASET);
    if (testOnPostgres) {
      const client = new pg.Client({ connectionString: (await testDatabaseFor(server.dataDir)).url });
      await client.connect();
      store = {
        query: async (sql, params = []) => {
          let n = 0;
          return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows;
        },
        close: () => client.end(),
      };
    } else {
      const sqlite = new Database(join(server.dataDir, 'tessera.db'), { timeout: 5000 });
      store = {
        query: async (sql, params = []) => (sql.trimStart().toUpperCase().startsWith('SELECT') ? sqlite.prepare(sql).all(...params) as Array<Record<string, unknown>> : (sqlite.exec(sql), [])),
        close: async () => { sqlite.close(); },
      };
    }
    doc = new Y.Doc();
    provider = new WebsocketProvider(server.wsUrl, DATASET, doc, {
      params: { token: server.adminToken, ...ACKS_PARAM },
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      connect: false,
      disableBc: true,
    });
    saves = SaveStatus.of(provider, doc);
    provider.connect();
    await waitFor(() => provider.synced, { what: 'initial sync' });
  });
  afterAll(async () => {
    saves.destroy();
    provider.destroy();
    await store.close();
    await server.dispose();
  });

  const health = async () => {
    const { status, body } = await api(server, '/healthz', { token: null });
    return { status, ok: (body as { ok: boolean }).ok };
  };
  const storedSummary = async (rowId: string) => {
    const [row] = await store.query('SELECT cells FROM rows WHERE dataset_id = ? AND row_id = ?', [DATASET, rowId]) as Array<{ cells: string }>;
    return row ? (JSON.parse(row.cells) as Record<string, unknown>).summary : undefined;
  };
  /** Every later insert into the update log fails, as on a full disk. */
  const breakStore = () => store.query(testOnPostgres
    ? `CREATE OR REPLACE FUNCTION full_disk() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'database or disk is full'; END $$ LANGUAGE plpgsql;
       CREATE TRIGGER full_disk BEFORE INSERT ON updates FOR EACH ROW EXECUTE FUNCTION full_disk()`
    : `CREATE TRIGGER full_disk BEFORE INSERT ON updates BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
  const mendStore = () => store.query(testOnPostgres ? 'DROP TRIGGER full_disk ON updates' : 'DROP TRIGGER full_disk');
  const failureLogLines = () => server.output().split('\n').filter((line) => line.includes('storing updates failed')).length;

  it('reports 503 and withholds acks while failing, then stores, acks and reports healthy on its own', async () => {
    const stock = openRawSocket(server, DATASET);
    await stock.opened;
    const events = sheetOf(doc, 'events');

    const before = newRowId();
    insertRow(events, before, { summary: 'stored normally' });
    expect(saves.state).not.toBe('saved');
    await waitFor(() => saves.state === 'saved', { what: 'the ack of a normal edit' });
    expect(await storedSummary(before)).toBe('stored normally');
    expect(await health()).toEqual({ status: 200, ok: true });

    await breakStore();
    const during = newRowId();
    insertRow(events, during, { summary: 'made while the disk is full' });
    await waitFor(async () => (await health()).status === 503, { what: '/healthz 503' });
    expect(await health()).toEqual({ status: 503, ok: false });
    await waitFor(() => saves.state === 'store-failing', { what: 'the client told the server cannot save' });
    // More edits while failing: each one is kept, none acknowledged, and the log does not repeat itself.
    for (let i = 0; i < 20; i++) insertRow(events, newRowId(), { summary: `burst ${i}` });
    await waitFor(() => failureLogLines() >= 1, { what: 'the failure logged' });
    expect(saves.state).toBe('store-failing');
    expect(await storedSummary(during)).toBeUndefined();

    await mendStore();
    await waitFor(() => saves.state === 'saved', { what: 'the ack after recovery', timeoutMs: 15_000 });
    expect(await storedSummary(during)).toBe('made while the disk is full');
    expect(await health()).toEqual({ status: 200, ok: true });
    expect(failureLogLines()).toBe(1);

    // The stock socket saw only y-websocket messages (sync 0, awareness 1).
    expect(stock.received.map((m) => m[0]).filter((type) => type! > 3)).toEqual([]);
    stock.ws.close();
  });

  it('converts a dataset to rows by page only once what its room applied is stored', async () => {
    const events = sheetOf(doc, 'events');
    await breakStore();
    const kept = newRowId();
    insertRow(events, kept, { summary: 'made before the conversion, while the disk is full' });
    await waitFor(() => saves.state === 'store-failing', { what: 'the client told the server cannot save' });
    const refused = await api(server, `/api/datasets/${DATASET}/layout`, { body: { layout: 'rows' } });
    expect(refused.status).toBe(503);
    expect((await api(server, `/api/datasets/${DATASET}`)).body.layout).toBe('document');

    await mendStore();
    await waitFor(() => saves.state === 'saved', { what: 'the ack after recovery', timeoutMs: 15_000 });
    const converted = await api(server, `/api/datasets/${DATASET}/layout`, { body: { layout: 'rows' } });
    expect(converted.status, JSON.stringify(converted.body)).toBe(200);
    expect(await storedSummary(kept)).toBe('made before the conversion, while the disk is full');
  });
});
