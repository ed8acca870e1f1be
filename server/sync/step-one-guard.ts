/**
 * Limits on sync step 1, the one small message that makes the server send a whole document. They are
 * counted when a message arrives, before anything is decoded, looked up or encoded for it:
 *
 * - per socket, a token bucket on how often it may ask (`StepOneGuard`);
 * - per user (over all its sockets) and per document, how many answers may be owed at once: asked for
 *   and not yet out of the server's queue (`StepOneLedger`, `DocumentStepOnes`). A client that reads
 *   settles its answers within moments; sockets that never read keep theirs owed, and past the bound
 *   their next question closes them;
 * - per document, how much CPU time answers that must be computed may take (`WorkBudget`); past it the
 *   whole document, encoded once for everyone, is the answer.
 */

/** Step-1 messages a socket may send in a burst; a stock client sends one per connection. */
export const STEP_ONE_BURST = 10;
/** Step-1 messages a socket may send per second, sustained. */
export const STEP_ONE_PER_SECOND = 1;
/** Answers one user may be owed at once, over all its sockets (a tab owes at most a few, for moments). */
export const MAX_OWED_PER_USER = 100;
/** Answers one document may owe at once (every client of a busy document reconnecting together). */
export const MAX_OWED_PER_DOCUMENT = 1000;
/** CPU time, in ms, a document may spend computing answers in a burst, and per second sustained. */
export const WORK_BURST_MS = 2000;
export const WORK_MS_PER_SECOND = 200;

const clock = () => performance.now();

/** A token bucket: `burst` tokens, refilled at `perSecond`. */
class Bucket {
  private tokens: number;
  private refilledAt: number;

  constructor(private readonly burst: number, private readonly perSecond: number, private readonly now: () => number) {
    this.tokens = burst;
    this.refilledAt = now();
  }

  /** The tokens now (may be negative after an overdraft). */
  level(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = now;
    return this.tokens;
  }

  take(amount: number): void {
    this.level();
    this.tokens -= amount;
  }
}

/** Whether a frame is a sync step 1, from its first two bytes (message type 0, sync step 0). */
export const isStepOne = (data: Uint8Array) => data.byteLength >= 2 && data[0] === 0 && data[1] === 0;

/** One socket's rate of step-1 messages. */
export class StepOneGuard {
  private readonly bucket: Bucket;

  constructor(now: () => number = clock) {
    this.bucket = new Bucket(STEP_ONE_BURST, STEP_ONE_PER_SECOND, now);
  }

  /** Counts one step 1 as it arrives; false past the rate (close the socket). */
  admit(): boolean {
    if (this.bucket.level() < 1) return false;
    this.bucket.take(1);
    return true;
  }
}

/** The answers owed to each user, over every document of one server. */
export class StepOneLedger {
  private readonly owedByUser = new Map<string, number>();

  constructor(readonly perUser = MAX_OWED_PER_USER, readonly perDocument = MAX_OWED_PER_DOCUMENT) {}

  /** A document's own count, which keeps this ledger's per-user counts. */
  forDocument(): DocumentStepOnes {
    return new DocumentStepOnes(this);
  }

  /** @internal */
  owed(user: string): number {
    return this.owedByUser.get(user) ?? 0;
  }

  /** @internal */
  add(user: string, n: number): void {
    const owed = this.owed(user) + n;
    if (owed > 0) this.owedByUser.set(user, owed);
    else this.owedByUser.delete(user);
  }
}

/** The answers one document owes, per peer. */
export class DocumentStepOnes {
  private total = 0;
  private readonly byPeer = new Map<object, { user: string; owed: number }>();

  constructor(private readonly ledger: StepOneLedger) {}

  /** Counts a step 1 of `peer` as owed; false (nothing counted) when its user or this document owes too many. */
  take(peer: object, userId: string | null): boolean {
    const user = userId ?? '';
    if (this.total >= this.ledger.perDocument || this.ledger.owed(user) >= this.ledger.perUser) return false;
    const entry = this.byPeer.get(peer) ?? { user, owed: 0 };
    entry.owed += 1;
    this.byPeer.set(peer, entry);
    this.total += 1;
    this.ledger.add(user, 1);
    return true;
  }

  /** One answer of `peer` is out of the queue, or none is coming. */
  settle(peer: object): void {
    const entry = this.byPeer.get(peer);
    if (!entry) return;
    entry.owed -= 1;
    this.total -= 1;
    this.ledger.add(entry.user, -1);
    if (entry.owed === 0) this.byPeer.delete(peer);
  }

  /** `peer` is gone: nothing more is owed to it. */
  forget(peer: object): void {
    const entry = this.byPeer.get(peer);
    if (!entry) return;
    this.byPeer.delete(peer);
    this.total -= entry.owed;
    this.ledger.add(entry.user, -entry.owed);
  }

  /** The document is closing: nothing more is owed to anyone. */
  forgetAll(): void {
    for (const peer of [...this.byPeer.keys()]) this.forget(peer);
  }

  /** Answers owed by this document now. */
  get owed(): number {
    return this.total;
  }
}

/** A document's CPU time for computed answers, in ms. */
export class WorkBudget {
  private readonly bucket: Bucket;

  constructor(private readonly now: () => number = clock) {
    this.bucket = new Bucket(WORK_BURST_MS, WORK_MS_PER_SECOND, now);
  }

  /** True while something is left (one computation may overdraw it). */
  get available(): boolean {
    return this.bucket.level() > 0;
  }

  charge(ms: number): void {
    this.bucket.take(ms);
  }

  /** Runs `work` and charges the time it took. */
  spend<T>(work: () => T): T {
    const started = this.now();
    try {
      return work();
    } finally {
      this.charge(this.now() - started);
    }
  }
}
