/**
 * Several real server processes on one PostgreSQL database and one Redis (docs/deployment.md#several-instances),
 * plus the parts the fault tests break: a Redis server of the test's own, and a TCP relay in front of
 * PostgreSQL that can be cut and restored.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './pg';
import { startServer, type RunningServer } from './server';
import { waitFor } from './wait';

export interface Cluster {
  instances: RunningServer[];
  database: TestDatabase;
  /** The environment every instance got (DATABASE_URL, REDIS_URL, REDIS_PREFIX). */
  env: Record<string, string>;
  adminToken: string;
  /** Starts one more instance on the same database and Redis (`env` changes some of its settings). */
  add(name?: string, env?: Record<string, string>): Promise<RunningServer>;
  dispose(): Promise<void>;
}

export interface ClusterOptions {
  redisUrl?: string;
  /** The URL the instances reach PostgreSQL by (a relay's, say); the test database's own by default. */
  databaseUrl?: (database: TestDatabase) => string;
  /** More settings for every instance (TRUST_PROXY, PUBLIC_URL, …). */
  env?: Record<string, string>;
}

/** `n` instances on a fresh database and a fresh Redis key prefix; the first prepares the database alone. */
export async function startCluster(n: number, options: ClusterOptions = {}): Promise<Cluster> {
  const database = await createTestDatabase();
  const adminToken = randomBytes(24).toString('base64url');
  const env = {
    DATABASE_URL: options.databaseUrl?.(database) ?? database.url,
    REDIS_URL: options.redisUrl ?? process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `tessera-test-${randomBytes(6).toString('hex')}:`,
    ...options.env,
  };
  const instances: RunningServer[] = [];
  const add = async (name = `i${instances.length + 1}`, own: Record<string, string> = {}) => {
    const instance = await startServer({ adminToken, env: { ...env, INSTANCE_ID: name, ...own } });
    instances.push(instance);
    return instance;
  };
  // One after another: the first prepares the database, and starting several at once on two cores is slower.
  try {
    for (let i = 0; i < n; i++) await add();
  } catch (error) {
    // None left running: the test that failed to start never disposes them.
    await Promise.all(instances.map((instance) => instance.dispose()));
    await database.drop();
    throw error;
  }
  return {
    instances, database, env, adminToken, add,
    async dispose() {
      await Promise.all(instances.map((instance) => instance.dispose()));
      await database.drop();
    },
  };
}

/** Runs one query on the cluster's database. */
/**
 * One instance whose PostgreSQL is reached through a relay the test can cut (`relay.cut()`); instances
 * added later reach the database directly when given `DATABASE_URL: cluster.database.url`.
 */
export async function startClusterBehindRelay(): Promise<{ relay: TcpRelay; cluster: Cluster }> {
  const relay = await TcpRelay.start({ host: '127.0.0.1', port: 5432 });
  const cluster = await startCluster(1, { databaseUrl: (database) => database.url.replace(':5432/', `:${relay.port}/`) });
  return { relay, cluster };
}

export async function query<T>(cluster: Cluster, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: cluster.database.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A Redis server of the test's own (nothing kept on disk), which can be stopped and started again on its port. */
export class TestRedis {
  private process: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<TestRedis> {
    const redis = new TestRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.process = child;
    await waitFor(() => canConnect(this.port), { what: 'redis listening' });
  }

  /** Kills the server (SIGKILL): connections drop, and what it held is gone. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.process = null;
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A TCP relay to a server: while cut, open connections are destroyed and new ones refused at once, as
 * when the server is down.
 */
export class TcpRelay {
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | null = null;
  private constructor(readonly port: number, private readonly target: { host: string; port: number }) {}

  static async start(target: { host: string; port: number }): Promise<TcpRelay> {
    const relay = new TcpRelay(await freePort(), target);
    await relay.restore();
    return relay;
  }

  async restore(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        socket.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    // No new connections, then none of the open ones.
    const closed = server ? new Promise((resolve) => server.close(resolve)) : Promise.resolve();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
