/** Builds the Hono app: no listening and no top-level await, so tests can import it. */
import { createNodeWebSocket } from '@hono/node-ws';
import { type Context, Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { requireUser, userByCredential, type AuthEnv } from './auth/middleware';
import type { User } from './auth/users';
import type { Services } from './context';
import { errorBody, handleError } from './errors';
import { limitBodies } from './http/body-limit';
import { clientInfo } from './http/client-info';
import { limitConcurrency } from './http/concurrency';
import { requestLog } from './http/request-log';
import { Metrics, metricsHandler } from './metrics';
import { withActivityLog } from './activity-log';
import { refuseCrossSiteWrites } from './http/cross-site';
import { securityHeaders } from './http/security-headers';
import { checkResponses } from './http/openapi-check';
import { openApiRoute } from './http/openapi-route';
import type { Logger } from './logger';
import type { Storage } from './storage';
import { roleOn } from './access';
import { Review } from './review/review';
import { LivePeers } from './sync/live-peers';
import { Conflicts } from './conflicts/conflicts';
import { conflictRoutes } from './routes/conflicts';
import { datasetScope } from './routes/dataset-scope';
import { datasetRoutes, datasetsRoutes } from './routes/datasets';
import { releaseRoutes } from './routes/releases';
import { reviewRoutes } from './routes/reviews';
import { sessionRoutes } from './routes/session';
import { importRoutes } from './routes/import';
import { memberRoutes } from './routes/members';
import { placeRoutes, sheetPointRoutes } from './routes/places';
import { sourceRoutes } from './routes/sources';
import { EvidenceCheck } from './sources/evidence';
import { auditRoutes, usersRoutes } from './routes/users';
import { mountClient } from './static';
import type { Bus } from './sync/bus';
import type { CounterStores } from './http/shared-counters';
import { DocRegistry } from './sync/registry';
import { mountSocket } from './sync/socket';
import { parseRoom } from '../model/rooms';
import { documentKind } from './sync/kinds';
import { RowFeed } from './sync/row-feed';
import { Rounds } from './rounds/rounds';
import { roundRoutes } from './routes/rounds';
import { rowRoutes } from './routes/rows';
import { Duplicates } from './duplicates/duplicates';
import { RowsMerge } from './duplicates/merge-rows';
import { duplicateRoutes } from './routes/duplicates';

export interface AppOptions {
  /** Documents, datasets and the read model. */
  storage: Storage;
  log: Logger;
  /** Largest WebSocket message accepted; bigger ones close the socket with 1009. */
  maxMessageBytes: number;
  /** How long an unused document stays in memory. */
  docIdleMs: number;
  clientDir: string;
  /** Request limits and cross-site rules (README.md#configuration); defaults when left out. */
  http?: Partial<HttpOptions>;
  /** Other instances on the same database (docs/architecture.md#several-instances), and this one's name. */
  bus?: Bus;
  instanceId?: string;
  /** Rate-limit counters shared with the other instances (in Redis); each instance counts alone without them. */
  counters?: CounterStores;
  /** How often every open socket is checked against the database (ACCESS_RECHECK_MS); 5 s by default. */
  accessRecheckMs?: number;
  /** Serves `GET /metrics` to the holder of this token (METRICS_TOKEN); no metrics without it. */
  metricsToken?: string;
  /** Sheets of up to this many rows keep their duplicate keys between requests (DUPLICATES_KEPT_ROWS); larger ones are swept. */
  duplicatesKeptRows?: number;
}

/** How long `/healthz` waits for the database before it counts it as down. */
const HEALTH_PING_LIMIT_MS = 2000;

export interface HttpOptions {
  /** Largest request body (MAX_BODY_BYTES); routes declare larger ones with `acceptBody`. */
  maxBodyBytes: number;
  /** Origins besides our own whose cookie-authenticated writes are accepted (ALLOWED_ORIGINS). */
  allowedOrigins: readonly string[];
  /** Believe X-Forwarded-Proto and X-Forwarded-For (TRUST_PROXY). */
  trustProxy: boolean;
  /** Exports running at once (MAX_CONCURRENT_EXPORTS); more wait in a queue. */
  maxConcurrentExports: number;
  /** Heavy reads running at once (MAX_CONCURRENT_READS): codebook, progress, history, problems, … */
  maxConcurrentReads: number;
  /** Imports running at once (MAX_CONCURRENT_IMPORTS). */
  maxConcurrentImports: number;
  /** Exports, and heavy reads, one user runs at once (MAX_CONCURRENT_PER_USER). */
  maxConcurrentPerUser: number;
}

export const HTTP_DEFAULTS: HttpOptions = {
  maxBodyBytes: 1024 * 1024, allowedOrigins: [], trustProxy: false,
  maxConcurrentExports: 4, maxConcurrentReads: 4, maxConcurrentImports: 2, maxConcurrentPerUser: 2,
};

/**
 * Reads that go through a whole dataset (or a release) and answer at the end: each takes from a tenth
 * of a second to seconds on a large dataset, and many at once would hold the server up for all of them.
 */
const HEAVY_READS = [
  'codebook', 'progress', 'history', 'sheets/:sheetId/problems', 'sheets/:sheetId/duplicates', 'sheets/:sheetId/points', 'conflicts', 'flags',
  'rounds', 'rounds/:roundId', 'rounds/:roundId/agreement', 'rounds/:roundId/units',
  'releases/preview', 'releases/:version/package.zip', 'releases/:version/CHANGELOG.md', 'releases/:version/diff',
];

export function createApp(options: AppOptions) {
  const { log } = options;
  const storage = withActivityLog(options.storage, log);
  const metrics = options.metricsToken ? new Metrics({
    openSockets: () => nodeWs.wss.clients.size, loadedDocuments: () => registry.loadedCount, storeHealthy: () => registry.storeHealthy,
  }) : undefined;
  const evidence = new EvidenceCheck(storage.sources, options.bus);
  const registry = new DocRegistry(storage.docs, {
    idleMs: options.docIdleMs, compactEvery: 1000, log, bus: options.bus, metrics,
    // Policies told of every applied change: conflicts are recorded, an edit unapproves a row.
    afterApply: (shared, origin, changes) => {
      // A coder's copy of a round is nobody's to review, and one coder has no one to conflict with.
      // A row's own document holds its review and its conflicts.
      const room = parseRoom(shared.id);
      if (room?.row !== undefined) {
        rowFeed.afterApply(shared, changes);
        conflicts.afterApply(shared, origin, changes);
        review.afterRowApply(shared, room.datasetId, origin, changes);
        return;
      }
      if (room?.round !== undefined) return;
      conflicts.afterApply(shared, origin, changes);
      review.afterApply(shared, origin, changes);
    },
    // What another instance applied: found there and here, a conflict is recorded under one id.
    afterApplyElsewhere: (shared, origin, changes) => {
      if (parseRoom(shared.id)?.round === undefined) conflicts.afterApply(shared, origin, changes);
    },
    // Concurrent writes of a cell are found inside the transaction that makes them.
    inspect: (transaction, origin, room) => conflicts.inspect(transaction, origin, room),
    // Anchors in cells must name a source of the dataset and quote its text exactly.
    // In a coder's copy of a round, only the round's columns are theirs to fill.
    checkCells: (room, cells) => rounds.copyCellProblem(room, cells) ?? evidence.problem(parseRoom(room)?.datasetId ?? room, cells),
    kindOf: (room) => documentKind(storage.datasets, room),
    remoteRows: (room, rows) => rowFeed.received(room, rows),
  });
  const rowFeed = new RowFeed(registry, options.bus);
  const review = new Review(registry, storage.readModel, (id) => storage.datasets.sheets(id));
  const conflicts = new Conflicts(registry, storage.readModel, async (id) => (await storage.users.byId(id))?.name,
    async (id) => (await storage.datasets.get(id))?.layout === 'rows');
  const peers = new LivePeers(async (peer, once) => {
    // Checked by what the socket signed in with: a replaced token or an ended session signs it out too.
    const user = await userByCredential(storage.users, peer.credential);
    if (!user || user.id !== peer.userId) return 'signed-out';
    const dataset = await once(`dataset\n${peer.datasetId}`, () => storage.datasets.get(peer.datasetId));
    if (!dataset) return null;
    const round = parseRoom(peer.room)?.round;
    // On a round's room: read-only once the coder submitted; gone if they may no longer code it.
    if (round !== undefined) return (await rounds.copyFor(dataset, round, user))?.role ?? null;
    return roleOn(storage.datasets, user, dataset);
  }, { bus: options.bus, recheckEveryMs: options.accessRecheckMs, log });
  const rounds = new Rounds(storage, registry, peers, evidence);
  const services: Services = { storage, registry, review, peers, rounds, rowFeed, log, counters: options.counters };
  const http: HttpOptions = { ...HTTP_DEFAULTS, ...options.http };

  const app = new Hono<AuthEnv>();
  const nodeWs = createNodeWebSocket({ app });
  nodeWs.wss.options.maxPayload = options.maxMessageBytes;

  app.use(requestLog(log, metrics));
  app.use(requestId());
  app.use(securityHeaders());
  app.use(clientInfo(http.trustProxy));
  app.use(limitBodies(http.maxBodyBytes));
  // A request that may write (any but GET, HEAD and OPTIONS; a page signing a link's user in) waits for a large
  // sheet's index statement to end, off the event loop, and holds the next back until it is answered.
  if (storage.holdWrites) {
    const holdWrites = storage.holdWrites.bind(storage);
    app.use(async (c, next) => {
      const method = c.req.method;
      // A page's `?token=` signs in (a session written); an API or socket request's only authenticates.
      const signsIn = method === 'GET' && c.req.query('token') !== undefined && !c.req.path.startsWith('/api/') && !c.req.path.startsWith('/ws/');
      if ((method === 'GET' || method === 'HEAD' || method === 'OPTIONS') && !signsIn) return next();
      const release = await holdWrites();
      try {
        await next();
      } finally {
        release();
      }
    });
  }
  app.use('/api/*', refuseCrossSiteWrites(http.allowedOrigins));
  // Under tests, every /api answer is checked against its declaration in model/api.
  if (process.env.TESSERA_CHECK_RESPONSES === '1') app.use('/api/*', checkResponses(log));
  app.onError(handleError(log));
  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}`), 404));
  if (options.instanceId) {
    const instance = options.instanceId;
    app.use(async (c, next) => {
      await next();
      c.header('x-tessera-instance', instance);
    });
  }
  // 503 while changes cannot be stored or the database does not answer; the bus being down is reported
  // but healthy (the instance serves its clients and catches up when it returns).
  app.get('/healthz', async (c) => {
    const bus = options.bus ? { bus: options.bus.connected ? 'connected' : 'disconnected' } : {};
    if (!registry.storeHealthy) return c.json({ ok: false, error: 'storing changes fails', ...bus }, 503);
    try {
      await withTimeout(storage.ping(), HEALTH_PING_LIMIT_MS);
    } catch {
      return c.json({ ok: false, error: 'the database does not answer', ...bus }, 503);
    }
    return c.json({ ok: true, ...bus });
  });

  app.get('/metrics', metricsHandler(metrics, options.metricsToken));

  app.route('/api/session', sessionRoutes(services));
  app.get('/api/openapi.json', openApiRoute());
  app.use('/api/*', requireUser(storage.users));
  // Heavy work is limited in total and per user: one user sending a hundred requests at once gets a
  // few served and the rest 429 at once, and does not hold up everyone else's. (While the server is
  // busy it accepts one new connection per turn of its event loop: every request let in delays
  // those behind it, /healthz included.)
  const user = (c: Context) => (c.get('user') as User | undefined)?.id;
  const share = { max: http.maxConcurrentPerUser, queue: 2, key: user };
  // One limit for every kind of export: a sheet's, the whole dataset's zip, the evidence and the sources.
  const exportsLimit = limitConcurrency({ max: http.maxConcurrentExports, queue: 100, retryAfterSeconds: 5, perUser: share });
  for (const path of ['sheets/:sheetId/export', 'export.zip', 'evidence/export', 'sources/export']) app.use(`/api/datasets/:id/${path}`, exportsLimit);
  const readsLimit = limitConcurrency({ max: http.maxConcurrentReads, queue: 100, retryAfterSeconds: 5, perUser: share });
  for (const path of HEAVY_READS) app.on('GET', `/api/datasets/:id/${path}`, readsLimit);
  // Making a release reads every row too.
  app.on('POST', '/api/datasets/:id/releases', readsLimit);
  // An XLSX import holds its file (up to 100 MiB) and more while it runs: one per user at once, and a
  // second one of theirs is refused rather than queued. Waiting ones are not read until their turn.
  const importsLimit = limitConcurrency({
    max: http.maxConcurrentImports, queue: 10, retryAfterSeconds: 10, perUser: { max: 1, queue: 0, key: user },
  });
  app.on('POST', '/api/datasets/:id/sheets/:sheetId/import', importsLimit);
  app.get('/api/me', (c) => c.json(c.get('user')));
  app.route('/api/users', usersRoutes(services));
  app.route('/api/audit', auditRoutes(services));
  app.route('/api/places', placeRoutes());
  app.route('/api/datasets', datasetsRoutes(services));
  const scope = datasetScope(storage.datasets);
  app.use('/api/datasets/:id', scope);
  app.use('/api/datasets/:id/*', scope);
  app.route('/api/datasets/:id', datasetRoutes(services));
  app.route('/api/datasets/:id', reviewRoutes(services));
  app.route('/api/datasets/:id', memberRoutes(services));
  app.route('/api/datasets/:id', conflictRoutes(conflicts));
  app.route('/api/datasets/:id', sourceRoutes(services, evidence));
  app.route('/api/datasets/:id', roundRoutes(rounds));
  app.route('/api/datasets/:id', releaseRoutes(services));
  app.route('/api/datasets/:id', importRoutes(services));
  app.route('/api/datasets/:id', rowRoutes(services));
  app.route('/api/datasets/:id', sheetPointRoutes(services));
  app.route('/api/datasets/:id', duplicateRoutes(new Duplicates(storage, registry, options.duplicatesKeptRows), new RowsMerge(storage, registry)));
  mountSocket(app, nodeWs.upgradeWebSocket, services);
  mountClient(app, storage.users, options.clientDir);

  return { app, services, injectWebSocket: nodeWs.injectWebSocket, wss: nodeWs.wss };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timed out')), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
