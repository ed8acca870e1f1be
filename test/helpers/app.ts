/**
 * The app built in-process on a temp SQLite file (a PostgreSQL database of its own with
 * TESSERA_TEST_STORE=pg), for route tests that need no socket: `app.request()` goes through the same
 * middleware and routes as a real request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../db/open';
import { createApp, type HttpOptions } from '../../server/app';
import { createUser } from '../../server/auth/users';
import { prepareDatabase } from '../../server/first-start';
import { createLogger } from '../../server/logger';
import type { Role } from '../../model/roles';
import { testDatabaseFor, testOnPostgres } from './pg';

const ADMIN_TOKEN = 'in-process-admin-token-0123456789';

// Every /api answer is checked against its declaration in model/api: a mismatch answers 500.
process.env.TESSERA_CHECK_RESPONSES ??= '1';

export interface BuildOptions {
  /**
   * A SQLite file to use (to build a second app on the same data); a fresh temp file otherwise. On
   * PostgreSQL, the database that stands in for that file.
   */
  file?: string;
  http?: Partial<HttpOptions>;
}

export async function buildApp({ file, http = {} }: BuildOptions = {}) {
  const dir = file === undefined ? mkdtempSync(join(tmpdir(), 'tessera-app-')) : undefined;
  const dbFile = file ?? join(dir!, 'tessera.db');
  const { storage, close: closeStorage } = await openStorage({
    dbFile, DATABASE_URL: testOnPostgres ? (await testDatabaseFor(dbFile)).url : undefined,
  });
  const built = createApp({
    storage, log: createLogger('silent'), maxMessageBytes: 1 << 24, docIdleMs: 60_000,
    clientDir: join(import.meta.dirname, '..', '..', 'dist', 'client'), http,
  });
  await prepareDatabase(storage, ADMIN_TOKEN);
  const adminToken = ADMIN_TOKEN;

  /** One JSON request as the holder of `token` (the admin's unless given). */
  async function call(path: string, init: { method?: string; body?: unknown; token?: string } = {}) {
    // A request over the network is read in a later event-loop turn than the one that applied the
    // last change, after that turn's changes were stored; do the same here.
    await new Promise((resolve) => setImmediate(resolve));
    const res = await built.app.request(path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${init.token ?? adminToken}`, ...(init.body !== undefined && { 'content-type': 'application/json' }) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch { /* not JSON: an export */ }
    return { status: res.status, body };
  }

  async function user(name: string, role: Role): Promise<{ id: string; token: string }> {
    return createUser(storage.users, { name, role });
  }

  async function close(): Promise<void> {
    built.services.peers.close();
    await built.services.registry.closeAll();
    await closeStorage();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }

  return { ...built, storage, adminToken, call, user, close, dispose: close };
}

/** An app built in-process. */
export type App = Awaited<ReturnType<typeof buildApp>>;
