/**
 * The three servers under test and their stock clients. Each server runs as a child process on loopback;
 * every client gets its own Y.Doc and its own WebSocket.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { getSheet, initDocument } from '../model/document';
import { TEMPLATES } from '../model/templates';
import { buildClientIfStale } from '../scripts/client-build';
import { buildServerIfStale } from '../scripts/server-build';
import { freePort, ServerProcess, sleep } from './procs';

export const DATASET = 'bench';
export const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export type PeerId = 'tessera' | 'baseline' | 'y-websocket' | 'hocuspocus';

/** A connected client: a Y.Doc kept in sync by the peer's stock provider. */
export interface BenchClient {
  readonly doc: Y.Doc;
  readonly synced: boolean;
  /** How often the connection dropped after it had been open (a stable run has 0). */
  readonly disconnects: number;
  /** Resolves on the first full sync; rejects after `timeoutMs`. */
  whenSynced(timeoutMs: number): Promise<void>;
  destroy(): void;
}

export interface RunningServer {
  readonly process: ServerProcess;
  readonly port: number;
  readonly dataDir: string;
}

export interface Peer {
  readonly id: PeerId;
  readonly label: string;
  /** Whether documents survive a restart (the scale benchmark needs it). */
  readonly persistent: boolean;
  /** Whether the server can export a sheet as CSV. */
  readonly exports: boolean;
  /** Starts the server on `dataDir` (reused across restarts) and waits until it accepts connections. */
  start(dataDir: string, port?: number): Promise<RunningServer>;
  /** Makes the benchmark document exist on a fresh server (Tessera: create the dataset). */
  prepare(server: RunningServer): Promise<void>;
  connect(server: RunningServer, doc?: Y.Doc): BenchClient;
}

const START_TIMEOUT_MS = 60_000;

// y-websocket's provider adds a process 'exit' listener per instance; a hundred clients are expected here.
process.setMaxListeners(1000);

function waitFor(isDone: () => boolean, subscribe: (done: () => void) => () => void, timeoutMs: number, what: string): Promise<void> {
  if (isDone()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`${what}: not synced after ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = subscribe(() => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

/** A stock y-websocket client of `room` (the benchmark's dataset unless given). */
export function yWebsocketClient(url: string, doc: Y.Doc, params: Record<string, string>, what: string, room = DATASET): BenchClient {
  const provider = new WebsocketProvider(url, room, doc, {
    params,
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    // All clients live in one process: without this they would talk to each other over BroadcastChannel.
    disableBc: true,
  });
  let disconnects = 0;
  provider.on('connection-close', () => disconnects++);
  return {
    doc,
    get synced() {
      return provider.synced;
    },
    get disconnects() {
      return disconnects;
    },
    whenSynced: (timeoutMs) =>
      waitFor(
        () => provider.synced,
        (done) => {
          const onSync = (state: boolean) => state && done();
          provider.on('sync', onSync);
          return () => provider.off('sync', onSync);
        },
        timeoutMs,
        what,
      ),
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

function hocuspocusClient(url: string, doc: Y.Doc): BenchClient {
  // In Node the socket needs the `ws` polyfill, which only the websocket half of the provider takes.
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: WebSocket });
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: DATASET, document: doc });
  provider.attach();
  let disconnects = 0;
  provider.on('close', () => disconnects++);
  return {
    doc,
    get synced() {
      return provider.synced;
    },
    get disconnects() {
      return disconnects;
    },
    whenSynced: (timeoutMs) =>
      waitFor(
        () => provider.synced,
        (done) => {
          const onSynced = ({ state }: { state: boolean }) => state && done();
          provider.on('synced', onSynced);
          return () => provider.off('synced', onSynced);
        },
        timeoutMs,
        'hocuspocus',
      ),
    destroy: () => {
      provider.destroy();
      socket.destroy();
      doc.destroy();
    },
  };
}

async function startProcess(
  name: string, args: string[], env: Record<string, string>, dataDir: string, readyPath: string, port?: number, cwd = ROOT,
): Promise<RunningServer> {
  const chosen = port ?? (await freePort());
  const proc = new ServerProcess({ name, args, env: { ...env, HOST: '127.0.0.1', PORT: String(chosen) }, cwd });
  try {
    await proc.waitForHttp(`http://127.0.0.1:${chosen}${readyPath}`, START_TIMEOUT_MS);
  } catch (error) {
    await proc.kill();
    throw error;
  }
  return { process: proc, port: chosen, dataDir };
}

/** Extra node flags for Tessera's server process (`BENCH_SERVER_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` to profile it). */
const serverNodeArgs = () => (process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);

/** This checkout's web client and server built once, before its first instance starts (instances start side by side). */
let built: Promise<string> | null = null;

/**
 * How Tessera's server starts from the checkout at `root`: as `npm start` starts it (`scripts/start.mjs`: the
 * server as one built file), so that restarts are measured as production makes them. A profiled run
 * (BENCH_SERVER_ARGS) and older checkouts run the TypeScript sources, so that a profile names their files.
 */
async function tesseraEntry(root: string): Promise<string[]> {
  if (serverNodeArgs().length > 0 || !existsSync(join(root, 'scripts', 'start.mjs'))) return ['--import', 'tsx', 'server/main.ts'];
  if (root === ROOT) {
    built ??= (async () => {
      buildClientIfStale(ROOT);
      return buildServerIfStale(ROOT);
    })();
    await built;
  }
  return ['scripts/start.mjs'];
}

/** Tessera's server process from the checkout at `root` on `dataDir`, with `env` (e.g. DATABASE_URL) on top of the benchmark's settings. */
export const startTessera = async (name: string, dataDir: string, env: Record<string, string> = {}, port?: number, root = ROOT) =>
  startProcess(name, [...serverNodeArgs(), ...(await tesseraEntry(root))], { DATA_DIR: dataDir, ADMIN_TOKEN, LOG_LEVEL: 'warn', ...env }, dataDir, '/healthz', port, root);

/** The Hocuspocus peer's server process on `dataDir`, with `env` (e.g. DATABASE_URL, REDIS_URL: see hocuspocus-server.ts). */
export const startHocuspocus = (name: string, dataDir: string, env: Record<string, string> = {}, port?: number) =>
  startProcess(name, ['--import', 'tsx', 'bench/hocuspocus-server.ts'], { DATA_DIR: dataDir, ...env }, dataDir, '/', port);

/** Tessera's server from the checkout at `root` (this one, or the baseline a change is measured against). */
const tesseraFrom = (id: 'tessera' | 'baseline', label: string, root: string): Peer => ({
  id,
  label,
  persistent: true,
  exports: true,
  start: (dataDir, port) => startTessera(id, dataDir, {}, port, root),
  async prepare(server) {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/datasets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', id: DATASET, template: 'events-statements' }),
    });
    const body = await res.text();
    if (res.status !== 201) throw new Error(`Tessera: POST /api/datasets answered ${res.status}: ${body.slice(0, 300)}`);
  },
  connect: (server, doc = new Y.Doc()) => yWebsocketClient(`ws://127.0.0.1:${server.port}/ws`, doc, { token: ADMIN_TOKEN }, id),
});

export const tessera = tesseraFrom('tessera', 'Tessera', ROOT);

export const yWebsocketServer: Peer = {
  id: 'y-websocket',
  label: 'y-websocket server',
  persistent: false,
  exports: false,
  start: (dataDir, port) =>
    startProcess('y-websocket', [join(ROOT, 'node_modules/@y/websocket-server/src/server.js')], {}, dataDir, '/', port),
  prepare: async () => {},
  connect: (server, doc = new Y.Doc()) => yWebsocketClient(`ws://127.0.0.1:${server.port}`, doc, {}, 'y-websocket'),
};

export const hocuspocus: Peer = {
  id: 'hocuspocus',
  label: 'Hocuspocus',
  persistent: true,
  exports: false,
  start: (dataDir, port) => startHocuspocus('hocuspocus', dataDir, {}, port),
  prepare: async () => {},
  connect: (server, doc = new Y.Doc()) => hocuspocusClient(`ws://127.0.0.1:${server.port}`, doc),
};

/**
 * `BENCH_BASELINE=DIR` (a checkout of an earlier commit, with node_modules): Tessera as it was, run in
 * the same benchmark as a peer (`BENCH_PEERS=tessera,baseline,hocuspocus`), to measure a change.
 */
const baselineRoot = process.env.BENCH_BASELINE;
export const PEERS: readonly Peer[] = [
  tessera, ...(baselineRoot ? [tesseraFrom('baseline', 'Tessera (baseline)', baselineRoot)] : []), yWebsocketServer, hocuspocus,
];

/**
 * The peers have no templates: the first client writes the events-statements document layout itself,
 * exactly as Tessera's server does for a new dataset.
 */
export function ensureLayout(doc: Y.Doc): void {
  if (!getSheet(doc, 'events')) initDocument(doc, DATASET, TEMPLATES['events-statements']);
}

/** Polls `check` every `intervalMs` until it holds; throws after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number, what: string, intervalMs = 20): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

const tempDirs = new Set<string>();
// Also on an interrupted run (procs.ts turns SIGINT/SIGTERM into an exit).
process.on('exit', () => {
  for (const path of tempDirs) rmSync(path, { recursive: true, force: true });
});

export function makeTempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `tessera-bench-${prefix}-`));
  tempDirs.add(path);
  return {
    path,
    remove: () => {
      rmSync(path, { recursive: true, force: true });
      tempDirs.delete(path);
    },
  };
}
