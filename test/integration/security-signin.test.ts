import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/secrets';
import { buildApp, type App } from '../helpers/app';

const ORIGIN = 'http://localhost';

/**
 * The least CPU time (ms, user + system, every thread of this process) one of a few runs takes. CPU time,
 * not wall time: other processes on a busy machine delay a scrypt but do not change the work it does.
 */
async function leastCpu(times: number, run: () => unknown): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < times; i++) {
    const start = process.cpuUsage();
    await run();
    const used = process.cpuUsage(start);
    least = Math.min(least, (used.user + used.system) / 1000);
  }
  return least;
}

describe('signing in with a password', () => {
  let t: App;
  beforeEach(async () => {
    t = await buildApp();
    for (const [name, password] of [['pat', 'correct horse'], ['sam', 'battery staple']]) {
      await t.app.request(`${ORIGIN}/api/users`, {
        method: 'POST', headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, role: 'editor', password }),
      });
    }
  });
  afterEach(() => t.dispose());

  const signIn = (name: string, password: string, headers: Record<string, string> = {}) => t.app.request(`${ORIGIN}/api/session`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name, password }),
  });

  it('does the same work for an unknown name or one without a password as for a wrong password (a scrypt each)', async () => {
    const scrypt = await leastCpu(3, () => hashPassword('some password'));
    const unknown = await leastCpu(3, () => signIn('nobody-by-this-name', 'guess'));
    const passwordless = await leastCpu(3, () => signIn('admin', 'guess'));
    expect(unknown, `unknown name: ${unknown.toFixed(1)} ms, one scrypt: ${scrypt.toFixed(1)} ms`).toBeGreaterThan(scrypt * 0.5);
    expect(passwordless, `user without password: ${passwordless.toFixed(1)} ms`).toBeGreaterThan(scrypt * 0.5);
  });

  it('limits failed sign-ins per name: ten wrong guesses for one name do not lock out another user at the same address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await signIn('pat', `wrong ${i}`)).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect((await signIn('pat', 'correct horse')).status).toBe(429);
    expect((await signIn('sam', 'battery staple')).status).toBe(200);
  });

  it('takes the address from X-Forwarded-For only with TRUST_PROXY', async () => {
    for (let i = 0; i < 10; i++) await signIn('pat', `wrong ${i}`, { 'x-forwarded-for': '10.0.0.1' });
    // Without TRUST_PROXY the header is anyone's to write: it cannot buy a fresh allowance.
    expect((await signIn('pat', 'wrong', { 'x-forwarded-for': '10.0.0.2' })).status).toBe(429);

    const proxied = await buildApp({ http: { trustProxy: true } });
    try {
      await proxied.app.request(`${ORIGIN}/api/users`, {
        method: 'POST', headers: { authorization: `Bearer ${proxied.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'pat', role: 'editor', password: 'correct horse' }),
      });
      const from = (address: string, password: string) => proxied.app.request(`${ORIGIN}/api/session`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.9, ${address}` },
        body: JSON.stringify({ name: 'pat', password }),
      });
      for (let i = 0; i < 10; i++) await from('10.0.0.1', `wrong ${i}`);
      expect((await from('10.0.0.1', 'correct horse')).status).toBe(429);
      expect((await from('10.0.0.2', 'correct horse')).status).toBe(200);
    } finally {
      proxied.dispose();
    }
  });
});
