/**
 * PUBLIC_URL, the address people reach Tessera by behind a proxy: the first start's sign-in line and
 * `npm run signin-link` print it instead of HOST:PORT, and pages at that address may write and sync
 * even when the proxy in front sends the instance's own address as `Host`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../model/codes';
import { readConfig } from '../../server/config';
import { restartServer } from '../helpers/lifecycle';
import { testDatabaseFor, testOnPostgres } from '../helpers/pg';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';
import WebSocket from 'ws';

const ROOT = join(import.meta.dirname, '..', '..');
const PUBLIC = 'https://tessera.example.org:8443';

describe('PUBLIC_URL as a setting', () => {
  it('takes an origin (a trailing slash is fine), and allows it like ALLOWED_ORIGINS', () => {
    const config = readConfig({ PUBLIC_URL: `${PUBLIC}/`, ALLOWED_ORIGINS: 'https://other.example.org' });
    expect(config.PUBLIC_URL).toBe(PUBLIC);
    expect(config.ALLOWED_ORIGINS).toEqual(['https://other.example.org', PUBLIC]);
    expect(readConfig({}).PUBLIC_URL).toBeUndefined();
  });

  it('stops the start with a clear message for a path or another scheme', () => {
    expect(() => readConfig({ PUBLIC_URL: 'https://example.org/tessera' })).toThrow(/Bad setting PUBLIC_URL: .*no path/);
    expect(() => readConfig({ PUBLIC_URL: 'ftp://example.org' })).toThrow(/Bad setting PUBLIC_URL/);
    expect(() => readConfig({ PUBLIC_URL: 'tessera.example.org' })).toThrow(/Bad setting PUBLIC_URL/);
  });
});

describe('a server with PUBLIC_URL', () => {
  let first: RunningServer;
  let again: RunningServer;
  beforeAll(async () => {
    first = await startServer({ env: { PUBLIC_URL: PUBLIC } });
    await first.stop();
    again = await restartServer(first, { env: { PUBLIC_URL: PUBLIC } });
  });
  afterAll(async () => {
    await again?.dispose();
    await first?.dispose();
  });

  it('prints the sign-in line with the public address on the first start, and both addresses later', () => {
    expect(first.output()).toContain(`Sign in as admin: ${PUBLIC}/?token=${first.adminToken}`);
    expect(first.output()).not.toContain(`127.0.0.1:${first.port}/?token=`);
    expect(again.output()).toContain(`Tessera is running at ${PUBLIC}/ (listening on http://127.0.0.1:${again.port}/)`);
    expect(again.output()).not.toContain('?token=');
  });

  it('takes cookie writes and sockets from pages at the public address, whatever Host the proxy sends', async () => {
    const signIn = await fetch(`${again.url}/api/session`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: PUBLIC }, body: JSON.stringify({ token: again.adminToken }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const created = await fetch(`${again.url}/api/datasets`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: PUBLIC, cookie },
      body: JSON.stringify({ id: 'public', name: 'Public', template: 'blank' }),
    });
    expect(created.status, await created.text()).toBe(201);

    const socket = new WebSocket(`${again.wsUrl}/public`, { headers: { origin: PUBLIC, cookie } });
    const closes: number[] = [];
    socket.on('close', (code) => closes.push(code));
    let received = 0;
    socket.on('message', () => { received++; });
    // Opened and answered (its sync step 1 from the server) rather than closed with 4403.
    await waitFor(() => received > 0 || closes.length > 0, { what: 'the socket is answered or closed' });
    expect(closes).not.toContain(CloseCode.Forbidden);
    expect(received).toBeGreaterThan(0);
    socket.close();

    const elsewhere = await fetch(`${again.url}/api/datasets`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://elsewhere.example.org', cookie },
      body: JSON.stringify({ id: 'elsewhere', name: 'Elsewhere', template: 'blank' }),
    });
    expect(elsewhere.status).toBe(403);
  });

  it('npm run signin-link prints the public address', async () => {
    const { ADMIN_TOKEN: _, ...rest } = process.env;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/signin-link.ts')], {
      cwd: ROOT,
      env: {
        ...rest, DATA_DIR: again.dataDir, HOST: '127.0.0.1', PORT: '8787', PUBLIC_URL: PUBLIC, ADMIN_TOKEN: again.adminToken,
        ...(testOnPostgres && { DATABASE_URL: (await testDatabaseFor(again.dataDir)).url }),
      },
      timeout: 30_000,
    });
    expect(stdout).toContain(`Sign in as admin: ${PUBLIC}/?token=${encodeURIComponent(again.adminToken)}`);
  });
});
