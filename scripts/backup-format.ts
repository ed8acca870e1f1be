/**
 * What `npm run backup` writes and `npm run restore` reads: a directory holding the database (the SQLite
 * file, or a `pg_dump` custom-format archive) and a manifest beside it. The manifest is written last, so a
 * directory with one holds a complete backup; its sha256 catches a data file changed or cut short since.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { MIGRATIONS } from '../db/client';
import { migrationAt, migrationsIn } from '../db/migrations';
import { PG_MIGRATIONS } from '../db/pg/client';

export const MANIFEST = 'tessera-backup.json';
export const SQLITE_FILE = 'tessera.db';
export const PG_DUMP_FILE = 'tessera.pgdump';

const ROOT = join(import.meta.dirname, '..');

export type DatabaseKind = 'sqlite' | 'postgresql';

export const Manifest = z.object({
  kind: z.literal('tessera-backup'),
  format: z.literal(1),
  /** When the copy was taken (ISO 8601 UTC): it holds everything committed before then. */
  createdAt: z.string(),
  tessera: z.object({ version: z.string(), commit: z.string().nullable() }),
  database: z.enum(['sqlite', 'postgresql']),
  /** What was backed up: the SQLite file's path, or `postgres://host/db` (never a password). */
  from: z.string(),
  file: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The newest migration applied to the database: a restore into a Tessera that lacks it is refused. */
  lastMigration: z.object({ tag: z.string().nullable(), when: z.number() }).nullable(),
});
export type Manifest = z.infer<typeof Manifest>;

/** A refusal or failure to tell the person running the script, without a stack trace. */
export class BackupError extends Error {}

/** The migrations folder of a database kind. */
export function migrationsFolder(kind: DatabaseKind): string {
  return kind === 'sqlite' ? MIGRATIONS : PG_MIGRATIONS;
}

/** The manifest's record of the newest applied migration. */
export function lastMigrationRecord(kind: DatabaseKind, when: number | undefined): Manifest['lastMigration'] {
  return when === undefined ? null : { tag: migrationAt(migrationsFolder(kind), when)?.tag ?? null, when };
}

/** This checkout's version, and its commit when it is a git checkout. */
export function tesseraVersion(): Manifest['tessera'] {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
  } catch {
    // Not a git checkout (an unpacked release): the version alone.
  }
  return { version, commit };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Reads and checks a backup directory: its manifest, and that its data file is there with the bytes the
 * manifest names. Refuses anything else.
 */
export async function readBackup(dir: string): Promise<{ manifest: Manifest; dataFile: string }> {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new BackupError(`${dir} is not a Tessera backup: it has no ${MANIFEST} (npm run backup writes one)`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new BackupError(`${path} is not JSON: this is not a Tessera backup`);
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) throw new BackupError(`${path} is not a Tessera backup manifest (${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message})`);
  const manifest = parsed.data;
  const dataFile = join(dir, manifest.file);
  if (manifest.file.includes('/') || !existsSync(dataFile)) throw new BackupError(`The backup's data file ${manifest.file} is missing from ${dir}`);
  if (await sha256File(dataFile) !== manifest.sha256) {
    throw new BackupError(`${dataFile} is not the file the backup wrote (its sha256 differs from the manifest's): it was changed or cut short`);
  }
  // A newer Tessera's schema under this one would be read by code that does not know it.
  const newest = migrationsIn(migrationsFolder(manifest.database)).at(-1)?.when ?? 0;
  if (manifest.lastMigration && manifest.lastMigration.when > newest) {
    throw new BackupError(`This backup was made by a newer Tessera (${manifest.tessera.version}, commit ${manifest.tessera.commit ?? 'unknown'}): `
      + `its database has migrations this checkout does not know. Restore it with that version or a later one.`);
  }
  return { manifest, dataFile };
}

/**
 * A PostgreSQL URL split for the client programs: the URL without its password (arguments are visible
 * to every user of the machine) and the password for `PGPASSWORD`.
 */
export function pgConnection(url: string): { dbname: string; env: NodeJS.ProcessEnv; where: string } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (password) env.PGPASSWORD = password;
  return { dbname: parsed.toString(), env, where: `postgres://${parsed.host}${parsed.pathname}` };
}

/** Runs a program to its end; rejects with what it printed on stderr when it fails. */
export function run(program: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.once('error', (error) => reject(new BackupError(`Could not run ${program}: ${error.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new BackupError(`${program} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}

/** A script's end: the error's message on stderr and exit 1, or exit 0. */
export async function runScript(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    console.error(error instanceof BackupError ? error.message : (error as Error).stack ?? String(error));
    process.exitCode = 1;
  }
}
