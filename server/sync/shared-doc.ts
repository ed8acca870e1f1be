/**
 * One dataset's live document, shared by every socket connected to it.
 *
 * A document starts cold: the stored, merged update is served to clients as it is, without building a
 * Y.Doc, so opening a large dataset costs its bytes and not a document's worth of objects. The first
 * write makes it hot (a Y.Doc that applies updates and reports cell changes). Every applied update is
 * written, with its history and read-model effects, in one SQLite transaction at the end of the
 * event-loop turn that applied it.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { CloseCode } from '../../model/codes';
import { reviewStatus } from '../../model/document';
import { setReviewStatus } from '../../model/reviews';
import type { Logger } from '../logger';
import { Changes, observeDocument, type Origin } from './changes';
import {
  BadMessageError, awarenessMessage, decodeMessage, syncStep1Message, syncStep2Message, updateMessage,
} from './protocol';
import type { DocStore } from './store';
import { type DecodedUpdate, updateProblem } from './update-check';

/** A socket's side of the sync: the document talks to peers only through this. */
export interface Peer extends Origin {
  readonly readOnly: boolean;
  send(message: Uint8Array): void;
  close(code: number, reason: string): void;
}

export interface SharedDocOptions {
  /** Compact the log into a snapshot after this many logged updates. */
  compactEvery: number;
  log: Logger;
}

/** Whether Yjs holds back structs or deletions of `doc` whose dependencies it lacks. */
const hasPending = (doc: Y.Doc) => doc.store.pendingStructs !== null || doc.store.pendingDs !== null;

export class SharedDoc {
  /** Presence lives beside the document, so a cold document has it too. */
  readonly awareness = new awarenessProtocol.Awareness(new Y.Doc());
  /** Each peer with the awareness client ids it controls. */
  private readonly peers = new Map<Peer, Set<number>>();
  private doc: Y.Doc | null = null;
  private stopObserving: (() => void) | null = null;
  /** While cold: the stored snapshot and updates, in order, and their state vector. */
  private cold: { pieces: Uint8Array[]; stateVector: Uint8Array } | null = null;
  private lastSeq = 0;
  private loggedSinceSnapshot = 0;
  private pending = new Changes();
  /** Where the document's events go while a write is applied: kept apart until the write succeeded. */
  private stage: { changes: Changes; origin: Origin | null } | null = null;
  private flushTimer: NodeJS.Immediate | null = null;
  /** Updates applied in this event-loop turn: sent to the peers as one merged message at its end. */
  private outgoing: Array<{ update: Uint8Array; origin: Origin }> = [];
  private sendTimer: NodeJS.Immediate | null = null;
  private retryTimer: NodeJS.Timeout | null = null;

  private constructor(readonly id: string, private readonly store: DocStore, private readonly options: SharedDocOptions) {
    this.awareness.setLocalState(null);
    this.awareness.on('update', this.onAwareness);
  }

  /** Loads a dataset's document from the store. Throws if nothing is stored: an empty document is never made up. */
  static load(id: string, store: DocStore, options: SharedDocOptions): SharedDoc {
    const shared = new SharedDoc(id, store, options);
    shared.loadCold();
    return shared;
  }

  /**
   * Reads the stored pieces without building a document. They are served as they are; the state vector
   * stored with them answers sync step 1 (data stored without one has it computed once here).
   */
  private loadCold(): void {
    const stored = this.store.load(this.id);
    const pieces = stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates;
    if (pieces.length === 0) throw new Error(`dataset ${this.id} has no stored document`);
    const stateVector = stored.stateVector ?? Y.encodeStateVectorFromUpdate(Y.mergeUpdates(pieces));
    this.cold = { pieces, stateVector };
    this.lastSeq = stored.lastSeq;
    this.loggedSinceSnapshot = stored.updates.length;
  }

  get peerCount(): number {
    return this.peers.size;
  }

  /** Starts syncing a peer: our state vector, then everyone's presence. */
  addPeer(peer: Peer): void {
    this.peers.set(peer, new Set());
    peer.send(syncStep1Message(this.stateVector()));
    const states = this.awareness.getStates();
    if (states.size > 0) {
      peer.send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...states.keys()])));
    }
  }

  /** Forgets a peer and the presence it controlled. */
  removePeer(peer: Peer): void {
    const controlled = this.peers.get(peer);
    if (!controlled) return;
    this.peers.delete(peer);
    if (controlled.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...controlled], null);
  }

  /** Handles one message of a peer; anything undecodable or unappliable closes that peer with 4400. */
  receive(peer: Peer, data: Uint8Array): void {
    try {
      const message = decodeMessage(data);
      switch (message.type) {
        case 'sync-step-1': {
          // In order, the last as step 2: a client counts itself synced at step 2, and by then it has all.
          const pieces = this.diff(message.stateVector);
          for (const update of pieces.slice(0, -1)) peer.send(updateMessage(update));
          peer.send(syncStep2Message(pieces.at(-1)!));
          break;
        }
        case 'update':
          if (!peer.readOnly) this.applyUpdate(peer, message.update);
          break;
        case 'awareness':
          this.applyAwareness(peer, message.update);
          break;
        case 'query-awareness':
          peer.send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()])));
          break;
      }
    } catch (error) {
      if (!(error instanceof BadMessageError)) throw error;
      this.options.log.info({ dataset: this.id, user: peer.userId, reason: error.message }, 'closing socket on a bad message');
      peer.close(CloseCode.BadMessage, 'Bad message');
    }
  }

  /** Runs a server-side change (review API, seeding) as `origin`, then syncs and stores it like any other. */
  transact<T>(origin: Origin, change: (doc: Y.Doc) => T): T {
    const doc = this.warm();
    let result!: T;
    this.run(origin, () => doc.transact(() => { result = change(doc); }, origin));
    return result;
  }

  /** A read-only look at the current document (warming it if cold). */
  read<T>(reader: (doc: Y.Doc) => T): T {
    return reader(this.warm());
  }

  /** Writes everything applied so far to the store. */
  flush(): void {
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.flushTimer = null;
    if (this.pending.isEmpty || !this.doc) return;
    const changes = this.pending;
    this.pending = new Changes();
    try {
      const seq = this.store.append(changes.toCommit(this.id, this.doc));
      if (changes.updates.length > 0) {
        this.lastSeq = seq;
        this.loggedSinceSnapshot += changes.updates.length;
      }
    } catch (error) {
      // Nothing of the batch was written (one transaction): keep it and try again.
      changes.absorb(this.pending);
      this.pending = changes;
      this.options.log.error({ dataset: this.id, err: error }, 'storing updates failed; retrying');
      this.retryTimer ??= setTimeout(() => { this.retryTimer = null; this.flush(); }, 1000);
      return;
    }
    if (this.loggedSinceSnapshot >= this.options.compactEvery) this.compact();
  }

  /** Folds the log into one snapshot (after a flush). */
  compact(): void {
    this.flush();
    // A cold document's log is folded the next time it is hot: merging without a document costs as much.
    if (!this.doc || !this.pending.isEmpty || this.loggedSinceSnapshot === 0) return;
    this.store.compact(this.id, Y.encodeStateAsUpdate(this.doc), this.lastSeq, Y.encodeStateVector(this.doc));
    this.loggedSinceSnapshot = 0;
  }

  /** Flushes, compacts (unless told not to) and lets go of the document; peers are closed with 1012. */
  close({ compact = true } = {}): void {
    this.flush();
    try {
      if (compact) this.compact();
    } catch (error) {
      this.options.log.error({ dataset: this.id, err: error }, 'compaction failed; the log is kept');
    }
    for (const peer of [...this.peers.keys()]) peer.close(CloseCode.Restart, 'Server restarting');
    this.peers.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.sendTimer) clearImmediate(this.sendTimer);
    this.awareness.destroy();
    this.stopObserving?.();
    this.doc?.destroy();
  }

  private stateVector(): Uint8Array {
    return this.doc ? Y.encodeStateVector(this.doc) : this.cold!.stateVector;
  }

  /** What a client with `stateVector` lacks: one update when hot, the stored pieces (diffed) when cold. */
  private diff(stateVector: Uint8Array): Uint8Array[] {
    let known: Map<number, number>;
    try {
      known = Y.decodeStateVector(stateVector);
    } catch (error) {
      throw new BadMessageError(`bad state vector: ${(error as Error).message}`);
    }
    if (known.size === 0) return this.storedPieces();
    if (this.doc) return [Y.encodeStateAsUpdate(this.doc, stateVector)];
    return this.cold!.pieces.map((piece) => Y.diffUpdate(piece, stateVector));
  }

  /**
   * Everything, for a client that has nothing: the stored pieces as they are. Encoding a large hot
   * document costs seconds of CPU; reading its stored bytes back costs milliseconds.
   */
  private storedPieces(): Uint8Array[] {
    if (!this.doc) return this.cold!.pieces;
    this.flush();
    if (!this.pending.isEmpty) return [Y.encodeStateAsUpdate(this.doc)]; // the store is failing: serve from memory
    const stored = this.store.load(this.id);
    return stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates;
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
      problem = updateProblem(doc, decoded, peer.role);
    } catch (error) {
      // An update the check cannot make sense of is refused, not let through.
      this.options.log.error({ dataset: this.id, user: peer.userId, err: error }, 'checking an update failed');
      problem = 'the update could not be checked';
    }
    if (problem) throw new BadMessageError(`not allowed: ${problem}`);
    const pendingBefore = hasPending(doc);
    try {
      this.run(peer, () => {
        Y.applyUpdate(doc, update, peer);
        // The check refuses updates with missing dependencies; anything Yjs still kept back would be
        // applied later, unchecked, as part of someone else's change.
        if (!pendingBefore && hasPending(doc)) throw new Error('part of the update was kept pending');
      });
    } catch (error) {
      throw new BadMessageError(`update could not be applied: ${(error as Error).message}`);
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
    for (const { update } of stage.changes.updates) this.outgoing.push({ update, origin });
    this.sendTimer ??= setImmediate(() => this.sendOutgoing());
    this.pending.absorb(stage.changes);
    this.flushTimer ??= setImmediate(() => this.flush());
    if (origin.role) this.unapproveEdited(origin, stage.changes);
  }

  /** Any change to a cell of an approved row sets it back to `unreviewed` (CONTRACT §6), in the history too. */
  private unapproveEdited(origin: Origin, changes: Changes): void {
    const doc = this.doc!;
    const edited = [...changes.rows.keys()]
      .map((key) => key.split('\0') as [string, string])
      .filter(([, rowId]) => reviewStatus(doc, rowId) === 'approved');
    if (edited.length === 0) return;
    const server: Origin = { userId: origin.userId };
    this.run(server, () => doc.transact(() => {
      const at = Date.now();
      for (const [sheetId, rowId] of edited) {
        setReviewStatus(doc, rowId, 'unreviewed');
        this.stage!.changes.cells.push({ sheetId, rowId, columnId: 'review_status', old: 'approved', new: 'unreviewed', userId: origin.userId, at });
      }
    }, server));
  }

  /**
   * One message for all the updates of a turn: with a hundred people typing, each client applies one
   * update per turn instead of one per keystroke of everyone else. A peer whose own update is in a
   * mixed batch gets it back; Yjs skips what it has.
   */
  private sendOutgoing(): void {
    this.sendTimer = null;
    const batch = this.outgoing;
    this.outgoing = [];
    if (batch.length === 0) return;
    const update = batch.length === 1 ? batch[0]!.update : Y.mergeUpdates(batch.map((b) => b.update));
    const origins = new Set(batch.map((b) => b.origin));
    this.broadcast(updateMessage(update), origins.size === 1 ? batch[0]!.origin : undefined);
  }

  private broadcast(message: Uint8Array, except: unknown): void {
    for (const peer of this.peers.keys()) if (peer !== except) peer.send(message);
  }

  /** Builds the Y.Doc from the cold state. */
  private warm(): Y.Doc {
    if (this.doc) return this.doc;
    const doc = new Y.Doc();
    for (const piece of this.cold!.pieces) Y.applyUpdate(doc, piece);
    this.stopObserving = observeDocument(doc, () => this.stage ?? { changes: this.pending, origin: null });
    this.doc = doc;
    this.cold = null;
    return doc;
  }

  /**
   * Replaces the in-memory document by what the store holds, after a change failed halfway. Updates
   * applied before it that the store has not taken yet (it is failing) were sent to the peers already:
   * they are applied again, and stay queued for the store.
   */
  private reload(): void {
    this.flush();
    const unstored = this.pending.updates.map((u) => u.update);
    this.stopObserving?.();
    this.doc?.destroy();
    this.doc = null;
    this.loadCold();
    if (unstored.length === 0) return;
    const doc = this.warm();
    // Recorded into a stage that is dropped: `pending` holds them already.
    this.stage = { changes: new Changes(), origin: { userId: null } };
    try {
      for (const update of unstored) Y.applyUpdate(doc, update);
    } finally {
      this.stage = null;
    }
  }

  private applyAwareness(peer: Peer, update: Uint8Array): void {
    try {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, update, peer);
    } catch (error) {
      throw new BadMessageError(`bad awareness update: ${(error as Error).message}`);
    }
  }

  private readonly onAwareness = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ) => {
    const controlled = this.peers.get(origin as Peer);
    if (controlled) {
      for (const id of [...added, ...updated]) controlled.add(id);
      for (const id of removed) controlled.delete(id);
    }
    const changed = [...added, ...updated, ...removed];
    // To the sender too: the stock client drops a connection that hears nothing for 30 s, and a coder
    // alone on a dataset hears nothing else (its presence heartbeat comes back every 15 s).
    this.broadcast(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)), undefined);
  };
}
