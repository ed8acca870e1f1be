/**
 * A server for a benchmark: the tests' (`test/helpers/server.ts`) as production runs it: started by `npm start`'s
 * script (`scripts/start.ts`: the web client and the server built when their sources changed, the server run as one
 * built file), with no check of API answers. Tests check every answer against its declaration
 * (`TESSERA_CHECK_RESPONSES=1`), which costs tens of milliseconds on a page of rows; a benchmark measures what
 * users get.
 */
import { type RunningServer, type StartOptions, startServer } from '../test/helpers/server';

export type { RunningServer };

export const startBenchServer = (options: StartOptions = {}): Promise<RunningServer> =>
  startServer({ entry: 'scripts/start.ts', startTimeoutMs: 180_000, ...options, env: { TESSERA_CHECK_RESPONSES: '0', ...options.env } });
