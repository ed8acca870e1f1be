/**
 * How instances that share one database tell each other what happened (docs/architecture.md#several-instances).
 * Every instance applies every update of the hot documents it holds, but each commits only its own
 * clients' updates, under the dataset's lock in the store, after reading what was logged before them.
 *
 * An update goes out twice. As soon as its instance applied it, as `pending`: the others apply it and
 * broadcast it to their clients, and keep it (with what it changed) until it is logged; should its
 * instance stop before storing it, they store it themselves (Yjs updates are idempotent). Then, committed, as `updates` with its place in the log (`prevSeq`, `seq`], so an instance
 * sees at once when it missed one and reads the log instead. A bus that loses messages (down,
 * restarted) therefore delays instances, and never makes them disagree.
 */

import type { RowDelta } from '../../model/codes';

/** What one instance tells the others about a room. */
export type RoomMessage =
  /** Updates logged with sequence numbers after `prevSeq` up to `seq`, in order. */
  | { kind: 'updates'; prevSeq: number; seq: number; updates: Uint8Array[] }
  /** Updates the sender applied for `userId` and has not stored yet; it logs them with these bytes. */
  | { kind: 'pending'; userId: string | null; updates: Uint8Array[] }
  /** A presence (awareness) update of clients connected to the sender. */
  | { kind: 'presence'; update: Uint8Array }
  /** The sender just joined the room: others answer with their clients' presence. */
  | { kind: 'hello' }
  /**
   * On a dataset's room in the `rows` layout: rows as the sender's row documents now hold them, for the grids
   * on this room (message 103). Only a view: the rows' own rooms carry their updates, stored first.
   */
  | { kind: 'rows'; rows: RowDelta[] };

/** What one instance tells the others about the whole server: access changed, a dataset was deleted. */
export type ClusterEvent =
  | { kind: 'recheck'; userId?: string; datasetId?: string }
  | { kind: 'revoke'; credential: string }
  /** A dataset was deleted, or (with `sheetId`) a sheet of it whose rows are documents of their own. */
  | { kind: 'drop'; datasetId: string; sheetId?: string }
  | { kind: 'source-deleted'; datasetId: string; sourceId: string }
  /** A dataset is being converted to the `rows` layout: its document's room is stored, closed and not opened until `converted`. */
  | { kind: 'converting'; datasetId: string }
  /** The conversion ended (done or not): the room opens again, in the layout the database says. */
  | { kind: 'converted'; datasetId: string };

export interface Bus {
  /** Calls `listener` with the room's messages from other instances (and the sender's id) until `leave`; resolves once subscribed. */
  join(room: string, listener: (message: RoomMessage, from: string) => void): Promise<void>;
  leave(room: string): void;
  /** Sends a message to the room's other instances; a bus that is down drops it (and says so in the log). */
  publish(room: string, message: RoomMessage): void;
  announce(event: ClusterEvent): void;
  onEvent(listener: (event: ClusterEvent) => void): void;
  /** Calls `listener` each time the bus is connected again after it was lost: messages may be missed meanwhile. */
  onReconnect(listener: () => void): void;
  /**
   * Whether the instance `instanceId` is running (it renews a mark on the bus every second, which lapses
   * a few seconds after it stops); null while the bus cannot tell (disconnected).
   */
  alive(instanceId: string): Promise<boolean | null>;
  /** False while the bus is disconnected. */
  readonly connected: boolean;
  close(): Promise<void>;
}
