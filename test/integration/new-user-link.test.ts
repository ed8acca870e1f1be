/**
 * What `POST /api/users` hands out for the new person: a sign-in link that works once, not their API
 * token (which works for life, and stays theirs for scripts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/clients';
import { startServer, type RunningServer } from '../helpers/server';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.dispose();
});

const signIn = (token: string) => fetch(`${server.url}/api/session`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }),
});

describe('a new user’s sign-in link', () => {
  it('is not the API token, and signs in once and only once', async () => {
    const created = await api(server, '/api/users', { body: { name: 'rae', role: 'editor' } });
    expect(created.status).toBe(201);
    const { id, name, role, token, signinUrl, signinExpiresAt } = created.body;
    expect({ name, role }).toEqual({ name: 'rae', role: 'editor' });
    expect(typeof id).toBe('string');
    expect(signinUrl).toMatch(/^\/\?token=[\w-]+$/);
    expect(signinUrl).not.toContain(encodeURIComponent(token));
    const days = (Date.parse(signinExpiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    const secret = new URL(signinUrl, server.url).searchParams.get('token')!;
    const first = await signIn(secret);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ id, name: 'rae' });
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${server.url}/api/me`, { headers: { cookie } })).status).toBe(200);

    const second = await signIn(secret);
    expect(second.status).toBe(401);
    expect(await second.json()).toMatchObject({ error: { code: 'unauthorized' } });
    // Opened in a browser again, the used link goes to the sign-in page with an error.
    const opened = await fetch(new URL(signinUrl, server.url), { redirect: 'manual' });
    expect(opened.status).toBe(302);
    expect(opened.headers.get('location')).toBe('/signin?error=bad_token');

    // The token stays the user's, for scripts.
    expect((await api(server, '/api/me', { token })).body).toMatchObject({ id, name: 'rae' });
  });

  it('works once when opened in a browser, too', async () => {
    const { body } = await api(server, '/api/users', { body: { name: 'sol', role: 'viewer' } });
    const first = await fetch(new URL(body.signinUrl, server.url), { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/');
    expect(first.headers.get('set-cookie')).toMatch(/^tessera_session=/);
    const again = await fetch(new URL(body.signinUrl, server.url), { redirect: 'manual' });
    expect(again.headers.get('location')).toBe('/signin?error=bad_token');
    expect(again.headers.get('set-cookie')).toBeNull();
  });
});
