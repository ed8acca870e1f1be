/**
 * Faults of the parts several instances share: Redis going away and coming back, PostgreSQL going away
 * and coming back. Each uses a server of its own that the test can break: a Redis process, and a TCP
 * relay in front of PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRow } from '../../model/document';
import { createDataset } from '../helpers/api';
import { connectSynced, type Client } from '../helpers/clients';
import { query, startCluster, startClusterBehindRelay, TcpRelay, TestRedis, type Cluster } from '../helpers/cluster';
import { rowsOf, sheetOf, sheetsJson } from '../helpers/docs';
import { waitFor } from '../helpers/wait';

const A_ROWS = 1100;

const ids = (client: Client) => rowsOf(client.doc, 'events').map(([id]) => id).sort();

describe('Redis going away and coming back', () => {
  let redis: TestRedis;
  let cluster: Cluster;
  const clients: Client[] = [];
  beforeAll(async () => {
    redis = await TestRedis.start();
    cluster = await startCluster(3, { redisUrl: redis.url });
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await cluster?.dispose();
    await redis?.stop();
  });

  it('keeps each instance serving its own clients while it is down, and converges them from the log when it returns', async () => {
    await createDataset(cluster.instances[0]!, 'outage');
    const [a1, a2, b1, c1] = await Promise.all([0, 0, 1, 2].map((i) => connectSynced(cluster.instances[i]!, 'outage')));
    clients.push(a1!, a2!, b1!, c1!);
    insertRow(sheetOf(a1!.doc, 'events'), 'before', { summary: 'before the outage' });
    await waitFor(() => ids(b1!).includes('before'), { what: 'relayed before the outage' });

    await redis.stop();
    await waitFor(async () => (await (await fetch(`${cluster.instances[0]!.url}/healthz`)).json()).bus === 'disconnected', { what: 'instance 1 sees Redis gone' });
    // Enough updates on instance 1 that it compacts the log meanwhile (every 1,000): the others then read
    // the snapshot, not only the updates after what they have.
    for (let i = 0; i < A_ROWS; i++) insertRow(sheetOf(a1!.doc, 'events'), `a-${i}`, { summary: `on instance 1 during the outage ${i}` });
    for (let i = 0; i < 10; i++) insertRow(sheetOf(b1!.doc, 'events'), `b-${i}`, { summary: `on instance 2 during the outage ${i}` });
    // Each instance still serves its own clients, and is healthy: it stores what they send.
    await waitFor(() => ids(a2!).filter((id) => id.startsWith('a-')).length === A_ROWS, { what: 'a client of the same instance sees the edits' });
    const health = await fetch(`${cluster.instances[1]!.url}/healthz`);
    expect(health.status).toBe(200);

    await redis.restart();
    // Back: both instances read what the other stored meanwhile from the log.
    await waitFor(() => [a1!, a2!, b1!, c1!].every((client) => ids(client).length === A_ROWS + 11), { what: 'every client has every row', timeoutMs: 30_000 });
    const snapshots = await query(cluster, `select up_to_seq from snapshots where dataset_id = 'outage'`);
    expect(snapshots).toHaveLength(1);
    expect(sheetsJson(a2!.doc)).toEqual(sheetsJson(b1!.doc));
    expect(sheetsJson(c1!.doc)).toEqual(sheetsJson(b1!.doc));
    // And relaying works again.
    insertRow(sheetOf(b1!.doc, 'events'), 'after', { summary: 'after the outage' });
    await waitFor(() => ids(a1!).includes('after') && ids(c1!).includes('after'), { what: 'relayed after the outage' });
  });
});

describe('PostgreSQL going away and coming back', () => {
  let relay: TcpRelay;
  let cluster: Cluster;
  const clients: Client[] = [];
  beforeAll(async () => {
    ({ relay, cluster } = await startClusterBehindRelay());
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await cluster?.dispose();
    await relay?.cut();
  });

  it('answers 503 on /healthz, keeps what it received, and stores it when the database returns', async () => {
    const [instance] = cluster.instances;
    await createDataset(instance!, 'dbdown');
    const writer = await connectSynced(instance!, 'dbdown');
    const reader = await connectSynced(instance!, 'dbdown');
    clients.push(writer, reader);
    await relay.cut();
    await waitFor(async () => (await fetch(`${instance!.url}/healthz`)).status === 503, { what: '/healthz answers 503' });
    for (let i = 0; i < 10; i++) insertRow(sheetOf(writer.doc, 'events'), `row-${i}`, { summary: `while the database is down ${i}` });
    // Received, applied and relayed to the other client, though not stored yet.
    await waitFor(() => ids(reader).length === 10, { what: 'relayed while the database is down' });

    await relay.restore();
    await waitFor(async () => (await fetch(`${instance!.url}/healthz`)).status === 200, { what: '/healthz answers 200 again', timeoutMs: 20_000 });
    // Stored: an instance started now reads every row from the database.
    const fresh = await cluster.add('after');
    const late = await connectSynced(fresh, 'dbdown');
    clients.push(late);
    await waitFor(() => ids(late).length === 10, { what: 'a new instance reads every row from the database', timeoutMs: 10_000 });
  });
});
