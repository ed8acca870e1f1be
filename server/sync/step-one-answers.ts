/**
 * A room's answers to sync step 1.
 *
 * What a client lacks depends only on the part of its state vector that the document has (a made-up
 * client id, or a clock past the document's, asks for nothing more), so that part is the question: an
 * answer is made once and shared by everyone who asks it until the document changes (the last
 * `ANSWERS_KEPT` questions are kept). A client that knows nothing gets the whole document: while cold the
 * stored pieces as they are; while hot, read back from the store (encoding a large document costs seconds
 * of CPU, reading its stored bytes milliseconds), one read at a time, shared by every peer it covers. One
 * that knows part of it gets a diff, computed within the room's work budget (past it, the whole document).
 * The same question while its answer is still queued is not answered again, a peer that is not reading
 * gets nothing more made for it, and the answers owed per user are bounded (`step-one-guard.ts`).
 */
import * as Y from 'yjs';
import { CloseCode } from '../../model/codes';
import type { Logger } from '../logger';
import { BadMessageError, syncStep2Message } from './protocol';
import { type DocumentStepOnes, type StepOneLedger, WorkBudget } from './step-one-guard';

/**
 * A client's state vector may name at most this many bytes' worth of clients the document does not
 * have (its own, not yet synced): decoding one costs in proportion to its size.
 */
const MAX_FOREIGN_STATE_VECTOR_BYTES = 64 * 1024;
/** Step-1 answers kept per document until it changes, by what the client knows of it. */
const ANSWERS_KEPT = 4;
/** The end of an answer sent as pieces: a client counts itself synced at step 2, and by then it has all. */
export const LAST_OF_PIECES = syncStep2Message(new Uint8Array([0, 0]));

/** An answer's key: the encoded part of a state vector that the document has. */
const keyOf = (known: Map<number, number>) => Buffer.from(Y.encodeStateVector(known)).toString('latin1');
/** The key of a client that knows nothing of the document. */
const WHOLE = keyOf(new Map());

export interface AnsweredPeer {
  readonly userId: string | null;
  /** True while more than the peer's bound waits in its queue (it is not reading). */
  readonly backlogged?: boolean;
  send(message: Uint8Array, onWritten?: () => void): void;
  close(code: number, reason: string): void;
}

/** The room's side: what its document is. Every answer is framed messages, the last one a step 2. */
export interface AnsweredRoom<P> {
  /** The document's state vector. */
  stateVector(): Map<number, number>;
  /** What a client that knows `stateVector` (of the document's clients) lacks. */
  diff(stateVector: Uint8Array): Uint8Array[];
  /** While cold: the whole document as stored, and what other instances applied and have not logged. */
  coldWhole(): Uint8Array[] | null;
  /** True while the store fails: the whole document is encoded from memory (`encodeWhole`), not read back. */
  storeFailing(): boolean;
  encodeWhole(): Uint8Array[];
  /** Reads the whole document back from the store: it covers everything applied before the read started. */
  readWhole(): Promise<Uint8Array[]>;
  /** Whether `peer` is still connected. */
  has(peer: P): boolean;
}

export class StepOneAnswers<P extends AnsweredPeer> {
  /**
   * Counts changes of the document's content. A peer is sent every change made after it joined, so an
   * answer covering the document as of a revision serves every peer that joined by then.
   */
  private revision = 0;
  private readonly joinedAt = new WeakMap<P, number>();
  /** Answers by question, shared until the document changes. Least recently used first. */
  private readonly answers = new Map<string, Uint8Array[]>();
  /** A hot document's whole state being read from the store, and the revision it covers. */
  private wholeLoad: { revision: number; messages: Promise<Uint8Array[]> } | null = null;
  /** The read queued behind `wholeLoad`: everyone who asks before it starts shares it. */
  private wholeQueued: Promise<Uint8Array[]> | null = null;
  /** Per peer: the question whose answer is still queued. */
  private readonly answering = new Map<P, string>();
  private readonly owed: DocumentStepOnes;
  /** CPU time for answers that must be computed (a client that knows part of the document). */
  private readonly work = new WorkBudget();

  constructor(private readonly room: AnsweredRoom<P>, private readonly options: { id: string; log: Logger; ledger: StepOneLedger }) {
    this.owed = options.ledger.forDocument();
  }

  /** The document's content changed: answers made before are not answers to questions asked from now on. */
  changed(): void {
    this.revision += 1;
    this.answers.clear();
  }

  /** `peer` joined: it is sent every change from now on. */
  join(peer: P): void {
    this.joinedAt.set(peer, this.revision);
  }

  /**
   * Counts a step 1 as it arrives, before it waits or anything is done for it: false (and the peer
   * closed with 1013) past what its user or this document may be owed.
   */
  admit(peer: P): boolean {
    if (this.owed.take(peer, peer.userId)) return true;
    this.options.log.info({ dataset: this.options.id, user: peer.userId }, 'closing socket: too many sync step 1 answers owed');
    peer.close(CloseCode.TryAgainLater, 'Too many sync requests');
    return false;
  }

  /** Forgets what `peer` was owed (it left, or was closed). */
  forget(peer: P): void {
    this.owed.forget(peer);
    this.answering.delete(peer);
  }

  forgetAll(): void {
    this.owed.forgetAll();
    this.answering.clear();
  }

  /** Answers a client's sync step 1 with what it lacks. Throws `BadMessageError` for a bad state vector. */
  answer(peer: P, stateVector: Uint8Array): void {
    const known = this.knownOf(stateVector);
    const key = keyOf(known);
    if (this.answering.get(peer) === key) return this.owed.settle(peer);
    if (peer.backlogged) {
      this.owed.settle(peer);
      this.options.log.info({ dataset: this.options.id, user: peer.userId }, 'closing socket: not reading');
      peer.close(CloseCode.TryAgainLater, 'Not reading fast enough');
      return;
    }
    this.answering.set(peer, key);
    const send = (messages: Uint8Array[]) => {
      if (!this.room.has(peer)) return;
      const last = messages.length - 1;
      for (let i = 0; i < last; i++) peer.send(messages[i]!);
      peer.send(messages[last]!, () => {
        if (this.answering.get(peer) === key) this.answering.delete(peer);
        this.owed.settle(peer);
      });
    };
    const answer = this.answerFor(peer, known, key);
    if (answer instanceof Promise) void answer.then(send);
    else send(answer);
  }

  /** The part of a client's state vector that the document has: per client of the document, the lesser clock. */
  private knownOf(stateVector: Uint8Array): Map<number, number> {
    const ours = this.room.stateVector();
    if (stateVector.byteLength > MAX_FOREIGN_STATE_VECTOR_BYTES + ours.size * 16) throw new BadMessageError('state vector too large');
    let theirs: Map<number, number>;
    try {
      theirs = Y.decodeStateVector(stateVector);
    } catch (error) {
      throw new BadMessageError(`bad state vector: ${(error as Error).message}`);
    }
    const known = new Map<number, number>();
    for (const [client, clock] of ours) {
      const has = Math.min(theirs.get(client) ?? 0, clock);
      if (has > 0) known.set(client, has);
    }
    return known;
  }

  private answerFor(peer: P, known: Map<number, number>, key: string): Uint8Array[] | Promise<Uint8Array[]> {
    const kept = this.answers.get(key);
    if (kept) {
      this.remember(key, kept);
      return kept;
    }
    if (known.size === 0 || !this.work.available) return this.wholeAnswer(peer);
    const stateVector = Y.encodeStateVector(known);
    const messages = this.work.spend(() => this.room.diff(stateVector));
    this.remember(key, messages);
    return messages;
  }

  private remember(key: string, messages: Uint8Array[]): void {
    this.answers.delete(key);
    this.answers.set(key, messages);
    if (this.answers.size > ANSWERS_KEPT) this.answers.delete(this.answers.keys().next().value!);
  }

  private wholeAnswer(peer: P): Uint8Array[] | Promise<Uint8Array[]> {
    const cold = this.room.coldWhole();
    if (cold) return cold;
    const kept = this.answers.get(WHOLE);
    if (kept) return kept;
    if (this.room.storeFailing()) {
      // Served from memory, encoded once until the document changes.
      const messages = this.work.spend(() => this.room.encodeWhole());
      this.remember(WHOLE, messages);
      return messages;
    }
    const joined = this.joinedAt.get(peer) ?? this.revision;
    if (this.wholeLoad && this.wholeLoad.revision >= joined) return this.wholeLoad.messages;
    const before = this.wholeLoad?.messages ?? Promise.resolve([]);
    this.wholeQueued ??= before.then(() => {
      this.wholeQueued = null;
      return this.loadWhole();
    });
    return this.wholeQueued;
  }

  private loadWhole(): Promise<Uint8Array[]> {
    const revision = this.revision;
    const messages = this.room.readWhole().then((answer) => {
      if (this.wholeLoad?.messages === messages) this.wholeLoad = null;
      if (this.revision === revision) this.remember(WHOLE, answer);
      return answer;
    });
    this.wholeLoad = { revision, messages };
    return messages;
  }
}
