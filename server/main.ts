/** Reads the environment, opens the database, and serves until SIGTERM or SIGINT. */
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { openDatabase } from '../db/client';
import { createApp } from './app';
import { readConfig } from './config';
import { prepareDatabase } from './first-start';
import { createLogger } from './logger';

const SHUTDOWN_LIMIT_MS = 4500;

const config = readConfig();
const log = createLogger(config.LOG_LEVEL);
const db = openDatabase(config.dbFile);
const { app, services, injectWebSocket, wss } = createApp({
  db, log, maxMessageBytes: config.MAX_MESSAGE_BYTES, docIdleMs: config.DOC_IDLE_MS,
  clientDir: join(import.meta.dirname, '..', 'dist', 'client'),
});
const adminToken = await prepareDatabase(db, services.store, config.ADMIN_TOKEN);

const server = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, (info) => {
  const base = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${info.port}`;
  // One plain line people (and scripts) look for, whatever the log level.
  console.log(adminToken ? `Tessera is running. Sign in as admin: ${base}/?token=${adminToken}` : `Tessera is running at ${base}/`);
  log.info({ url: base, dataDir: config.dataDir }, 'listening');
});
injectWebSocket(server);

let stopping = false;
function shutdown(signal: string): void {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  setTimeout(() => {
    log.error('shutdown took too long; exiting');
    process.exit(1);
  }, SHUTDOWN_LIMIT_MS).unref();
  server.close();
  services.registry.closeAll();
  for (const socket of wss.clients) socket.close(1012, 'Server restarting');
  db.$client.close();
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
