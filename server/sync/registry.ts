/**
 * The loaded documents, keyed by room: a dataset's document is the room named by the dataset's id,
 * and a dataset may own further rooms (`model/rooms.ts`). One shared load per room, unloaded
 * (compacted first) once nobody has used it for a grace period.
 */
import type { Logger } from '../logger';
import { type AfterApply, type CheckCells, type Inspect, SharedDoc } from './shared-doc';
import type { DocStore } from './store';

export interface RegistryOptions {
  /** How long a document with no sockets stays loaded. */
  idleMs: number;
  compactEvery: number;
  log: Logger;
  /** Told of every change applied to any document. */
  afterApply?: AfterApply;
  /** Looks at every transaction applied to any document (see `Inspect`). */
  inspect?: Inspect;
  /** Asked about the cell values of every client update before it is applied. */
  checkCells?: CheckCells;
}

export class DocRegistry {
  private readonly docs = new Map<string, SharedDoc>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  /** Documents whose changes cannot be stored right now (the store fails for them). */
  private readonly storeFailing = new Set<string>();

  constructor(private readonly store: DocStore, private readonly options: RegistryOptions) {}

  /**
   * The loaded document of a room, loading it on first use. Loading is synchronous, so concurrent
   * callers share one load; a failed load throws and leaves nothing behind.
   */
  get(room: string): SharedDoc {
    let doc = this.docs.get(room);
    if (!doc) {
      const started = performance.now();
      const { compactEvery, log, afterApply, inspect, checkCells } = this.options;
      doc = SharedDoc.load(room, this.store, {
        compactEvery, log, afterApply, inspect, checkCells,
        onStoreHealth: (ok) => (ok ? this.storeFailing.delete(room) : this.storeFailing.add(room)),
      });
      log.debug({ room, ms: Math.round(performance.now() - started) }, 'document loaded');
      this.docs.set(room, doc);
    }
    this.touch(room);
    return doc;
  }

  /** The room's document if it is loaded, without loading it. */
  loaded(room: string): SharedDoc | undefined {
    return this.docs.get(room);
  }

  /** False while any loaded document's changes cannot be stored (`/healthz` answers 503). */
  get storeHealthy(): boolean {
    return this.storeFailing.size === 0;
  }

  /** Runs `use` on a room's document, then lets the idle clock run if no socket holds it. */
  with<T>(room: string, use: (doc: SharedDoc) => T): T {
    const doc = this.get(room);
    try {
      return use(doc);
    } finally {
      this.release(room);
    }
  }

  /** Call when a socket or request let go of a document: unloads it after the grace period if unused. */
  release(room: string): void {
    const doc = this.docs.get(room);
    if (!doc || doc.peerCount > 0) return;
    this.touch(room);
    this.idleTimers.set(room, setTimeout(() => this.unload(room), this.options.idleMs).unref());
  }

  /** The loaded rooms of a dataset: its own document and the documents it owns (`DATASET/…`). */
  loadedOf(datasetId: string): SharedDoc[] {
    return [...this.docs].filter(([room]) => room === datasetId || room.startsWith(`${datasetId}/`)).map(([, doc]) => doc);
  }

  /** Unloads a deleted dataset's documents without storing anything more; their sockets close with `code`. */
  drop(datasetId: string, code: number, reason: string): void {
    for (const doc of this.loadedOf(datasetId)) {
      this.touch(doc.id);
      this.docs.delete(doc.id);
      this.storeFailing.delete(doc.id);
      doc.discard(code, reason);
    }
  }

  /**
   * Persists and closes everything (shutdown): sockets are closed with 1012. No compaction: folding a
   * large document takes seconds, and the log is served as it is after the restart.
   */
  closeAll(): void {
    for (const room of [...this.docs.keys()]) this.unload(room, false);
  }

  private unload(room: string, compact = true): void {
    this.touch(room);
    const doc = this.docs.get(room);
    if (!doc) return;
    // A document whose changes are not stored yet stays loaded (and retrying) rather than lose them.
    if (compact && doc.storeFailing) return this.release(room);
    this.docs.delete(room);
    this.storeFailing.delete(room);
    doc.close({ compact });
    this.options.log.debug({ room }, 'document unloaded');
  }

  private touch(room: string): void {
    const timer = this.idleTimers.get(room);
    if (timer) clearTimeout(timer);
    this.idleTimers.delete(room);
  }
}
