/**
 * `npm run cluster -- 2` (the script itself, so that signals reach it without npm between): two instances
 * on a PostgreSQL database of its own and a Redis prefix of its own, behind the proxy. Requests through
 * the proxy reach both instances, an edit made on one instance reaches clients of the other, clients
 * move to the remaining instance when one stops, an instance that dies is started again, and SIGTERM
 * stops everything.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRow } from '../../model/document';
import { newRowId } from '../../model/ids';
import { api, connectSynced, type Client, type SyncEndpoint } from '../helpers/clients';
import { rowsOf, sheetOf } from '../helpers/docs';
import { waitFor } from '../helpers/wait';

const ROOT = join(import.meta.dirname, '..', '..');
const PG_SERVER = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432';

/** Whether nothing listens on 127.0.0.1:`port`. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A port with `count` free ports after it, for the proxy and its instances. */
async function freePortRange(count: number): Promise<number> {
  for (;;) {
    // Below the ephemeral range (32768 and up), where outgoing connections take their ports.
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const ports = Array.from({ length: count + 1 }, (_, i) => base + i);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
}

/** Drops the test's database through the `postgres` database (ending what is still connected). */
async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${PG_SERVER}/postgres` });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function hasRow(client: Client, rowId: string): boolean {
  return rowsOf(client.doc, 'events').some(([id]) => id === rowId);
}

// The cluster is on PostgreSQL either way: `npm run test:pg` would only run it a second time.
describe('npm run cluster -- 2', () => {
  const database = `tessera_cluster_test_${randomBytes(6).toString('hex')}`;
  const adminToken = randomBytes(24).toString('base64url');
  const clients: Client[] = [];
  let port: number;
  let cluster: ChildProcess;
  let exited: Promise<number | null>;
  let output = '';
  let proxy: SyncEndpoint & { url: string };
  let instances: Array<SyncEndpoint & { url: string; pid: number }>;

  beforeAll(async () => {
    port = await freePortRange(2);
    cluster = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/cluster.ts'), '2'], {
      cwd: ROOT,
      env: {
        ...process.env, PORT: String(port), DATABASE_URL: `${PG_SERVER}/${database}`,
        REDIS_URL: process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379',
        REDIS_PREFIX: `tessera-test-${randomBytes(6).toString('hex')}:`, ADMIN_TOKEN: adminToken, LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cluster.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    cluster.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
    exited = new Promise((resolve) => cluster.once('exit', (code) => resolve(code)));

    proxy = { url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/ws`, adminToken };
    await waitFor(async () => (await fetch(`${proxy.url}/healthz`)).status === 200, { timeoutMs: 60_000, what: `the proxy's /healthz; output:\n${output}` });
    // One line per instance: "instance 1: http://127.0.0.1:PORT/ (pid PID)".
    instances = [...output.matchAll(/^instance \d+: http:\/\/127\.0\.0\.1:(\d+)\/ \(pid (\d+)\)$/gm)].map((m) => ({
      url: `http://127.0.0.1:${m[1]}`, wsUrl: `ws://127.0.0.1:${m[1]}/ws`, adminToken, pid: Number(m[2]),
    }));
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    if (cluster.exitCode === null) {
      cluster.kill('SIGTERM');
      await exited;
    }
    await dropDatabase(database);
  });

  it('prints its instances on the ports after PORT and the sign-in link through the proxy', () => {
    expect(instances.map((i) => i.url)).toEqual([`http://127.0.0.1:${port + 1}`, `http://127.0.0.1:${port + 2}`]);
    expect(output).toContain(`Tessera cluster of 2 is running at http://127.0.0.1:${port}/`);
    expect(output).toContain(`Sign in as admin: http://127.0.0.1:${port}/?token=${adminToken}`);
  });

  it('spreads requests through the proxy over both instances', async () => {
    // The proxy names the instance it chose, and the instance names itself (INSTANCE_ID=cluster-PORT).
    const answered = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const me = await api(proxy, '/api/me');
      expect(me.status).toBe(200);
      expect(me.body.role).toBe('admin');
      answered.add(`${me.headers.get('x-tessera-upstream')} ${me.headers.get('x-tessera-instance')}`);
    }
    expect([...answered].sort()).toEqual([1, 2].map((i) => `127.0.0.1:${port + i} cluster-${port + i}`));
  });

  it('syncs WebSockets through the proxy, and an edit on one instance reaches the clients of the other', async () => {
    const [first, second] = instances as [typeof instances[0], typeof instances[0]];
    const onFirst = await connectSynced(first, 'demo');
    const onSecond = await connectSynced(second, 'demo');
    const throughProxy = await connectSynced(proxy, 'demo');
    clients.push(onFirst, onSecond, throughProxy);

    const rowId = newRowId();
    insertRow(sheetOf(onFirst.doc, 'events'), rowId, { summary: 'made on the first instance' });
    await waitFor(() => hasRow(onSecond, rowId), { what: 'the row on a client of the second instance' });
    await waitFor(() => hasRow(throughProxy, rowId), { what: 'the row on the client connected through the proxy' });
  });

  it('moves the clients of a stopped instance to the other one', async () => {
    const [first, second] = instances as [typeof instances[0], typeof instances[0]];
    // Least connections: with at most one other socket open through the proxy (the previous test's),
    // three more put at least one client on each instance.
    const throughProxy: Client[] = [];
    for (let i = 0; i < 3; i++) throughProxy.push(await connectSynced(proxy, 'demo'));
    clients.push(...throughProxy);

    process.kill(first.pid, 'SIGTERM');
    await waitFor(() => fetch(`${first.url}/healthz`).then(() => false, () => true), { what: 'the first instance to stop' });
    for (let i = 0; i < 4; i++) {
      const health = await fetch(`${proxy.url}/healthz`);
      expect(health.status).toBe(200);
      expect(health.headers.get('x-tessera-upstream')).toBe(`127.0.0.1:${port + 2}`);
      expect(health.headers.get('x-tessera-instance')).toBe(`cluster-${port + 2}`);
    }

    const onSecond = await connectSynced(second, 'demo');
    clients.push(onSecond);
    const rowId = newRowId();
    insertRow(sheetOf(onSecond.doc, 'events'), rowId, { summary: 'made after the first instance stopped' });
    await waitFor(() => throughProxy.every((client) => hasRow(client, rowId)), { timeoutMs: 15_000, what: 'every proxy client to reconnect and get the row' });
    const late = await connectSynced(proxy, 'demo');
    clients.push(late);
    expect(hasRow(late, rowId)).toBe(true);
  });

  it('starts an instance that dies again on its port, with what was stored before', async () => {
    const second = instances[1]!;
    const before = await connectSynced(second, 'demo');
    clients.push(before);
    const rowId = newRowId();
    insertRow(sheetOf(before.doc, 'events'), rowId, { summary: 'stored before the instance died' });
    await waitFor(async () => (await api(second, '/api/datasets/demo/sheets/events/rows?limit=1000')).body.rows?.some((r: { row_id: string }) => r.row_id === rowId),
      { what: 'the row stored' });

    process.kill(second.pid, 'SIGKILL');
    const again = await waitFor(() => new RegExp(`^instance 2: http://127\\.0\\.0\\.1:${port + 2}/ \\(pid (\\d+)\\) started again$`, 'm').exec(output),
      { timeoutMs: 60_000, what: `instance 2 started again; output:\n${output}` });
    const pid = Number(again![1]);
    expect(pid).not.toBe(second.pid);
    instances[1] = { ...second, pid };
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    const after = await connectSynced(second, 'demo');
    clients.push(after);
    expect(hasRow(after, rowId)).toBe(true);
  });

  it('stops every instance and the proxy on SIGTERM, and exits 0', async () => {
    cluster.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const instance of instances) expect(() => process.kill(instance.pid, 0)).toThrow();
    for (const p of [port, port + 1, port + 2]) expect(await portFree(p)).toBe(true);
  });
});
