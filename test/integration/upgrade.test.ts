/**
 * Upgrades (docs/operations.md#upgrades): every start logs the migrations it applies, and a database made
 * by an older commit of this repository is served by today's `npm start` with every row, source and user
 * kept, its schema migrated, and today's web client built and served.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../db/client';
import { migrationsIn } from '../../db/migrations';
import { PG_MIGRATIONS } from '../../db/pg/client';
import { clientSourcesHash } from '../../scripts/client-build';
import { api } from '../helpers/clients';
import { testOnPostgres } from '../helpers/pg';
import { restartServer } from '../helpers/lifecycle';
import { type RunningServer, startServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const ROOT = join(import.meta.dirname, '..', '..');
const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();

/**
 * The older commits upgraded from: on SQLite, import and sources but a schema two migrations older than
 * today's (0004_access, before rounds and releases); on PostgreSQL, the first commit with the PostgreSQL
 * store and import merged (its schema is today's, so the upgrade applies nothing there). Both run on
 * today's node_modules: their dependencies are a subset of today's, at the same versions. (They read and
 * wrote CSV with papaparse, which today's code no longer uses: it stays a devDependency for them.)
 */
const OLD_COMMIT = testOnPostgres ? 'cb15850bd32c6612dbb6ebc26411ea592f29bc3f' : 'a539c1aaa680bd79d77b132baa7b530fa09e03d5';
const MIGRATIONS_DIR = testOnPostgres ? 'db/pg/migrations' : 'db/migrations';

/**
 * The `migration applied` lines a server printed, in order, once it logged that it listens (the log is
 * written asynchronously, after the line that says the server runs).
 */
async function appliedMigrations(server: RunningServer): Promise<string[]> {
  await waitFor(() => server.output().includes('"msg":"listening"'), { what: 'the listening line in the log' });
  return server.output().split('\n').flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { msg?: string; migration?: string };
      return entry.msg === 'migration applied' && entry.migration ? [entry.migration] : [];
    } catch {
      return [];
    }
  });
}

/** The script the page at `/` loads: its name carries the build's content hash. */
async function pageScript(server: RunningServer): Promise<string> {
  const html = await (await fetch(`${server.url}/`)).text();
  return /<script[^>]+src="([^"]+)"/.exec(html)?.[1] ?? `no script in ${html.slice(0, 200)}`;
}

describe('migrations in the log', () => {
  it('a start logs one JSON line per migration it applies, oldest first; a start with nothing to apply logs none', async () => {
    const server = await startServer({ env: { LOG_LEVEL: 'info' } });
    try {
      expect(await appliedMigrations(server)).toEqual(migrationsIn(testOnPostgres ? PG_MIGRATIONS : MIGRATIONS).map((m) => m.tag));
      expect(await server.stop()).toBe(0);
      const again = await restartServer(server, { env: { LOG_LEVEL: 'info' } });
      try {
        expect(await appliedMigrations(again)).toEqual([]);
      } finally {
        await again.dispose();
      }
    } finally {
      await server.dispose();
    }
  });
});

describe('upgrading from an older commit', () => {
  const worktree = join(mkdtempSync(join(tmpdir(), 'tessera-upgrade-')), 'checkout');
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-upgrade-data-'));
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.dispose();
    try {
      git('worktree', 'remove', '--force', worktree);
    } catch {
      git('worktree', 'prune');
    }
    rmSync(join(worktree, '..'), { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('today\'s npm start on an older commit\'s data applies and logs the missing migrations, keeps every row and source, and serves today\'s client', async () => {
    const today = git('rev-parse', 'HEAD');
    git('worktree', 'add', '--detach', worktree, OLD_COMMIT);
    symlinkSync(join(ROOT, 'node_modules'), join(worktree, 'node_modules'), 'dir');
    // The older version as it was deployed: its own client built, its server running.
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: worktree, stdio: 'ignore' });
    const old = await startServer({ root: worktree, dataDir });
    servers.push(old);
    const oldScript = await pageScript(old);

    expect((await api(old, '/api/datasets', { body: { id: 'upgrade', name: 'Before the upgrade', template: 'events-statements' } })).status).toBe(201);
    const csv = ['actor1,event_type,event_date,date_precision,summary',
      ...Array.from({ length: 50 }, (_, i) => `Actor ${i},CONSULT,2024-02-${String(1 + (i % 28)).padStart(2, '0')},day,"Summary ${i}, with a comma"`)].join('\n');
    const imported = await fetch(`${old.url}/api/datasets/upgrade/sheets/events/import`, {
      method: 'POST', headers: { authorization: `Bearer ${old.adminToken}`, 'content-type': 'text/csv' }, body: csv,
    });
    expect(imported.status, await imported.clone().text()).toBe(200);
    expect((await imported.json() as { inserted: number }).inserted).toBe(50);
    const source = await api(old, '/api/datasets/upgrade/sources', { body: { title: 'The article', text: 'Seoul said on Monday that talks would resume.' } });
    expect(source.status).toBe(201);
    const rowsOf = async (server: RunningServer) => {
      const body = (await api(server, '/api/datasets/upgrade/sheets/events/export?format=json')).body as { rows: Array<Record<string, unknown>> };
      return body.rows.map(({ row_id, actor1, event_type, event_date, summary }) => ({ row_id, actor1, event_type, event_date, summary }));
    };
    const rowsBefore = await rowsOf(old);
    expect(rowsBefore).toHaveLength(50);
    const sourcesBefore = (await api(old, '/api/datasets/upgrade/sources')).body as Array<{ id: string; sha256: string }>;
    const datasetsBefore = ((await api(old, '/api/datasets')).body as Array<{ id: string }>).map((d) => d.id).sort();
    expect(await old.stop()).toBe(0);

    // The upgrade: `git pull` (here: today's commit checked out) and `npm start`, which builds the client.
    execFileSync('git', ['checkout', '--quiet', '--detach', today], { cwd: worktree, stdio: 'ignore' });
    const upgraded = await startServer({
      root: worktree, entry: 'scripts/start.ts', dataDir, adminToken: old.adminToken, env: { LOG_LEVEL: 'info' }, startTimeoutMs: 180_000,
    });
    servers.push(upgraded);

    const known = new Set((JSON.parse(git('show', `${OLD_COMMIT}:${MIGRATIONS_DIR}/meta/_journal.json`)) as { entries: Array<{ tag: string }> }).entries.map((e) => e.tag));
    const missing = migrationsIn(join(worktree, MIGRATIONS_DIR)).map((m) => m.tag).filter((tag) => !known.has(tag));
    // The older commit lacks rounds and releases, and every migration made since.
    if (!testOnPostgres) expect(missing.slice(0, 2)).toEqual(['0005_rounds', '0006_releases']);
    expect(await appliedMigrations(upgraded)).toEqual(missing);

    expect(await rowsOf(upgraded)).toEqual(rowsBefore);
    expect((await api(upgraded, '/api/datasets/upgrade/sources')).body).toMatchObject(sourcesBefore.map(({ id, sha256 }) => ({ id, sha256 })));
    expect(((await api(upgraded, '/api/datasets')).body as Array<{ id: string }>).map((d) => d.id).sort()).toEqual(datasetsBefore);
    // What the migrations added works on the old data: a release of it.
    expect((await api(upgraded, '/api/datasets/upgrade/releases', { body: { notes: 'After the upgrade', rows: 'all' } })).status).toBe(201);

    // Today's client: built from today's sources by the start, and the one the page loads.
    const built = readFileSync(join(worktree, 'dist', 'client', 'index.html'), 'utf8');
    const script = await pageScript(upgraded);
    expect(built).toContain(`src="${script}"`);
    expect(script).not.toBe(oldScript);
    expect(readFileSync(join(worktree, 'dist', 'client', '.sources-sha256'), 'utf8').trim()).toBe(clientSourcesHash(worktree));
  }, 300_000);
});
