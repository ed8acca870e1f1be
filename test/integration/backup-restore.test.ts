/**
 * `npm run backup` and `npm run restore` (docs/operations.md#backups-and-upgrades) on the store the run picks
 * (SQLite, or PostgreSQL with TESSERA_TEST_STORE=pg): a backup taken while a client keeps typing is one
 * consistent moment of the dataset, and a restore brings back exactly that moment, releases byte for byte.
 * The quiet backup and its restore run through `npm run`; the others run the same scripts as the suite built them
 * (`builtRun`): more starts of npm and of tsx transforming the db layer would show nothing more.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRow, setCell } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset, rowCount, rowHistory } from '../helpers/api';
import { api, type Client, connectSynced } from '../helpers/clients';
import { sheetOf, rowsOf } from '../helpers/docs';
import { eventually } from '../helpers/eventually';
import { restartServer } from '../helpers/lifecycle';
import { builtRun, npmRun, releaseZipSha, storeEnv } from '../helpers/ops';
import { type RunningServer, startServer } from '../helpers/server';

const DATASET = 'kept';

/** The dataset's state as the API serves it, everything a backup must bring back. */
async function snapshot(server: RunningServer, firstRow: string) {
  const sources = (await api(server, `/api/datasets/${DATASET}/sources`)).body as Array<{ id: string; sha256: string }>;
  const texts = await Promise.all(sources.map(async (s) => (await api(server, `/api/datasets/${DATASET}/sources/${s.id}`)).body.text as string));
  const releases = (await api(server, `/api/datasets/${DATASET}/releases`)).body as Array<{ version: string }>;
  return {
    sources, texts, releases,
    zips: await Promise.all(releases.map((r) => releaseZipSha(server, DATASET, r.version))),
    history: await rowHistory(server, DATASET, firstRow),
    members: (await api(server, `/api/datasets/${DATASET}/members`)).body,
  };
}

describe('backup and restore', () => {
  let server: RunningServer;
  const clients: Client[] = [];
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-backup-'));
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server.dispose();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a backup holds every commit before it, also one taken while a client types (then a prefix of the typing); a restore serves exactly that', async () => {
    await createDataset(server, DATASET);
    const writer = await connectSynced(server, DATASET);
    clients.push(writer);
    const events = sheetOf(writer.doc, 'events');
    // Row n carries its number: a consistent copy holds rows 0…k-1 for some k, never a gap.
    const ids: string[] = [];
    const addRow = () => {
      const id = newRowId();
      insertRow(events, id, { actor1: `row ${ids.length}`, event_type: 'CONSULT' });
      ids.push(id);
    };
    for (let i = 0; i < 20; i++) addRow();
    for (let i = 0; i < 5; i++) setCell(events, ids[0]!, 'summary', `summary ${i}`);
    const source = await api(server, `/api/datasets/${DATASET}/sources`, { body: { title: 'The article', text: 'Seoul said on Monday that talks would resume.' } });
    expect(source.status, JSON.stringify(source.body)).toBe(201);
    await eventually(async () => expect(await rowCount(server, DATASET, 'events')).toBe(20), { what: 'the first rows stored' });
    await eventually(async () => expect((await rowHistory(server, DATASET, ids[0]!)).filter((h) => h.column === 'summary')).toHaveLength(5));
    const release = await api(server, `/api/datasets/${DATASET}/releases`, { body: { notes: 'Before the backup', rows: 'all' } });
    expect(release.status, JSON.stringify(release.body)).toBe(201);
    const before = await snapshot(server, ids[0]!);
    expect(before.releases).toHaveLength(1);

    // A quiet moment: on SQLite, what a young database holds is still all in its WAL, not in tessera.db.
    const quiet = join(tempDir(), 'quiet');
    const quietBackup = await npmRun('backup', [quiet], await storeEnv(server));
    expect(quietBackup.code, quietBackup.stderr).toBe(0);

    // The client keeps typing, a row every few milliseconds, while the next backup runs.
    const busy = join(tempDir(), 'busy');
    let typing = true;
    const typist = (async () => {
      while (typing) {
        addRow();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await eventually(async () => expect(await rowCount(server, DATASET, 'events')).toBeGreaterThanOrEqual(40), { what: 'typing stored' });
    const storedBeforeBackup = (await rowCount(server, DATASET, 'events'))!;
    const backup = await builtRun('backup', [busy], await storeEnv(server));
    const sentBeforeBackupEnded = ids.length;
    typing = false;
    await typist;
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toContain('Backed up');

    // After the backup: more rows, a changed cell, a source, a release, a dataset. None of it may come back.
    for (let i = 0; i < 10; i++) addRow();
    setCell(events, ids[0]!, 'summary', 'written after the backup');
    expect((await api(server, `/api/datasets/${DATASET}/sources`, { body: { title: 'Later', text: 'Written after the backup.' } })).status).toBe(201);
    await eventually(async () => expect(await rowCount(server, DATASET, 'events')).toBe(ids.length), { what: 'every row stored' });
    expect((await api(server, `/api/datasets/${DATASET}/releases`, { body: { notes: 'After the backup', rows: 'all' } })).status).toBe(201);
    await createDataset(server, 'after-backup');
    writer.destroy();
    expect(await server.stop()).toBe(0);

    /**
     * Restores a backup (with `npm run restore`, or the script as the suite built it), starts a server on it and
     * checks what it serves; returns the row numbers of the events sheet.
     */
    const restoreAndRead = async (dir: string, run: typeof builtRun): Promise<number[]> => {
      const restore = await run('restore', [dir], await storeEnv(server));
      expect(restore.code, restore.stderr).toBe(0);
      const again = await restartServer(server);
      try {
        const listed = ((await api(again, '/api/datasets?archived=1')).body as Array<{ id: string }>).map((d) => d.id);
        expect(listed).toContain(DATASET);
        expect(listed).not.toContain('after-backup');
        const reader = await connectSynced(again, DATASET);
        const rows = rowsOf(reader.doc, 'events');
        reader.destroy();
        // The read model and the document were copied as of the same moment.
        expect(await rowCount(again, DATASET, 'events')).toBe(rows.length);
        expect(rows.find(([id]) => id === ids[0])?.[1].summary).toBe('summary 4');
        expect(await snapshot(again, ids[0]!)).toEqual(before);
        expect(await again.stop()).toBe(0);
        return rows.map(([, row]) => Number(String(row.actor1).slice('row '.length))).sort((a, b) => a - b);
      } finally {
        await again.dispose();
      }
    };

    const typed = await restoreAndRead(busy, builtRun);
    expect(typed).toEqual([...Array(typed.length).keys()]);
    expect(typed.length).toBeGreaterThanOrEqual(storedBeforeBackup);
    expect(typed.length).toBeLessThanOrEqual(sentBeforeBackupEnded);
    expect(await restoreAndRead(quiet, npmRun)).toEqual([...Array(20).keys()]);
  }, 240_000);

  it('refuses to restore while the server runs, a directory that is not a backup, another store\'s, a newer Tessera\'s or a changed backup; and to back up into a used directory', async () => {
    const running = await startServer();
    try {
      const dir = join(tempDir(), 'backup');
      const env = await storeEnv(running);
      const made = await builtRun('backup', [dir], env);
      expect(made.code, made.stderr).toBe(0);

      const whileRunning = await builtRun('restore', [dir], env);
      expect(whileRunning.code).toBe(1);
      expect(whileRunning.stderr).toMatch(/stop (the|every) Tessera server/i);
      // Refused before anything was touched: the server still serves its datasets.
      expect((await api(running, '/api/datasets/demo')).status).toBe(200);

      const notBackup = tempDir();
      writeFileSync(join(notBackup, 'tessera.db'), 'not a database');
      const refused = await builtRun('restore', [notBackup], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('is not a Tessera backup');

      const again = await builtRun('backup', [dir], env);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('not an empty directory');

      expect(await running.stop()).toBe(0);
      // A backup of the other kind of database than the one configured.
      const otherStore = await builtRun('restore', [dir], { ...env, DATABASE_URL: env.DATABASE_URL ? '' : 'postgres://127.0.0.1:1/none' });
      expect(otherStore.code).toBe(1);
      expect(otherStore.stderr).toMatch(/This backup holds a (SQLite|PostgreSQL) database/);

      // A backup made by a newer Tessera: its schema has a migration this checkout does not know.
      const manifestPath = join(dir, 'tessera-backup.json');
      const original = readFileSync(manifestPath, 'utf8');
      const manifest = JSON.parse(original) as { file: string; lastMigration: { tag: string | null; when: number } };
      writeFileSync(manifestPath, JSON.stringify({ ...manifest, lastMigration: { tag: '9999_future', when: manifest.lastMigration.when + 1 } }));
      const newer = await builtRun('restore', [dir], env);
      expect(newer.code).toBe(1);
      expect(newer.stderr).toContain('made by a newer Tessera');
      writeFileSync(manifestPath, original);

      writeFileSync(join(dir, manifest.file), 'cut short');
      const changed = await builtRun('restore', [dir], env);
      expect(changed.code).toBe(1);
      expect(changed.stderr).toContain('sha256 differs');
    } finally {
      await running.dispose();
    }
  }, 120_000);
});
