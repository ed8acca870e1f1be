/**
 * Sockets opened with a browser session's cookie end with the session: at sign-out, and when the session
 * expires. Sockets of the same user opened with their API token are another sign-in and stay.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRow } from '../../model/document';
import { createDataset, createUser, type CreatedUser } from '../helpers/api';
import { connectSynced, type Client } from '../helpers/clients';
import { storedByUser } from '../helpers/database';
import { rowsOf, sheetOf } from '../helpers/docs';
import { testDatabaseFor, testOnPostgres } from '../helpers/pg';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

let server: RunningServer;
const open: Client[] = [];

/** A server whose full check of every open socket runs every `recheckMs`. */
function serverRechecking(recheckMs: number): void {
  beforeAll(async () => {
    server = await startServer({ env: { ACCESS_RECHECK_MS: String(recheckMs) } });
    await createDataset(server, 'signout');
  });
  afterAll(async () => {
    for (const client of open.splice(0)) client.destroy();
    await server?.dispose();
  });
}

/** Signs in through `POST /api/session` (as a browser does with a link) and returns the cookie pair. */
async function browserSession(token: string): Promise<string> {
  const response = await fetch(`${server.url}/api/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }),
  });
  expect(response.status).toBe(200);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

/** A stock provider whose socket carries the session cookie (no token), as a signed-in browser's does. */
async function connectWithCookie(cookie: string): Promise<Client> {
  class CookieSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie } });
    }
  }
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(server.wsUrl, 'signout', doc, {
    WebSocketPolyfill: CookieSocket as unknown as typeof globalThis.WebSocket, disableBc: true, maxBackoffTime: 500,
  });
  const closes: number[] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push(event.code);
  });
  const client = { doc, provider, closes, destroy: () => { provider.destroy(); doc.destroy(); } };
  open.push(client);
  await waitFor(() => provider.synced, { what: 'the cookie socket synced' });
  return client;
}

const ids = (client: Client) => rowsOf(client.doc, 'events').map(([id]) => id);

/** Ends a session in the store as its expiry would: the row stays, its time is up. */
async function expireSessionsOf(userId: string): Promise<void> {
  const sql = 'update sessions set expires_at = 1 where user_id = ';
  if (testOnPostgres) {
    const client = new pg.Client({ connectionString: (await testDatabaseFor(server.dataDir)).url });
    await client.connect();
    try {
      await client.query(`${sql}$1`, [userId]);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(join(server.dataDir, 'tessera.db'), { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare(`${sql}?`).run(userId);
  } finally {
    db.close();
  }
}

describe('signing out', () => {
  // Far longer than the test: what closes the sockets is the sign-out, not the periodic check.
  serverRechecking(600_000);
  let pia: CreatedUser;
  beforeAll(async () => {
    pia = await createUser(server, 'pia', 'editor');
  });

  it('closes the sockets of that session with 4401 at once, and nothing written on them afterwards is stored', async () => {
    const cookie = await browserSession(pia.token);
    const browser = await connectWithCookie(cookie);
    const script = await connectSynced(server, 'signout', pia.token);
    open.push(script);
    const watcher = await connectSynced(server, 'signout');
    open.push(watcher);

    insertRow(sheetOf(browser.doc, 'events'), 'before-signout', { summary: 'written while signed in' });
    await waitFor(() => ids(watcher).includes('before-signout'), { what: 'the signed-in edit relayed' });
    await waitFor(async () => (await storedByUser(server, pia.id)).cellChanges > 0, { what: 'the signed-in edit recorded' });
    const storedBefore = await storedByUser(server, pia.id);

    const signOut = await fetch(`${server.url}/api/session`, { method: 'DELETE', headers: { cookie, 'content-type': 'application/json' } });
    expect(signOut.status).toBe(204);
    await waitFor(() => browser.closes.includes(4401), { what: 'the session’s socket closed with 4401' });

    // Written after the close, and the provider made to try again with the cookie: it is refused (4401), and nothing arrives.
    insertRow(sheetOf(browser.doc, 'events'), 'after-signout', { summary: 'written after signing out' });
    const refusals = browser.closes.length;
    browser.provider.connect();
    await waitFor(() => browser.closes.length > refusals, { what: 'a reconnection after the write refused' });
    expect(browser.closes.every((code) => code === 4401)).toBe(true);
    expect(browser.provider.synced).toBe(false);

    // The same user's token socket was not signed out: it still writes, and its write is recorded.
    insertRow(sheetOf(script.doc, 'events'), 'by-token', { summary: 'written with the API token' });
    await waitFor(() => ids(watcher).includes('by-token'), { what: 'the token socket’s edit relayed' });
    expect(script.closes).toEqual([]);
    expect(ids(watcher)).not.toContain('after-signout');
    await waitFor(async () => (await storedByUser(server, pia.id)).cellChanges > storedBefore.cellChanges, { what: 'the token edit recorded' });
    const history = await fetch(`${server.url}/api/datasets/signout/history?row=after-signout`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(await history.json()).toEqual([]);
  });

});

describe('a session expiring', () => {
  serverRechecking(300);

  it('closes the sockets of that session with 4401 at the next full check, and not the token’s', async () => {
    const quinn = await createUser(server, 'quinn', 'editor');
    const browser = await connectWithCookie(await browserSession(quinn.token));
    const script = await connectSynced(server, 'signout', quinn.token);
    open.push(script);

    await expireSessionsOf(quinn.id);
    await waitFor(() => browser.closes.includes(4401), { what: 'the expired session’s socket closed with 4401' });
    expect(script.closes).toEqual([]);
    expect(script.provider.wsconnected).toBe(true);
  });
});
