/** Restarting the real server on the data of a previous run. */
import { startServer, type RunningServer, type StartOptions } from './server';

/**
 * Starts a new server process on `previous`'s data dir with the same admin token. With `samePort`,
 * `adminToken: null` starts it without ADMIN_TOKEN. With `samePort`, it listens where the old one did, so connected providers find it again by themselves.
 * Dispose the new server before the old one: only the old one removes the data dir.
 */
export async function restartServer(previous: RunningServer, options: StartOptions & { samePort?: boolean } = {}): Promise<RunningServer> {
  const { samePort, ...rest } = options;
  return startServer({
    ...rest,
    dataDir: previous.dataDir,
    adminToken: rest.adminToken === undefined ? previous.adminToken : rest.adminToken,
    env: { ...(samePort ? { PORT: String(previous.port) } : {}), ...rest.env },
  });
}
