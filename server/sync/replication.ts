/**
 * What reaches a room from the other instances serving its database, and when.
 *
 * Their commits are applied in the order of the log: one that arrives over the bus ahead of one still
 * missing waits `GAP_WAIT_MS` for it (this instance's own commit may still be on its way back from the
 * store), then the log is read. What they applied and published before storing it (`pending`) is
 * applied at once, or kept as bytes while the room is cold, and kept until it comes back logged
 * (`PendingElsewhere`); should its instance stop first (its mark on the bus lapsed, checked every
 * `PENDING_CHECK_MS` once it waited `PENDING_STALE_MS`), this room stores it as its own.
 *
 * The room applies: this part decides what, in which order and when.
 */
import { type Logger, RepeatedFailure } from '../logger';
import type { SyncCounters } from '../metrics';
import type { Bus } from './bus';
import type { Changes } from './changes';
import { PendingElsewhere } from './pending-elsewhere';
import type { DocStore, LoggedSince } from './store';

/** Committed updates that do not follow what this instance has wait this long for the ones before them. */
export const GAP_WAIT_MS = 200;
/** Updates another instance applied and has not covered by a commit after this long: is it still running? */
export const PENDING_STALE_MS = 3000;
export const PENDING_CHECK_MS = 1000;

/** The room's side: the document state and what applying to it means. */
export interface ReplicatedRoom {
  /** The last update of the log the room has. */
  lastSeq(): number;
  /**
   * Applies what other instances committed after `lastSeq` (`fresh`, in log order, and the snapshot a
   * compaction made, if the log was read from one): recorded nowhere, they recorded it. Those in `seen`
   * came as pending and were applied (or kept) and sent to the clients then.
   */
  applyLogged(missed: LoggedSince, fresh: Uint8Array[], seen: ReadonlySet<Uint8Array>): void;
  /**
   * Applies updates another instance applied and has not stored yet, and sends them to the peers:
   * what they changed, or `'kept'` when the room is cold and keeps the bytes alone, or null when they
   * build on something the room lacks (their commit will bring them).
   */
  applyPending(userId: string | null, updates: Uint8Array[]): Changes | 'kept' | null;
  /** Builds the room's document (it records what kept updates change, `recordKept`). */
  warm(): void;
  /** Stores, as changes of its own, what a stopped instance applied and did not store. */
  adopt(changes: Changes[]): void;
}

/**
 * The room's log started over after what the room has (`LoggedSince.replaced`): another document took its
 * place. Nothing of it may be merged into this one, nor this one's changes committed after it.
 */
export class RoomReplaced extends Error {
  constructor(room: string) {
    super(`the log of room ${room} started over: another document took its place`);
  }
}

export interface ReplicationOptions {
  id: string;
  store: Pick<DocStore, 'since'>;
  /** Runs store work in the room's queue, between its writes. */
  enqueue: (work: () => Promise<void>) => Promise<void>;
  bus?: Pick<Bus, 'alive'>;
  log: Logger;
  metrics?: SyncCounters;
  /** Told once when the log is found to have started over (`RoomReplaced`): the room must be let go of. */
  onReplaced?: () => void;
}

export class Replication {
  /** Committed updates that arrived ahead of one still missing, by the `prevSeq` they follow. */
  private readonly ahead = new Map<number, { seq: number; updates: Uint8Array[] }>();
  private gapTimer: NodeJS.Timeout | null = null;
  /** What other instances applied and published, until it is logged. */
  private readonly elsewhere = new PendingElsewhere();
  private pendingTimer: NodeJS.Timeout | null = null;
  /** A read of the log for what this instance missed, queued or running. */
  private catchingUp: Promise<void> | null = null;
  /** Catching up runs every few seconds: while the store fails, a line a minute, not one per try. */
  private readonly catchUpFailures: RepeatedFailure;
  private stopped = false;

  constructor(private readonly room: ReplicatedRoom, private readonly options: ReplicationOptions) {
    this.catchUpFailures = new RepeatedFailure(options.log, 'reading what other instances stored', { dataset: options.id });
  }

  /** Another instance committed `updates` as `seq`, right after `prevSeq`. */
  committed(prevSeq: number, seq: number, updates: Uint8Array[]): void {
    if (this.stopped || seq <= this.room.lastSeq()) return;
    this.ahead.set(prevSeq, { seq, updates });
    this.applyAhead();
  }

  /** Another instance (`from`) applied `updates` of `userId` and will store them. */
  pending(from: string, userId: string | null, updates: Uint8Array[]): void {
    if (this.stopped) return;
    const taken = this.room.applyPending(userId, updates);
    if (taken === null) return;
    if (taken === 'kept') this.elsewhere.keep(from, userId, updates, Date.now());
    else this.elsewhere.add(from, updates, taken, Date.now());
    this.pendingTimer ??= setTimeout(() => void this.checkPending(), PENDING_CHECK_MS);
  }

  /**
   * Takes what the log holds after the room's `lastSeq` (read under the store's lock before a commit, or
   * by `catchUp`) to the room; updates that came as pending are no longer kept.
   */
  logged(missed: LoggedSince): void {
    if (missed.replaced) {
      if (!this.stopped) this.options.onReplaced?.();
      this.stop();
      throw new RoomReplaced(this.options.id);
    }
    if (missed.lastSeq <= this.room.lastSeq() && missed.snapshot === null) return;
    const fresh = missed.updates.filter(({ seq }) => seq > this.room.lastSeq()).map(({ update }) => update);
    const seen = this.elsewhere.logged(fresh);
    if (missed.snapshot) this.elsewhere.foldedInto(missed.snapshot);
    this.room.applyLogged(missed, fresh, seen);
  }

  /** The room committed: bus messages that waited for that commit follow on now. */
  committedHere(): void {
    this.applyAhead();
  }

  /**
   * Reads from the log what other instances committed that this one has not applied (after the bus was
   * lost, or a message of it): resolves once applied. Runs in the store queue, between writes.
   */
  catchUp(): Promise<void> {
    this.catchingUp ??= this.options.enqueue(async () => {
      this.catchingUp = null;
      if (this.stopped) return;
      this.logged(await this.options.store.since(this.options.id, this.room.lastSeq()));
    }).then(() => this.catchUpFailures.succeeded(), (error: unknown) => {
      if (error instanceof RoomReplaced) return;
      this.options.metrics?.storeFailed('catch_up');
      this.catchUpFailures.failed(error);
    });
    return this.catchingUp;
  }

  /** Every update kept of other instances and not logged yet, each instance's in the order they came. */
  unstored(): Uint8Array[] {
    return this.elsewhere.updates();
  }

  /** Records what the updates kept while cold change (`apply` applies them to the new document). */
  recordKept(apply: (userId: string | null, updates: readonly Uint8Array[]) => Changes): void {
    this.elsewhere.record(apply);
  }

  /**
   * Hands the room, to store as its own, what instances applied and published before storing it, where
   * the instance has stopped (its mark on the bus lapsed) and the oldest of it waited `ms` or longer.
   */
  async adoptFromStopped(ms: number): Promise<void> {
    const bus = this.options.bus;
    if (!bus) return;
    for (const from of this.elsewhere.waitingLongerThan(ms, Date.now())) {
      if (await bus.alive(from) !== false) continue;
      // What it committed before it stopped is in the log: read, it is no longer kept here.
      await this.catchUp();
      // Kept bytes are recorded as the document is built.
      this.room.warm();
      const taken = this.elsewhere.take(from);
      if (taken.length === 0) continue;
      this.options.log.warn({ dataset: this.options.id, from, changes: taken.length }, 'storing what a stopped instance applied and had not stored');
      this.room.adopt(taken);
    }
  }

  /** Stops the timers: nothing more is applied (the room closes, and adopts what it must itself). */
  stop(): void {
    this.stopped = true;
    if (this.gapTimer) clearTimeout(this.gapTimer);
    if (this.pendingTimer) clearTimeout(this.pendingTimer);
    this.gapTimer = this.pendingTimer = null;
  }

  /** While updates of other instances wait for their commit: store those of instances that stopped. */
  private async checkPending(): Promise<void> {
    this.pendingTimer = null;
    if (this.stopped) return;
    await this.adoptFromStopped(PENDING_STALE_MS);
    if (this.elsewhere.size > 0 && !this.stopped) this.pendingTimer ??= setTimeout(() => void this.checkPending(), PENDING_CHECK_MS);
  }

  /** Applies the waiting bus messages that follow what the room has; a gap that stays is read from the log. */
  private applyAhead(): void {
    for (let next = this.ahead.get(this.room.lastSeq()); next; next = this.ahead.get(this.room.lastSeq())) {
      this.ahead.delete(this.room.lastSeq());
      this.logged({ snapshot: null, updates: next.updates.map((update) => ({ seq: next.seq, update })), lastSeq: next.seq });
    }
    for (const prevSeq of this.ahead.keys()) if (prevSeq < this.room.lastSeq()) this.ahead.delete(prevSeq);
    if (this.ahead.size === 0) {
      if (this.gapTimer) clearTimeout(this.gapTimer);
      this.gapTimer = null;
      return;
    }
    this.gapTimer ??= setTimeout(() => {
      this.gapTimer = null;
      void this.catchUp();
    }, GAP_WAIT_MS);
  }
}
