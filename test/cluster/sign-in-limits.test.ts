/**
 * Sign-in limits across instances: failed sign-ins for one name count together however they are spread over
 * the instances (the counters are in Redis), and while an instance cannot reach Redis it counts on its own
 * and still lets people sign in. Two instances on PostgreSQL and a Redis of the test's own; the second
 * reaches Redis through a relay the test can cut.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/clients';
import { startCluster, TcpRelay, TestRedis, type Cluster } from '../helpers/cluster';
import { startServer, type RunningServer } from '../helpers/server';

let redis: TestRedis;
let cluster: Cluster;
let relay: TcpRelay;
let second: RunningServer;

/** A sign-in by name and password; resolves with the status. */
async function signIn(instance: RunningServer, name: string, password: string): Promise<number> {
  const response = await fetch(`${instance.url}/api/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }),
  });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  redis = await TestRedis.start();
  cluster = await startCluster(1, { redisUrl: redis.url });
  relay = await TcpRelay.start({ host: '127.0.0.1', port: redis.port });
  second = await startServer({
    adminToken: cluster.adminToken,
    env: { ...cluster.env, REDIS_URL: `redis://127.0.0.1:${relay.port}`, INSTANCE_ID: 'i2' },
  });
});
afterAll(async () => {
  await second?.dispose();
  await cluster?.dispose();
  await relay?.cut();
  await redis?.stop();
});

describe('sign-in limits with several instances', () => {
  it('count the failed sign-ins for a name on every instance together', async () => {
    const first = cluster.instances[0]!;
    const statuses: number[] = [];
    // Ten failures, five on each instance: the eleventh is refused, on either.
    for (let i = 0; i < 10; i++) statuses.push(await signIn(i % 2 === 0 ? first : second, 'nobody-here', 'wrong'));
    expect(statuses).toEqual(Array(10).fill(401));
    expect(await signIn(first, 'nobody-here', 'wrong')).toBe(429);
    expect(await signIn(second, 'nobody-here', 'wrong')).toBe(429);
  });

  it('let people sign in on an instance that cannot reach Redis, counting there alone', async () => {
    const password = 'a long password here';
    expect((await api(cluster.instances[0]!, '/api/users', { body: { name: 'ada', role: 'editor', password } })).status).toBe(201);
    await relay.cut();
    expect(await signIn(second, 'ada', password)).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push(await signIn(second, 'ada', 'wrong'));
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
  });
});
