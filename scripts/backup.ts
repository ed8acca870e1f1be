/**
 * `npm run backup -- DIR`: a consistent copy of everything Tessera stores, written into DIR (new or empty),
 * with a manifest beside it (docs/operations.md#backup). Reads DATA_DIR or DATABASE_URL like the
 * server, and may run while the server does: the copy holds every commit made before it started reading,
 * and none of any made meanwhile, whole.
 *
 * SQLite: the online backup API, in one step. A live database keeps its latest commits in the WAL file
 * beside it, so copying `tessera.db` alone gives an old or empty database; and a backup taken in steps
 * starts over whenever the server commits between two of them, which it does every 20 ms while people
 * type. One step copies every page under one read transaction, which in WAL mode blocks no writer.
 * PostgreSQL: `pg_dump` (custom format), which reads under one snapshot.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { lastMigration } from '../db/client';
import { lastPgMigration } from '../db/pg/client';
import { readConfig } from '../server/config';
import {
  BackupError, lastMigrationRecord, MANIFEST, type Manifest, PG_DUMP_FILE, pgConnection, run, runScript, sha256File, SQLITE_FILE,
  tesseraVersion,
} from './backup-format';

/** Pages copied per backup step: all of them, so that the copy is one read of the database. */
const ALL_PAGES = 0x7fffffff;

const PG_DUMP = process.env.PG_DUMP ?? 'pg_dump';

async function backupSqlite(dbFile: string, dir: string): Promise<{ file: string; lastMigration: number | undefined }> {
  if (!existsSync(dbFile)) throw new BackupError(`There is no database at ${dbFile}: check DATA_DIR (or set DATABASE_URL for PostgreSQL)`);
  const partial = join(dir, `${SQLITE_FILE}.partial`);
  const source = new Database(dbFile, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await source.backup(partial, { progress: () => ALL_PAGES });
  } finally {
    source.close();
  }
  // The copy as one self-contained file (no WAL beside it), checked before it counts as a backup.
  const copy = new Database(partial, { fileMustExist: true });
  let migration: number | undefined;
  try {
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`The copy of ${dbFile} failed SQLite's check: ${String(check)}`);
    migration = lastMigration(copy);
  } finally {
    copy.close();
  }
  renameSync(partial, join(dir, SQLITE_FILE));
  return { file: SQLITE_FILE, lastMigration: migration };
}

async function backupPostgres(url: string, dir: string): Promise<{ file: string; lastMigration: number | undefined }> {
  const { dbname, env } = pgConnection(url);
  const client = new pg.Client({ connectionString: url, application_name: 'tessera-backup' });
  await client.connect();
  let migration: number | undefined;
  try {
    migration = await lastPgMigration(client);
  } finally {
    await client.end();
  }
  // Owners and grants are the server's business: a restore makes the objects its own user's.
  await run(PG_DUMP, ['--format=custom', '--no-owner', '--no-privileges', `--file=${join(dir, PG_DUMP_FILE)}`, `--dbname=${dbname}`], env);
  return { file: PG_DUMP_FILE, lastMigration: migration };
}

async function main(): Promise<void> {
  const target = process.argv[2];
  if (!target) throw new BackupError('Usage: npm run backup -- DIR   (DIR: a new or empty directory)');
  const dir = resolve(target);
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
    throw new BackupError(`${dir} is not an empty directory: back up into a new or empty one, so that no backup is overwritten`);
  }
  mkdirSync(dir, { recursive: true });
  const config = readConfig();
  const createdAt = new Date().toISOString();
  const database = config.DATABASE_URL ? 'postgresql' : 'sqlite';
  const { file, lastMigration: migration } = config.DATABASE_URL
    ? await backupPostgres(config.DATABASE_URL, dir)
    : await backupSqlite(config.dbFile, dir);
  const path = join(dir, file);
  const manifest: Manifest = {
    kind: 'tessera-backup',
    format: 1,
    createdAt,
    tessera: tesseraVersion(),
    database,
    from: config.DATABASE_URL ? pgConnection(config.DATABASE_URL).where : config.dbFile,
    file,
    bytes: statSync(path).size,
    sha256: await sha256File(path),
    lastMigration: lastMigrationRecord(database, migration),
  };
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`Backed up ${manifest.from} into ${dir} (${manifest.bytes} bytes, sha256 ${manifest.sha256})`);
}

await runScript(main);
