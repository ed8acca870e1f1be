/**
 * The PostgreSQL database: a connection pool (node-postgres) under Drizzle, migrated at start from
 * `db/pg/migrations` (drizzle-kit, `npm run db:generate:pg`).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema';

export type PgDb = NodePgDatabase<typeof schema> & { $client: pg.Pool };

/** A Drizzle transaction on the PostgreSQL database. */
export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0];

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Connections held at most: the sync engine writes one commit per document at a time. */
const POOL_SIZE = 10;

/** Opens a pool on `url` (`postgres://…`) and applies the migrations. */
export async function openPgDatabase(url: string): Promise<PgDb> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  // An idle connection that breaks (the server restarted) is dropped from the pool, not thrown at the process.
  pool.on('error', () => undefined);
  const db = drizzle(pool, { schema }) as PgDb;
  await migrate(db, { migrationsFolder: MIGRATIONS });
  return db;
}
