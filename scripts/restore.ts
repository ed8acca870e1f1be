/**
 * `npm run restore -- DIR`: puts a backup made by `npm run backup` back where the server's DATA_DIR or
 * DATABASE_URL points (docs/operations.md#restore). The next start serves exactly what the backup
 * holds, and nothing written after it; it migrates a backup made by an older Tessera as any start does.
 *
 * Only with every server stopped: a running server would go on serving (and writing) what it holds in
 * memory. A server holds its SQLite file open and locked, so the restore refuses when it cannot lock the
 * file exclusively; on PostgreSQL it refuses while any other connection is open to the database.
 *
 * SQLite: the database it replaces is moved aside (with its WAL) into DATA_DIR/replaced-TIME/, not deleted.
 * PostgreSQL: the schemas Tessera keeps (`public` and drizzle's `drizzle`) are dropped and made again from
 * the dump, in one transaction: a failed restore leaves the database as it was.
 */
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { readConfig } from '../server/config';
import { BackupError, pgConnection, readBackup, run, runScript } from './backup-format';

const PG_RESTORE = process.env.PG_RESTORE ?? 'pg_restore';
const PSQL = process.env.PSQL ?? 'psql';

/** Throws unless no other process has the SQLite file open: a server keeps a lock on it while it runs. */
function assertSqliteUnused(dbFile: string): void {
  const db = new Database(dbFile, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new BackupError(`${dbFile} is in use (another process holds it locked): stop the Tessera server first, then restore`);
    }
    throw error;
  } finally {
    db.close();
  }
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function restoreSqlite(dataFile: string, dbFile: string, dataDir: string): string | undefined {
  mkdirSync(dataDir, { recursive: true });
  if (existsSync(dbFile)) assertSqliteUnused(dbFile);
  const incoming = `${dbFile}.restoring`;
  copyFileSync(dataFile, incoming);
  fsyncFile(incoming);
  let aside: string | undefined;
  // The old file's WAL must go with it: beside the restored file it would be read as the restored file's.
  const old = [dbFile, `${dbFile}-wal`, `${dbFile}-shm`].filter((path) => existsSync(path));
  if (old.length > 0) {
    aside = join(dataDir, `replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(aside);
    for (const path of old) renameSync(path, join(aside, basename(path)));
  }
  renameSync(incoming, dbFile);
  return aside;
}

/** The other sessions on the database, as `application (address)`. */
async function otherConnections(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url, application_name: 'tessera-restore' });
  await client.connect();
  try {
    const { rows } = await client.query<{ app: string; addr: string | null }>(
      `select application_name as app, client_addr::text as addr from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
    );
    return rows.map((r) => `${r.app || 'unnamed'} (${r.addr ?? 'local socket'})`);
  } finally {
    await client.end();
  }
}

async function restorePostgres(dataFile: string, url: string): Promise<void> {
  const others = await otherConnections(url);
  if (others.length > 0) {
    throw new BackupError(`${others.length} other connection(s) to the database are open: ${[...new Set(others)].join(', ')}. `
      + 'Stop every Tessera server (and close other sessions) first, then restore');
  }
  const { dbname, env } = pgConnection(url);
  // pg_restore turns the archive into SQL first, whole: psql would commit a script cut short as it is.
  const scratch = mkdtempSync(join(tmpdir(), 'tessera-restore-'));
  try {
    const script = join(scratch, 'restore.sql');
    await run(PG_RESTORE, ['--no-owner', '--no-privileges', `--file=${script}`, dataFile]);
    await run(PSQL, [
      '--no-psqlrc', '--quiet', '--single-transaction', '--set=ON_ERROR_STOP=1',
      '--command=DROP SCHEMA IF EXISTS drizzle CASCADE; DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;',
      `--file=${script}`, `--dbname=${dbname}`,
    ], env);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const source = process.argv[2];
  if (!source) throw new BackupError('Usage: npm run restore -- DIR   (DIR: a directory written by npm run backup)');
  const dir = resolve(source);
  const { manifest, dataFile } = await readBackup(dir);
  const config = readConfig();
  const target = config.DATABASE_URL ? 'postgresql' : 'sqlite';
  if (manifest.database !== target) {
    throw new BackupError(manifest.database === 'sqlite'
      ? 'This backup holds a SQLite database, and DATABASE_URL names PostgreSQL: unset DATABASE_URL to restore it into DATA_DIR'
      : 'This backup holds a PostgreSQL database: set DATABASE_URL to the database to restore it into');
  }
  if (config.DATABASE_URL) {
    await restorePostgres(dataFile, config.DATABASE_URL);
    console.log(`Restored the backup of ${manifest.createdAt} into ${pgConnection(config.DATABASE_URL).where}`);
  } else {
    const aside = restoreSqlite(dataFile, config.dbFile, config.dataDir);
    console.log(`Restored the backup of ${manifest.createdAt} into ${config.dbFile}`
      + (aside ? `; the database it replaced is in ${aside} (delete it once you no longer need it)` : ''));
  }
}

await runScript(main);
