import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../helpers/app';

const ORIGIN = 'http://localhost';
const OTHER_PORT = 'http://localhost:9999';
const LISTED = 'https://tessera.example.org';

describe('cross-site writes with the session cookie', () => {
  let t: App;
  let cookie: string;
  beforeAll(async () => {
    t = await buildApp({ http: { allowedOrigins: [LISTED] } });
    const signIn = await t.app.request(`${ORIGIN}/?token=${encodeURIComponent(t.adminToken)}`);
    cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
  });
  afterAll(() => t.dispose());

  const createUser = (name: string, headers: Record<string, string>, body = JSON.stringify({ name, role: 'admin' })) =>
    t.app.request(`${ORIGIN}/api/users`, { method: 'POST', headers: { cookie, ...headers }, body });
  const userNames = async () => {
    const res = await t.app.request(`${ORIGIN}/api/users`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    return ((await res.json()) as Array<{ name: string }>).map((u) => u.name);
  };

  it('refuses a text/plain POST from a page on another port of the same host: no admin is created', async () => {
    const res = await createUser('mallory', { 'content-type': 'text/plain', origin: OTHER_PORT });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'forbidden', message: expect.any(String) } });
    expect(await userNames()).not.toContain('mallory');
  });

  it.each([
    ['a form', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['text/plain', { 'content-type': 'text/plain;charset=UTF-8' }],
    ['no content type', {}],
  ])('refuses %s even from our own origin, since only a cross-site form or no-CORS fetch needs one', async (_what, headers) => {
    const res = await createUser('formuser', { origin: ORIGIN, ...headers });
    expect(res.status).toBe(403);
    expect(await userNames()).not.toContain('formuser');
  });

  it('refuses JSON from a foreign Origin, and without Origin when Sec-Fetch-Site says same-site or cross-site', async () => {
    expect((await createUser('eve1', { 'content-type': 'application/json', origin: OTHER_PORT })).status).toBe(403);
    expect((await createUser('eve2', { 'content-type': 'application/json', origin: 'null' })).status).toBe(403);
    expect((await createUser('eve3', { 'content-type': 'application/json', 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await createUser('eve4', { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(await userNames()).not.toContain('eve1');
  });

  it('accepts JSON from our own origin and from one in ALLOWED_ORIGINS', async () => {
    expect((await createUser('own', { 'content-type': 'application/json', origin: ORIGIN, 'sec-fetch-site': 'same-origin' })).status).toBe(201);
    expect((await createUser('listed', { 'content-type': 'application/json; charset=utf-8', origin: LISTED })).status).toBe(201);
    expect(await userNames()).toEqual(expect.arrayContaining(['own', 'listed']));
  });

  it('leaves bearer-token requests alone: they carry no ambient credentials', async () => {
    const res = await t.app.request(`${ORIGIN}/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'text/plain', origin: OTHER_PORT },
      body: JSON.stringify({ name: 'script', role: 'viewer' }),
    });
    expect(res.status).toBe(201);
  });

  it('refuses a cross-site sign-in (login CSRF)', async () => {
    const res = await t.app.request(`${ORIGIN}/api/session`, {
      method: 'POST', headers: { 'content-type': 'text/plain', origin: OTHER_PORT }, body: JSON.stringify({ name: 'admin', password: 'x' }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});
