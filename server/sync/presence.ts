/**
 * A room's presence (y-protocols awareness): who is here and where their cursor is. It lives beside the
 * document, so a cold document has it too. The server vouches for each state: it carries the signed-in
 * user's name and id, oversized ones are dropped, and a peer sets only the client ids it controls (the
 * first peer to set one controls it until it leaves; another socket of the same user may take it over, as
 * a tab that reconnects keeps its client id while its old socket may not be known dead yet).
 *
 * Changes are collected and sent with the room's next broadcast (`takeChanged`): a hundred heartbeats in
 * one window make one message per peer. Changes made by this instance's peers go to the other instances
 * too; what came from them is only passed on here.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Bus } from './bus';
import { stampIdentity } from './presence-identity';
import { awarenessMessage, BadMessageError, decodeAwarenessUpdate, encodeAwarenessUpdate, type AwarenessEntry } from './protocol';

/** Presence client ids one socket may control (a tab uses one). */
const MAX_PRESENCE_IDS_PER_PEER = 8;

/** Who a presence state is from, as the socket signed in. */
export interface PresencePeer {
  readonly userId: string | null;
  readonly userName: string;
}

/** The origin of presence applied from another instance. */
const ELSEWHERE = Symbol('elsewhere');

export class Presence<P extends PresencePeer = PresencePeer> {
  // A guid given: Yjs would draw a random one (31 draws from the system's random source), per document loaded.
  private readonly awareness = new awarenessProtocol.Awareness(new Y.Doc({ guid: 'presence' }));
  /** Each peer with the client ids it controls. */
  private readonly controlled = new Map<P, Set<number>>();
  /** Which peer controls each client id. */
  private readonly owners = new Map<number, P>();
  /** Client ids changed since the last broadcast: their latest states go out with it. */
  private readonly changed = new Set<number>();
  /** Client ids changed by this instance's peers since the last broadcast: published with it. */
  private readonly toPublish = new Set<number>();

  /** `onChange` asks for a broadcast (it calls `takeChanged`). */
  constructor(private readonly room: string, private readonly onChange: () => void, private readonly bus?: Pick<Bus, 'publish'>) {
    this.awareness.setLocalState(null);
    this.awareness.on('update', this.onAwareness);
  }

  /** A peer joined: the message of everyone's presence for it, if anyone is here. */
  join(peer: P): Uint8Array | null {
    this.controlled.set(peer, new Set());
    return this.awareness.getStates().size > 0 ? this.everyone() : null;
  }

  /** A peer left: the presence it controlled goes. */
  leave(peer: P): void {
    const controlled = this.controlled.get(peer);
    if (!controlled) return;
    this.controlled.delete(peer);
    if (controlled.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...controlled], null);
  }

  /** The message of everyone's presence (the answer to a peer's query). */
  everyone(): Uint8Array {
    return awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]));
  }

  /** Applies a peer's awareness update as the server vouches for it; a malformed one throws `BadMessageError`. */
  apply(peer: P, update: Uint8Array): void {
    const controlled = this.controlled.get(peer);
    if (!controlled) return;
    const accepted: AwarenessEntry[] = [];
    for (const entry of decodeAwarenessUpdate(update)) {
      const owner = this.owners.get(entry.clientId);
      if (owner !== peer) {
        if (owner && owner.userId !== peer.userId) continue;
        if (entry.clientId === this.awareness.clientID || entry.state === 'null') continue;
        if (controlled.size >= MAX_PRESENCE_IDS_PER_PEER) continue;
      }
      let state: string | null;
      try {
        state = stampIdentity(entry.state, { id: peer.userId ?? '', name: peer.userName });
      } catch (error) {
        throw new BadMessageError(`bad awareness state: ${(error as Error).message}`);
      }
      if (state !== null) accepted.push({ ...entry, state });
    }
    if (accepted.length === 0) return;
    try {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessUpdate(accepted), peer);
    } catch (error) {
      throw new BadMessageError(`bad awareness update: ${(error as Error).message}`);
    }
  }

  /** Presence another instance published (its peers' states, already vouched for there). */
  fromElsewhere(update: Uint8Array): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, ELSEWHERE);
  }

  /** Another instance joined the room: it is told the presence of this instance's peers. */
  greet(): void {
    const ours = [...this.owners.keys()].filter((id) => this.awareness.getStates().has(id));
    if (ours.length > 0) this.bus?.publish(this.room, { kind: 'presence', update: awarenessProtocol.encodeAwarenessUpdate(this.awareness, ours) });
  }

  /**
   * The message of what changed since the last call, or null; publishes this instance's part to the
   * others. It goes to every peer, the sender too: the stock client drops a connection that hears nothing
   * for 30 s, and a coder alone in a room hears nothing else (its heartbeat comes back every 15 s).
   */
  takeChanged(): Uint8Array | null {
    if (this.changed.size === 0) return null;
    const changed = [...this.changed];
    this.changed.clear();
    if (this.toPublish.size > 0) {
      const ours = [...this.toPublish];
      this.toPublish.clear();
      this.bus?.publish(this.room, { kind: 'presence', update: awarenessProtocol.encodeAwarenessUpdate(this.awareness, ours) });
    }
    return awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
  }

  destroy(): void {
    this.awareness.destroy();
  }

  private readonly onAwareness = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ) => {
    const peer = origin as P;
    const controlled = this.controlled.get(peer);
    if (controlled) {
      for (const id of [...added, ...updated]) {
        const previous = this.owners.get(id);
        if (previous && previous !== peer) this.controlled.get(previous)?.delete(id);
        controlled.add(id);
        this.owners.set(id, peer);
      }
    }
    // Removed by its peer, by that peer leaving, or timed out: the id is free again.
    for (const id of removed) {
      const owner = this.owners.get(id);
      if (owner) this.controlled.get(owner)?.delete(id);
      this.owners.delete(id);
    }
    for (const id of [...added, ...updated, ...removed]) {
      this.changed.add(id);
      if (origin !== ELSEWHERE && this.bus) this.toPublish.add(id);
    }
    this.onChange();
  };
}
