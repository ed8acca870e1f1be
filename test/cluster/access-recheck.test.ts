/**
 * Access changes an instance missed because its link to Redis was down: what was announced meanwhile is
 * lost to it, so it checks every open socket against the database when the link comes back, and every
 * ACCESS_RECHECK_MS whether it comes back or not. Each instance under test reaches Redis through a relay
 * of its own, so that only its link is cut.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset, createUser } from '../helpers/api';
import { api, connectSynced, type Client } from '../helpers/clients';
import { startCluster, TcpRelay, TestRedis, type Cluster } from '../helpers/cluster';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

let redis: TestRedis;
let cluster: Cluster;
const relays: TcpRelay[] = [];
const instances: RunningServer[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  redis = await TestRedis.start();
  cluster = await startCluster(1, { redisUrl: redis.url });
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await Promise.all(instances.map((instance) => instance.dispose()));
  await cluster?.dispose();
  for (const relay of relays) await relay.cut();
  await redis?.stop();
});

/** One more instance on the cluster's database, reaching Redis through a relay that the test can cut. */
async function instanceBehindRelay(name: string, recheckMs: number): Promise<{ instance: RunningServer; relay: TcpRelay }> {
  const relay = await TcpRelay.start({ host: '127.0.0.1', port: redis.port });
  relays.push(relay);
  const instance = await startServer({
    adminToken: cluster.adminToken,
    env: { ...cluster.env, REDIS_URL: `redis://127.0.0.1:${relay.port}`, INSTANCE_ID: name, ACCESS_RECHECK_MS: String(recheckMs) },
  });
  instances.push(instance);
  await waitFor(() => busOf(instance).then((bus) => bus === 'connected'), { what: `${name} on the bus` });
  return { instance, relay };
}

const busOf = async (instance: RunningServer) => (await (await fetch(`${instance.url}/healthz`)).json()).bus as string;

async function synced(instance: RunningServer, dataset: string, token?: string): Promise<Client> {
  const client = await connectSynced(instance, dataset, token);
  clients.push(client);
  return client;
}

describe('an instance whose Redis link was down', () => {
  it('closes the socket of a user disabled meanwhile within seconds of the link coming back', async () => {
    const first = cluster.instances[0]!;
    await createDataset(first, 'missed');
    const vic = await createUser(first, 'vic', 'editor');
    // Its own full check is far off: what closes the socket is coming back to the bus.
    const { instance, relay } = await instanceBehindRelay('i2', 600_000);
    const socket = await synced(instance, 'missed', vic.token);

    await relay.cut();
    await waitFor(async () => (await busOf(instance)) === 'disconnected', { what: 'instance 2 off the bus' });
    expect((await api(first, '/api/users/vic', { method: 'PATCH', body: { disabled: true } })).status).toBe(200);
    // Instance 2 was not told: the announcement went to a Redis it cannot reach.
    expect(socket.closes).toEqual([]);

    await relay.restore();
    const back = Date.now();
    await waitFor(() => socket.closes.includes(4401), { what: 'the disabled user’s socket closed with 4401' });
    const afterMs = Date.now() - back;
    // ioredis tries again at most every 2 s; then the recheck is a few queries.
    expect(afterMs, `closed ${afterMs} ms after the link came back`).toBeLessThan(6000);
    // The bus's two connections come back each on its own retry timer (up to 2 s apart): /healthz says
    // connected once both are.
    await waitFor(async () => (await busOf(instance)) === 'connected', { what: 'instance 2 back on the bus' });
  });

  it('closes or shuts out sockets whose access changed meanwhile at its periodic check, even if the link never comes back', async () => {
    const first = cluster.instances[0]!;
    await createDataset(first, 'cut-off');
    await createDataset(first, 'members-only');
    const [wes, xan, yan] = await Promise.all([createUser(first, 'wes', 'editor'), createUser(first, 'xan', 'editor'), createUser(first, 'yan', 'editor')]);
    const { instance, relay } = await instanceBehindRelay('i3', 1000);
    const disabled = await synced(instance, 'cut-off', wes.token);
    const rotated = await synced(instance, 'cut-off', xan.token);
    const shutOut = await synced(instance, 'members-only', yan.token);
    const admin = await synced(instance, 'members-only');

    await relay.cut();
    await waitFor(async () => (await busOf(instance)) === 'disconnected', { what: 'instance 3 off the bus' });
    expect((await api(first, '/api/users/wes', { method: 'PATCH', body: { disabled: true } })).status).toBe(200);
    expect((await api(first, '/api/users/xan/token', { method: 'POST' })).status).toBe(200);
    expect((await api(first, '/api/datasets/members-only', { method: 'PATCH', body: { access: 'members' } })).status).toBe(200);

    await waitFor(() => disabled.closes.includes(4401), { what: 'the disabled user’s socket closed with 4401' });
    await waitFor(() => rotated.closes.includes(4401), { what: 'the replaced token’s socket closed with 4401' });
    await waitFor(() => shutOut.closes.includes(4403), { what: 'the non-member’s socket closed with 4403' });
    expect(await busOf(instance)).toBe('disconnected');
    // The admin may still open the members-only dataset: their socket stays.
    expect(admin.closes).toEqual([]);
    expect(admin.provider.wsconnected).toBe(true);
  });
});
