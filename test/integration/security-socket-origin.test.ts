/**
 * A page on another site must not open a sync socket with a signed-in user's cookie (cross-site
 * WebSocket hijacking): an upgrade whose Origin is neither the server's own nor listed in
 * ALLOWED_ORIGINS is accepted and then closed with 4403. No Origin (scripts, the Node client) is fine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode } from '../../model/codes';
import { startServer, type RunningServer } from '../helpers/server';

const ALLOWED = 'https://coding.example.org';

/** Opens a socket to the demo dataset with `origin` (none when undefined); resolves with what happened first. */
function attempt(server: RunningServer, origin: string | undefined): Promise<'synced' | number> {
  const ws = new WebSocket(`${server.wsUrl}/demo?token=${encodeURIComponent(server.adminToken)}`, origin === undefined ? {} : { origin });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('neither a message nor a close within 10 s')), 10_000);
    // The server's first message is its sync step 1: the socket was let in.
    ws.once('message', () => { clearTimeout(timer); ws.close(); resolve('synced'); });
    ws.once('close', (code) => { clearTimeout(timer); resolve(code); });
    ws.once('error', (error) => { clearTimeout(timer); reject(error); });
  });
}

describe('the Origin of a sync socket', () => {
  let server: RunningServer;
  beforeAll(async () => { server = await startServer({ env: { ALLOWED_ORIGINS: `${ALLOWED}, http://other.example.org:8080` } }); });
  afterAll(async () => { await server.dispose(); });

  it('closes a socket opened from another site with 4403', async () => {
    expect(await attempt(server, 'https://evil.example')).toBe(CloseCode.Forbidden);
    // Same host name, another port: another origin.
    expect(await attempt(server, `http://127.0.0.1:${server.port + 1}`)).toBe(CloseCode.Forbidden);
    expect(await attempt(server, 'null')).toBe(CloseCode.Forbidden);
  });

  it("lets in the server's own origin, the origins in ALLOWED_ORIGINS, and a socket without an Origin", async () => {
    expect(await attempt(server, `http://127.0.0.1:${server.port}`)).toBe('synced');
    expect(await attempt(server, ALLOWED)).toBe('synced');
    expect(await attempt(server, 'http://other.example.org:8080')).toBe('synced');
    expect(await attempt(server, undefined)).toBe('synced');
  });
});
