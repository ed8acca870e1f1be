/**
 * A room's way to the store. What is applied waits a short window and goes in one write; one write is in
 * flight at a time, and flushes asked for meanwhile are one more write, after it, of all that arrived.
 * While the store fails the room keeps its changes (a write that throws stored nothing), writing waits
 * for the backed-off retry (`StoreRetry`) and the peers that asked for acks are told once; when it works
 * again they all learn what is stored. A peer that sent updates is told, after the write that covers
 * them, what the store holds. The room's other store work (compaction, catching up) queues with the
 * writes: one at a time, in order.
 */
import type { Logger } from '../logger';
import type { SyncCounters } from '../metrics';
import { storeFailingMessage, storedMessage } from './protocol';
import { StoreRetry } from './store-retry';

/**
 * Applied updates are stored this long after the first of them, together: one store transaction per
 * window instead of one per event-loop turn (at 500 edits/s, most turns hold one edit). Well inside the
 * 100 ms within which every update is stored; a peer is acked only after its update is.
 */
export const FLUSH_DELAY_MS = 20;

/** A peer as the pipeline sees it: told what is stored, and when storing fails, if it asked (`acks=1`). */
export interface AckPeer {
  readonly acks: boolean;
  send(message: Uint8Array): void;
}

/** What one write did; `stored` is the state vector of what the store now holds. */
export type Written =
  /** Nothing was pending: everything applied was stored by the writes before. */
  | { wrote: false; stored: Uint8Array }
  /** What was pending is committed; `after` runs once the peers are told (a compaction, say). */
  | { wrote: true; stored: Uint8Array; after?: () => Promise<void> };

export interface CommitPipelineOptions<P extends AckPeer> {
  log: Logger;
  /** The room, for the log. */
  room: string;
  /** Writes everything pending in one store transaction; throws when nothing of it was stored. */
  write: () => Promise<Written>;
  /** The room's peers now: a peer that left is told nothing. */
  peers: () => ReadonlySet<P>;
  /** Told when storing starts failing (`false`) and when it works again (`true`). */
  onHealth?: (ok: boolean) => void;
  metrics?: SyncCounters;
}

export class CommitPipeline<P extends AckPeer> {
  private timer: NodeJS.Timeout | null = null;
  /** A flush queued behind the one in flight: later flushes join it, so what arrives meanwhile is one batch. */
  private next: Promise<void> | null = null;
  private queue: Promise<void> = Promise.resolve();
  /** Peers that sent updates since the last write: told what is stored after the next one. */
  private readonly awaiting = new Set<P>();
  private readonly retry: StoreRetry;
  private ended = false;

  constructor(private readonly options: CommitPipelineOptions<P>) {
    this.retry = new StoreRetry({ log: options.log, room: options.room, retry: () => void this.flush(), onHealth: options.onHealth });
  }

  /** True while applied changes are not stored because the store fails. */
  get failing(): boolean {
    return this.retry.failing;
  }

  /** True once stopped: nothing more is written. */
  get stopped(): boolean {
    return this.ended;
  }

  /** Opens the window unless one is open: a flush at its end. */
  schedule(): void {
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /** `peer` sent an update (even one that changed nothing): it learns what is stored after the next write. */
  awaitAck(peer: P): void {
    this.awaiting.add(peer);
    this.schedule();
  }

  forget(peer: P): void {
    this.awaiting.delete(peer);
  }

  /**
   * Writes everything pending now (after the write in flight), then tells the peers that asked what is
   * stored. While the store fails, writing waits for the retry. Resolves once written or failed.
   */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.next) return this.next;
    const next = this.enqueue(async () => {
      if (this.next === next) this.next = null;
      await this.write();
    });
    this.next = next;
    return next;
  }

  /** Runs store work after the work queued before it; a failure is the caller's, the queue goes on. */
  enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Drops a scheduled retry: the next flush tries at once (the room's last attempt as it closes). */
  retryNow(): void {
    this.retry.cancel();
  }

  /** Stops for good (the room was deleted): nothing more is written; resolves once the write in flight ended. */
  stop(): Promise<void> {
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.retry.cancel();
    this.awaiting.clear();
    return this.queue;
  }

  private async write(): Promise<void> {
    if (this.ended || this.retry.waiting) return;
    const acking = [...this.awaiting];
    this.awaiting.clear();
    let written: Written;
    try {
      written = await this.options.write();
    } catch (error) {
      if (!this.ended) this.failed(error);
      return;
    }
    // Everyone who was told of a failure learns that it is over.
    const recovered = written.wrote && this.retry.succeeded();
    this.sendAcks(recovered ? [...this.options.peers()].filter((peer) => peer.acks) : acking, written.stored);
    if (written.wrote) await written.after?.();
  }

  /** Tells the peers that asked, once, and schedules the retry; those waiting for acks get them when it works. */
  private failed(error: unknown): void {
    this.options.metrics?.storeFailed('commit');
    if (this.retry.failed(error)) {
      const message = storeFailingMessage();
      for (const peer of this.options.peers()) if (peer.acks) peer.send(message);
    }
  }

  private sendAcks(peers: P[], stored: Uint8Array): void {
    if (peers.length === 0) return;
    const message = storedMessage(stored);
    const present = this.options.peers();
    for (const peer of peers) if (present.has(peer)) peer.send(message);
  }
}
