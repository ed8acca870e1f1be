/**
 * `POST /api/datasets/:id/layout {"layout": "rows"}`: a dataset made in the `document` layout (the demo,
 * with its three sheets, evidence anchored in its source, a flag and an approval) becomes one whose rows
 * are documents of their own, and nothing it held changes: the exports, the history, the review, the
 * anchors and the rows by page read the same; each row's room starts from its cells; the dataset's room
 * keeps its sheets without rows; clients of the whole document are closed with 4409 and are refused it
 * from then on. Real server, stock clients.
 */
import * as decoding from 'lib0/decoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CloseCode } from '../../model/codes';
import type { CellValue } from '../../model/columns';
import { getSheets, readColumns, sheetRows } from '../../model/document';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { createUser, rowHistory } from '../helpers/api';
import { api, connectSynced, type Client } from '../helpers/clients';
import { counts } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'demo';

type Detail = { layout: string; convertedAt: string | null; sheets: Array<{ id: string; name: string; columns: unknown[]; rowCount: number }> };
type Exported = { rows: Array<Record<string, CellValue>> };

describe('converting a dataset to rows by page', () => {
  let server: RunningServer;
  const tokens: Record<string, string> = {};
  const open: Client[] = [];

  const detail = async () => (await api(server, `/api/datasets/${DATASET}`)).body as Detail;
  const exported = async (sheet: string) => {
    const { body } = await api(server, `/api/datasets/${DATASET}/sheets/${sheet}/export?format=json`);
    const { exportedAt: _at, ...rest } = body as Exported & { exportedAt: string };
    return rest;
  };
  /** A stock client of the dataset's whole document, saying so as Tessera's own client of that layout does. */
  const wholeDocumentClient = (layout?: 'document') => {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(server.wsUrl, DATASET, doc, {
      params: { token: server.adminToken, ...(layout && { layout }) },
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true, maxBackoffTime: 500,
    });
    const closes: number[] = [];
    provider.on('connection-close', (event) => {
      if (event) closes.push(event.code);
    });
    return { doc, provider, closes, destroy: () => { provider.destroy(); doc.destroy(); } };
  };

  beforeAll(async () => {
    server = await startServer();
    for (const [name, role] of [['ana', 'editor'], ['rita', 'reviewer'], ['vic', 'viewer']] as const) tokens[name] = (await createUser(server, name, role)).token;
  });

  afterAll(async () => {
    for (const c of open) c.destroy();
    await server?.dispose();
  });

  it('keeps every row, review, history entry and anchor as it was, and hands each row its own room', async () => {
    const before = await detail();
    expect(before.layout).toBe('document');
    const sheets = before.sheets.map((s) => s.id);
    const events = await exported('events');
    const [flagged, approved] = events.rows.map((r) => String(r.row_id));
    const flag = await api(server, `/api/datasets/${DATASET}/flags`, { token: tokens.rita, body: { sheet: 'events', row: flagged, reason: 'wrong_date', note: 'Check the day' } });
    expect(flag.status, JSON.stringify(flag.body)).toBe(201);
    expect((await api(server, `/api/datasets/${DATASET}/rows/${approved}/approve`, { token: tokens.rita, body: {} })).status).toBe(200);

    const exports = Object.fromEntries(await Promise.all(sheets.map(async (s) => [s, await exported(s)] as const)));
    const flags = (await api(server, `/api/datasets/${DATASET}/flags`)).body as unknown[];
    const history = await rowHistory(server, DATASET, flagged!);
    const [source] = (await api(server, `/api/datasets/${DATASET}/sources`)).body as Array<{ id: string }>;
    const anchors = (await api(server, `/api/datasets/${DATASET}/sources/${source!.id}/anchors`)).body as { anchors: unknown[] };
    expect(anchors.anchors.length).toBeGreaterThan(0);

    const saying = wholeDocumentClient('document');
    const stock = wholeDocumentClient();
    await waitFor(() => saying.provider.synced && stock.provider.synced, { what: 'both clients of the whole document synced' });

    for (const who of ['vic', 'rita', 'ana']) {
      expect((await api(server, `/api/datasets/${DATASET}/layout`, { token: tokens[who], body: { layout: 'rows' } })).status).toBe(403);
    }
    expect((await api(server, `/api/datasets/${DATASET}/layout`, { body: { layout: 'document' } })).status).toBe(400);
    const converted = await api(server, `/api/datasets/${DATASET}/layout`, { body: { layout: 'rows' } });
    expect(converted.status, JSON.stringify(converted.body)).toBe(200);
    expect(converted.body.rows).toEqual(Object.fromEntries(before.sheets.map((s) => [s.id, s.rowCount])));

    // Both were closed, told why (a stock client does not reconnect after a 44xx close).
    await waitFor(() => stock.closes.includes(CloseCode.Converted) && saying.closes.includes(CloseCode.Converted), { what: 'both clients closed with 4409' });
    stock.destroy();
    saying.destroy();
    // A client that says it reads the whole document is refused it from now on; a stock client is not (it reads the sheets).
    const late = wholeDocumentClient('document');
    await waitFor(() => late.closes[0], { what: 'the late whole-document client closed' });
    expect(late.closes[0]).toBe(CloseCode.Converted);
    late.destroy();

    const after = await detail();
    expect(after.layout).toBe('rows');
    expect(after.convertedAt).not.toBeNull();
    expect(after.sheets).toEqual(before.sheets);
    for (const s of sheets) expect(await exported(s)).toEqual(exports[s]);
    expect((await api(server, `/api/datasets/${DATASET}/flags`)).body).toEqual(flags);
    expect(await rowHistory(server, DATASET, flagged!)).toEqual(history);
    expect((await api(server, `/api/datasets/${DATASET}/sources/${source!.id}/anchors`)).body).toEqual(anchors);
    const page = (await api(server, `/api/datasets/${DATASET}/sheets/events/rows?limit=1000`)).body as { total: number; rows: Array<Record<string, unknown>> };
    expect(page.total).toBe(events.rows.length);
    expect(page.rows.find((r) => r.row_id === flagged)?.review_status).toBe('flagged');
    expect(page.rows.find((r) => r.row_id === approved)?.review_status).toBe('approved');

    // The dataset's room keeps its sheets and columns, without rows.
    const room = await connectSynced(server, DATASET);
    open.push(room);
    for (const s of before.sheets) {
      const sheet = getSheets(room.doc).get(s.id)!;
      expect(readColumns(sheet)).toEqual(s.columns);
      expect(sheetRows(sheet).size).toBe(0);
    }

    // A row's room starts from its cells, and takes an edit like any row of the layout.
    const row = events.rows.find((r) => r.row_id === flagged)!;
    const own = await connectSynced(server, rowRoom(DATASET, 'events', flagged!), tokens.ana);
    open.push(own);
    expect(getRowCells(own.doc).get('summary')).toBe(row.summary);
    expect(getRowCells(own.doc).get('event_date')).toBe(row.event_date);
    own.doc.transact(() => getRowCells(own.doc).set('summary', 'Corrected after conversion'));
    await eventually(async () => {
      const now = (await exported('events')).rows.find((r) => r.row_id === flagged);
      expect(now?.summary).toBe('Corrected after conversion');
    });
    const last = (await rowHistory(server, DATASET, flagged!)).at(-1)!;
    expect(last).toMatchObject({ column: 'summary', old: row.summary, new: 'Corrected after conversion' });

    // Converted once, for good; the earlier document is kept in the store under a room nobody opens.
    expect((await api(server, `/api/datasets/${DATASET}/layout`, { body: { layout: 'rows' } })).status).toBe(409);
    const kept = await counts(server, {
      updates: ['select count(*) as n from updates where dataset_id = ?', `${DATASET}/legacy`],
      snapshots: ['select count(*) as n from snapshots where dataset_id = ?', `${DATASET}/legacy`],
    });
    expect(kept.updates + kept.snapshots).toBeGreaterThan(0);
  });

  it("answers the earlier document to editors, as it was stored, and 404 for a dataset never converted", async () => {
    const legacy = await fetch(`${server.url}/api/datasets/${DATASET}/legacy`, { headers: { authorization: `Bearer ${tokens.ana}` } });
    expect(legacy.status).toBe(200);
    const decoder = decoding.createDecoder(new Uint8Array(await legacy.arrayBuffer()));
    const earlier = new Y.Doc();
    const count = decoding.readVarUint(decoder);
    for (let i = 0; i < count; i++) Y.applyUpdate(earlier, decoding.readVarUint8Array(decoder));
    const counts = Object.fromEntries([...getSheets(earlier)].map(([id, sheet]) => [id, sheetRows(sheet).size]));
    expect(counts).toEqual(Object.fromEntries((await detail()).sheets.map((s) => [s.id, s.rowCount])));

    const vector = await fetch(`${server.url}/api/datasets/${DATASET}/legacy?part=state-vector`, { headers: { authorization: `Bearer ${tokens.ana}` } });
    expect(vector.status).toBe(200);
    expect(Y.decodeStateVector(new Uint8Array(await vector.arrayBuffer()))).toEqual(Y.decodeStateVector(Y.encodeStateVector(earlier)));

    expect((await api(server, `/api/datasets/${DATASET}/legacy`, { token: tokens.vic })).status).toBe(403);
    expect((await api(server, `/api/datasets/${DATASET}/legacy`, { token: tokens.rita })).status).toBe(403);
    expect((await api(server, '/api/datasets', { body: { id: 'never', name: 'Never converted' } })).status).toBe(201);
    expect((await api(server, '/api/datasets/never/legacy')).status).toBe(404);
  });
});
