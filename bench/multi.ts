/**
 * Multi-instance fan-out: the fan-out load on one document served by several server processes that share
 * a PostgreSQL database and a Redis server, each client connected to one of them (round-robin). Tessera with
 * 1, 2 and 3 instances, and Hocuspocus with its Redis extension as the peer. Every run gets its own database
 * (`tessera_bench_<pid>_<n>`, dropped afterwards) and its own Redis prefix (its keys deleted afterwards).
 */
import Redis from 'ioredis';
import { join } from 'node:path';
import pg from 'pg';
import { type FanoutOptions, type FanoutResult, runFanout } from './fanout';
import { hocuspocus, type Peer, type RunningServer, startHocuspocus, startTessera, tessera } from './peers';

export interface MultiOptions extends FanoutOptions {
  /** Instance counts Tessera runs with, e.g. [1, 2, 3]. */
  instances: number[];
  /** Instance counts the Hocuspocus peer runs with, e.g. [1, 2]; empty leaves it out. */
  hocuspocusInstances: number[];
  /** The PostgreSQL server, without a database: `postgres://user@host:port`. */
  pgUrl: string;
  redisUrl: string;
}

const BENCH_DATABASE = /^tessera_bench_(\d+)_\d+$/;
let runs = 0;

async function onMaintenance<T>(pgUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${pgUrl}/postgres` });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Drops the databases of earlier benchmark processes that were interrupted before they could drop them. */
async function dropLeftDatabases(pgUrl: string): Promise<string[]> {
  return onMaintenance(pgUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'tessera_bench_%'`);
    const left = rows.map((r) => r.datname).filter((name) => {
      const pid = Number(BENCH_DATABASE.exec(name)?.[1]);
      return Number.isInteger(pid) && pid !== process.pid && !isRunning(pid);
    });
    for (const name of left) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    return left;
  });
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let deleted = 0;
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) deleted += await redis.del(...keys);
    }
    return deleted;
  } finally {
    redis.disconnect();
  }
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/** Whether PostgreSQL and Redis answer; the reason when one does not. */
export async function multiUnavailable(options: Pick<MultiOptions, 'pgUrl' | 'redisUrl'>): Promise<string | undefined> {
  try {
    const left = await dropLeftDatabases(options.pgUrl);
    if (left.length > 0) console.log(`  dropped ${left.length} database(s) left by interrupted runs: ${left.join(', ')}`);
  } catch (error) {
    return `PostgreSQL at ${options.pgUrl}: ${firstLine(error)}`;
  }
  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    return `Redis at ${options.redisUrl}: ${firstLine(error)}`;
  } finally {
    redis.disconnect();
  }
  return undefined;
}

/** Starts `count` server processes one after another (the first one migrates the fresh database alone). */
async function startInstances(count: number, start: (index: number) => Promise<RunningServer>): Promise<RunningServer[]> {
  const servers: RunningServer[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await start(i));
  } catch (error) {
    await Promise.all(servers.map((s) => s.process.kill()));
    throw error;
  }
  return servers;
}

type Deployment = (env: { dataDir: string; index: number; databaseUrl: string; redisUrl: string; prefix: string }) => Promise<RunningServer>;

const deployTessera: Deployment = ({ dataDir, index, databaseUrl, redisUrl, prefix }) =>
  startTessera(`tessera-${index + 1}`, join(dataDir, String(index + 1)), {
    DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, INSTANCE_ID: `bench-${index + 1}`,
  });

const deployHocuspocus: Deployment = ({ dataDir, index, databaseUrl, redisUrl, prefix }) =>
  startHocuspocus(`hocuspocus-${index + 1}`, join(dataDir, String(index + 1)), {
    DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, INSTANCE_ID: `bench-${index + 1}`,
  });

/** One fan-out run on `instances` processes of `deploy`, with a database and a Redis prefix of its own. */
async function runOnCluster(peer: Peer, deploy: Deployment, instances: number, options: MultiOptions): Promise<FanoutResult> {
  const name = `tessera_bench_${process.pid}_${++runs}`;
  const prefix = `tessera-bench-${process.pid}-${runs}:`;
  await onMaintenance(options.pgUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const databaseUrl = `${options.pgUrl}/${name}`;
  let result: FanoutResult | undefined;
  try {
    result = await runFanout(peer, options, (dataDir) =>
      startInstances(instances, (index) => deploy({ dataDir, index, databaseUrl, redisUrl: options.redisUrl, prefix })),
    );
    result.instances ||= instances;
    return result;
  } finally {
    try {
      await onMaintenance(options.pgUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await deleteKeys(options.redisUrl, prefix);
    } catch (error) {
      result?.problems.push(`cleaning up ${name} and ${prefix}*: ${firstLine(error)}`);
    }
  }
}

export const tesseraOnPostgres: Peer = { ...tessera, label: 'Tessera (PostgreSQL + Redis)' };
export const hocuspocusOnPostgres: Peer = { ...hocuspocus, label: 'Hocuspocus + Redis extension (PostgreSQL)' };

/** Tessera with each of `options.instances`, then the Hocuspocus peer; `log` tells what is running. */
export async function runMulti(options: MultiOptions, log: (line: string) => void): Promise<FanoutResult[]> {
  const results: FanoutResult[] = [];
  for (const instances of options.instances) {
    log(`  running Tessera on PostgreSQL + Redis, ${instances} instance(s), ${options.clients} clients × ${options.rate} edits/s…`);
    results.push(await runOnCluster(tesseraOnPostgres, deployTessera, instances, options));
  }
  for (const instances of options.hocuspocusInstances) {
    log(`  running Hocuspocus + Redis on PostgreSQL, ${instances} instance(s), ${options.clients} clients × ${options.rate} edits/s…`);
    results.push(await runOnCluster(hocuspocusOnPostgres, deployHocuspocus, instances, options));
  }
  return results;
}

/** A short discarded run, so the first measured one does not pay for this process's warm-up (JIT, heap growth). */
export async function warmUpMulti(options: MultiOptions): Promise<void> {
  await runOnCluster(tesseraOnPostgres, deployTessera, 1, options);
}
