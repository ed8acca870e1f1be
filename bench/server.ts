/**
 * A server for a benchmark: the tests' (`test/helpers/server.ts`) as production runs it. Tests check every API
 * answer against its declaration (`TESSERA_CHECK_RESPONSES=1`), which costs tens of milliseconds on a page of
 * rows; a benchmark measures what users get.
 */
import { type RunningServer, type StartOptions, startServer } from '../test/helpers/server';

export type { RunningServer };

export const startBenchServer = (options: StartOptions = {}): Promise<RunningServer> =>
  startServer({ ...options, env: { TESSERA_CHECK_RESPONSES: '0', ...options.env } });
