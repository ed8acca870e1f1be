/**
 * PostgreSQL databases for tests: each is created empty (`tessera_test_<random>`) through the
 * `postgres` maintenance database and dropped afterwards. The server is PG_TEST_URL's (default: the
 * local one, user postgres, trust auth).
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';

const SERVER = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  /** `postgres://…/tessera_test_…` */
  url: string;
  name: string;
  /** Drops the database, ending whatever connections are still open on it. */
  drop(): Promise<void>;
}

async function onMaintenance<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  // Loaded when a database is made, not when this module is: every test file imports it (its cleanup runs after each).
  const { default: { Client } } = await import('pg');
  const client = new Client({ connectionString: `${SERVER}/postgres` });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `tessera_test_${randomBytes(6).toString('hex')}`;
  await onMaintenance((client) => client.query(`CREATE DATABASE ${name}`));
  return {
    url: `${SERVER}/${name}`,
    name,
    drop: () => onMaintenance(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }),
  };
}

/** Tests run on PostgreSQL instead of SQLite when TESSERA_TEST_STORE=pg (`npm run test:pg`). */
export const testOnPostgres = process.env.TESSERA_TEST_STORE === 'pg';

/**
 * The databases this test file made, by what they stand in for (a SQLite file or a data dir): a second
 * app or a restarted server on the same data gets the same database. `dropTestDatabases` (run after each
 * file by `test/helpers/pg-cleanup.ts`) drops them.
 */
const made = new Map<string, TestDatabase>();

/** The database standing in for `key` (a new one for each call without a key). */
export async function testDatabaseFor(key?: string): Promise<TestDatabase> {
  const known = key === undefined ? undefined : made.get(key);
  if (known) return known;
  const database = await createTestDatabase();
  made.set(key ?? database.name, database);
  return database;
}

export async function dropTestDatabases(): Promise<void> {
  const all = [...made.values()];
  made.clear();
  await Promise.all(all.map((d) => d.drop()));
}
