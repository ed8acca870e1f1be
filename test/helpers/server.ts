/**
 * Starts the real server (`server/main.ts`, as the suite built it: `scripts/server-build.ts`) as a child process
 * on a free port with its own data dir (and, with TESSERA_TEST_STORE=pg, a PostgreSQL database of its own, the
 * same for a restart on that dir).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { TEST_SERVER } from '../../scripts/server-build';
import { testDatabaseFor, testOnPostgres } from './pg';

export interface RunningServer {
  url: string;
  wsUrl: string;
  port: number;
  adminToken: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM, then waits for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (kill -9) and wait. */
  kill(): Promise<void>;
  /** Stops (if running) and removes the data dir. */
  dispose(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse a data dir (restart); a fresh temp dir otherwise. */
  dataDir?: string;
  /** The admin's token (ADMIN_TOKEN); `null` lets the server make one, read back from its sign-in line. */
  adminToken?: string | null;
  /** Another checkout of Tessera to run (an older commit's worktree, for upgrade tests); this one by default. */
  root?: string;
  /** The script to run, relative to the root: `server/main.ts`, or `scripts/start.mjs` as `npm start` does. */
  entry?: string;
  /** How long the start may take before the test fails: longer when the start builds the client. */
  startTimeoutMs?: number;
  /** Flags for the server's node process (a benchmark's `--cpu-prof`, say). */
  nodeArgs?: readonly string[];
}

const ROOT = join(import.meta.dirname, '..', '..');

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tessera-test-'));
  let adminToken = options.adminToken === null ? '' : options.adminToken ?? randomBytes(24).toString('base64url');
  const env: NodeJS.ProcessEnv = {
    ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, ADMIN_TOKEN: adminToken,
    // Every /api answer is checked against its declaration in model/api: a mismatch answers 500.
    TESSERA_CHECK_RESPONSES: '1',
    LOG_LEVEL: 'warn', ...(testOnPostgres && { DATABASE_URL: (await testDatabaseFor(dataDir)).url }), ...options.env,
  };
  if (options.adminToken === null) delete env.ADMIN_TOKEN;
  const root = options.root ?? ROOT;
  // This checkout's server as the suite built it (test/helpers/global-setup.ts), unless asked otherwise.
  const built = join(ROOT, TEST_SERVER);
  const fromBuild = root === ROOT && (options.entry ?? 'server/main.ts') === 'server/main.ts'
    && process.env.TESSERA_TEST_FROM_SOURCE !== '1' && existsSync(built);
  const entry = join(root, options.entry ?? 'server/main.ts');
  // A script of plain JavaScript (`scripts/start.mjs`) loads the TypeScript loader itself, when it needs it.
  const args = fromBuild ? [built] : entry.endsWith('.mjs') ? [entry] : ['--import', 'tsx', entry];
  const child = spawn(process.execPath, [...options.nodeArgs ?? [], ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${out}`)), options.startTimeoutMs ?? 30_000);
    const check = () => {
      // The whole line, so that a port or token split across two chunks is not read half; the token
      // ends where the JSON string holding the URL does.
      const match = /http:\/\/127\.0\.0\.1:(\d+)\/(?:\?token=([^\s"]+))?[^\n]*\n/.exec(out);
      if (match) {
        if (options.adminToken === null) adminToken = match[2] ?? '';
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });

  let running = true;
  exited.then(() => { running = false; });
  const server: RunningServer = {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    adminToken,
    dataDir,
    process: child,
    output: () => out,
    async stop() {
      if (running) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (running) child.kill('SIGKILL');
      await exited;
    },
    async dispose() {
      if (running) child.kill('SIGKILL');
      await exited;
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
