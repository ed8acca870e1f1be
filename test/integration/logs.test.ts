/**
 * What the server writes on stdout is JSON lines only: one per request at `info` (method, route pattern,
 * status, ms, user, request id), the start line with its URL as a field, sign-ins and audited actions; and
 * never a credential, not even when a database error happens while a token is being looked up.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { testDatabaseFor, testOnPostgres } from '../helpers/pg';
import { startServer, type RunningServer } from '../helpers/server';

interface LogLine {
  level: number;
  time: string;
  msg: string;
  [field: string]: unknown;
}

/** Every line the server printed, each of which must be a JSON object. */
function lines(server: RunningServer): LogLine[] {
  return server.output().split('\n').filter((line) => line !== '').map((line) => {
    try {
      return JSON.parse(line) as LogLine;
    } catch {
      throw new Error(`not a JSON line: ${line}`);
    }
  });
}

/** Runs one statement on the server's store from outside (its SQLite file, or its PostgreSQL database). */
async function onStore(server: RunningServer, sql: string): Promise<void> {
  if (testOnPostgres) {
    const client = new pg.Client({ connectionString: (await testDatabaseFor(server.dataDir)).url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(join(server.dataDir, 'tessera.db'), { timeout: 5000 });
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

describe('logs at LOG_LEVEL=info', () => {
  let server: RunningServer;
  beforeAll(async () => { server = await startServer({ adminToken: null, env: { LOG_LEVEL: 'info' } }); });
  afterAll(async () => { await server.dispose(); });

  it('prints the start line as JSON, with the sign-in URL as a field and the sentence as its message', () => {
    const start = lines(server).find((line) => line.msg.startsWith('Tessera is running'));
    const url = `http://127.0.0.1:${server.port}/?token=${server.adminToken}`;
    expect(start).toMatchObject({ level: 30, url, msg: `Tessera is running. Sign in as admin: ${url}` });
  });

  it('writes one JSON line per request with method, route pattern, status, ms, user id and request id', async () => {
    const me = (await api(server, '/api/me')).body as { id: string };
    const response = await fetch(`${server.url}/api/datasets/demo/flags?status=open`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    let line: LogLine | undefined;
    await eventually(() => {
      line = lines(server).find((l) => l.msg === 'request' && l.requestId === requestId);
      expect(line).toBeDefined();
    });
    expect(line).toMatchObject({ level: 30, method: 'GET', route: '/api/datasets/:id/flags', status: 200, user: me.id, requestId });
    expect(line!.ms).toEqual(expect.any(Number));
    expect(Object.keys(line!).sort()).toEqual(['level', 'method', 'ms', 'msg', 'requestId', 'route', 'status', 'time', 'user']);
    // One line for the one request.
    expect(lines(server).filter((l) => l.requestId === requestId && l.msg === 'request')).toHaveLength(1);
  });

  it('names the route a refused request was for, without its query', async () => {
    const response = await fetch(`${server.url}/api/datasets/demo/flags?token=${server.adminToken}`);
    expect(response.status).toBe(401);
    const requestId = response.headers.get('x-request-id');
    await eventually(() => {
      expect(lines(server).find((l) => l.requestId === requestId && l.msg === 'request'))
        .toMatchObject({ route: '/api/datasets/:id/flags', status: 401 });
    });
  });

  it('logs sign-ins and audited actions, with names and ids but no secret', async () => {
    const created = (await api(server, '/api/users', { body: { name: 'logan', role: 'editor', password: 'a long password here' } })).body as { id: string; token: string; signinUrl: string };
    const session = await fetch(`${server.url}/api/session`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ name: 'logan', password: 'a long password here' }),
    });
    expect(session.status).toBe(200);
    const refused = await fetch(`${server.url}/api/session`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ name: 'logan', password: 'wrong password' }),
    });
    expect(refused.status).toBe(401);
    await eventually(() => {
      const all = lines(server);
      expect(all).toContainEqual(expect.objectContaining({ msg: 'audit', action: 'user.create', target: 'logan', detail: { role: 'editor' } }));
      expect(all).toContainEqual(expect.objectContaining({ msg: 'signed in', user: created.id }));
      expect(all).toContainEqual(expect.objectContaining({ msg: 'sign-in refused', status: 401, address: expect.any(String) }));
    });
    const out = server.output();
    expect(out).not.toContain(created.token);
    expect(out).not.toContain(created.signinUrl.split('=')[1]);
    expect(out).not.toContain('a long password here');
    expect(out).not.toContain(session.headers.getSetCookie()[0]!.split(';')[0]!.split('=')[1]!);
  });
});

describe('a database error while a token is looked up', () => {
  let server: RunningServer;
  beforeAll(async () => { server = await startServer(); });
  afterAll(async () => { await server.dispose(); });

  it('is logged with the query but neither the token nor its sha256', async () => {
    const tokenHash = createHash('sha256').update(server.adminToken).digest('hex');
    await onStore(server, 'ALTER TABLE users RENAME TO users_away');
    try {
      const { status, body } = await api(server, '/api/me');
      expect(status).toBe(500);
      expect(body).toMatchObject({ error: { code: 'internal' } });
      let error: LogLine | undefined;
      await eventually(() => {
        error = lines(server).find((l) => l.msg === 'unhandled error');
        expect(error).toBeDefined();
      });
      // The error is there to read: what failed and why. (On PostgreSQL it is the failed query, which
      // holds the hash as its parameter; SQLite's error names no parameter.)
      expect(JSON.stringify(error)).toMatch(/users/);
    } finally {
      await onStore(server, 'ALTER TABLE users_away RENAME TO users');
    }
    // Everything but the start line, which hands out the admin's token on purpose.
    const out = server.output().split('\n').filter((line) => !line.includes('"msg":"Tessera is running')).join('\n');
    expect(out).not.toContain(server.adminToken);
    expect(out).not.toContain(tokenHash);
  });
});
