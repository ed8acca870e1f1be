/**
 * The permission matrix (docs/security.md#the-permission-matrix), generated from `permissions.table.ts`: every route the app
 * registers and every socket action, for every kind of actor, on a dataset open to everyone, on a
 * members-only one and on an archived one. Routes run in-process on a real SQLite file; sockets against the real server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { getSheet, setCell, sheetRows } from '../../model/document';
import { roundRoom } from '../../model/rooms';
import { CloseCode } from '../../model/codes';
import type { Role } from '../../model/roles';
import { type App, buildApp } from '../helpers/app';
import { api, connect, connectSynced, type Client } from '../helpers/clients';
import { startServer, type RunningServer } from '../helpers/server';
import { waitForValue } from '../helpers/eventually';
import { waitFor } from '../helpers/wait';
import {
  DATASET_KINDS, ACTORS, type DatasetKind, DATASET_KIND, type Actor, type ActorName, type CaseRequest, type Fixture, NOT_IN_TABLE, type Outcome,
  outcome, roleOnDataset, ROUND_CODERS, ROUTES, seesRound, type Self, SOCKET_ACTIONS, SOCKET_ROUTE, type SocketAction,
} from './permissions.table';

const ACTOR_NAMES = Object.keys(ACTORS) as ActorName[];
/** The dataset under test of each kind. */
const DATASET: Record<DatasetKind, string> = { 'open': 'open-to-everyone', 'members-only': 'members-only', 'archived': 'archived' };
const NO_SUCH_DATASET = 'no-such-dataset';
const NO_SUCH_USER = 'no-such-user';
const NO_SUCH_ROUND = 'no-such-round';

/** A request as the holder of `token` (null: nobody signed in), with a JSON body or a file (`raw`), answered with status and body. */
type Send = (method: string, path: string, init: { token: string | null; body?: unknown; raw?: CaseRequest['raw'] }) => Promise<{ status: number; body: any }>;

/** The coder of the fixture rounds beside the round coder actor: a member (viewer) of every dataset, who never acts. */
const SECOND_CODER = ROUND_CODERS[1];

/**
 * The users the matrix runs as, and the second coder, made through the API; the disabled one is
 * disabled last, after joining the datasets.
 */
async function createActors(send: Send, admin: string): Promise<Record<ActorName, string | null>> {
  const tokens = {} as Record<ActorName, string | null>;
  for (const name of ACTOR_NAMES) {
    const actor: Actor = ACTORS[name];
    if (actor.global === null) {
      tokens[name] = null;
      continue;
    }
    const made = await send('POST', '/api/users', { token: admin, body: { name: userName(name), role: actor.global } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    tokens[name] = made.body.token;
  }
  const second = await send('POST', '/api/users', { token: admin, body: { name: SECOND_CODER, role: 'viewer' } });
  expect(second.status, JSON.stringify(second.body)).toBe(201);
  return tokens;
}

const userName = (actor: ActorName) => actor.replaceAll(' ', '-');

/**
 * Creates a dataset of `kind` with the member actors in their roles and the second coder, as the setup
 * admin; `archive` follows once it is filled.
 */
async function createDataset(send: Send, admin: string, id: string, kind: DatasetKind): Promise<void> {
  const { access } = DATASET_KIND[kind];
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await send(method, path, { token: admin, body });
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };
  await ok('POST', '/api/datasets', { id, name: `Matrix ${id}` });
  if (access === 'members') await ok('PATCH', `/api/datasets/${id}`, { access });
  for (const name of ACTOR_NAMES) {
    const member: Role | undefined = (ACTORS[name] as Actor).member;
    if (member) await ok('PUT', `/api/datasets/${id}/members/${userName(name)}`, { role: member });
  }
  await ok('PUT', `/api/datasets/${id}/members/${SECOND_CODER}`, { role: 'viewer' });
}

/** A round of `events` (summary, of `row`) for the round coders, as the setup admin: its id. */
async function createRound(send: Send, admin: string, datasetId: string, row: string): Promise<string> {
  const res = await send('POST', `/api/datasets/${datasetId}/rounds`, {
    token: admin, body: { sheet: 'events', columns: ['summary'], rows: [row], coders: [...ROUND_CODERS] },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** Archives a dataset of the archived kind (or restores it: `archived` false, to set up a target on it). */
async function archive(send: Send, admin: string, id: string, kind: DatasetKind, archived = true): Promise<void> {
  if (!DATASET_KIND[kind].archived) return;
  const res = await send('PATCH', `/api/datasets/${id}`, { token: admin, body: { archived } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function disableActors(send: Send, admin: string): Promise<void> {
  for (const name of ACTOR_NAMES) {
    if (!(ACTORS[name] as Actor).disabled) continue;
    const res = await send('PATCH', `/api/users/${userName(name)}`, { token: admin, body: { disabled: true } });
    expect(res.status).toBe(200);
  }
}

/** A route pattern with its params filled in; an optional param left out drops its segment. */
function fillPath(pattern: string, params: Record<string, string>): string {
  return pattern.replace(/\/:(\w+)(\?)?/g, (_all, name: string, optional?: string) => {
    const value = params[name];
    if (value === undefined) {
      if (optional) return '';
      throw new Error(`${pattern}: the row's request gives no "${name}"`);
    }
    return `/${encodeURIComponent(value)}`;
  });
}

function expectOutcome(expected: Outcome, res: { status: number; body: any }, what: string): void {
  const answer = `${what} answered ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
  if (expected === 'ok') {
    expect(res.status >= 200 && res.status < 300, answer).toBe(true);
    return;
  }
  expect(res.status, answer).toBe(expected);
  const code = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found' }[expected];
  expect(res.body?.error?.code, answer).toBe(code);
}

describe('the table', () => {
  it('has a row for every route the app registers, and names no route that is gone', async () => {
    const app = await buildApp();
    try {
      // `app.use` middleware is registered with method ALL; every route has its own method.
      const registered = new Set(app.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
      const inTable = new Set([...Object.keys(ROUTES), SOCKET_ROUTE]);
      expect({
        withoutRow: [...registered].filter((r) => !inTable.has(r) && !NOT_IN_TABLE.has(r)),
        gone: [...inTable, ...NOT_IN_TABLE].filter((r) => !registered.has(r)),
      }, 'every registered route has a row, and every row a registered route').toEqual({ withoutRow: [], gone: [] });
    } finally {
      await app.close();
    }
  });
});

describe('routes', () => {
  let app: App;
  let tokens: Record<ActorName, string | null>;
  const fixtures = {} as Record<DatasetKind, Fixture>;
  let counter = 0;
  const unique = () => `m${++counter}`;

  const send: Send = async (method, path, { token, body, raw }) => {
    // A request over the network is read in a later turn than the one that applied the last change.
    await new Promise((resolve) => setImmediate(resolve));
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    // Writes say they are JSON, so that only sign-in and roles decide (a cookie-less write without it is refused as cross-site).
    if (method !== 'GET') headers['content-type'] = raw?.type ?? 'application/json';
    const res = await app.app.request(path, { method, headers, body: raw?.text ?? (body === undefined ? undefined : JSON.stringify(body)) });
    const text = await res.text();
    let parsed: any = text;
    try { parsed = JSON.parse(text); } catch { /* an export */ }
    return { status: res.status, body: parsed };
  };
  /** A setup request as the setup admin, which must succeed. */
  const setup = async (method: string, path: string, body?: unknown) => {
    const res = await send(method, path, { token: app.adminToken, body });
    expect(res.status, `setup ${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };

  /** Writes a cell as `userId` (null: the server) straight into the document, and stores it. */
  const writeCell = async (datasetId: string, userId: string | null, row: string, value: string) => {
    await app.services.registry.with(datasetId, (shared) => shared.transact({ userId }, (doc) => setCell(getSheet(doc, 'events')!, row, 'summary', value)));
    await app.services.registry.with(datasetId, (shared) => shared.flush());
  };

  /** What `fixture` is made from: set up while the dataset is still active. */
  interface Made {
    row: string;
    source: string;
    round: string;
    roundRow: string;
    releases: readonly [string, string];
  }

  function fixture(datasetId: string, kind: DatasetKind, made: Made, coders: [string, string]): Fixture {
    /**
     * Sets up a target through the API: an archived dataset is restored for it, then archived again
     * (the cases of a file run one after another, so none sees it restored).
     */
    const whileActive = async <T>(make: () => Promise<T>): Promise<T> => {
      await archive(send, app.adminToken, datasetId, kind, false);
      try {
        return await make();
      } finally {
        await archive(send, app.adminToken, datasetId, kind);
      }
    };
    const freshRow = async () => {
      const id = `row-${unique()}`;
      await writeCell(datasetId, null, id, 'coded for the matrix');
      return id;
    };
    const freshUser = async () => {
      const name = `target-${unique()}`;
      await setup('POST', '/api/users', { name, role: 'viewer' });
      return name;
    };
    return {
      dataset: datasetId, ...made, archived: DATASET_KIND[kind].archived, unique,
      async freshDataset() {
        const id = `fresh-${unique()}`;
        await createDataset(send, app.adminToken, id, kind);
        await archive(send, app.adminToken, id, kind);
        return id;
      },
      freshSheet: () => whileActive(async () => (await setup('POST', `/api/datasets/${datasetId}/sheets`, { name: `Sheet ${unique()}` })).id),
      freshRow,
      freshFlag: () => whileActive(async () => {
        const flag = await setup('POST', `/api/datasets/${datasetId}/flags`, { sheet: 'events', row: await freshRow(), reason: 'other' });
        return flag.id;
      }),
      freshSource: () => whileActive(async () => (await setup('POST', `/api/datasets/${datasetId}/sources`, { title: `Source ${unique()}`, text: 'To be deleted.' })).id),
      async freshConflict() {
        // Two coders change the same cell from the same state, neither seeing the other's change.
        const id = await freshRow();
        const state = await app.services.registry.with(datasetId, (shared) => shared.read((doc) => Y.encodeStateAsUpdate(doc)));
        const [first, second] = ['first value', 'second value'].map((value) => {
          const copy = new Y.Doc();
          Y.applyUpdate(copy, state);
          let update: Uint8Array | undefined;
          copy.once('update', (u: Uint8Array) => { update = u; });
          setCell(getSheet(copy, 'events')!, id, 'summary', value);
          return update!;
        });
        for (const [userId, update] of [[coders[0], first!], [coders[1], second!]] as const) {
          await app.services.registry.with(datasetId, (shared) => shared.transact({ userId }, (doc) => Y.applyUpdate(doc, update)));
        }
        // The conflict is recorded after the change that made it (its writers' names are read first).
        return waitForValue(async () => {
          const open = (await setup('GET', `/api/datasets/${datasetId}/conflicts?status=open`)) as Array<{ id: string; row: string }>;
          return open.find((c) => c.row === id)?.id;
        }, { what: 'the conflict recorded' });
      },
      freshUser,
      async freshToken() {
        return (await setup('POST', '/api/users', { name: `signs-in-${unique()}`, role: 'viewer' })).token;
      },
      freshMember: () => whileActive(async () => {
        const name = await freshUser();
        await setup('PUT', `/api/datasets/${datasetId}/members/${name}`, { role: 'viewer' });
        return name;
      }),
      freshRound: () => whileActive(() => createRound(send, app.adminToken, datasetId, made.roundRow)),
    };
  }

  /** A new user like `actor` (global role, disabled or not), to act on themselves. */
  async function likeActor(actor: Actor & { global: Role }): Promise<Self> {
    const name = `self-${unique()}`;
    const { token } = await setup('POST', '/api/users', { name, role: actor.global });
    if (actor.disabled) await setup('PATCH', `/api/users/${name}`, { disabled: true });
    return { name, token };
  }

  beforeAll(async () => {
    app = await buildApp();
    tokens = await createActors(send, app.adminToken);
    const coders = await Promise.all(['coder-one', 'coder-two'].map(async (name) => (await setup('POST', '/api/users', { name, role: 'editor' })).id));
    for (const kind of DATASET_KINDS) {
      const id = DATASET[kind];
      await createDataset(send, app.adminToken, id, kind);
      const row = `row-${unique()}`;
      await writeCell(id, null, row, 'read by every case');
      const source = (await setup('POST', `/api/datasets/${id}/sources`, { title: 'The article', text: 'What was said, and by whom.' })).id;
      const roundRow = `round-row-${unique()}`;
      writeCell(id, null, roundRow, 'coded twice');
      const round = await createRound(send, app.adminToken, id, roundRow);
      const releases = ['1.0', '1.1'] as const;
      for (const version of releases) await setup('POST', `/api/datasets/${id}/releases`, { version });
      fixtures[kind] = fixture(id, kind, { row, source, round, roundRow, releases }, coders as [string, string]);
      await archive(send, app.adminToken, id, kind);
    }
    await disableActors(send, app.adminToken);
  });
  afterAll(() => app?.close());

  /** Runs one case: the row's request as the holder of `token`, checked against the expected outcome. */
  async function run(route: string, kind: DatasetKind, token: string | null, expected: Outcome, self?: Self) {
    const [method, pattern] = route.split(' ') as [string, string];
    const fx = fixtures[kind];
    const request: CaseRequest = (await ROUTES[route]!.request?.(fx, self)) ?? {};
    const pathFor = (id: string, params = request.params) => fillPath(pattern, { ...params, id }) + (request.query ? `?${request.query}` : '');
    const id = request.params?.id ?? fx.dataset;
    const res = await send(method, pathFor(id), { token, body: request.body, raw: request.raw });
    expectOutcome(expected, res, `${method} ${pathFor(id)}`);
    if (expected === 404 && ROUTES[route]!.who.kind === 'round') {
      // A round that does not exist for the actor answers exactly as one that does not exist at all (so does its dataset, if hidden).
      const roundId = request.params!.roundId!;
      const missing = await send(method, pathFor(id, { ...request.params, roundId: NO_SUCH_ROUND }), { token, body: request.body, raw: request.raw });
      expect(res.body.error.message.replaceAll(roundId, NO_SUCH_ROUND), 'a hidden round answers as a missing one').toBe(missing.body.error.message);
      expect(missing.status).toBe(404);
    } else if (expected === 404) {
      // A dataset that does not exist for the actor answers exactly as one that does not exist at all.
      const missing = await send(method, pathFor(NO_SUCH_DATASET), { token, body: request.body, raw: request.raw });
      expect(res.body.error.message.replaceAll(id, NO_SUCH_DATASET), 'a hidden dataset answers as a missing one').toBe(missing.body.error.message);
      expect(missing.status).toBe(404);
    }
    if (expected === 403 && pattern.includes('/:userName')) {
      // A refusal reads the same whether the user named exists or not.
      const path = pathFor(id, { ...request.params, userName: NO_SUCH_USER });
      expectOutcome(403, await send(method, path, { token, body: request.body, raw: request.raw }), `${method} ${path}`);
    }
    return res;
  }

  /** A route's cases for every actor (and on themselves, for a `self` row). */
  const casesOf = (route: string, kind: DatasetKind) => {
    const { who, check, self } = ROUTES[route]!;
    it.each(ACTOR_NAMES)('as %s', async (actorName) => {
      const actor: Actor = ACTORS[actorName];
      const expected = outcome(who, actor, kind);
      const res = await run(route, kind, tokens[actorName], expected);
      if (expected === 'ok') {
        check?.(res.body, {
          dataset: DATASET[kind], archived: DATASET_KIND[kind].archived, role: roleOnDataset(actor, kind),
          round: { id: fixtures[kind].round, seen: seesRound(actor, kind) },
        });
      }
    });
    if (self) {
      // An anonymous request has no self to act on.
      it.each(ACTOR_NAMES.filter((name) => ACTORS[name].global !== null))('as %s, on themselves', async (actorName) => {
        const actor = ACTORS[actorName] as Actor & { global: Role };
        const like = await likeActor(actor);
        await run(route, kind, like.token, outcome(who, actor, kind, { self: true }), like);
      });
    }
  };
  // Routes of a dataset (or checked against one) run on each kind of dataset; the others once.
  const aboutDataset = (route: string) => ['dataset', 'manage', 'round'].includes(ROUTES[route]!.who.kind) || ROUTES[route]!.check !== undefined;
  describe.each(DATASET_KINDS)('on the %s dataset', (kind) => {
    describe.each(Object.keys(ROUTES).filter(aboutDataset))('%s', (route) => casesOf(route, kind));
  });
  describe('of no dataset', () => {
    describe.each(Object.keys(ROUTES).filter((route) => !aboutDataset(route)))('%s', (route) => casesOf(route, 'open'));
  });
});

describe('sockets', () => {
  let server: RunningServer;
  let tokens: Record<ActorName, string | null>;
  /** The setup admin's client on each dataset, which sees what others' sockets do. */
  const watchers = {} as Record<DatasetKind, Client>;
  const fixtureRow = 'row-read-by-every-socket';
  const DATASET_SUMMARY = 'read by every socket';
  /** The round room of each dataset, its round of `fixtureRow` coded by the round coders. */
  const roundRooms = {} as Record<DatasetKind, string>;
  /** Each case's clients, closed after it. */
  const clients: Client[] = [];
  let counter = 0;
  const send: Send = (method, path, { token, body }) => api(server, path, { method, token, body });

  const open = async (kind: DatasetKind, token: string | null, room = DATASET[kind]) => {
    if (token === null) throw new Error('a socket without a token is closed at once: nothing to open');
    const client = await connectSynced(server, room, token);
    clients.push(client);
    return client;
  };
  /** Sets a presence marker and waits until the watcher sees it: every message the socket sent before it was handled. */
  const mark = async (client: Client, watcher: Client) => {
    const marker = `marker-${++counter}`;
    client.provider.awareness.setLocalState({ user: { name: 'whatever it claims' }, marker });
    return waitForValue(() => {
      const state = watcher.provider.awareness.getStates().get(client.provider.awareness.clientID);
      return state?.marker === marker && state;
    }, { what: 'the watcher sees the presence marker' });
  };
  const hasRow = (doc: Y.Doc, row: string) => sheetRows(getSheet(doc, 'events')!).has(row);
  const summaryOf = (doc: Y.Doc, row: string) => sheetRows(getSheet(doc, 'events')!).get(row)?.get('summary');

  beforeAll(async () => {
    server = await startServer();
    tokens = await createActors(send, server.adminToken);
    for (const kind of DATASET_KINDS) {
      const id = DATASET[kind];
      await createDataset(send, server.adminToken, id, kind);
      watchers[kind] = await connectSynced(server, id);
      setCell(getSheet(watchers[kind].doc, 'events')!, fixtureRow, 'summary', DATASET_SUMMARY);
      await waitFor(async () => (await api(server, `/api/datasets/${id}/history?row=${fixtureRow}`)).body.length > 0, { what: 'the fixture row stored' });
      roundRooms[kind] = roundRoom(id, await createRound(send, server.adminToken, id, fixtureRow));
      await archive(send, server.adminToken, id, kind);
    }
    await disableActors(send, server.adminToken);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });
  afterAll(async () => {
    for (const watcher of Object.values(watchers)) watcher.destroy();
    await server?.dispose();
  });

  /** The socket's close code when it may not connect at all, else null. */
  const refusal = (expected: Outcome) => (expected === 401 ? CloseCode.Unauthorized : expected === 404 ? CloseCode.NotFound : null);

  const cases: Record<SocketAction, (kind: DatasetKind, actorName: ActorName, expected: Outcome) => Promise<void>> = {
    async connect(kind, actorName) {
      const client = await open(kind, tokens[actorName]);
      expect(hasRow(client.doc, fixtureRow), 'the document reached the socket').toBe(true);
    },
    async awareness(kind, actorName) {
      const client = await open(kind, tokens[actorName]);
      const seen = await mark(client, watchers[kind]);
      // Presence carries the signed-in user's name, whatever the state claims.
      expect(seen.user.name).toBe(userName(actorName));
    },
    async write(kind, actorName, expected) {
      const client = await open(kind, tokens[actorName]);
      const row = `row-by-socket-${++counter}`;
      setCell(getSheet(client.doc, 'events')!, row, 'summary', `written as ${actorName}`);
      await mark(client, watchers[kind]);
      // The server has handled the write: a client connecting now gets the server's document.
      const probe = await open(kind, server.adminToken);
      expect(hasRow(probe.doc, row), expected === 'ok' ? 'the write was applied' : 'a read-only write was not applied').toBe(expected === 'ok');
      if (expected === 'ok') await waitFor(() => hasRow(watchers[kind].doc, row), { what: 'the write reaches the others' });
      else expect(client.closes, 'a read-only socket stays open').toEqual([]);
    },
    async 'connect to round'(kind, actorName) {
      const client = await open(kind, tokens[actorName], roundRooms[kind]);
      // The coder's copy: the round's row, without the dataset's value of the round's column (coded blind).
      expect(hasRow(client.doc, fixtureRow), 'the copy reached the socket').toBe(true);
      expect(summaryOf(client.doc, fixtureRow), 'the dataset\'s value is not in the copy').not.toBe(DATASET_SUMMARY);
    },
    async 'write to round'(kind, actorName, expected) {
      // The coder's other socket on the same copy sees what this one does.
      const watcher = await open(kind, tokens[actorName], roundRooms[kind]);
      const client = await open(kind, tokens[actorName], roundRooms[kind]);
      const before = summaryOf(watcher.doc, fixtureRow);
      const value = `coded by ${actorName} ${++counter}`;
      setCell(getSheet(client.doc, 'events')!, fixtureRow, 'summary', value);
      await mark(client, watcher);
      // The server has handled the write: a socket opening the copy now gets the server's copy.
      const probe = await open(kind, tokens[actorName], roundRooms[kind]);
      const applied = expected === 'ok';
      expect(summaryOf(probe.doc, fixtureRow), applied ? 'the write was applied' : 'a read-only write was not applied').toBe(applied ? value : before);
      if (expected === 'ok') await waitFor(() => summaryOf(watcher.doc, fixtureRow) === value, { what: 'the write reaches the coder\'s other socket' });
      else expect(client.closes, 'a read-only socket stays open').toEqual([]);
    },
  };
  /** The room a socket action connects to. */
  const roomOf = (action: SocketAction, kind: DatasetKind) => (action.endsWith('to round') ? roundRooms[kind] : DATASET[kind]);

  describe.each(DATASET_KINDS)('on the %s dataset', (kind) => {
    describe.each(Object.keys(SOCKET_ACTIONS) as SocketAction[])('%s', (action) => {
      it.each(ACTOR_NAMES)('as %s', async (actorName) => {
        const expected = outcome(SOCKET_ACTIONS[action].who, ACTORS[actorName], kind);
        const code = refusal(expected);
        if (code === null) return cases[action](kind, actorName, expected);
        const client = connect(server, roomOf(action, kind), tokens[actorName]);
        clients.push(client);
        await waitFor(() => client.closes.length > 0, { what: `the socket closed with ${code}` });
        expect(client.closes[0]).toBe(code);
        expect(getSheet(client.doc, 'events'), 'nothing of the dataset reached the socket').toBeUndefined();
      });
    });
  });
});
