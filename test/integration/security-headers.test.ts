import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../helpers/app';

function expectSecurityHeaders(res: Response): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
  expect(directives.get('script-src')).toEqual(["'self'"]);
  expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  expect(directives.get('object-src')).toEqual(["'none'"]);
  expect(directives.get('base-uri')).toEqual(["'none'"]);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
}

describe('security headers and the session cookie', () => {
  let t: App;
  let proxied: App;
  beforeAll(async () => {
    t = await buildApp();
    proxied = await buildApp({ http: { trustProxy: true } });
  });
  afterAll(() => {
    t.dispose();
    proxied.dispose();
  });

  it.each(['/', '/d/demo/events', '/healthz', '/api/me', '/api/nothing-here'])('sends CSP, nosniff and no-referrer on %s', async (path) => {
    expectSecurityHeaders(await t.app.request(`http://localhost${path}`));
  });

  it('sends them on an API answer and an error answer too', async () => {
    expectSecurityHeaders(await t.app.request('http://localhost/api/datasets', { headers: { authorization: `Bearer ${t.adminToken}` } }));
    expectSecurityHeaders(await t.app.request('http://localhost/api/users', { method: 'POST', headers: { 'content-type': 'text/plain' } }));
  });

  const sessionCookie = async (app: App, headers: Record<string, string>) => {
    const res = await app.app.request(`http://localhost/?token=${encodeURIComponent(app.adminToken)}`, { headers });
    return res.headers.getSetCookie()[0]!;
  };

  it('marks the session cookie Secure when a trusted proxy says the request came over TLS', async () => {
    expect(await sessionCookie(proxied, { 'x-forwarded-proto': 'https' })).toMatch(/;\s*Secure/i);
    expect(await sessionCookie(proxied, { 'x-forwarded-proto': 'http' })).not.toMatch(/;\s*Secure/i);
  });

  it('ignores X-Forwarded-Proto without TRUST_PROXY', async () => {
    expect(await sessionCookie(t, { 'x-forwarded-proto': 'https' })).not.toMatch(/;\s*Secure/i);
  });
});
