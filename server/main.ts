/** Reads the environment, opens the database, and serves until SIGTERM or SIGINT. */
import { Server as HttpServer } from 'node:http';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { ulid } from 'ulid';
import { openStorage } from '../db/open';
import { createApp } from './app';
import { readConfig } from './config';
import { announceStart, prepareDatabase } from './first-start';
import { createLogger } from './logger';
import { Redis } from 'ioredis';
import { redisCounters } from './http/shared-counters';
import { RedisBus } from './sync/redis-bus';

const SHUTDOWN_LIMIT_MS = 4500;
/** How long an idle keep-alive connection stays open. */
const KEEP_ALIVE_MS = 65_000;

const config = readConfig();
const instanceId = config.INSTANCE_ID ?? ulid().slice(-8).toLowerCase();
const log = config.REDIS_URL ? createLogger(config.LOG_LEVEL).child({ instance: instanceId }) : createLogger(config.LOG_LEVEL);
// One line per migration applied, so that an upgrade's log says what it changed in the database.
const store = config.DATABASE_URL ? 'postgresql' : 'sqlite';
const { storage, where, close: closeStorage } = await openStorage(config, (migration) => log.info({ migration, store }, 'migration applied'));
const bus = config.REDIS_URL ? new RedisBus({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX, instanceId, log }) : undefined;
// Rate-limit counters shared by the instances: a client of its own, which fails at once while Redis is down.
const countersRedis = config.REDIS_URL ? new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0 }) : undefined;
countersRedis?.on('error', () => undefined); // told by the counters themselves, once
const counters = countersRedis && redisCounters(countersRedis, config.REDIS_PREFIX, log);
const { app, services, injectWebSocket, wss } = createApp({
  storage, log, bus, counters, instanceId: bus ? instanceId : undefined, maxMessageBytes: config.MAX_MESSAGE_BYTES, docIdleMs: config.DOC_IDLE_MS,
  accessRecheckMs: config.ACCESS_RECHECK_MS, metricsToken: config.METRICS_TOKEN, duplicatesKeptRows: config.DUPLICATES_KEPT_ROWS,
  clientDir: join(import.meta.dirname, '..', 'dist', 'client'),
  http: {
    maxBodyBytes: config.MAX_BODY_BYTES, allowedOrigins: config.ALLOWED_ORIGINS, trustProxy: config.TRUST_PROXY,
    maxConcurrentExports: config.MAX_CONCURRENT_EXPORTS, maxConcurrentReads: config.MAX_CONCURRENT_READS,
    maxConcurrentImports: config.MAX_CONCURRENT_IMPORTS, maxConcurrentPerUser: config.MAX_CONCURRENT_PER_USER,
  },
});
const adminToken = await prepareDatabase(storage, config.ADMIN_TOKEN);

const server = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, (info) => {
  const base = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${info.port}`;
  announceStart(log, base, adminToken, config.PUBLIC_URL);
  log.info({ url: base, dataDir: config.dataDir, store: where }, 'listening');
});
injectWebSocket(server);
// An idle keep-alive connection is closed only after the other side's own idle timeout (nginx's upstream
// keepalive and most load balancers: 60 s; clients take the server's hint): a connection closed by the
// server at the moment the other side sends a request on it fails that request.
if (server instanceof HttpServer) {
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  setTimeout(() => {
    log.error('shutdown took too long; exiting');
    process.exit(1);
  }, SHUTDOWN_LIMIT_MS).unref();
  server.close();
  services.peers.close();
  // Stores everything received and sends every socket its 1012 close frame.
  await services.registry.closeAll();
  for (const socket of wss.clients) socket.close(1012, 'Server restarting');
  await waitForSocketsToClose(1000);
  await bus?.close();
  countersRedis?.disconnect();
  await closeStorage();
  process.exit(0);
}

/** Gives close frames a moment to reach the clients (a client that never answers is cut off). */
async function waitForSocketsToClose(limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  for (const socket of wss.clients) socket.terminate();
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
