import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../helpers/app';

const ORIGIN = 'http://localhost';

describe('sign-in links (?token=) in a browser that is signed in already', () => {
  let t: App;
  let editorToken: string;
  let adminCookie: string;
  beforeAll(async () => {
    t = await buildApp();
    const res = await t.app.request(`${ORIGIN}/api/users`, {
      method: 'POST', headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'erin', role: 'editor' }),
    });
    editorToken = ((await res.json()) as { token: string }).token;
    const signIn = await t.app.request(`${ORIGIN}/?token=${encodeURIComponent(t.adminToken)}`);
    adminCookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
  });
  afterAll(() => t.dispose());

  const me = async (cookie: string) => ((await (await t.app.request(`${ORIGIN}/api/me`, { headers: { cookie } })).json()) as { name: string }).name;

  it('does not silently replace the session of another user: it sends the link to the sign-in page to ask', async () => {
    const res = await t.app.request(`${ORIGIN}/d/demo?token=${encodeURIComponent(editorToken)}`, { headers: { cookie: adminCookie } });
    expect(res.status).toBe(302);
    expect(res.headers.getSetCookie()).toEqual([]);
    const location = new URL(res.headers.get('location')!, ORIGIN);
    expect(location.pathname).toBe('/signin');
    expect(location.searchParams.get('next')).toBe('/d/demo');
    expect(location.searchParams.has('token')).toBe(false);
    expect(new URLSearchParams(location.hash.slice(1)).get('token')).toBe(editorToken);
    expect(await me(adminCookie)).toBe('admin');
  });

  it('switches only on a same-origin JSON sign-in with the token, which the confirmation sends', async () => {
    const res = await t.app.request(`${ORIGIN}/api/session`, {
      method: 'POST', headers: { cookie: adminCookie, origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ token: editorToken }),
    });
    expect(res.status).toBe(200);
    expect(await me(res.headers.getSetCookie()[0]!.split(';')[0]!)).toBe('erin');
    const bad = await t.app.request(`${ORIGIN}/api/session`, {
      method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ token: 'not-a-token' }),
    });
    expect(bad.status).toBe(401);
  });

  it('still signs in a browser without a session, and keeps the same user\'s session', async () => {
    const fresh = await t.app.request(`${ORIGIN}/d/demo?token=${encodeURIComponent(editorToken)}`);
    expect(fresh.headers.get('location')).toBe('/d/demo');
    expect(await me(fresh.headers.getSetCookie()[0]!.split(';')[0]!)).toBe('erin');
    const same = await t.app.request(`${ORIGIN}/d/demo?token=${encodeURIComponent(t.adminToken)}`, { headers: { cookie: adminCookie } });
    expect(same.headers.get('location')).toBe('/d/demo');
  });

  it('redirects a link to //host or /\\host to a path on this site, not to the other host', async () => {
    for (const path of ['//evil.example/x', '/%5Cevil.example/x']) {
      const res = await t.app.request(`${ORIGIN}${path}?token=${encodeURIComponent(editorToken)}`);
      const location = res.headers.get('location')!;
      expect(new URL(location, ORIGIN).origin, location).toBe(ORIGIN);
      expect(location).not.toMatch(/^[/\\]{2}/);
    }
  });
});
