/**
 * A page opened at an address the server does not count as its own (a proxy in front that rewrites
 * `Host`, with the address not in ALLOWED_ORIGINS) gets its socket closed with 4403. The page must say
 * what is true, that the address is not allowed by the server's settings, not that an admin took the
 * user's access away.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { freePort } from '../helpers/cluster';
import { signedIn } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let proxy: Server;
let proxyUrl: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  // A proxy set up the way that loses the address: it sends the instance's own host as `Host`.
  const forward = createProxyServer({ target: e2e.server.url, changeOrigin: true });
  forward.on('error', () => {});
  proxy = createServer((req, res) => forward.web(req, res));
  proxy.on('upgrade', (req, socket: Socket, head) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    forward.ws(req, socket, head);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  proxy?.closeAllConnections();
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
});

describe('a page at an address the server does not allow', () => {
  it('says the address is not allowed by the server’s settings, not that access was taken away', async () => {
    const { page, context } = await signedIn(e2e.browser, proxyUrl, e2e.server.adminToken, '/d/demo/events');
    const ended = page.getByTestId('access-ended');
    await ended.waitFor();
    expect(await ended.getAttribute('data-code')).toBe('4403');
    const text = await ended.textContent();
    expect(text).toContain('This address is not allowed');
    expect(text).toContain(`This address (${proxyUrl}) is not allowed by the server's settings`);
    expect(text).toContain('ALLOWED_ORIGINS');
    expect(text).not.toMatch(/removed you|no longer open/);
    expect(await page.title()).toBe('This address is not allowed · Tessera');
    await context.close();
  });

  it('says so on a round coder’s copy too, not that the copy is not theirs', async () => {
    const coder = await createUser(e2e.server, 'origin-coder', 'editor');
    const rows = await api(e2e.server, '/api/datasets/demo/sheets/events/rows?limit=2');
    const round = await api(e2e.server, '/api/datasets/demo/rounds', {
      body: { sheet: 'events', rows: rows.body.rows.map((r: { row_id: string }) => r.row_id), columns: ['event_type'], coders: ['origin-coder', 'admin'] },
    });
    expect(round.status, JSON.stringify(round.body)).toBe(201);
    const { page, context } = await signedIn(e2e.browser, proxyUrl, coder.token, `/d/demo/-/rounds/${round.body.id}`);
    const message = page.locator('.grid-message');
    await expect.poll(() => message.textContent()).toContain(`This address (${proxyUrl}) is not allowed by the server's settings`);
    await context.close();
  });
});
