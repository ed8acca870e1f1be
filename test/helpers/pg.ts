/**
 * PostgreSQL databases for tests: each is created empty (`tessera_test_<random>`) through the
 * `postgres` maintenance database and dropped afterwards. The server is PG_TEST_URL's (default: the
 * local one, user postgres, trust auth).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const SERVER = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  /** `postgres://…/tessera_test_…` */
  url: string;
  name: string;
  /** Drops the database, ending whatever connections are still open on it. */
  drop(): Promise<void>;
}

async function onMaintenance<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres` });
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
