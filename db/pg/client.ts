/**
 * The PostgreSQL database: a connection pool (node-postgres) under Drizzle, migrated at start from
 * `db/pg/migrations` (drizzle-kit, `npm run db:generate:pg`).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { type OnMigration, pendingMigrations } from '../migrations';
import * as schema from './schema';

export type PgDb = NodePgDatabase<typeof schema> & { $client: pg.Pool };

/** A Drizzle transaction on the PostgreSQL database. */
export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0];

export const PG_MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Connections held at most: the sync engine writes one commit per document at a time. */
const POOL_SIZE = 10;
/** The advisory lock key held while migrating (datasets lock on hashes of their ids, in another key space). */
const MIGRATION_LOCK = 7_349_021;

/** How Tessera's connections name themselves in `pg_stat_activity`. */
export const APPLICATION_NAME = 'tessera';

/** Opens a pool on `url` (`postgres://…`) and applies the migrations; `onMigration` hears each one applied. */
export async function openPgDatabase(url: string, onMigration?: OnMigration): Promise<PgDb> {
  const pool = new pg.Pool({
    connectionString: url, max: POOL_SIZE, connectionTimeoutMillis: 5000, application_name: APPLICATION_NAME,
  });
  // An idle connection that breaks (the server restarted) is dropped from the pool, not thrown at the process.
  pool.on('error', () => undefined);
  const db = drizzle(pool, { schema }) as PgDb;
  // Instances starting together migrate one after another: the others wait, then find nothing to do.
  const lock = await pool.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const before = await lastPgMigration(lock);
    await migrate(db, { migrationsFolder: PG_MIGRATIONS });
    if (onMigration) for (const { tag } of pendingMigrations(PG_MIGRATIONS, before)) onMigration(tag);
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    lock.release();
  }
  return db;
}

/** When the newest migration applied to the database was made (drizzle's record); undefined for a new database. */
export async function lastPgMigration(client: pg.ClientBase): Promise<number | undefined> {
  const { rows: [table] } = await client.query<{ t: string | null }>("select to_regclass('drizzle.__drizzle_migrations') as t");
  if (!table?.t) return undefined;
  const { rows: [row] } = await client.query<{ at: string | null }>('select max(created_at) as at from drizzle.__drizzle_migrations');
  return row?.at == null ? undefined : Number(row.at);
}
