/**
 * A server for a benchmark: the tests' (`test/helpers/server.ts`) as production runs it: started by `npm start`'s
 * script (`scripts/start.mjs`: the web client and the server built when their sources changed, the server run as one
 * built file), with no check of API answers. Tests check every answer against its declaration
 * (`TESSERA_CHECK_RESPONSES=1`), which costs tens of milliseconds on a page of rows; a benchmark measures what
 * users get.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningServer, type StartOptions, startServer } from '../test/helpers/server';

export type { RunningServer };

/** `npm start`'s script in `root` (older checkouts have only its TypeScript). */
const startScript = (root: string) => (existsSync(join(root, 'scripts', 'start.mjs')) ? 'scripts/start.mjs' : 'scripts/start.ts');

export const startBenchServer = (options: StartOptions = {}): Promise<RunningServer> => startServer({
  entry: startScript(options.root ?? join(import.meta.dirname, '..')), startTimeoutMs: 180_000,
  // `BENCH_SERVER_ARGS="--cpu-prof --cpu-prof-dir=DIR"` profiles the server, as for the peers (bench/peers.ts).
  nodeArgs: (process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean), ...options,
  env: { TESSERA_CHECK_RESPONSES: '0', ...options.env },
});
