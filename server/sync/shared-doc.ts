/**
 * One room's live document (a dataset's, or a row's), shared by every socket connected to it.
 *
 * A document starts cold: the stored, merged update is served to clients as it is, without building a
 * Y.Doc, so opening a large dataset costs its bytes and not a document's worth of objects. The first
 * write makes it hot (a Y.Doc that applies updates and reports cell changes). Applied updates are
 * written, with their history and read-model effects, in one store transaction at most FLUSH_DELAY_MS
 * after the first of them was applied (a server-side change at once); they are broadcast before that.
 * The store is asynchronous: one write is in flight per document at a time, and what arrives meanwhile
 * is batched into the next; peers are told what is stored only once the store has committed it.
 *
 * With several instances (a `bus`), every instance holding the document applies every update: its own
 * clients' it checks, applies, broadcasts, publishes as pending and commits; what other instances applied
 * reaches it over the bus at once (pending: applied, or kept as bytes while cold, broadcast and kept until
 * it is logged, stored here should its instance stop first, `pending-elsewhere.ts`), and committed
 * (over the bus, or from the log when the bus lost something). A commit is built under the store's
 * dataset lock from a document that has everything logged before it, so the history and the read model
 * record each change once, from a view that misses nothing stored.
 *
 * Its other jobs are parts of their own: `Presence` (who is here and where, vouched for by the server),
 * `Broadcast` (what goes to the peers, when), the `CommitPipeline` (the store window, one write at a
 * time, retries and acks), `Replication` (what comes from other instances, in which order and when) and
 * the `StepOneAnswers` (what a joining client lacks, shared between those who ask the same). What is left
 * here is the document's state, hot or cold, and the admission of updates.
 */
import * as Y from 'yjs';
import { CloseCode } from '../../model/codes';
import type { Logger } from '../logger';
import type { SyncCounters } from '../metrics';
import { Changes, type Origin } from './changes';
import { Broadcast } from './broadcast';
import { datasetDocument, type DocumentKind } from './kinds';
import { Presence } from './presence';
import { CommitPipeline, type Written } from './commit-pipeline';
import { STORE_RETRY_FIRST_MS, STORE_RETRY_MAX_MS } from './store-retry';
import {
  BadMessageError, decodeMessage, storeFailingMessage, syncStep1Message, syncStep2Message, updateMessage,
} from './protocol';
import type { Bus, RoomMessage } from './bus';
import { Replication } from './replication';
import { isStepOne, StepOneLedger } from './step-one-guard';
import { LAST_OF_PIECES, StepOneAnswers } from './step-one-answers';
import { type CellChange, type DocStore, emptyCommit, type LoggedSince, type StoredDoc } from './store';
import { type DecodedUpdate, MISSING_DEPENDENCY, type NewCell } from './update-check';

/** A socket's side of the sync: the document talks to peers only through this. */
export interface Peer extends Origin {
  readonly readOnly: boolean;
  /** The signed-in user's name: it replaces whatever name the peer's presence claims. */
  readonly userName: string;
  /** The peer asked (`acks=1`) to be told what of the document is stored. */
  readonly acks: boolean;
  /** Queues a message; `onWritten` runs once it has left the server's queue for the network. */
  send(message: Uint8Array, onWritten?: () => void): void;
  /** True while more than the peer's bound waits in its queue (it is not reading): nothing more is made for it. */
  readonly backlogged?: boolean;
  close(code: number, reason: string): void;
}

/** A policy told of every change applied to a document (review rules, say), after it was accepted. */
export type AfterApply = (shared: SharedDoc, origin: Origin, changes: Changes) => void;

/**
 * A policy's look at each transaction applied to the document, while Yjs still holds the content of
 * what the transaction deleted (it is discarded before `afterApply`). What it returns, unless
 * undefined, reaches the `afterApply` hooks in `changes.findings`.
 */
export type Inspect = (transaction: Y.Transaction, origin: Origin, room: string) => unknown;

/**
 * A check of the values an update writes into cells, beyond the layout (anchors into sources, say):
 * why the update is refused, or null. `room` is the document's room. A check that must first read
 * from the store returns a promise instead: the document holds its messages until it settles, then
 * checks the update again (the check answers from what it read).
 */
export type CheckCells = (room: string, cells: readonly NewCell[]) => string | null | Promise<unknown>;

/** Thrown by an update check that must wait for `ready`: the update is checked again after it. */
class NotReady extends Error {
  constructor(readonly ready: Promise<unknown>) {
    super('waiting for the store');
  }
}

/** Records a history entry that no cell event makes (a review status change, say). */
export type RecordHistory = (entry: Omit<CellChange, 'userId' | 'at'>) => void;

export interface SharedDocOptions {
  /** The document's layout and projection (`kinds.ts`); a dataset's document unless given. */
  kind?: DocumentKind;
  /** Compact the log into a snapshot after this many logged updates. */
  compactEvery: number;
  log: Logger;
  afterApply?: AfterApply;
  /**
   * A policy told of what another instance applied and published before storing it, once applied here
   * (conflicts between writes through two instances are found on both).
   */
  afterApplyElsewhere?: AfterApply;
  inspect?: Inspect;
  /** Asked before an update that writes cells is applied; a problem refuses it like a layout problem. */
  checkCells?: CheckCells;
  /** Told when storing starts failing (`false`) and when it works again (`true`). */
  onStoreHealth?: (ok: boolean) => void;
  /**
   * Told when the room's log is found to have started over with another document (a dataset converted to
   * the `rows` layout, `RoomReplaced`): the room is let go of without storing (its changes were not stored,
   * so its peers were not told they were; they keep them).
   */
  onReplaced?: (doc: SharedDoc) => void;
  /** Other instances serving the same database: applied and committed updates and presence are published to them. */
  bus?: Pick<Bus, 'publish' | 'alive'>;
  /** The server's count of step-1 answers owed per user, over all documents (one of its own otherwise). */
  stepOnes?: StepOneLedger;
  metrics?: SyncCounters;
}

/** The origin of changes another instance committed: applied and broadcast here, recorded there. */
const ELSEWHERE: Origin = Object.freeze({ userId: null });
/**
 * Updates of one peer that wait for changes they depend on, at most this many (and bytes). A client
 * that reconnects sends its step 2 (what it made offline) and may send a newer edit before that
 * arrives; the edit waits for it. Past the bound the dependencies are not coming: the peer is closed.
 */
const MAX_HELD_UPDATES = 1000;
const MAX_HELD_BYTES = 16 * 1024 * 1024;

/**
 * Whether each of `updates` starts where what is known ends (`clockOf` a client's clock, then the updates
 * before it): none builds on an update that is missing.
 */
function followOn(updates: readonly Uint8Array[], clockOf: (client: number) => number): boolean {
  const known = new Map<number, number>();
  const has = (client: number) => known.get(client) ?? clockOf(client);
  for (const update of updates) {
    const { from: starts, to: ends } = Y.parseUpdateMeta(update);
    for (const [client, clock] of starts) if (clock > has(client)) return false;
    for (const [client, clock] of ends) known.set(client, Math.max(clock, has(client)));
  }
  return true;
}

/** Whether Yjs holds back structs or deletions of `doc` whose dependencies it lacks. */
const hasPending = (doc: Y.Doc) => doc.store.pendingStructs !== null || doc.store.pendingDs !== null;

export class SharedDoc {
  private readonly peers = new Set<Peer>();
  /** Who is here and where (`presence.ts`): beside the document, so a cold document has it too. */
  private readonly presence: Presence<Peer>;
  /** Sends what was applied, and presence, to the peers (`broadcast.ts`). */
  private readonly broadcast: Broadcast<Peer>;
  private doc: Y.Doc | null = null;
  private stopObserving: (() => void) | null = null;
  /**
   * While cold: the stored snapshot and updates, in order, each framed once as an update message
   * (`messages`; `pieces` are views into them, so a piece is in memory once), and their state vector.
   */
  private cold: { pieces: Uint8Array[]; messages: Uint8Array[]; stateVector: Uint8Array } | null = null;
  /** Answers to sync step 1 (`step-one-answers.ts`). */
  private readonly answers: StepOneAnswers<Peer>;
  private lastSeq = 0;
  /** The stored size of the document: snapshot and logged updates. */
  private storedBytes = 0;
  private loggedSinceSnapshot = 0;
  private pending = new Changes();
  /** The changes of the write in flight: applied, and not in the read model until it commits. */
  private writing: Changes | null = null;
  /** Per peer: updates waiting for changes they depend on, oldest first. */
  private readonly heldBack = new Map<Peer, { updates: Uint8Array[]; bytes: number }>();
  private retrying = false;
  /** Where the document's events go while a write is applied: kept apart until the write succeeded. */
  private stage: { changes: Changes; origin: Origin | null } | null = null;
  /** The store window, one write at a time, retries while the store fails, and acks (`commit-pipeline.ts`). */
  private readonly commits: CommitPipeline<Peer>;
  /** Set while the document waits for the store (reloading, or an update check reading): messages wait. */
  private hold: Promise<void> | null = null;
  /** Messages received while on hold, in order. */
  private waiting: Array<{ peer: Peer; data: Uint8Array }> = [];
  /** Set once closing or discarded: nothing more is applied. */
  private closed = false;
  /** Commits and pending updates of other instances (`replication.ts`). */
  private readonly replication: Replication;
  private readonly kind: DocumentKind;

  private constructor(readonly id: string, private readonly store: DocStore, private readonly options: SharedDocOptions) {
    this.kind = options.kind ?? datasetDocument(id);
    this.answers = new StepOneAnswers<Peer>({
      stateVector: () => Y.decodeStateVector(this.stateVector()),
      diff: (stateVector) => this.diff(stateVector),
      coldWhole: () => (this.doc ? null : this.coldAnswer()),
      storeFailing: () => this.commits.failing,
      encodeWhole: () => [syncStep2Message(Y.encodeStateAsUpdate(this.doc!))],
      readWhole: () => this.readWhole(),
      has: (peer) => this.peers.has(peer),
    }, { id, log: options.log, ledger: options.stepOnes ?? new StepOneLedger() });
    this.commits = new CommitPipeline({
      log: options.log, room: id, write: () => this.write(), peers: () => this.peers, onHealth: options.onStoreHealth, metrics: options.metrics,
    });
    this.replication = new Replication({
      lastSeq: () => this.lastSeq,
      applyLogged: (missed, fresh, seen) => this.applyLogged(missed, fresh, seen),
      applyPending: (userId, updates) => this.applyPending(userId, updates),
      warm: () => void this.warm(),
      adopt: (taken) => {
        for (const changes of taken) this.pending.absorb(changes);
        this.commits.schedule();
      },
    }, {
      id, store, enqueue: (work) => this.commits.enqueue(work), bus: options.bus, log: options.log, metrics: options.metrics,
      onReplaced: () => options.onReplaced?.(this),
    });
    this.presence = new Presence(id, () => this.broadcast.schedule(), options.bus);
    this.broadcast = new Broadcast(() => this.peers, () => this.presence.takeChanged());
  }

  /** Loads a dataset's document from the store. Throws if nothing is stored: an empty document is never made up. */
  static async load(id: string, store: DocStore, options: SharedDocOptions): Promise<SharedDoc> {
    const shared = new SharedDoc(id, store, options);
    let stored = await store.load(id);
    const { genesis } = shared.kind;
    if (genesis && stored.snapshot === null && stored.updates.length === 0) {
      const first = await genesis(store);
      if (first) {
        // Two instances may both find the log empty: the first to take the lock writes it, the other nothing.
        await store.commit(id, 0, (logged) => (logged.lastSeq === 0 && logged.snapshot === null ? first : emptyCommit(first.datasetId)));
        stored = await store.load(id);
      }
    }
    shared.setCold(stored);
    return shared;
  }

  /**
   * Takes the stored pieces without building a document. They are served as they are; the state vector
   * stored with them answers sync step 1 (data stored without one has it computed once here).
   */
  private setCold(stored: StoredDoc): void {
    const pieces = stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates;
    if (pieces.length === 0 && !this.kind.mayStartEmpty) throw new Error(`dataset ${this.id} has no stored document`);
    const stateVector = stored.stateVector
      ?? (pieces.length === 0 ? Y.encodeStateVector(new Y.Doc()) : Y.encodeStateVectorFromUpdate(Y.mergeUpdates(pieces)));
    this.cold = { pieces: [], messages: [], stateVector };
    for (const piece of pieces) this.addColdPiece(piece);
    this.changed();
    this.storedBytes = this.cold.pieces.reduce((sum, piece) => sum + piece.byteLength, 0);
    this.lastSeq = stored.lastSeq;
    this.loggedSinceSnapshot = stored.updates.length;
  }

  /** Adds what `updates` hold to a cold document's state vector. */
  private coverKept(updates: readonly Uint8Array[]): void {
    if (updates.length === 0) return;
    const cold = this.cold!;
    const known = Y.decodeStateVector(cold.stateVector);
    for (const update of updates) {
      for (const [client, clock] of Y.parseUpdateMeta(update).to) known.set(client, Math.max(clock, known.get(client) ?? 0));
    }
    cold.stateVector = Y.encodeStateVector(known);
    this.changed();
  }

  /** A cold document's whole answer: the stored pieces as they are, then what other instances applied and have not logged. */
  private coldAnswer(): Uint8Array[] {
    return [...this.cold!.messages, ...this.replication.unstored().map(updateMessage), LAST_OF_PIECES];
  }

  /** Keeps a stored piece while cold, framed for step-1 answers. */
  private addColdPiece(piece: Uint8Array): void {
    const message = updateMessage(piece);
    this.cold!.messages.push(message);
    this.cold!.pieces.push(message.subarray(message.byteLength - piece.byteLength));
  }

  /** The document's content changed: answers made before are not answers to questions asked from now on. */
  private readonly changed = (): void => this.answers.changed();

  /** True once a Y.Doc was built (the first write, or a read that needed the document). */
  get isHot(): boolean {
    return this.doc !== null;
  }

  get peerCount(): number {
    return this.peers.size;
  }

  /** The document's size as stored, in bytes: what answering a new client costs. */
  get sizeBytes(): number {
    return this.storedBytes;
  }

  /** True while applied changes are not yet stored because the store fails. */
  get storeFailing(): boolean {
    return this.commits.failing;
  }

  /** Starts syncing a peer: our state vector, then everyone's presence. */
  addPeer(peer: Peer): void {
    this.peers.add(peer);
    this.answers.join(peer);
    if (peer.acks && this.commits.failing) peer.send(storeFailingMessage());
    peer.send(syncStep1Message(this.stateVector()));
    const everyone = this.presence.join(peer);
    if (everyone) peer.send(everyone);
  }

  /** The peers connected now. */
  connectedPeers(): Peer[] {
    return [...this.peers];
  }

  /**
   * Lets go of the document without storing anything more (its dataset was deleted): pending changes
   * are dropped and every peer is closed with `code`.
   */
  discard(code: number, reason: string): Promise<void> {
    this.closed = true;
    // A write already in flight finishes (or fails) before the caller deletes what is stored.
    const stopped = this.commits.stop();
    this.waiting = [];
    this.replication.stop();
    this.broadcast.stop();
    this.pending = new Changes();
    for (const peer of [...this.peers]) peer.close(code, reason);
    this.peers.clear();
    this.answers.forgetAll();
    this.presence.destroy();
    this.stopObserving?.();
    this.doc?.destroy();
    return stopped;
  }

  /** Forgets a peer and the presence it controlled. */
  removePeer(peer: Peer): void {
    this.answers.forget(peer);
    if (!this.peers.delete(peer)) return;
    this.commits.forget(peer);
    this.heldBack.delete(peer);
    this.presence.leave(peer);
  }

  /**
   * Takes one message of a peer (in the order they came); anything undecodable or unappliable closes
   * that peer with 4400. A step 1 is counted as it arrives, before it waits or anything is done for it:
   * past what its user or this document may be owed, the peer is closed with 1013.
   */
  receive(peer: Peer, data: Uint8Array): void {
    if (this.closed || !this.peers.has(peer)) return;
    if (isStepOne(data) && !this.answers.admit(peer)) return;
    this.handle(peer, data);
  }

  private handle(peer: Peer, data: Uint8Array): void {
    if (this.closed || !this.peers.has(peer)) return;
    if (this.hold) {
      this.waiting.push({ peer, data });
      return;
    }
    try {
      const message = decodeMessage(data);
      switch (message.type) {
        case 'sync-step-1':
          this.answers.answer(peer, message.stateVector);
          break;
        case 'update':
          if (!peer.readOnly) this.applyUpdate(peer, message.update);
          // Even an update that changed nothing is answered: the peer learns that what it has is stored.
          if (peer.acks) this.commits.awaitAck(peer);
          break;
        case 'awareness':
          this.presence.apply(peer, message.update);
          break;
        case 'query-awareness':
          peer.send(this.presence.everyone());
          break;
      }
    } catch (error) {
      if (error instanceof NotReady) {
        // Checked again, first of everything waiting, once what the check needs is read.
        this.waiting.unshift({ peer, data });
        this.holdUntil(error.ready);
        return;
      }
      if (!(error instanceof BadMessageError)) throw error;
      this.options.log.info({ dataset: this.id, user: peer.userId, reason: error.message }, 'closing socket on a bad message');
      this.answers.forget(peer);
      peer.close(CloseCode.BadMessage, 'Bad message');
    }
  }

  /** Holds incoming messages until `ready` settles, then handles them in the order they came. */
  private holdUntil(ready: Promise<unknown>): void {
    const hold = ready.then(() => undefined, (error: unknown) => {
      this.options.log.error({ dataset: this.id, err: error }, 'reading for an update check failed');
    }).then(() => {
      if (this.hold !== hold) return;
      this.hold = null;
      const waiting = this.waiting;
      this.waiting = [];
      for (const [i, { peer, data }] of waiting.entries()) {
        this.handle(peer, data);
        // A message that put the document on hold again: the rest wait behind it, still in order.
        if (this.hold) {
          this.waiting.push(...waiting.slice(i + 1));
          break;
        }
      }
      if (!this.hold) this.retryHeldBack();
    });
    this.hold = hold;
  }

  /** Resolves once the document is not waiting for the store (a reload, an update check). */
  async ready(): Promise<void> {
    while (this.hold) await this.hold;
  }

  /**
   * Runs a server-side change (review API, seeding) as `origin`, then syncs and stores it like any
   * other. `record` adds history entries that no cell event makes. Resolves once the change is stored
   * (or kept for the store's retry when it fails): a route answers after its change is in the read model.
   */
  async transact<T>(origin: Origin, change: (doc: Y.Doc, record: RecordHistory) => T): Promise<T> {
    if (this.hold) await this.ready();
    if (this.closed) throw new Error(`document ${this.id} is closed`);
    const doc = this.warm();
    let result!: T;
    this.run(origin, () => doc.transact(() => {
      const at = Date.now();
      result = change(doc, (entry) => this.stage!.changes.cells.push({ ...entry, userId: origin.userId, at }));
    }, origin));
    await this.flush();
    return result;
  }

  /** Logs a failure of a policy's own change to the document (one it makes after a change was applied). */
  logError(error: unknown, message: string): void {
    this.options.log.error({ dataset: this.id, err: error }, message);
  }

  /**
   * The history entries of what this document applied that the store has not committed yet, oldest
   * first: the read model does not have them. Decisions that read the history add them.
   */
  unstoredCells(): CellChange[] {
    return [...(this.writing?.cells ?? []), ...this.pending.cells];
  }

  /** A read-only look at the current document (warming it if cold). */
  read<T>(reader: (doc: Y.Doc) => T): T {
    return reader(this.warm());
  }

  /**
   * Writes everything applied so far to the store, then tells the peers that asked what is stored
   * (`CommitPipeline`). Resolves once written (or failed: the changes are kept and retried).
   */
  flush(): Promise<void> {
    return this.commits.flush();
  }

  /** The pipeline's write: everything pending in one commit, then a compaction when the log is long enough. */
  private async write(): Promise<Written> {
    if (this.pending.isEmpty || !this.doc) {
      // Everything applied is stored: the write before this one has committed.
      return { wrote: false, stored: this.stateVector() };
    }
    let changes: Changes | null = null;
    let stored!: Uint8Array;
    let state: Uint8Array | null = null;
    let prevSeq = 0;
    let seq: number;
    try {
      seq = await this.store.commit(this.id, this.lastSeq, (missed) => {
        // Under the dataset's lock: what others committed first goes into the document before the
        // commit is made from it. All of it runs in this one turn, so the document is exactly the log
        // up to this commit (plus nothing: what arrives next waits for this turn to end).
        if (this.commits.stopped) throw new Error(`document ${this.id} was discarded`);
        this.replication.logged(missed);
        prevSeq = this.lastSeq;
        changes = this.pending;
        this.writing = changes;
        this.pending = new Changes();
        const doc = this.warm();
        const commit = this.kind.toCommit(changes, doc);
        stored = commit.stateVector ?? Y.encodeStateVector(doc);
        const loggedAfter = this.loggedSinceSnapshot + changes.updates.length;
        if (changes.updates.length > 0 && loggedAfter >= this.options.compactEvery) state = Y.encodeStateAsUpdate(doc);
        return commit;
      });
    } catch (error) {
      this.writing = null;
      // Nothing of the batch was written (one transaction): keep it, before what arrived since, for the retry.
      const unwritten = changes as Changes | null;
      if (unwritten) {
        unwritten.absorb(this.pending);
        this.pending = unwritten;
      }
      throw error;
    }
    this.writing = null;
    const written = changes! as Changes;
    if (written.updates.length > 0) {
      this.options.metrics?.updatesStored(written.updates.length);
      this.lastSeq = seq;
      this.loggedSinceSnapshot += written.updates.length;
      for (const { update } of written.updates) this.storedBytes += update.byteLength;
      this.options.bus?.publish(this.id, { kind: 'updates', prevSeq, seq, updates: written.updates.map((u) => u.update) });
      this.replication.committedHere();
    }
    const snapshot = state as Uint8Array | null;
    if (snapshot === null) return { wrote: true, stored };
    return {
      wrote: true, stored, after: async () => {
        if (this.loggedSinceSnapshot < this.options.compactEvery) return;
        try {
          await this.compactTo(snapshot, seq, stored);
        } catch (error) {
          // The log is intact and still served; a later write tries again.
          this.options.log.error({ dataset: this.id, err: error }, 'compaction failed; the log is kept');
        }
      },
    };
  }

  /**
   * Takes a message of another instance (see `Bus`): presence is applied and relayed to the peers;
   * committed updates are applied in log order, those that arrive ahead of a missing one wait for it,
   * and the log is read when it does not come.
   */
  deliver(message: RoomMessage, from: string): void {
    if (this.closed) return;
    switch (message.kind) {
      case 'presence':
        try {
          this.presence.fromElsewhere(message.update);
        } catch (error) {
          this.options.log.error({ dataset: this.id, err: error }, 'a presence update from another instance could not be applied');
        }
        break;
      case 'hello':
        this.presence.greet();
        break;
      case 'pending':
        this.replication.pending(from, message.userId, message.updates);
        break;
      case 'updates':
        this.replication.committed(message.prevSeq, message.seq, message.updates);
        break;
    }
  }

  /** Reads from the log what other instances committed that this one has not applied (`Replication`). */
  catchUp(): Promise<void> {
    return this.replication.catchUp();
  }

  /**
   * Applies updates another instance applied and has not stored yet, and broadcasts them: what they
   * changed, kept by `Replication` until they are logged. A cold document keeps their bytes ('kept'):
   * what they change is recorded only should it warm (`warm`), which it does to store them once their
   * instance stopped without storing them. Null for updates that build on what this instance has not got
   * yet (a third instance's update still on its way): they wait for their commit, which comes after.
   */
  private applyPending(userId: string | null, updates: Uint8Array[]): Changes | 'kept' | null {
    const doc = this.doc;
    if (!doc) {
      const known = Y.decodeStateVector(this.cold!.stateVector);
      if (!followOn(updates, (client) => known.get(client) ?? 0)) return null;
      this.coverKept(updates);
      for (const update of updates) this.broadcast.push(update, ELSEWHERE);
      return 'kept';
    }
    // Nothing is left pending in the document. Only the clients the updates name are looked up (a whole
    // state vector per update cost more than applying it).
    if (hasPending(doc) || !followOn(updates, (client) => Y.getState(doc.store, client))) return null;
    let changes: Changes;
    try {
      changes = this.applyElsewhere(doc, userId, updates);
    } catch (error) {
      this.options.log.error({ dataset: this.id, err: error }, 'an update another instance applied could not be applied here; its commit will bring it');
      return null;
    }
    if (hasPending(doc)) this.options.log.warn({ dataset: this.id }, 'an update another instance applied left part of it pending here');
    for (const update of updates) this.broadcast.push(update, ELSEWHERE);
    this.options.afterApplyElsewhere?.(this, { userId }, changes);
    return changes;
  }

  /** Applies updates another instance applied, recording what they change as `userId`'s. */
  private applyElsewhere(doc: Y.Doc, userId: string | null, updates: readonly Uint8Array[]): Changes {
    const changes = new Changes();
    this.stage = { changes, origin: { userId } };
    try {
      for (const update of updates) Y.applyUpdate(doc, update, ELSEWHERE);
    } finally {
      this.stage = null;
    }
    return changes;
  }

  /**
   * Applies what other instances committed (`fresh`, in log order after `lastSeq`, and a snapshot if the
   * log was read from one): into the document and out to the peers, recorded nowhere (the instance that
   * committed it recorded it). A cold document keeps the pieces cold. Those in `seen` came as pending and
   * were applied (or kept) and sent to the clients then.
   */
  private applyLogged(missed: LoggedSince, fresh: Uint8Array[], seen: ReadonlySet<Uint8Array>): void {
    if (this.doc) {
      const before = missed.snapshot ? Y.encodeStateVector(this.doc) : null;
      const unseen = fresh.filter((update) => !seen.has(update));
      this.stage = { changes: new Changes(), origin: null };
      try {
        if (missed.snapshot) Y.applyUpdate(this.doc, missed.snapshot, ELSEWHERE);
        for (const update of unseen) Y.applyUpdate(this.doc, update, ELSEWHERE);
      } finally {
        this.stage = null;
      }
      if (before) this.broadcast.push(Y.encodeStateAsUpdate(this.doc, before), ELSEWHERE);
      for (const update of unseen) this.broadcast.push(update, ELSEWHERE);
    } else if (missed.snapshot) {
      this.setCold({ snapshot: missed.snapshot, updates: fresh, lastSeq: missed.lastSeq, stateVector: null });
      const everything = Y.mergeUpdates(this.cold!.pieces);
      this.broadcast.push(everything, ELSEWHERE);
      // What is kept of other instances and not logged is still known here.
      this.coverKept(this.replication.unstored());
    } else {
      this.coverKept(fresh);
      for (const update of fresh) {
        this.addColdPiece(update);
        if (!seen.has(update)) this.broadcast.push(update, ELSEWHERE);
      }
    }
    if (missed.snapshot) {
      this.storedBytes = missed.snapshot.byteLength;
      this.loggedSinceSnapshot = 0;
    }
    for (const update of fresh) this.storedBytes += update.byteLength;
    this.loggedSinceSnapshot += fresh.length;
    this.lastSeq = Math.max(this.lastSeq, missed.lastSeq);
    // Held-back updates of this instance's peers may have waited for these.
    this.retryHeldBack();
  }

  /** Folds the log into one snapshot (after a flush). */
  async compact(): Promise<void> {
    await this.flush();
    await this.commits.enqueue(async () => {
      // A cold document's log is folded the next time it is hot: merging without a document costs as much.
      if (!this.doc || !this.pending.isEmpty || this.loggedSinceSnapshot === 0) return;
      await this.compactTo(Y.encodeStateAsUpdate(this.doc), this.lastSeq, Y.encodeStateVector(this.doc));
    });
  }

  /** Replaces the log up to `upToSeq` by `state` (the document as of that update); runs in the store queue. */
  private async compactTo(state: Uint8Array, upToSeq: number, stateVector: Uint8Array): Promise<void> {
    await this.store.compact(this.id, state, upToSeq, stateVector);
    // Updates logged after `upToSeq` were counted since; none is, the queue runs one write at a time.
    this.storedBytes = state.byteLength;
    this.loggedSinceSnapshot = 0;
  }

  /**
   * Flushes, compacts (unless told not to) and lets go of the document; peers are closed with 1012.
   * Nothing is applied once closing starts: a peer's later messages reach the next load of the document.
   */
  async close({ compact = true, code = CloseCode.Restart as number, reason = 'Server restarting' } = {}): Promise<void> {
    this.closed = true;
    this.waiting = [];
    // One last attempt now, even while a failing store waits for its retry.
    this.commits.retryNow();
    this.replication.stop();
    try {
      // What a stopped instance applied and this one kept goes into this last write.
      await this.replication.adoptFromStopped(0);
      await this.flush();
      if (this.commits.failing) this.options.log.error({ dataset: this.id }, 'closing a document whose changes could not be stored');
      else if (compact) await this.compact();
    } catch (error) {
      this.options.log.error({ dataset: this.id, err: error }, 'compaction failed; the log is kept');
    }
    for (const peer of [...this.peers]) peer.close(code, reason);
    this.peers.clear();
    this.answers.forgetAll();
    this.commits.retryNow();
    this.broadcast.stop();
    this.presence.destroy();
    this.stopObserving?.();
    this.doc?.destroy();
  }

  private stateVector(): Uint8Array {
    return this.doc ? Y.encodeStateVector(this.doc) : this.cold!.stateVector;
  }

  /** What a client that knows `stateVector` (of this document's clients) lacks, framed. */
  private diff(stateVector: Uint8Array): Uint8Array[] {
    if (this.doc) return [syncStep2Message(Y.encodeStateAsUpdate(this.doc, stateVector))];
    const diffs = [...this.cold!.pieces, ...this.replication.unstored()].map((piece) => Y.diffUpdate(piece, stateVector));
    return [...diffs.slice(0, -1).map(updateMessage), syncStep2Message(diffs.at(-1)!)];
  }

  /** Reads the whole document back from the store; it covers everything applied before the read started. */
  private readWhole(): Promise<Uint8Array[]> {
    // What is applied now is stored once this flush is done; what is applied after reaches the peers as
    // updates (they are peers already), so the stored pieces and those updates are the whole document.
    return this.flush().then(async () => {
      if (!this.doc) return this.cold ? this.coldAnswer() : [LAST_OF_PIECES];
      if (this.commits.failing) return [syncStep2Message(Y.encodeStateAsUpdate(this.doc))];
      const stored = await this.store.load(this.id);
      const pieces = stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates;
      // What other instances applied and have not logged yet is in the document, not in the store: a
      // client that joins now gets it here, as it missed its broadcast (and its commit is not sent again).
      return [...pieces.map(updateMessage), ...this.replication.unstored().map(updateMessage), LAST_OF_PIECES];
    }).catch((error: unknown) => {
      this.options.log.error({ dataset: this.id, err: error }, 'reading the stored document failed; serving it from memory');
      return this.doc ? [syncStep2Message(Y.encodeStateAsUpdate(this.doc))] : [LAST_OF_PIECES];
    });
  }

  private applyUpdate(peer: Peer, update: Uint8Array): void {
    let decoded: DecodedUpdate;
    try {
      decoded = Y.decodeUpdate(update);
    } catch (error) {
      throw new BadMessageError(`bad update: ${(error as Error).message}`);
    }
    // A client that has nothing new still answers our step 1: don't warm a cold document for that.
    if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) return;
    const doc = this.warm();
    // Checked before it is applied: a refused update never touches the document, so nothing is undone,
    // reloaded, stored or sent, and the document's state vector stays where it was.
    let problem: string | null;
    try {
      const cells: NewCell[] = [];
      problem = this.kind.problem(doc, decoded, peer.role, this.options.checkCells ? cells : undefined);
      if (!problem && cells.length > 0) {
        const checked = this.options.checkCells!(this.id, cells);
        if (checked instanceof Promise) throw new NotReady(checked);
        problem = checked;
      }
    } catch (error) {
      if (error instanceof NotReady) throw error;
      // An update the check cannot make sense of is refused, not let through.
      this.options.log.error({ dataset: this.id, user: peer.userId, err: error }, 'checking an update failed');
      problem = 'the update could not be checked';
    }
    if (problem === MISSING_DEPENDENCY) return this.holdBack(peer, update);
    if (problem) throw new BadMessageError(`not allowed: ${problem}`);
    const pendingBefore = hasPending(doc);
    try {
      this.run(peer, () => {
        Y.applyUpdate(doc, update, peer);
        // Updates with missing dependencies are held back above; anything Yjs still kept back would be
        // applied later, unchecked, as part of someone else's change.
        if (!pendingBefore && hasPending(doc)) throw new Error('part of the update was kept pending');
      });
    } catch (error) {
      throw new BadMessageError(`update could not be applied: ${(error as Error).message}`);
    }
    this.options.metrics?.updateApplied();
    this.retryHeldBack();
  }

  /** Keeps an update until the changes it depends on arrive (bounded per peer). */
  private holdBack(peer: Peer, update: Uint8Array): void {
    const held = this.heldBack.get(peer) ?? { updates: [], bytes: 0 };
    held.updates.push(update);
    held.bytes += update.byteLength;
    if (held.updates.length > MAX_HELD_UPDATES || held.bytes > MAX_HELD_BYTES) {
      this.heldBack.delete(peer);
      throw new BadMessageError('updates whose dependencies never arrived');
    }
    this.heldBack.set(peer, held);
  }

  /** Applies held-back updates whose dependencies arrived, until none does; a refused one closes its peer. */
  private retryHeldBack(): void {
    if (this.retrying || this.heldBack.size === 0) return;
    this.retrying = true;
    try {
      for (let progress = true; progress;) {
        progress = false;
        for (const [peer, held] of [...this.heldBack]) {
          const waiting = held.updates;
          held.updates = [];
          held.bytes = 0;
          this.heldBack.delete(peer);
          for (const [i, update] of waiting.entries()) {
            const before = this.heldBack.get(peer)?.updates.length ?? 0;
            try {
              this.applyUpdate(peer, update);
            } catch (error) {
              if (error instanceof NotReady) {
                // Held again, in order, and retried once what the check needs is read.
                const held = this.heldBack.get(peer) ?? { updates: [], bytes: 0 };
                held.updates.unshift(...waiting.slice(i));
                held.bytes = held.updates.reduce((sum, u) => sum + u.byteLength, 0);
                this.heldBack.set(peer, held);
                this.holdUntil(error.ready);
                return;
              }
              if (!(error instanceof BadMessageError)) throw error;
              this.options.log.info({ dataset: this.id, user: peer.userId, reason: error.message }, 'closing socket on a held-back update');
              this.heldBack.delete(peer);
              peer.close(CloseCode.BadMessage, 'Bad message');
              break;
            }
            if ((this.heldBack.get(peer)?.updates.length ?? 0) === before) progress = true;
          }
        }
      }
    } finally {
      this.retrying = false;
    }
  }

  /**
   * Applies a change with its events staged; only when it succeeded are they broadcast and queued for
   * the store. A change that throws after touching the document (a server-side change that failed
   * halfway, or an update Yjs could not apply in whole) is dropped by reloading the document from the
   * store, so nothing of it is stored or sent.
   */
  private run(origin: Origin, change: () => void): void {
    const stage = { changes: new Changes(), origin };
    this.stage = stage;
    try {
      change();
    } catch (error) {
      this.stage = null;
      // A change that threw before touching the document leaves nothing to drop.
      if (stage.changes.updates.length > 0 || (this.doc && hasPending(this.doc))) this.reload();
      throw error;
    }
    this.stage = null;
    for (const { update } of stage.changes.updates) this.broadcast.push(update, origin);
    if (stage.changes.updates.length > 0) {
      // To the other instances at once: their clients see it now, and they keep it until it is stored.
      this.options.bus?.publish(this.id, { kind: 'pending', userId: origin.userId, updates: stage.changes.updates.map((u) => u.update) });
    }
    this.pending.absorb(stage.changes);
    this.commits.schedule();
    this.options.afterApply?.(this, origin, stage.changes);
  }

  /** Builds the Y.Doc from the cold state. */
  private warm(): Y.Doc {
    if (this.doc) return this.doc;
    // A guid of its own: Yjs would draw a random one (31 draws from the system's random source), per row loaded.
    const doc = new Y.Doc({ guid: this.id });
    for (const piece of this.cold!.pieces) Y.applyUpdate(doc, piece);
    const stopObserving = this.kind.observe(doc, () => this.stage ?? { changes: this.pending, origin: null });
    doc.on('beforeObserverCalls', this.inspect);
    doc.on('afterTransaction', this.changed);
    this.stopObserving = () => {
      stopObserving();
      doc.off('beforeObserverCalls', this.inspect);
      doc.off('afterTransaction', this.changed);
    };
    this.doc = doc;
    this.cold = null;
    // What other instances applied, kept as bytes while cold: applied now, and what it changes recorded as theirs.
    this.replication.recordKept((userId, updates) => {
      try {
        const changes = this.applyElsewhere(doc, userId, updates);
        this.options.afterApplyElsewhere?.(this, { userId }, changes);
        return changes;
      } catch (error) {
        this.options.log.error({ dataset: this.id, err: error }, 'an update another instance applied could not be applied here; its commit will bring it');
        return new Changes();
      }
    });
    return doc;
  }

  /**
   * Replaces the in-memory document by what the store holds, after a change failed halfway. Updates
   * applied before it that the store has not taken yet (it is failing) were sent to the peers already:
   * they are applied again, and stay queued for the store. Messages wait meanwhile; the broken
   * document is read until the stored one is in place.
   */
  private reload(): void {
    this.holdUntil(this.reloadFromStore());
  }

  private async reloadFromStore(): Promise<void> {
    await this.flush();
    for (let retryMs = STORE_RETRY_FIRST_MS; ; retryMs = Math.min(retryMs * 2, STORE_RETRY_MAX_MS)) {
      if (this.closed) return;
      try {
        const stored = await this.store.load(this.id);
        if (this.closed) return;
        this.replaceBy(stored);
        return;
      } catch (error) {
        this.options.log.error({ dataset: this.id, err: error }, 'reloading the document failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
  }

  private replaceBy(stored: StoredDoc): void {
    const unstored = [...this.pending.updates.map((u) => u.update), ...this.replication.unstored()];
    this.stopObserving?.();
    this.doc?.destroy();
    this.doc = null;
    this.setCold(stored);
    if (unstored.length === 0) return;
    const doc = this.warm();
    // Recorded into a stage that is dropped: `pending` (and `Replication`) hold them already.
    this.stage = { changes: new Changes(), origin: null };
    try {
      for (const update of unstored) Y.applyUpdate(doc, update);
    } finally {
      this.stage = null;
    }
  }

  /** Hands a transaction of a change being applied to the `inspect` hook. */
  private readonly inspect = (transaction: Y.Transaction): void => {
    const stage = this.stage;
    if (!stage?.origin || !this.options.inspect) return;
    const found = this.options.inspect(transaction, stage.origin, this.id);
    if (found !== undefined) stage.changes.findings.push(found);
  };
}
