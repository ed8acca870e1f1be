import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/clients';
import { startServer, type RunningServer } from '../helpers/server';

describe('signing in with a password', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
    await api(server, '/api/users', { body: { name: 'pat', role: 'editor', password: 'correct horse' } });
  });
  afterAll(async () => { await server.dispose(); });

  const signIn = (name: string, password: string) => fetch(`${server.url}/api/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }),
  });

  it('gives a right password an HttpOnly session cookie that authenticates the API, until sign-out', async () => {
    const response = await signIn('pat', 'correct horse');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: 'pat', role: 'editor' });
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    const session = cookie.split(';')[0]!;
    const me = await fetch(`${server.url}/api/me`, { headers: { cookie: session } });
    expect(await me.json()).toMatchObject({ name: 'pat' });
    expect((await fetch(`${server.url}/api/session`, { method: 'DELETE', headers: { cookie: session, 'content-type': 'application/json' } })).status).toBe(204);
    expect((await fetch(`${server.url}/api/me`, { headers: { cookie: session } })).status).toBe(401);
  });

  it('answers a wrong password with 401, and too many wrong ones with 429', async () => {
    const first = await signIn('pat', 'wrong');
    expect(first.status).toBe(401);
    expect(await first.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await signIn('pat', `wrong ${i}`)).status);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 401).length).toBe(9);
    const limited = await signIn('pat', 'wrong again');
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
  });
});
