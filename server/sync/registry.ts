/**
 * The loaded documents, keyed by room: a dataset's document is the room named by the dataset's id,
 * and a dataset may own further rooms (`model/rooms.ts`). One shared load per room, unloaded
 * (compacted first) once nobody has used it for a grace period.
 */
import { CloseCode, type RowDelta } from '../../model/codes';
import type { Logger } from '../logger';
import type { SyncCounters } from '../metrics';
import type { Bus, RoomMessage } from './bus';
import type { DocumentKind } from './kinds';
import { type AfterApply, type CheckCells, type Inspect, SharedDoc } from './shared-doc';
import { StepOneLedger } from './step-one-guard';
import type { DocStore } from './store';

export interface RegistryOptions {
  /** How long a document with no sockets stays loaded. */
  idleMs: number;
  compactEvery: number;
  log: Logger;
  /** Told of every change applied to any document. */
  afterApply?: AfterApply;
  /** Told of what another instance applied and published before storing it, once applied here. */
  afterApplyElsewhere?: AfterApply;
  /** Looks at every transaction applied to any document (see `Inspect`). */
  inspect?: Inspect;
  /** Asked about the cell values of every client update before it is applied. */
  checkCells?: CheckCells;
  /** Other instances on the same database (docs/architecture.md#several-instances). */
  bus?: Bus;
  /** Counts applied and stored updates and store failures (METRICS_TOKEN). */
  metrics?: SyncCounters;
  /** The kind of a room's document (`kinds.ts`); a dataset's document for every room unless given. */
  kindOf?: (room: string) => Promise<DocumentKind>;
  /** Row deltas another instance sent on a room it and this one hold (`RowFeed`). */
  remoteRows?: (room: string, rows: RowDelta[]) => void;
}

/**
 * With other instances, each loaded document reads the log this often for what it may have missed: a
 * commit whose instance died before publishing it, or a message Redis dropped. (A gap in the messages,
 * or the bus coming back, makes it read at once.)
 */
const CATCH_UP_EVERY_MS = 5000;

export class DocRegistry {
  private readonly docs = new Map<string, SharedDoc>();
  /** Loads in progress: concurrent callers share one. */
  private readonly loading = new Map<string, Promise<SharedDoc>>();
  /** Documents being stored and closed: the room is loaded again only once they are done. */
  private readonly closing = new Map<string, Promise<void>>();
  /** Rooms dropped while they were loading: the load is discarded. */
  private readonly droppedWhileLoading = new Set<string>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  /** Documents whose changes cannot be stored right now (the store fails for them). */
  private readonly storeFailing = new Set<string>();

  /** Per room joined on the bus: where its messages go (a buffer while the document loads). */
  private readonly busTargets = new Map<string, (message: RoomMessage, from: string) => void>();
  private readonly catchUpTimer: NodeJS.Timeout | null = null;
  /** Step-1 answers owed per user, over all documents. */
  private readonly stepOnes = new StepOneLedger();
  /** Datasets being converted to the `rows` layout (here or elsewhere): their own room is not loaded meanwhile. */
  private readonly converting = new Map<string, NodeJS.Timeout | null>();

  constructor(private readonly store: DocStore, private readonly options: RegistryOptions) {
    const { bus } = options;
    if (!bus) return;
    bus.onReconnect(() => this.catchUpAll());
    bus.onEvent((event) => {
      if (event.kind === 'drop' && event.sheetId === undefined) void this.dropHere(event.datasetId, CloseCode.NotFound, 'Dataset deleted');
      else if (event.kind === 'drop') void this.dropHere(event.datasetId, CloseCode.NotFound, 'Sheet deleted', event.sheetId);
      else if (event.kind === 'converting') void this.closeForConversion(event.datasetId, CONVERSION_WAIT_MS);
      else if (event.kind === 'converted') this.converted(event.datasetId);
    });
    this.catchUpTimer = setInterval(() => this.catchUpAll(), CATCH_UP_EVERY_MS).unref();
  }

  /** Every loaded document reads from the log what other instances stored and it has not applied. */
  catchUpAll(): void {
    for (const doc of this.docs.values()) void doc.catchUp();
  }

  /**
   * The loaded document of a room, loading it on first use. Concurrent callers share one load; a
   * failed load throws and leaves nothing behind. A room still being closed is loaded after it is
   * stored, so the new load reads everything the old document held.
   */
  async get(room: string): Promise<SharedDoc> {
    for (;;) {
      const doc = this.docs.get(room);
      if (doc) {
        this.touch(room);
        return doc;
      }
      const closing = this.closing.get(room);
      if (closing) {
        await closing;
        continue;
      }
      let load = this.loading.get(room);
      if (!load) {
        load = this.load(room);
        this.loading.set(room, load);
        const forget = () => this.loading.delete(room);
        load.then(forget, forget);
      }
      await load;
    }
  }

  private async load(room: string): Promise<SharedDoc> {
    if (this.converting.has(room)) throw new DatasetConverting(room);
    const started = performance.now();
    const { compactEvery, log, afterApply, afterApplyElsewhere, inspect, checkCells, bus, metrics, kindOf } = this.options;
    this.droppedWhileLoading.delete(room);
    // Subscribed before the store is read: what other instances commit meanwhile is either in what is
    // read or among the messages kept here, and is applied once the document is there.
    const early: Array<[RoomMessage, string]> = [];
    if (bus) {
      this.busTargets.set(room, (message, from) => early.push([message, from]));
      await bus.join(room, (message, from) => this.busTargets.get(room)?.(message, from));
    }
    let doc: SharedDoc;
    try {
      const kind = await kindOf?.(room);
      doc = await SharedDoc.load(room, this.store, {
        kind, compactEvery, log, afterApply, afterApplyElsewhere, inspect, checkCells, bus, metrics, stepOnes: this.stepOnes,
        onStoreHealth: (ok) => (ok ? this.storeFailing.delete(room) : this.storeFailing.add(room)),
        onReplaced: (replaced) => {
          log.warn({ room }, 'the room\'s log started over with another document: closing it here');
          if (this.docs.get(room) === replaced) void this.discardHere(replaced, CloseCode.Converted, 'Dataset converted');
        },
      });
    } catch (error) {
      metrics?.storeFailed('load');
      this.leaveBus(room);
      throw error;
    }
    if (bus) {
      const deliver = (message: RoomMessage, from: string) => (message.kind === 'rows' ? this.options.remoteRows?.(room, message.rows) : doc.deliver(message, from));
      this.busTargets.set(room, deliver);
      for (const [message, from] of early) deliver(message, from);
      bus.publish(room, { kind: 'hello' });
    }
    if (this.droppedWhileLoading.delete(room)) {
      this.leaveBus(room);
      await doc.discard(CloseCode.NotFound, 'Dataset deleted');
      throw new Error(`room ${room} was deleted while it loaded`);
    }
    log.debug({ room, ms: Math.round(performance.now() - started) }, 'document loaded');
    this.docs.set(room, doc);
    return doc;
  }

  /** The room's document if it is loaded, without loading it. */
  loaded(room: string): SharedDoc | undefined {
    return this.docs.get(room);
  }

  /**
   * Stores what the dataset's loaded documents (its own, its rows', its round copies') have applied, so
   * that a read of the read model after it has every change a client may have seen. Resolves at once for
   * a document whose store is failing (its retry stores it later).
   */
  async storeApplied(datasetId: string): Promise<void> {
    await Promise.all(this.loadedOf(datasetId).map((doc) => doc.flush()));
  }

  /** How many documents are loaded. */
  get loadedCount(): number {
    return this.docs.size;
  }

  /** False while any loaded document's changes cannot be stored (`/healthz` answers 503). */
  get storeHealthy(): boolean {
    return this.storeFailing.size === 0;
  }

  /**
   * Runs `use` on a room's document (once it is not waiting for the store), then lets the idle clock
   * run if no socket holds it.
   */
  async with<T>(room: string, use: (doc: SharedDoc) => T | Promise<T>): Promise<T> {
    const doc = await this.get(room);
    try {
      await doc.ready();
      return await use(doc);
    } finally {
      this.release(room);
    }
  }

  /** Call when a socket or request let go of a document: unloads it after the grace period if unused. */
  release(room: string): void {
    const doc = this.docs.get(room);
    if (!doc || doc.peerCount > 0) return;
    this.touch(room);
    this.idleTimers.set(room, setTimeout(() => void this.unload(room), this.options.idleMs).unref());
  }

  /** The loaded rooms of a dataset: its own document and the documents it owns (`DATASET/…`). */
  loadedOf(datasetId: string): SharedDoc[] {
    return [...this.docs].filter(([room]) => ofDataset(room, datasetId)).map(([, doc]) => doc);
  }

  /**
   * Unloads a deleted dataset's documents without storing anything more; their sockets close with
   * `code`. Resolves once no write of theirs is in flight, so what is deleted next stays deleted.
   */
  async drop(datasetId: string, code: number, reason: string): Promise<void> {
    this.options.bus?.announce({ kind: 'drop', datasetId });
    await this.dropHere(datasetId, code, reason);
  }

  /**
   * Unloads the row documents of a deleted sheet (the `rows` layout) on every instance, as `drop` does a
   * dataset's: nothing more of them is stored, so no row comes back into the read model after the sheet
   * took its rows with it.
   */
  async dropSheet(datasetId: string, sheetId: string): Promise<void> {
    this.options.bus?.announce({ kind: 'drop', datasetId, sheetId });
    await this.dropHere(datasetId, CloseCode.NotFound, 'Sheet deleted', sheetId);
  }

  private async dropHere(datasetId: string, code: number, reason: string, sheetId?: string): Promise<void> {
    const dropped = (room: string) => (sheetId === undefined ? ofDataset(room, datasetId) : room.startsWith(`${datasetId}/rows/${sheetId}/`));
    for (const room of this.loading.keys()) if (dropped(room)) this.droppedWhileLoading.add(room);
    const settled: Promise<void>[] = [];
    for (const doc of [...this.docs.values()].filter((d) => dropped(d.id))) settled.push(this.discardHere(doc, code, reason));
    for (const [room, closing] of this.closing) if (dropped(room)) settled.push(closing);
    await Promise.all(settled);
  }

  /** Lets go of a loaded document without storing anything more; its peers close with `code`. */
  private discardHere(doc: SharedDoc, code: number, reason: string): Promise<void> {
    this.touch(doc.id);
    this.docs.delete(doc.id);
    this.storeFailing.delete(doc.id);
    this.leaveBus(doc.id);
    return doc.discard(code, reason);
  }

  /**
   * Runs `convert` (a dataset's conversion to the `rows` layout) with the dataset's own room closed on every
   * instance: its peers are closed with 4409, what it applied is stored, and it is not loaded again until
   * `convert` settles (elsewhere, at most `CONVERSION_WAIT_MS`). Then every instance lets go of whatever it
   * holds of the room, so that the next load reads it in the layout the database says.
   */
  async convert<T>(datasetId: string, convert: () => Promise<T>): Promise<T> {
    if (this.converting.has(datasetId)) throw new DatasetConverting(datasetId);
    // Nothing is converted while what the room applied cannot be stored: closing it would drop that.
    const open = this.docs.get(datasetId);
    await open?.flush();
    if (open?.storeFailing) throw new DatasetNotStored(datasetId);
    this.options.bus?.announce({ kind: 'converting', datasetId });
    try {
      await this.closeForConversion(datasetId, null);
      return await convert();
    } finally {
      this.options.bus?.announce({ kind: 'converted', datasetId });
      this.converted(datasetId);
    }
  }

  /** Marks the dataset as converting (for `ms`, or until `converted`) and stores and closes its own room. */
  private async closeForConversion(datasetId: string, ms: number | null): Promise<void> {
    const earlier = this.converting.get(datasetId);
    if (earlier) clearTimeout(earlier);
    this.converting.set(datasetId, ms === null ? null : setTimeout(() => this.converted(datasetId), ms).unref());
    // A load under way (begun before the mark) finishes, then is closed with the rest.
    await this.loading.get(datasetId)?.catch(() => undefined);
    await this.unload(datasetId, { compact: false, code: CloseCode.Converted, reason: 'Dataset being converted' });
    await this.closing.get(datasetId);
  }

  /** The conversion ended: whatever of the room was loaded meanwhile is let go of, and the room may load again. */
  private converted(datasetId: string): void {
    const timer = this.converting.get(datasetId);
    if (timer) clearTimeout(timer);
    this.converting.delete(datasetId);
    const doc = this.docs.get(datasetId);
    if (doc) void this.discardHere(doc, CloseCode.Converted, 'Dataset converted');
  }

  /**
   * Persists and closes everything (shutdown): sockets are closed with 1012. No compaction: folding a
   * large document takes seconds, and the log is served as it is after the restart.
   */
  async closeAll(): Promise<void> {
    if (this.catchUpTimer) clearInterval(this.catchUpTimer);
    await Promise.all([...this.docs.keys()].map((room) => this.unload(room, { compact: false })));
    await Promise.all([...this.closing.values()]);
  }

  private unload(room: string, closing: { compact?: boolean; code?: number; reason?: string } = {}): Promise<void> {
    const { compact = true } = closing;
    this.touch(room);
    const doc = this.docs.get(room);
    if (!doc) return Promise.resolve();
    // A document whose changes are not stored yet stays loaded (and retrying) rather than lose them.
    if (compact && doc.storeFailing) {
      this.release(room);
      return Promise.resolve();
    }
    this.docs.delete(room);
    this.storeFailing.delete(room);
    const closed = doc.close(closing).finally(() => {
      this.leaveBus(room);
      this.closing.delete(room);
      this.options.log.debug({ room }, 'document unloaded');
    });
    this.closing.set(room, closed);
    return closed;
  }

  private leaveBus(room: string): void {
    if (!this.options.bus || !this.busTargets.delete(room)) return;
    this.options.bus.leave(room);
  }

  private touch(room: string): void {
    const timer = this.idleTimers.get(room);
    if (timer) clearTimeout(timer);
    this.idleTimers.delete(room);
  }
}

/** How long another instance keeps a dataset's room closed for its conversion when it hears no end of it. */
export const CONVERSION_WAIT_MS = 120_000;

/** A dataset's room is not loaded while the dataset is converted to the `rows` layout. */
export class DatasetConverting extends Error {
  constructor(readonly datasetId: string) {
    super(`dataset ${datasetId} is being converted to the rows layout`);
  }
}

/** A dataset's room holds changes the store could not take: it is not converted until they are stored. */
export class DatasetNotStored extends Error {
  constructor(readonly datasetId: string) {
    super(`dataset ${datasetId} has changes the store could not take yet`);
  }
}

const ofDataset = (room: string, datasetId: string) => room === datasetId || room.startsWith(`${datasetId}/`);
