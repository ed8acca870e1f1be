/**
 * An instance that cannot reach PostgreSQL answers what a load balancer can act on: `503` with
 * `Retry-After` (the request may go to another instance, or be tried again), never `500`, on every
 * route that needs the database; `/healthz` says why. PostgreSQL is cut with a TCP relay in front of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset } from '../helpers/api';
import { startClusterBehindRelay, TcpRelay, type Cluster } from '../helpers/cluster';
import { openRawSocket } from '../helpers/raw-socket';
import { CloseCode } from '../../model/codes';
import { waitFor } from '../helpers/wait';

describe('PostgreSQL unreachable', () => {
  let relay: TcpRelay;
  let cluster: Cluster;
  let cookie: string;
  beforeAll(async () => {
    ({ relay, cluster } = await startClusterBehindRelay());
    await createDataset(cluster.instances[0]!, 'cut');
    const signIn = await fetch(`${cluster.instances[0]!.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: cluster.instances[0]!.url },
      body: JSON.stringify({ token: cluster.adminToken }),
    });
    expect(signIn.status).toBe(200);
    cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
  });
  afterAll(async () => {
    await cluster?.dispose();
    await relay?.cut();
  });

  it('answers 503 with Retry-After on the API, never 500, and /healthz says why; 200 again once it is back', async () => {
    const instance = cluster.instances[0]!;
    const bearer = { authorization: `Bearer ${cluster.adminToken}` };
    const requests: Array<[string, RequestInit]> = [
      ['/api/me', { headers: bearer }],
      ['/api/datasets', { headers: bearer }],
      ['/api/datasets/cut', { headers: bearer }],
      ['/api/datasets/cut/codebook', { headers: bearer }],
      ['/api/datasets/cut/sheets/events/export?format=json', { headers: bearer }],
      ['/api/datasets/cut/sheets/events/rows', { headers: bearer }],
      ['/api/datasets', { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'new', name: 'New', template: 'blank' }) }],
      // A browser's: the session cookie, and a sign-in.
      ['/api/datasets', { headers: { cookie } }],
      ['/api/session', { method: 'POST', headers: { 'content-type': 'application/json', origin: instance.url }, body: JSON.stringify({ token: cluster.adminToken }) }],
      ['/api/session', { method: 'POST', headers: { 'content-type': 'application/json', origin: instance.url }, body: JSON.stringify({ name: 'admin', password: 'not-it' }) }],
    ];
    const reads = requests.filter(([, init]) => init.method === undefined);
    for (const [path, init] of reads) expect((await fetch(`${instance.url}${path}`, init)).status, path).toBe(200);

    await relay.cut();
    await waitFor(async () => (await fetch(`${instance.url}/healthz`)).status === 503, { what: '/healthz answers 503' });
    const health = await (await fetch(`${instance.url}/healthz`)).json();
    expect(health).toMatchObject({ ok: false, error: 'the database does not answer' });

    for (const [path, init] of requests) {
      const response = await fetch(`${instance.url}${path}`, init);
      const what = `${init.method ?? 'GET'} ${path}`;
      expect(response.status, what).toBe(503);
      expect(Number(response.headers.get('retry-after')), what).toBeGreaterThan(0);
      expect(await response.json(), what).toEqual({
        error: { code: 'unavailable', message: expect.stringMatching(/database/), requestId: expect.any(String) },
      });
    }
    // A sign-in link opened meanwhile: the page cannot sign anyone in.
    const link = await fetch(`${instance.url}/?token=${encodeURIComponent(cluster.adminToken)}`, { redirect: 'manual' });
    expect(link.status).toBe(503);
    expect(link.headers.get('retry-after')).not.toBeNull();
    // A socket opened meanwhile is closed with the code that says "not now" (its client reconnects).
    const socket = openRawSocket(instance, 'cut');
    expect((await socket.closed).code).toBe(CloseCode.LoadFailed);

    await relay.restore();
    await waitFor(async () => (await fetch(`${instance.url}/healthz`)).status === 200, { what: '/healthz answers 200 again', timeoutMs: 20_000 });
    for (const [path, init] of reads) expect((await fetch(`${instance.url}${path}`, init)).status, path).toBe(200);
  });
});
