import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode } from '../../model/codes';
import { createUser, type CreatedUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { waitForValue } from '../helpers/eventually';
import { openRawSocket } from '../helpers/raw-socket';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

/** The contract's error envelope: `{"error": {"code", "message"}}`, and nothing like a stack trace. */
function expectErrorEnvelope(body: unknown, code: string): void {
  expect(body).toMatchObject({ error: { code, message: expect.any(String) } });
  const { error } = body as { error: { message: string } };
  expect(error.message.length).toBeGreaterThan(0);
  expect(JSON.stringify(body)).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
}

describe('authentication and authorization', () => {
  let server: RunningServer;
  let editor: CreatedUser;
  beforeAll(async () => {
    server = await startServer();
    editor = await createUser(server, 'erin', 'editor');
  });
  afterAll(async () => { await server.dispose(); });

  describe('HTTP', () => {
    it.each(['/api/datasets', '/api/datasets/demo', '/api/me', '/api/users', '/api/datasets/demo/sheets/events/export'])(
      'answers %s without a token with 401 and the JSON error envelope',
      async (path) => {
        const { status, body, headers } = await api(server, path, { token: null });
        expect(status).toBe(401);
        expect(headers.get('content-type')).toMatch(/application\/json/);
        expectErrorEnvelope(body, 'unauthorized');
      },
    );

    it('answers a wrong bearer token with 401 and the JSON error envelope', async () => {
      const { status, body } = await api(server, '/api/datasets', { token: `${server.adminToken}x` });
      expect(status).toBe(401);
      expectErrorEnvelope(body, 'unauthorized');
    });

    it('answers a malformed Authorization header with 401', async () => {
      const response = await fetch(`${server.url}/api/datasets`, { headers: { authorization: `Token ${server.adminToken}` } });
      expect(response.status).toBe(401);
      expectErrorEnvelope(await response.json(), 'unauthorized');
    });

    it('does not take the token from the query string of an API request', async () => {
      const response = await fetch(`${server.url}/api/datasets?token=${server.adminToken}`);
      expect(response.status).toBe(401);
    });

    it('knows who a valid token belongs to', async () => {
      const { status, body } = await api(server, '/api/me', { token: editor.token });
      expect(status).toBe(200);
      expect(body).toMatchObject({ name: 'erin', role: 'editor' });
    });

    it('refuses POST /api/users to a non-admin with 403', async () => {
      const { status, body } = await api(server, '/api/users', { token: editor.token, body: { name: 'sneaky', role: 'admin' } });
      expect(status).toBe(403);
      expectErrorEnvelope(body, 'forbidden');
      const { body: users } = await api(server, '/api/users');
      expect((users as Array<{ name: string }>).map((u) => u.name)).not.toContain('sneaky');
    });

    it('refuses POST /api/datasets to a non-admin with 403', async () => {
      const { status, body } = await api(server, '/api/datasets', { token: editor.token, body: { id: 'mine', name: 'Mine' } });
      expect(status).toBe(403);
      expectErrorEnvelope(body, 'forbidden');
      expect((await api(server, '/api/datasets/mine')).status).toBe(404);
    });

    it.each(['Bad_Id', '-leading-dash', 'UPPER', 'has space', 'a'.repeat(64), 'dots.in.id', ''])(
      'answers a dataset id %j that breaks the id rule with 400',
      async (id) => {
        const { status, body } = await api(server, '/api/datasets', { body: { id, name: 'Bad' } });
        expect(status).toBe(400);
        expectErrorEnvelope(body, 'bad_request');
      },
    );

    it('answers a dataset id that exists with 409', async () => {
      const { status, body } = await api(server, '/api/datasets', { body: { id: 'demo', name: 'Another demo' } });
      expect(status).toBe(409);
      expectErrorEnvelope(body, 'conflict');
      const { body: demo } = await api(server, '/api/datasets/demo');
      expect(demo.name).not.toBe('Another demo');
    });

    it('answers a user name that exists with 409', async () => {
      const { status, body } = await api(server, '/api/users', { body: { name: 'erin', role: 'viewer' } });
      expect(status).toBe(409);
      expectErrorEnvelope(body, 'conflict');
    });

    it('answers bad input with 400: unknown role, missing name, a body that is not JSON', async () => {
      const unknownRole = await api(server, '/api/users', { body: { name: 'x', role: 'owner' } });
      expect(unknownRole.status).toBe(400);
      expectErrorEnvelope(unknownRole.body, 'bad_request');
      const noName = await api(server, '/api/datasets', { body: { id: 'no-name' } });
      expect(noName.status).toBe(400);
      const notJson = await fetch(`${server.url}/api/users`, {
        method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' }, body: '{"name":',
      });
      expect(notJson.status).toBe(400);
      expectErrorEnvelope(await notJson.json(), 'bad_request');
    });

    it('answers an unknown API route with 404 in the JSON envelope', async () => {
      for (const [method, path] of [['GET', '/api/nope'], ['DELETE', '/api/datasets/demo/history'], ['PUT', '/api/users']]) {
        const { status, body } = await api(server, path!, { method });
        expect(status, `${method} ${path}`).toBe(404);
        expectErrorEnvelope(body, 'not_found');
      }
    });

    it('answers GET of an unknown dataset with 404', async () => {
      const { status, body } = await api(server, '/api/datasets/no-such-dataset');
      expect(status).toBe(404);
      expectErrorEnvelope(body, 'not_found');
    });

    it('creates a dataset for an admin with 201 and lists it', async () => {
      const { status, body } = await api(server, '/api/datasets', { body: { id: 'auth-ok', name: 'Auth OK', template: 'blank' } });
      expect(status).toBe(201);
      expect(body).toEqual({ id: 'auth-ok', name: 'Auth OK' });
      const { body: list } = await api(server, '/api/datasets', { token: editor.token });
      expect((list as Array<{ id: string }>).map((d) => d.id)).toContain('auth-ok');
    });

    it('shows a new user token once and never lists it', async () => {
      const created = await createUser(server, 'vic', 'viewer');
      expect(created.token.length).toBeGreaterThanOrEqual(32);
      const { body: users } = await api(server, '/api/users');
      expect(JSON.stringify(users)).not.toContain(created.token);
    });
  });

  describe('WebSocket', () => {
    it('accepts a socket without a token, then closes it with 4401', async () => {
      const socket = openRawSocket(server, 'demo', null);
      await socket.opened;
      expect((await socket.closed).code).toBe(CloseCode.Unauthorized);
      expect(socket.received).toEqual([]);
    });

    it('accepts a socket with a wrong token, then closes it with 4401', async () => {
      const socket = openRawSocket(server, 'demo', 'not-a-real-token-at-all');
      await socket.opened;
      expect((await socket.closed).code).toBe(CloseCode.Unauthorized);
      expect(socket.received).toEqual([]);
    });

    it('accepts a socket for an unknown dataset, then closes it with 4404', async () => {
      const socket = openRawSocket(server, 'no-such-dataset', server.adminToken);
      await socket.opened;
      expect((await socket.closed).code).toBe(CloseCode.NotFound);
    });

    it('takes the session cookie and the Authorization header on a socket too', async () => {
      const signIn = await fetch(`${server.url}/?token=${encodeURIComponent(editor.token)}`, { redirect: 'manual' });
      const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
      for (const headers of [{ cookie }, { authorization: `Bearer ${editor.token}` }]) {
        const ws = new WebSocket(`${server.wsUrl}/demo`, { headers });
        const first = await new Promise<Uint8Array>((resolve, reject) => {
          ws.once('message', (data: Buffer) => resolve(new Uint8Array(data)));
          ws.once('close', (code) => reject(new Error(`closed with ${code}`)));
        });
        expect([...first.slice(0, 2)], Object.keys(headers)[0]).toEqual([0, 0]);
        ws.close();
      }
    });

    it('closes a socket whose Authorization header is wrong with 4401, even with a valid token in the query', async () => {
      const ws = new WebSocket(`${server.wsUrl}/demo?token=${encodeURIComponent(editor.token)}`, { headers: { authorization: 'Bearer wrong' } });
      const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
      expect(code).toBe(CloseCode.Unauthorized);
    });

    it('syncs a socket with a valid token: the server opens with sync step 1', async () => {
      const socket = openRawSocket(server, 'demo', editor.token);
      await socket.opened;
      const first = await waitForValue(() => socket.received[0], { what: 'a first message' });
      expect([...first.slice(0, 2)]).toEqual([0, 0]);
      socket.ws.close();
      await socket.closed;
    });
  });
});
