/**
 * Hocuspocus peer for the benchmarks: the stock server with its SQLite extension, default settings
 * (store debounced 2 s, at most 10 s). Env: HOST, PORT, DATA_DIR.
 */
import { SQLite } from '@hocuspocus/extension-sqlite';
import { Server } from '@hocuspocus/server';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? '1234');
const dataDir = process.env.DATA_DIR ?? './data-hocuspocus';
mkdirSync(dataDir, { recursive: true });

const server = new Server({
  address: host,
  port,
  quiet: true,
  extensions: [new SQLite({ database: join(dataDir, 'hocuspocus.sqlite') })],
});

await server.listen();
console.log(`hocuspocus listening on http://${host}:${server.address.port}`);
