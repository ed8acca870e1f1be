/**
 * Prometheus metrics (docs/operations.md#logs-and-metrics, docs/metrics.md): what the server holds and does,
 * served by `GET /metrics` to the holder of METRICS_TOKEN. One registry per app, so that apps built
 * side by side (tests) count apart.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { unauthorized } from './errors';

/** What the sync layer counts; it sees only this. */
export interface SyncCounters {
  /** A client's update was applied to a document. */
  updateApplied(): void;
  /** `count` updates were committed to the store's log. */
  updatesStored(count: number): void;
  /** The store failed: a commit of updates, a read of what other instances stored, or a document's load. */
  storeFailed(operation: StoreOperation): void;
}

export type StoreOperation = 'commit' | 'catch_up' | 'load';

/** What the gauges read at each scrape: counted where it lives, so a gauge never drifts from it. */
export interface MetricSources {
  openSockets(): number;
  loadedDocuments(): number;
  storeHealthy(): boolean;
}

/**
 * Seconds: most API answers take milliseconds; a heavy read, an import or an export's first byte on a
 * large dataset takes seconds.
 */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Methods counted as themselves; any other is `OTHER` (a label per made-up method would be unbounded). */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export class Metrics implements SyncCounters {
  readonly registry = new Registry();
  private readonly applied: Counter;
  private readonly stored: Counter;
  private readonly storeFailures: Counter<'operation'>;
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly durations: Histogram<'method' | 'route' | 'status'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    new Gauge({
      name: 'tessera_open_sockets', help: 'WebSocket connections open now (sync clients)', registers,
      collect() { this.set(sources.openSockets()); },
    });
    new Gauge({
      name: 'tessera_loaded_documents', help: 'Documents (a dataset\'s, a round copy\'s) held in memory now', registers,
      collect() { this.set(sources.loadedDocuments()); },
    });
    new Gauge({
      name: 'tessera_store_healthy', help: '1 while every loaded document\'s changes can be stored, 0 while storing fails (/healthz 503)', registers,
      collect() { this.set(sources.storeHealthy() ? 1 : 0); },
    });
    this.applied = new Counter({ name: 'tessera_updates_applied_total', help: 'Updates from clients applied to a document', registers });
    this.stored = new Counter({ name: 'tessera_updates_stored_total', help: 'Updates committed to the store\'s log', registers });
    this.storeFailures = new Counter({
      name: 'tessera_store_failures_total', help: 'Failed store operations: commit (of updates), catch_up (reading what other instances stored), load (of a document)',
      labelNames: ['operation'], registers,
    });
    for (const operation of ['commit', 'catch_up', 'load'] satisfies StoreOperation[]) this.storeFailures.inc({ operation }, 0);
    this.requests = new Counter({
      name: 'tessera_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status', labelNames: ['method', 'route', 'status'], registers,
    });
    this.durations = new Histogram({
      name: 'tessera_http_request_duration_seconds', help: 'Time from a request\'s arrival to its answer\'s head, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'], buckets: DURATION_BUCKETS, registers,
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'tessera_' });
  }

  updateApplied(): void {
    this.applied.inc();
  }

  updatesStored(count: number): void {
    this.stored.inc(count);
  }

  storeFailed(operation: StoreOperation): void {
    this.storeFailures.inc({ operation });
  }

  /** One answered request; `route` is its pattern (`/api/datasets/:id/flags`), never the path itself. */
  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method: METHODS.has(method) ? method : 'OTHER', route, status: String(status) };
    this.requests.inc(labels);
    this.durations.observe(labels, seconds);
  }
}

/**
 * `GET /metrics`: the Prometheus text format for `Authorization: Bearer METRICS_TOKEN`. Without the
 * setting there is no such route (404): metrics are not served to anyone by default.
 */
export function metricsHandler(metrics: Metrics | undefined, token: string | undefined) {
  const expected = token === undefined ? undefined : digest(token);
  return async (c: Context) => {
    if (!metrics || !expected) return c.notFound();
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    // Compared as digests: equal lengths, and the time taken says nothing about the token.
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      c.header('www-authenticate', 'Bearer realm="metrics"');
      throw unauthorized('GET /metrics needs Authorization: Bearer METRICS_TOKEN');
    }
    return c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  };
}

const digest = (text: string) => createHash('sha256').update(text).digest();
