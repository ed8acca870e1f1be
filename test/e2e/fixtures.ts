/**
 * What a browser test file sets up once for all its tests: a real server of its own and Chromium, started
 * before the file's own `beforeAll` hooks run, and the stock clients and browser profiles its tests open,
 * all closed after its own `afterAll` hooks (the profiles and clients first, then Chromium, then the server).
 *
 *     const e2e = browserSuite();
 *     beforeAll(async () => {
 *       const ana = await createUser(e2e.server, 'Ana', 'editor');
 *       ({ page } = await e2e.signedIn(ana.token, '/d/…'));
 *     });
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Role } from '../../model/roles';
import { rowRoom } from '../../model/rooms';
import { type CreatedUser, createUser } from '../helpers/api';
import { type Client, connectSynced } from '../helpers/clients';
import { type RunningServer, type StartOptions, startServer } from '../helpers/server';
import { launchBrowser, signedIn } from './browser';

export interface BrowserSuite {
  /** The file's server; read it in hooks and tests, once the suite has started. */
  readonly server: RunningServer;
  readonly browser: Browser;
  /** Stock clients the file keeps open until it ends; the suite destroys them. */
  readonly clients: Client[];
  /** A stock client synced on `room` (the admin's unless `token` is given), destroyed when the file ends. */
  connect(room: string, token?: string): Promise<Client>;
  /** A stock client synced on a row's own room in a `rows` dataset's events sheet. */
  rowClient(datasetId: string, rowId: string, token: string): Promise<Client>;
  /** A fresh browser profile signed in with `token`, on `path`. */
  signedIn(token: string, path?: string): Promise<{ context: BrowserContext; page: Page }>;
  /** A new user (made by the admin through the API) signed in in a fresh browser profile, on `path`. */
  userPage(name: string, role: Role, path?: string): Promise<{ user: CreatedUser; context: BrowserContext; page: Page }>;
}

/** Starts the file's server and Chromium before its tests and closes them, and what its tests opened, after. */
export function browserSuite(options: { server?: StartOptions } = {}): BrowserSuite {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const clients: Client[] = [];
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ${what} is read before the suite started it: read it in a hook or a test`);
    return value;
  };

  beforeAll(async () => {
    // Both are awaited before a failure of one is thrown, so that the other is closed after.
    const [serverStarted, browserLaunched] = await Promise.allSettled([
      startServer(options.server).then((s) => (server = s)), launchBrowser().then((b) => (browser = b)),
    ]);
    for (const outcome of [serverStarted, browserLaunched]) if (outcome.status === 'rejected') throw outcome.reason;
  });
  afterAll(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await browser?.close();
    await server?.dispose();
  });

  const suite: BrowserSuite = {
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    clients,
    async connect(room, token) {
      const client = await connectSynced(suite.server, room, token);
      clients.push(client);
      return client;
    },
    rowClient: (datasetId, rowId, token) => suite.connect(rowRoom(datasetId, 'events', rowId), token),
    signedIn: (token, path = '/') => signedIn(suite.browser, suite.server.url, token, path),
    async userPage(name, role, path = '/') {
      const user = await createUser(suite.server, name, role);
      return { user, ...await suite.signedIn(user.token, path) };
    },
  };
  return suite;
}
