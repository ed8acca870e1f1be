import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { type OnMigration, pendingMigrations } from './migrations';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Opens (creating if needed) the SQLite database at `file` — a path or `:memory:` — and applies
 * the drizzle-kit migrations.
 *
 * WAL with `synchronous = NORMAL`: a commit is in the WAL file, in the OS's hands, when it returns,
 * so it survives `kill -9` of the server (every applied update is stored within 100 ms); only a power cut or kernel crash can lose the
 * last commits. FULL would fsync every commit (milliseconds each on real disks) for a guarantee the
 * contract does not ask for.
 *
 * `onMigration` hears the name of each migration applied, so that an upgrade says what it changed.
 */
export function openDatabase(file: string, onMigration?: OnMigration): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // A large sheet's index is built by another connection (`db/sheet-indexes.ts`), holding the write lock for
  // seconds at a million rows: the store's commits and imports wait for it without blocking, and any other
  // write waits here rather than fail (a sign-in's session, say).
  sqlite.pragma('busy_timeout = 60000');
  const db = drizzle(sqlite, { schema }) as Db;
  const before = lastMigration(sqlite);
  migrate(db, { migrationsFolder: MIGRATIONS });
  if (onMigration) for (const { tag } of pendingMigrations(MIGRATIONS, before)) onMigration(tag);
  return db;
}

/** When the newest migration applied to the database was made (drizzle's record); undefined for a new database. */
export function lastMigration(sqlite: Database.Database): number | undefined {
  const table = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get();
  if (!table) return undefined;
  const row = sqlite.prepare('select max(created_at) as at from __drizzle_migrations').get() as { at: number | string | null };
  return row.at === null ? undefined : Number(row.at);
}
