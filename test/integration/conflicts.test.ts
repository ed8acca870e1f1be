/**
 * Same-cell edits made without seeing each other (two stock clients offline, then back) are recorded
 * as conflicts with both values and both names; sequential edits are not; resolving closes them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { getConflicts } from '../../model/conflicts';
import { getSheet, setCell, sheetRows } from '../../model/document';
import { Conflict, ConflictList } from '../../model/http';
import { type CreatedUser, createUser, rowHistory } from '../helpers/api';
import { buildApp } from '../helpers/app';
import { api, connectSynced, type Client } from '../helpers/clients';
import { cellOf } from '../helpers/docs';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

let server: RunningServer;
let ana: CreatedUser;
let ben: CreatedUser;
let vera: CreatedUser;
const clients: Client[] = [];
let rows: string[];

beforeAll(async () => {
  server = await startServer();
  ana = await createUser(server, 'Ana Ruiz', 'editor');
  ben = await createUser(server, 'Ben Okafor', 'editor');
  vera = await createUser(server, 'Vera', 'viewer');
  const probe = await connectSynced(server, 'demo', ana.token);
  rows = [...sheetRows(getSheet(probe.doc, 'events')!).keys()].sort();
  probe.destroy();
});

afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

afterAll(async () => {
  await server?.dispose();
});

async function open(user: CreatedUser): Promise<Client> {
  const client = await connectSynced(server, 'demo', user.token);
  clients.push(client);
  return client;
}

const set = (client: Client, row: string, column: string, value: string) => setCell(getSheet(client.doc, 'events')!, row, column, value);

/** Reconnects a client and waits until the server applied its value of a cell (the cell's history has it). */
async function reconnect(client: Client, row: string, column: string, value: string): Promise<void> {
  client.provider.connect();
  await waitFor(async () => (await rowHistory(server, 'demo', row)).some((h) => h.column === column && h.new === value), {
    what: `the server has ${value}`,
  });
}

async function openConflicts(): Promise<any[]> {
  const { status, body } = await api(server, '/api/datasets/demo/conflicts?status=open');
  expect(status).toBe(200);
  expect(ConflictList.safeParse(body).success, JSON.stringify(body)).toBe(true);
  return body as any[];
}

/** Waits until exactly one open conflict is listed for the row, and returns it. */
async function theConflictOf(row: string): Promise<any> {
  const list = await waitFor(async () => {
    const found = (await openConflicts()).filter((c) => c.row === row);
    return found.length === 1 ? found : undefined;
  }, { what: `a conflict listed for row ${row}` });
  return list![0];
}

/** Two clients go offline, each sets the same cell, then both come back one after the other. */
async function offlineEdits(first: Client, second: Client, row: string, column: string, values: [string, string]) {
  first.provider.disconnect();
  second.provider.disconnect();
  set(first, row, column, values[0]);
  set(second, row, column, values[1]);
  await reconnect(first, row, column, values[0]);
  // The second value may lose, and leave no trace in the history: the conflict is what tells.
  second.provider.connect();
}

describe('concurrent edits of one cell', () => {
  it('records a conflict with both values and both names when two users edit a cell offline', async () => {
    const a = await open(ana);
    const b = await open(ben);
    const row = rows[0]!;
    await offlineEdits(a, b, row, 'location', ['Beijing', 'Tokyo']);

    const found = await theConflictOf(row);
    const byValue: Record<string, string> = { Beijing: 'Ana Ruiz', Tokyo: 'Ben Okafor' };
    expect(found).toMatchObject({ sheet: 'events', row, column: 'location', status: 'open' });
    expect([found.kept, found.lost].sort()).toEqual(['Beijing', 'Tokyo']);
    expect(found.keptBy).toBe(byValue[found.kept]);
    expect(found.lostBy).toBe(byValue[found.lost]);
    expect(Date.parse(found.at)).not.toBeNaN();
    // Both converge on the kept value, and both see the conflict live in the document.
    await waitFor(() => cellOf(a.doc, 'events', row, 'location') === found.kept && cellOf(b.doc, 'events', row, 'location') === found.kept);
    await waitFor(() => getConflicts(a.doc).get(found.id)?.get('status') === 'open' && getConflicts(b.doc).get(found.id)?.get('lost') === found.lost);
  });

  it("records one user's offline edit against their own from another client", async () => {
    const laptop = await open(ana);
    const desktop = await open(ana);
    const row = rows[1]!;
    await offlineEdits(laptop, desktop, row, 'actor1', ['KCNA', 'Korean Central News']);
    const found = await theConflictOf(row);
    expect([found.kept, found.lost].sort()).toEqual(['KCNA', 'Korean Central News']);
    expect([found.keptBy, found.lostBy]).toEqual(['Ana Ruiz', 'Ana Ruiz']);
  });

  it('records nothing for sequential edits of a cell, by one user or two', async () => {
    const a = await open(ana);
    const b = await open(ben);
    const row = rows[2]!;
    set(a, row, 'location', 'Seoul');
    await waitFor(() => cellOf(b.doc, 'events', row, 'location') === 'Seoul');
    set(b, row, 'location', 'Busan');
    await waitFor(() => cellOf(a.doc, 'events', row, 'location') === 'Busan');
    set(a, row, 'location', 'Incheon');
    set(a, row, 'location', 'Incheon port');
    await waitFor(async () => (await rowHistory(server, 'demo', row)).some((h) => h.new === 'Incheon port'));
    // Offline, but alone: still sequential.
    a.provider.disconnect();
    set(a, row, 'location', 'Daegu');
    await reconnect(a, row, 'location', 'Daegu');
    expect((await api(server, '/api/datasets/demo/conflicts')).body.filter((c: any) => c.row === row)).toEqual([]);
  });

  it('resolves with the lost value: written into the cell as the resolver\'s change, the conflict closed for everyone', async () => {
    const a = await open(ana);
    const b = await open(ben);
    const row = rows[3]!;
    await offlineEdits(a, b, row, 'actor2', ['USA', 'United States']);
    const found = await theConflictOf(row);
    const path = `/api/datasets/demo/conflicts/${found.id}/resolve`;
    expect((await api(server, path, { token: vera.token, body: { value: 'lost' } })).status).toBe(403);
    expect((await api(server, path, { token: ben.token, body: { value: 'other' } })).status).toBe(400);

    const resolved = await api(server, path, { token: ben.token, body: { value: 'lost' } });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ id: found.id, status: 'resolved', resolvedBy: 'Ben Okafor' });
    expect(Conflict.safeParse(resolved.body).success).toBe(true);
    await waitFor(() => cellOf(a.doc, 'events', row, 'actor2') === found.lost && cellOf(b.doc, 'events', row, 'actor2') === found.lost);
    await waitFor(() => getConflicts(a.doc).get(found.id)?.get('status') === 'resolved');
    const history = await rowHistory(server, 'demo', row);
    expect(history.at(-1)).toMatchObject({ column: 'actor2', old: found.kept, new: found.lost, by: 'Ben Okafor' });

    expect((await api(server, path, { token: ben.token, body: {} })).status).toBe(409);
    expect((await api(server, '/api/datasets/demo/conflicts/NOPE/resolve', { token: ben.token, body: {} })).status).toBe(404);
    expect((await openConflicts()).some((c) => c.id === found.id)).toBe(false);
    const closed = (await api(server, '/api/datasets/demo/conflicts?status=resolved')).body as any[];
    expect(closed.find((c) => c.id === found.id)).toMatchObject({ status: 'resolved', resolvedBy: 'Ben Okafor' });
  });

  it('resolves by keeping the value (the default): the cell stays, the conflict closes', async () => {
    const a = await open(ana);
    const b = await open(ben);
    const row = rows[4]!;
    await offlineEdits(a, b, row, 'location', ['Moscow', 'Vladivostok']);
    const found = await theConflictOf(row);
    const resolved = await api(server, `/api/datasets/demo/conflicts/${found.id}/resolve`, { token: ana.token, method: 'POST' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
    await waitFor(() => getConflicts(b.doc).get(found.id)?.get('status') === 'resolved');
    expect(cellOf(b.doc, 'events', row, 'location')).toBe(found.kept);
    expect((await api(server, '/api/datasets/demo/conflicts?status=maybe')).status).toBe(400);
  });

  it('refuses clients that write the conflicts root (4400), admins included, and keeps nothing of it', async () => {
    const editor = await open(ben);
    const entry = new Y.Map<unknown>();
    entry.set('status', 'resolved');
    getConflicts(editor.doc).set('forged', entry);
    await waitFor(() => editor.closes.includes(4400), { what: 'editor closed with 4400' });

    const admin = await connectSynced(server, 'demo');
    clients.push(admin);
    const [open_] = await openConflicts();
    expect(open_).toBeDefined();
    getConflicts(admin.doc).get(open_.id)!.set('status', 'resolved');
    await waitFor(() => admin.closes.includes(4400), { what: 'admin closed with 4400' });

    const fresh = await open(ana);
    expect(getConflicts(fresh.doc).has('forged')).toBe(false);
    expect(getConflicts(fresh.doc).get(open_.id)?.get('status')).toBe('open');
  });
});

describe('the author of a value written before the document was loaded', () => {
  let idle: RunningServer;
  afterAll(async () => {
    await idle?.dispose();
  });

  it('is taken from the history of the cell', async () => {
    idle = await startServer({ env: { DOC_IDLE_MS: '100', LOG_LEVEL: 'debug' } });
    const [cora, dan] = [await createUser(idle, 'Cora', 'editor'), await createUser(idle, 'Dan', 'editor')];
    const c = await connectSynced(idle, 'demo', cora.token);
    const d = await connectSynced(idle, 'demo', dan.token);
    clients.push(c, d);
    const row = [...sheetRows(getSheet(c.doc, 'events')!).keys()].sort()[0]!;
    c.provider.disconnect();
    d.provider.disconnect();
    set(c, row, 'location', 'Hanoi');
    set(d, row, 'location', 'Manila');
    c.provider.connect();
    await waitFor(async () => (await api(idle, `/api/datasets/demo/history?row=${row}`)).body.some((h: any) => h.new === 'Hanoi'));
    c.provider.disconnect();
    // Nobody is connected: the document is stored and unloaded; Dan's edit meets one loaded afresh.
    await waitFor(() => idle.output().includes('document unloaded'), { what: 'the document unloaded' });
    d.provider.connect();
    const list = await waitFor(async () => {
      const found = (await api(idle, '/api/datasets/demo/conflicts?status=open')).body as any[];
      return found.length === 1 ? found : undefined;
    });
    const found = list![0];
    const byValue: Record<string, string> = { Hanoi: 'Cora', Manila: 'Dan' };
    expect(found.keptBy).toBe(byValue[found.kept]);
    expect(found.lostBy).toBe(byValue[found.lost]);
  });
});

describe('listing conflicts', () => {
  it('reads the read model, and leaves a dataset nobody has open unloaded', async () => {
    const app = await buildApp();
    try {
      const listed = await app.call('/api/datasets/demo/conflicts?status=open');
      expect(listed).toEqual({ status: 200, body: [] });
      expect(app.services.registry.loaded('demo')).toBeUndefined();
      expect((await app.call('/api/datasets/nope/conflicts')).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
