/**
 * Double coding through the real server and stock y-websocket clients: each coder codes blind in a
 * copy of their own, submitting locks it, and the agreement and adjudication read the copies.
 */
import * as decoding from 'lib0/decoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { StoreMessage } from '../../model/codes';
import { Adjudication, Agreement, History, Round, RoundList, RoundSubmitted, RoundUnits } from '../../model/http';
import { getSheet, sheetRows, setCell } from '../../model/document';
import { createDataset, createUser, rowHistory } from '../helpers/api';
import { api, connect, connectSynced, type Client } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const ROWS = ['r1', 'r2', 'r3', 'r4'];

describe('double coding', () => {
  let server: RunningServer;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const open: Client[] = [];
  const client = async (room: string, who: string) => {
    const c = await connectSynced(server, room, tokens[who]);
    open.push(c);
    return c;
  };
  const events = (c: Client) => getSheet(c.doc, 'events')!;
  const cell = (c: Client, row: string, column: string) => sheetRows(events(c)).get(row)?.get(column);
  let roundId: string;
  let datasetClient: Client;

  /** Rows r1–r4 with a summary and an event type, as the dataset holds them before the round. */
  async function seed(dataset: string): Promise<Client> {
    const admin = await client(dataset, 'admin');
    admin.doc.transact(() => {
      for (const row of ROWS) {
        setCell(events(admin), row, 'summary', `Summary of ${row}`);
        setCell(events(admin), row, 'event_type', 'CONSULT');
      }
    });
    await eventually(async () => {
      const { body } = await api(server, `/api/datasets/${dataset}`);
      expect(body.sheets.find((s: { id: string }) => s.id === 'events').rowCount).toBe(ROWS.length);
    });
    return admin;
  }

  beforeAll(async () => {
    server = await startServer();
    tokens.admin = server.adminToken;
    for (const [name, role] of [['ana', 'editor'], ['ben', 'editor'], ['vic', 'viewer'], ['eve', 'editor']] as const) {
      const user = await createUser(server, name, role);
      tokens[name] = user.token;
      ids[name] = user.id;
    }
    await createDataset(server, 'coding');
    datasetClient = await seed('coding');
  });
  afterAll(async () => {
    for (const c of open) c.destroy();
    await server.dispose();
  });

  it('lets only a dataset admin create a round, and names what does not fit', async () => {
    const body = { sheet: 'events', rows: ROWS, columns: ['event_type', 'context'], coders: ['ana', 'ben'] };
    for (const who of ['ana', 'vic']) {
      const { status, body: error } = await api(server, '/api/datasets/coding/rounds', { body, token: tokens[who] });
      expect(status, who).toBe(403);
      expect(error.error.code).toBe('forbidden');
    }
    const bad = [
      [{ ...body, columns: ['event_type', 'nope'] }, /column "nope"/],
      [{ ...body, rows: ['r1', 'missing'] }, /row "missing"/],
      [{ ...body, coders: ['ana', 'nobody'] }, /user "nobody"/],
      [{ ...body, coders: ['ana'] }, /at least two coders/],
      [{ ...body, levels: { context: 'interval' } }, /context/],
      [{ ...body, sheet: 'nosheet' }, /sheet/],
    ] as const;
    for (const [request, message] of bad) {
      const { status, body: error } = await api(server, '/api/datasets/coding/rounds', { body: request });
      expect(status, JSON.stringify(request)).toBe(400);
      expect(error.error.message).toMatch(message);
    }
    expect((await api(server, '/api/datasets/coding/rounds')).body).toEqual([]);
  });

  it('creates a round with every coder at nothing coded', async () => {
    const { status, body } = await api(server, '/api/datasets/coding/rounds', {
      body: { name: 'Pilot', sheet: 'events', rows: ROWS, columns: ['event_type', 'context'], coders: ['ana', 'ben'] },
    });
    expect(status, JSON.stringify(body)).toBe(201);
    // The answers are what model/http.ts declares, which the web client is typed against.
    Round.parse(body);
    roundId = body.id;
    expect(body).toMatchObject({
      name: 'Pilot', sheet: 'events', rows: ROWS, columns: ['event_type', 'context'], coders: ['ana', 'ben'],
      levels: { event_type: 'nominal', context: 'nominal' }, status: 'open', units: 8, sample: null,
      progress: [{ name: 'ana', coded: 0, submittedAt: null }, { name: 'ben', coded: 0, submittedAt: null }],
    });
    const listed = await api(server, '/api/datasets/coding/rounds', { token: tokens.ana });
    RoundList.parse(listed.body);
    expect(listed.body.map((r: { id: string }) => r.id)).toEqual([roundId]);
    expect((await api(server, '/api/datasets/coding/rounds', { token: tokens.eve })).body).toEqual([]);
    expect((await api(server, `/api/datasets/coding/rounds/${roundId}`, { token: tokens.eve })).status).toBe(404);
  });

  it('gives each coder a copy of their own: the round rows with their context, the round columns empty', async () => {
    const ana = await client(`coding/rounds/${roundId}`, 'ana');
    expect([...sheetRows(events(ana)).keys()].sort()).toEqual(ROWS);
    expect(cell(ana, 'r1', 'summary')).toBe('Summary of r1');
    // The dataset's own event types are not shown: the coder codes from the source, not from them.
    for (const row of ROWS) expect(cell(ana, row, 'event_type')).toBeUndefined();
    expect([...ana.doc.getMap('sheets').keys()]).toEqual(['events']);
  });

  it('refuses (4400) a coder\'s update that writes a column outside the round: the context stays as the dataset had it', async () => {
    const ana = connect(server, `coding/rounds/${roundId}`, tokens.ana);
    await waitFor(() => ana.provider.synced, { what: 'initial sync' });
    setCell(events(ana), 'r1', 'summary', 'rewritten by a coder');
    await waitFor(() => ana.closes.includes(4400), { what: 'the update refused with 4400' });
    ana.destroy();
    const fresh = await client(`coding/rounds/${roundId}`, 'ana');
    expect(cell(fresh, 'r1', 'summary')).toBe('Summary of r1');
  });

  it('keeps coders blind: a coder never receives another coder\'s values, and the dataset none of theirs', async () => {
    const ana = await client(`coding/rounds/${roundId}`, 'ana');
    const ben = await client(`coding/rounds/${roundId}`, 'ben');
    const anaValues = ['AGREE', 'CONSULT', 'AGREE', 'REJECT'];
    const benValues = ['AGREE', 'CONSULT', 'REJECT', 'REJECT'];
    ana.doc.transact(() => {
      ROWS.forEach((row, i) => setCell(events(ana), row, 'event_type', anaValues[i]!));
      setCell(events(ana), 'r1', 'context', ['military', 'political']);
    });
    ben.doc.transact(() => {
      ROWS.forEach((row, i) => setCell(events(ben), row, 'event_type', benValues[i]!));
      setCell(events(ben), 'r1', 'context', ['political', 'military']);
    });
    await eventually(async () => {
      const { body } = await api(server, `/api/datasets/coding/rounds/${roundId}`);
      expect(body.progress.map((p: { coded: number }) => p.coded)).toEqual([5, 5]);
    });
    // Both copies are stored with each coder's own values only, and a new socket syncs the same.
    const benAgain = await client(`coding/rounds/${roundId}`, 'ben');
    expect(ROWS.map((row) => cell(benAgain, row, 'event_type'))).toEqual(benValues);
    expect(ROWS.map((row) => cell(ben, row, 'event_type'))).toEqual(benValues);
    expect(ROWS.map((row) => cell(ana, row, 'event_type'))).toEqual(anaValues);
    // The dataset keeps its own values.
    expect(ROWS.map((row) => cell(datasetClient, row, 'event_type'))).toEqual(['CONSULT', 'CONSULT', 'CONSULT', 'CONSULT']);
  });

  it('closes the round\'s socket with 4404 for anyone not coding it, admins included, and for a copy named directly', async () => {
    for (const [room, who] of [
      [`coding/rounds/${roundId}`, 'eve'], [`coding/rounds/${roundId}`, 'vic'], [`coding/rounds/${roundId}`, 'admin'],
      [`coding/rounds/NOSUCHROUND`, 'ana'], [`coding/rounds/${roundId}/${ids.ben}`, 'ana'], [`coding/rounds/${roundId}/${ids.ana}`, 'ana'],
    ]) {
      const c = connect(server, room!, tokens[who!]);
      open.push(c);
      await waitFor(() => c.closes.includes(4404), { what: `${who} on ${room} closed with 4404` });
      expect(c.doc.getMap('sheets').size, `${who} on ${room}`).toBe(0);
    }
  });

  it('scores agreement from the coders\' copies: alpha, percent and pairable units per column and pair', async () => {
    const { status, body } = await api(server, `/api/datasets/coding/rounds/${roundId}/agreement`);
    expect(status).toBe(200);
    Agreement.parse(body);
    // event_type: units (A,A) (C,C) (A,R) (R,R): n = 8, Do = 2/8, De = (64 − 9 − 4 − 9)/56 = 0.75 → α = 2/3.
    const eventType = body.columns.find((c: { column: string }) => c.column === 'event_type');
    expect(eventType).toMatchObject({ level: 'nominal', units: 4, percent: 0.75 });
    expect(eventType.alpha).toBeCloseTo(2 / 3, 10);
    // context: one pairable unit, the same set in another order: agreement, but no variation → alpha undefined.
    expect(body.columns.find((c: { column: string }) => c.column === 'context')).toEqual({ column: 'context', level: 'nominal', alpha: null, percent: 1, units: 1 });
    expect(body.pairs).toContainEqual({ coders: ['ana', 'ben'], column: 'event_type', alpha: eventType.alpha, percent: 0.75, units: 4 });

    const csv = await api(server, `/api/datasets/coding/rounds/${roundId}/agreement?format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.body.split('\r\n')).toEqual(expect.arrayContaining([
      'scope,column,level,coders,alpha,percent,units',
      'all,event_type,nominal,ana; ben,0.667,0.750,4',
      'pair,event_type,nominal,ana; ben,0.667,0.750,4',
    ]));
    for (const path of ['agreement', 'units']) {
      expect((await api(server, `/api/datasets/coding/rounds/${roundId}/${path}`, { token: tokens.ana })).status, path).toBe(403);
    }
  });

  it('lists units for adjudication, most disagreement first, with each coder\'s value and the agreed one', async () => {
    const { body } = await api(server, `/api/datasets/coding/rounds/${roundId}/units`);
    RoundUnits.parse(body);
    expect(body).toHaveLength(8);
    expect(body[0]).toMatchObject({ row: 'r3', column: 'event_type', values: { ana: 'AGREE', ben: 'REJECT' }, current: 'CONSULT', adjudication: null });
    expect(body[0].agreed).toBeUndefined();
    expect(body[0].disagreement).toBeGreaterThan(0);
    const r1 = body.find((u: { row: string; column: string }) => u.row === 'r1' && u.column === 'context');
    expect(r1).toMatchObject({ agreed: ['military', 'political'], disagreement: 0 });
    expect(body.slice(1).every((u: { disagreement: number }) => u.disagreement === 0)).toBe(true);
  });

  it('writes an adjudication into the dataset\'s sheet, and the history keeps every coder\'s value', async () => {
    const denied = await api(server, `/api/datasets/coding/rounds/${roundId}/adjudicate`, {
      body: { row: 'r3', column: 'event_type', value: 'REJECT' }, token: tokens.ana,
    });
    expect(denied.status).toBe(403);
    expect((await api(server, `/api/datasets/coding/rounds/${roundId}/adjudicate`, { body: { row: 'r3', column: 'summary', value: 'x' } })).status).toBe(400);
    expect((await api(server, `/api/datasets/coding/rounds/${roundId}/adjudicate`, { body: { row: 'r3', column: 'event_type', value: { no: 1 } } })).status).toBe(400);

    const { status, body } = await api(server, `/api/datasets/coding/rounds/${roundId}/adjudicate`, { body: { row: 'r3', column: 'event_type', value: 'REJECT' } });
    expect(status, JSON.stringify(body)).toBe(200);
    Adjudication.parse(body);
    expect(body).toMatchObject({ round: roundId, row: 'r3', column: 'event_type', value: 'REJECT', values: { ana: 'AGREE', ben: 'REJECT' }, by: 'admin' });
    await waitFor(() => cell(datasetClient, 'r3', 'event_type') === 'REJECT', { what: 'the decision reaches the open grid' });
    const history = await rowHistory(server, 'coding', 'r3');
    History.parse(history);
    expect(history.at(-1)).toMatchObject({
      sheet: 'events', row: 'r3', column: 'event_type', old: 'CONSULT', new: 'REJECT', by: 'admin',
      adjudication: { round: roundId, values: { ana: 'AGREE', ben: 'REJECT' } },
    });
    // Earlier entries keep the history's shape (docs/api.md#rows-export-and-import).
    expect(history[0]).not.toHaveProperty('adjudication');
    const units = await api(server, `/api/datasets/coding/rounds/${roundId}/units?open=1`);
    expect(units.body.map((u: { row: string; column: string }) => `${u.row}.${u.column}`)).not.toContain('r3.event_type');
    const all = await api(server, `/api/datasets/coding/rounds/${roundId}/units?column=event_type`);
    expect(all.body.find((u: { row: string }) => u.row === 'r3')).toMatchObject({ current: 'REJECT', adjudication: { value: 'REJECT', by: 'admin' } });
  });

  it('makes a coder\'s copy read-only once they submit: a later update on the open socket is not applied', async () => {
    const ana = await client(`coding/rounds/${roundId}`, 'ana');
    const watcher = await client(`coding/rounds/${roundId}`, 'ana');
    // Our web client asks for acks and is told its new role, as on a role change.
    const roles: string[] = [];
    const told = new WebsocketProvider(server.wsUrl, `coding/rounds/${roundId}`, new Y.Doc(), {
      params: { token: tokens.ana!, acks: '1' }, WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true,
    });
    told.messageHandlers[StoreMessage.Role] = (_encoder, decoder) => { roles.push(decoding.readVarString(decoder)); };
    told.messageHandlers[StoreMessage.Stored] = () => {};
    await waitFor(() => told.synced, { what: 'the acks client synced' });
    expect((await api(server, `/api/datasets/coding/rounds/${roundId}/submit`, { method: 'POST', token: tokens.eve })).status).toBe(404);
    expect((await api(server, `/api/datasets/coding/rounds/${roundId}/submit`, { method: 'POST' })).status).toBe(403);
    const submitted = await api(server, `/api/datasets/coding/rounds/${roundId}/submit`, { method: 'POST', token: tokens.ana });
    expect(submitted.status).toBe(200);
    expect(RoundSubmitted.parse(submitted.body)).toMatchObject({ round: roundId, coder: 'ana' });
    expect((await api(server, `/api/datasets/coding/rounds/${roundId}/submit`, { method: 'POST', token: tokens.ana })).status).toBe(409);
    await waitFor(() => roles.includes('viewer'), { what: 'the role message' });
    told.destroy();

    setCell(events(ana), 'r2', 'event_type', 'PROTEST');
    // Presence sent after the update on the same socket: once the other socket sees it, the server has had the update.
    ana.provider.awareness.setLocalStateField('marker', 'after-submit');
    await waitFor(() => [...watcher.provider.awareness.getStates().values()].some((s) => s.marker === 'after-submit'), { what: 'the marker' });
    const { body } = await api(server, `/api/datasets/coding/rounds/${roundId}`);
    expect(body.progress[0]).toMatchObject({ name: 'ana', coded: 5 });
    expect(body.progress[0].submittedAt).not.toBeNull();
    expect(body.status).toBe('open');
    expect(cell(watcher, 'r2', 'event_type')).toBe('CONSULT');
    const units = await api(server, `/api/datasets/coding/rounds/${roundId}/units?column=event_type`);
    expect(units.body.find((u: { row: string }) => u.row === 'r2').values.ana).toBe('CONSULT');
    // Reconnecting changes nothing: the copy stays read-only.
    const again = await client(`coding/rounds/${roundId}`, 'ana');
    expect(cell(again, 'r2', 'event_type')).toBe('CONSULT');
  });

  it('draws a random sample reproducibly from its seed, from rows not yet in a round', async () => {
    const rowIds = Array.from({ length: 20 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    for (const dataset of ['sample-a', 'sample-b']) {
      await createDataset(server, dataset);
      const admin = await client(dataset, 'admin');
      admin.doc.transact(() => { for (const row of rowIds) setCell(events(admin), row, 'summary', row); });
      await eventually(async () => {
        const { body } = await api(server, `/api/datasets/${dataset}`);
        expect(body.sheets.find((s: { id: string }) => s.id === 'events').rowCount).toBe(rowIds.length);
      });
    }
    const round = { sheet: 'events', columns: ['event_type'], coders: ['ana', 'ben'], sample: { percent: 25, seed: 7 } };
    const a = await api(server, '/api/datasets/sample-a/rounds', { body: round });
    const b = await api(server, '/api/datasets/sample-b/rounds', { body: round });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body.sample).toEqual({ percent: 25, seed: 7 });
    expect(a.body.rows).toHaveLength(5);
    expect(b.body.rows).toEqual(a.body.rows);
    const other = await api(server, '/api/datasets/sample-b/rounds', { body: { ...round, sample: { percent: 25, seed: 8 } } });
    expect(other.body.rows).toHaveLength(5);
    for (const row of other.body.rows) expect(a.body.rows).not.toContain(row);

    // Without a seed the server picks one and returns it; the rest of the sheet is what is left.
    const rest = await api(server, '/api/datasets/sample-a/rounds', { body: { ...round, sample: { percent: 100 } } });
    expect(Number.isInteger(rest.body.sample.seed)).toBe(true);
    expect([...rest.body.rows, ...a.body.rows].sort()).toEqual(rowIds);
    const none = await api(server, '/api/datasets/sample-a/rounds', { body: { ...round, sample: { percent: 100 } } });
    expect(none.status).toBe(400);
  });

  it('deletes a dataset\'s rounds and copies with it', async () => {
    const before = await api(server, '/api/datasets/sample-a/rounds');
    expect(before.body.length).toBe(2);
    expect((await api(server, '/api/datasets/sample-a', { method: 'DELETE', body: { confirm: 'sample-a' } })).status).toBe(200);
    await createDataset(server, 'sample-a');
    expect((await api(server, '/api/datasets/sample-a/rounds')).body).toEqual([]);
    const c = connect(server, `sample-a/rounds/${before.body[0].id}`, tokens.ana);
    open.push(c);
    await waitFor(() => c.closes.includes(4404), { what: 'an old round of a deleted dataset is gone' });
  });
});
