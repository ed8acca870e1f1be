/** Builds the Hono app: no listening and no top-level await, so tests can import it. */
import { createNodeWebSocket } from '@hono/node-ws';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { Db } from '../db/client';
import { SqliteDocStore } from '../db/store';
import { requireUser, type AuthEnv } from './auth/middleware';
import type { Services } from './context';
import { errorBody, handleError } from './errors';
import type { Logger } from './logger';
import { datasetsRoutes } from './routes/datasets';
import { reviewRoutes } from './routes/reviews';
import { sessionRoutes } from './routes/session';
import { usersRoutes } from './routes/users';
import { mountClient } from './static';
import { DocRegistry } from './sync/registry';
import { mountSocket } from './sync/socket';

export interface AppOptions {
  db: Db;
  log: Logger;
  /** Largest WebSocket message accepted; bigger ones close the socket with 1009. */
  maxMessageBytes: number;
  /** How long an unused document stays in memory. */
  docIdleMs: number;
  clientDir: string;
}

export function createApp(options: AppOptions) {
  const { db, log } = options;
  const store = new SqliteDocStore(db);
  const registry = new DocRegistry(store, { idleMs: options.docIdleMs, compactEvery: 1000, log });
  const services: Services = { db, store, registry, log };

  const app = new Hono<AuthEnv>();
  const nodeWs = createNodeWebSocket({ app });
  nodeWs.wss.options.maxPayload = options.maxMessageBytes;

  app.use(requestId());
  app.onError(handleError(log));
  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}`), 404));
  app.get('/healthz', (c) => (registry.storeHealthy ? c.json({ ok: true }) : c.json({ ok: false, error: 'storing changes fails' }, 503)));

  app.route('/api/session', sessionRoutes(services));
  app.use('/api/*', requireUser(db));
  app.get('/api/me', (c) => c.json(c.get('user')));
  app.route('/api/users', usersRoutes(services));
  app.route('/api/datasets', datasetsRoutes(services));
  app.route('/api/datasets', reviewRoutes(services));
  mountSocket(app, nodeWs.upgradeWebSocket, services);
  mountClient(app, db, options.clientDir);

  return { app, services, injectWebSocket: nodeWs.injectWebSocket, wss: nodeWs.wss };
}
