/**
 * Hocuspocus peer for the benchmarks: the stock server with default settings (store debounced 2 s, at most
 * 10 s), on its SQLite extension, or with DATABASE_URL on PostgreSQL through its Database extension (one
 * row per document); with REDIS_URL also with its Redis extension, so that several such processes serve
 * the same documents. Env: HOST, PORT, DATA_DIR, DATABASE_URL, REDIS_URL, REDIS_PREFIX, INSTANCE_ID.
 */
import { Database } from '@hocuspocus/extension-database';
import { Redis } from '@hocuspocus/extension-redis';
import { SQLite } from '@hocuspocus/extension-sqlite';
import { type Extension, Server } from '@hocuspocus/server';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? '1234');
const dataDir = process.env.DATA_DIR ?? './data-hocuspocus';
mkdirSync(dataDir, { recursive: true });

async function postgres(url: string): Promise<Extension> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  await pool.query('CREATE TABLE IF NOT EXISTS hocuspocus_documents (name text PRIMARY KEY, data bytea NOT NULL)');
  return new Database({
    fetch: async ({ documentName }) => {
      const { rows } = await pool.query<{ data: Buffer }>('SELECT data FROM hocuspocus_documents WHERE name = $1', [documentName]);
      return rows[0] ? new Uint8Array(rows[0].data) : null;
    },
    store: async ({ documentName, state }) => {
      await pool.query(
        'INSERT INTO hocuspocus_documents (name, data) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET data = excluded.data',
        [documentName, state],
      );
    },
  });
}

function redis(url: string): Extension {
  const { hostname, port: redisPort } = new URL(url);
  return new Redis({
    host: hostname,
    port: Number(redisPort || 6379),
    prefix: process.env.REDIS_PREFIX ?? 'hocuspocus',
    ...(process.env.INSTANCE_ID && { identifier: process.env.INSTANCE_ID }),
  });
}

const extensions: Extension[] = [
  process.env.DATABASE_URL ? await postgres(process.env.DATABASE_URL) : new SQLite({ database: join(dataDir, 'hocuspocus.sqlite') }),
  ...(process.env.REDIS_URL ? [redis(process.env.REDIS_URL)] : []),
];

const server = new Server({ address: host, port, quiet: true, extensions });

await server.listen();
console.log(`hocuspocus listening on http://${host}:${server.address.port}`);
