import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/clients';
import { restartServer } from '../helpers/lifecycle';
import { startServer, type RunningServer } from '../helpers/server';
import { testDatabaseFor, testOnPostgres } from '../helpers/pg';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs `npm run signin-link`'s script against a data dir; returns what it printed. */
async function signInLink(dataDir: string, env: Record<string, string> = {}): Promise<string> {
  const { ADMIN_TOKEN: _, ...rest } = process.env;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/signin-link.ts')], {
    cwd: ROOT,
    env: {
      ...rest, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '8787',
      // On PostgreSQL, the database the server of that data dir used.
      ...(testOnPostgres && { DATABASE_URL: (await testDatabaseFor(dataDir)).url }), ...env,
    },
    timeout: 30_000,
  });
  return stdout;
}

describe('the admin sign-in line', () => {
  let first: RunningServer;
  let again: RunningServer;
  beforeAll(async () => {
    first = await startServer();
    await first.stop();
    again = await restartServer(first);
  });
  afterAll(async () => {
    await again.dispose();
    await first.dispose();
  });

  it('is printed with the token on the first start only; a later start with ADMIN_TOKEN prints the address without it', async () => {
    expect(first.output()).toContain(`Sign in as admin: http://127.0.0.1:${first.port}/?token=${first.adminToken}`);
    expect(again.output()).toContain(`Tessera is running at http://127.0.0.1:${again.port}/`);
    expect(again.output()).not.toContain(again.adminToken);
    expect(again.output()).not.toContain('?token=');
    // ADMIN_TOKEN still is the admin's token.
    expect((await api(again, '/api/me')).body).toMatchObject({ name: 'admin', role: 'admin' });
  });

  it('npm run signin-link prints ADMIN_TOKEN\'s link when it is set, and otherwise a new token that replaces the old one', async () => {
    expect(await signInLink(again.dataDir, { ADMIN_TOKEN: again.adminToken }))
      .toContain(`Sign in as admin: http://127.0.0.1:8787/?token=${encodeURIComponent(again.adminToken)}`);

    const printed = await signInLink(again.dataDir);
    const token = decodeURIComponent(/\/\?token=(\S+)/.exec(printed)![1]!);
    expect(token).not.toBe(again.adminToken);
    const page = await fetch(`${again.url}/?token=${encodeURIComponent(token)}`, { redirect: 'manual' });
    expect(page.headers.getSetCookie()).toHaveLength(1);
    expect((await api(again, '/api/me', { token })).body).toMatchObject({ name: 'admin' });
    expect((await api(again, '/api/me')).status).toBe(401);
  });
});
