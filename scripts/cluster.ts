/**
 * `npm run cluster [-- N]`: N Tessera instances (default 3) on one PostgreSQL database and one Redis,
 * behind a reverse proxy on PORT (default 8787; `scripts/balancer.ts`), for trying several instances on one
 * machine (docs/deployment.md#on-one-machine). The instances listen on 127.0.0.1, ports PORT+1 … PORT+N. The
 * first one starts alone: it migrates the database and, on an empty one, creates the admin and the demo
 * dataset; the others start once it runs. An instance that dies (killed, or exits with an error) is started
 * again on its port, after a wait that doubles while it keeps dying young (1 s up to 30 s); one that stops
 * cleanly (exit 0, as after its own SIGTERM) is left stopped, as a service manager's `on-failure` does. SIGINT
 * or SIGTERM stops them all (SIGTERM each, then waits).
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tessera_cluster; the database is created if
 * missing), REDIS_URL (default redis://127.0.0.1:6379), HOST (the proxy's address) and every other
 * setting of the server are read from the environment; ADMIN_TOKEN goes to the first instance only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { startBalancer, type Balancer } from './balancer';
import { buildClientIfStale } from './client-build';
import { buildServerIfStale } from './server-build';

const ROOT = join(import.meta.dirname, '..');
/** The server every instance runs (`scripts/server-build.ts`), built at the start. */
let serverBundle = '';
const STOP_LIMIT_MS = 10_000;

/** Waits before starting a dead instance again: doubling from the first while it dies within YOUNG_MS of its start. */
const FIRST_RESTART_MS = 1000;
const MAX_RESTART_MS = 30_000;
const YOUNG_MS = 30_000;

interface Instance {
  index: number;
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code (1 when a signal ended it). */
  exited: Promise<number>;
  running: boolean;
}

const count = Number(process.argv[2] ?? 3);
const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST || '127.0.0.1';
const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/tessera_cluster';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
if (!Number.isInteger(count) || count < 1) fail(`The number of instances must be a whole number of at least 1, not "${process.argv[2]}"`);
if (!Number.isInteger(port) || port < 1 || port + count > 65535) fail(`PORT must leave room for ${count} instance ports after it (PORT+1 … PORT+${count})`);
if (!/^postgres(ql)?:\/\//.test(databaseUrl)) fail('DATABASE_URL must be a postgres:// URL: the instances share one PostgreSQL database');

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/** Creates the database DATABASE_URL names when it is missing, through the server's `postgres` database. */
async function createDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.href });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      console.log(`Created the database ${name} on ${target.host}`);
    }
  } finally {
    await client.end();
  }
}

const instances: Instance[] = [];
let balancer: Balancer | undefined;
let stopping = false;

/**
 * Starts instance `index` (1-based); resolves with what its "Tessera is running" line says after the URL.
 * `restartWait`: how long it waited before this start, after it died (0 the first time).
 */
function startInstance(index: number, restartWait = FIRST_RESTART_MS / 2): Promise<string> {
  const instancePort = port + index;
  const env: NodeJS.ProcessEnv = {
    ...process.env, HOST: '127.0.0.1', PORT: String(instancePort), DATABASE_URL: databaseUrl, REDIS_URL: redisUrl,
    // Unique among the instances on this machine, as their ports are.
    INSTANCE_ID: `cluster-${instancePort}`,
    // The proxy in front appends the client's address and protocol.
    TRUST_PROXY: '1',
  };
  // Only the first instance sets the admin's token: the others start on a prepared database.
  if (index > 1) delete env.ADMIN_TOKEN;
  const child = spawn(process.execPath, [serverBundle], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const instance: Instance = {
    index, port: instancePort, child, running: true,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1))),
  };
  instances[index - 1] = instance;
  const startedAt = Date.now();
  void instance.exited.then((code) => {
    instance.running = false;
    if (stopping) return;
    if (code === 0) {
      console.log(`instance ${index} (port ${instancePort}) stopped; the proxy sends its clients to the others`);
      if (instances.every((i) => !i.running)) void stop(1);
      return;
    }
    const wait = Date.now() - startedAt < YOUNG_MS ? Math.min(MAX_RESTART_MS, restartWait * 2) : FIRST_RESTART_MS;
    console.log(`instance ${index} (port ${instancePort}) died (exit ${code}); the proxy sends its clients to the others, and it starts again in ${wait / 1000} s`);
    setTimeout(() => {
      if (stopping) return;
      startInstance(index, wait).then(
        () => console.log(`instance ${index}: http://127.0.0.1:${instancePort}/ (pid ${instances[index - 1]!.child.pid}) started again`),
        () => undefined, // it died again: its exit schedules the next start
      );
    }, wait);
  });

  return new Promise((resolve, reject) => {
    let ready = false;
    for (const [stream, out] of [[child.stdout!, process.stdout], [child.stderr!, process.stderr]] as const) {
      let partial = '';
      stream.on('data', (data: Buffer) => {
        const lines = (partial + data.toString()).split('\n');
        partial = lines.pop()!;
        for (const line of lines) {
          out.write(`[${index}] ${line}\n`);
          const running = /^Tessera is running(?:\. Sign in as admin: \S+?\/(\?token=\S+)| at )/.exec(messageOf(line));
          if (running && !ready) {
            ready = true;
            resolve(running[1] ?? '');
          }
        }
      });
    }
    void instance.exited.then((code) => { if (!ready) reject(new Error(`instance ${index} exited with ${code} before it was running`)); });
  });
}

/** A log line's message: the server writes JSON lines (pino), `{"level":30,…,"msg":"…"}`. */
function messageOf(line: string): string {
  try {
    const msg = (JSON.parse(line) as { msg?: unknown }).msg;
    return typeof msg === 'string' ? msg : '';
  } catch {
    return '';
  }
}

/** SIGTERM to every instance still running, waits for them (SIGKILL after STOP_LIMIT_MS), then the proxy. */
async function stop(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const running = instances.filter((i) => i.running);
  for (const instance of running) instance.child.kill('SIGTERM');
  const killer = setTimeout(() => { for (const instance of running) instance.child.kill('SIGKILL'); }, STOP_LIMIT_MS);
  const codes = await Promise.all(running.map((i) => i.exited));
  clearTimeout(killer);
  await balancer?.close();
  console.log('Tessera cluster stopped');
  process.exit(codes.some((code) => code !== 0) ? 1 : exitCode);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

async function main(): Promise<void> {
  await createDatabase(databaseUrl);
  // As `npm start`: the web client and the server built from today's sources, every instance started from the same server file.
  buildClientIfStale(ROOT);
  serverBundle = await buildServerIfStale(ROOT);
  const signIn = await startInstance(1);
  await Promise.all(Array.from({ length: count - 1 }, (_, i) => startInstance(i + 2)));
  balancer = await startBalancer(instances.map((i) => `http://127.0.0.1:${i.port}`), host, port);
  if (stopping) return;

  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  for (const instance of instances) console.log(`instance ${instance.index}: http://127.0.0.1:${instance.port}/ (pid ${instance.child.pid})`);
  const database = new URL(databaseUrl);
  console.log(`Tessera cluster of ${count} is running at ${base}/ (database ${database.pathname.slice(1)} on ${database.host}, Redis ${new URL(redisUrl).host})`);
  // The admin's token only when the first instance made it (an empty database), as `npm start` does.
  const sameDatabase = process.env.DATABASE_URL ? 'with the same DATABASE_URL' : `with DATABASE_URL=${databaseUrl}`;
  console.log(signIn ? `Sign in as admin: ${base}/${signIn}` : `A new sign-in link for the admin: npm run signin-link -- ${base} (${sameDatabase})`);
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await stop(1);
});
