/**
 * The loaded documents: one shared load per dataset, unloaded (compacted first) once nobody has used
 * it for a grace period.
 */
import type { Logger } from '../logger';
import { SharedDoc } from './shared-doc';
import type { DocStore } from './store';

export interface RegistryOptions {
  /** How long a document with no sockets stays loaded. */
  idleMs: number;
  compactEvery: number;
  log: Logger;
}

export class DocRegistry {
  private readonly docs = new Map<string, SharedDoc>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  /** Documents whose changes cannot be stored right now (the store fails for them). */
  private readonly storeFailing = new Set<string>();

  constructor(private readonly store: DocStore, private readonly options: RegistryOptions) {}

  /**
   * The loaded document of a dataset, loading it on first use. Loading is synchronous on SQLite, so
   * concurrent callers share one load; a failed load throws and leaves nothing behind.
   */
  get(datasetId: string): SharedDoc {
    let doc = this.docs.get(datasetId);
    if (!doc) {
      const started = performance.now();
      doc = SharedDoc.load(datasetId, this.store, {
        compactEvery: this.options.compactEvery,
        log: this.options.log,
        onStoreHealth: (ok) => (ok ? this.storeFailing.delete(datasetId) : this.storeFailing.add(datasetId)),
      });
      this.options.log.debug({ dataset: datasetId, ms: Math.round(performance.now() - started) }, 'document loaded');
      this.docs.set(datasetId, doc);
    }
    this.touch(datasetId);
    return doc;
  }

  /** False while any loaded document's changes cannot be stored (`/healthz` answers 503). */
  get storeHealthy(): boolean {
    return this.storeFailing.size === 0;
  }

  /** Runs `use` on a dataset's document, then lets the idle clock run if no socket holds it. */
  with<T>(datasetId: string, use: (doc: SharedDoc) => T): T {
    const doc = this.get(datasetId);
    try {
      return use(doc);
    } finally {
      this.release(datasetId);
    }
  }

  /** Call when a socket or request let go of a document: unloads it after the grace period if unused. */
  release(datasetId: string): void {
    const doc = this.docs.get(datasetId);
    if (!doc || doc.peerCount > 0) return;
    this.touch(datasetId);
    this.idleTimers.set(datasetId, setTimeout(() => this.unload(datasetId), this.options.idleMs).unref());
  }

  /**
   * Persists and closes everything (shutdown): sockets are closed with 1012. No compaction: folding a
   * large document takes seconds, and the log is served as it is after the restart.
   */
  closeAll(): void {
    for (const id of [...this.docs.keys()]) this.unload(id, false);
  }

  private unload(datasetId: string, compact = true): void {
    this.touch(datasetId);
    const doc = this.docs.get(datasetId);
    if (!doc) return;
    // A document whose changes are not stored yet stays loaded (and retrying) rather than lose them.
    if (compact && doc.storeFailing) return this.release(datasetId);
    this.docs.delete(datasetId);
    this.storeFailing.delete(datasetId);
    doc.close({ compact });
    this.options.log.debug({ dataset: datasetId }, 'document unloaded');
  }

  private touch(datasetId: string): void {
    const timer = this.idleTimers.get(datasetId);
    if (timer) clearTimeout(timer);
    this.idleTimers.delete(datasetId);
  }
}
