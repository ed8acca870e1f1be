/**
 * Sends what a room applied to its peers. Updates applied in one event-loop turn go out at its end as one
 * merged message (with a hundred people typing, each client applies one update per window instead of one
 * per keystroke of everyone else), with the presence that changed meanwhile. A room with many peers
 * broadcasts at most once per `peers × 1000 / SOCKET_WRITES_PER_SECOND` ms, so the server's socket writes
 * per second stay bounded however many type at once.
 */
import * as Y from 'yjs';
import { updateMessage } from './protocol';

/**
 * A room broadcasts at most once per interval, what was applied meanwhile together (updates, then the
 * latest presence of every client whose presence changed); an edit after a quiet spell goes out at the end
 * of its turn. Each broadcast is a socket write per peer and an apply in every client, so the interval
 * grows with the peers: a room makes at most this many socket writes a second (40 peers: one broadcast
 * per 1.6 ms; 100: per 4 ms; 500: per 20 ms). With a hundred people typing, fewer and larger broadcasts
 * cost the server and every client far less than one per keystroke, for a few ms of latency.
 */
export const SOCKET_WRITES_PER_SECOND = 25_000;
/**
 * Updates of one window are merged into one message up to this many bytes in all; larger batches (a
 * paste of thousands of cells) go out one by one, as merging them costs more than it saves.
 */
export const MERGE_UP_TO_BYTES = 64 * 1024;

/** A peer as the broadcast sees it. */
export interface Receiver {
  send(message: Uint8Array): void;
}

export class Broadcast<P extends Receiver = Receiver> {
  /** Updates applied since the last broadcast, with whose they were. */
  private outgoing: Array<{ update: Uint8Array; origin: unknown }> = [];
  /** Cancels the scheduled broadcast, if one is scheduled. */
  private cancel: (() => void) | null = null;
  private lastAt = Number.NEGATIVE_INFINITY;

  /** `peers` are the room's peers now; `presence` is asked for what changed of it at each broadcast. */
  constructor(private readonly peers: () => ReadonlySet<P>, private readonly presence: () => Uint8Array | null) {}

  /** An update applied: sent with the next broadcast, to every peer but `origin` when it is alone in it. */
  push(update: Uint8Array, origin: unknown): void {
    this.outgoing.push({ update, origin });
    this.schedule();
  }

  /** Broadcasts at the end of this turn, or one interval after the last broadcast if that is later. */
  schedule(): void {
    if (this.cancel) return;
    const every = (this.peers().size * 1000) / SOCKET_WRITES_PER_SECOND;
    const wait = this.lastAt + every - performance.now();
    if (wait <= 0) {
      const immediate = setImmediate(() => this.send());
      this.cancel = () => clearImmediate(immediate);
    } else {
      const timeout = setTimeout(() => this.send(), wait);
      this.cancel = () => clearTimeout(timeout);
    }
  }

  /** Sends a message to every peer but `except`, now. */
  toAll(message: Uint8Array, except?: unknown): void {
    for (const peer of this.peers()) if (peer !== except) peer.send(message);
  }

  /** Drops what was not sent yet (the room is discarded or closed). */
  stop(): void {
    this.cancel?.();
    this.cancel = null;
    this.outgoing = [];
  }

  private send(): void {
    this.cancel = null;
    this.lastAt = performance.now();
    this.sendUpdates();
    const presence = this.presence();
    if (presence) this.toAll(presence);
  }

  /** A peer whose own update is in a mixed batch gets it back; Yjs skips what it has. */
  private sendUpdates(): void {
    const batch = this.outgoing;
    this.outgoing = [];
    if (batch.length === 0) return;
    let bytes = 0;
    for (const { update } of batch) bytes += update.byteLength;
    if (batch.length === 1 || bytes > MERGE_UP_TO_BYTES) {
      for (const { update, origin } of batch) this.toAll(updateMessage(update), origin);
      return;
    }
    const origins = new Set(batch.map((b) => b.origin));
    this.toAll(updateMessage(Y.mergeUpdates(batch.map((b) => b.update))), origins.size === 1 ? batch[0]!.origin : undefined);
  }
}
