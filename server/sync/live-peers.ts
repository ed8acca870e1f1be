/**
 * The open sockets, so that a change of who may do what reaches them at once: a user who may no
 * longer write stops being applied (and is told their new role), one who may no longer read is
 * closed with 4403, and a revoked token or session closes the sockets that signed in with it (4401).
 */
import { CloseCode } from '../../model/codes';
import type { Role } from '../../model/roles';
import type { Bus } from './bus';

export interface LivePeer {
  readonly userId: string;
  readonly datasetId: string;
  /** The room the client connected to: the dataset's id, or a round's room (`model/rooms.ts`). */
  readonly room: string;
  /** What the socket signed in with: a token's or a session's hash. */
  readonly credential: string;
  readonly role: Role;
  /** Takes a new role: its writes are applied only while the role may edit. */
  changeRole(role: Role): void;
  close(code: number, reason: string): void;
}

/** The current role of a socket's user on its dataset: null if they may no longer see it, 'signed-out' if they may not sign in. */
export type Decide = (peer: LivePeer) => Promise<Role | null | 'signed-out'>;

export class LivePeers {
  private readonly peers = new Set<LivePeer>();

  /** With other instances (`bus`), every recheck and revocation is made on each of them too. */
  constructor(private readonly decide: Decide, private readonly bus?: Pick<Bus, 'announce' | 'onEvent'>) {
    bus?.onEvent((event) => {
      if (event.kind === 'recheck') void this.recheckHere({ userId: event.userId, datasetId: event.datasetId });
      else if (event.kind === 'revoke') this.revokeHere(event.credential);
    });
  }

  add(peer: LivePeer): void {
    this.peers.add(peer);
  }

  remove(peer: LivePeer): void {
    this.peers.delete(peer);
  }

  /**
   * Re-decides every open socket of a user, or of a dataset (all of them without a filter). Resolves
   * once each is decided: a route that changed access awaits it before it answers.
   */
  async recheck(which: { userId?: string; datasetId?: string } = {}): Promise<void> {
    this.bus?.announce({ kind: 'recheck', ...which });
    await this.recheckHere(which);
  }

  private async recheckHere(which: { userId?: string | undefined; datasetId?: string | undefined }): Promise<void> {
    for (const peer of [...this.peers]) {
      if (which.userId !== undefined && peer.userId !== which.userId) continue;
      if (which.datasetId !== undefined && peer.datasetId !== which.datasetId) continue;
      const role = await this.decide(peer);
      // A socket that closed while its user was read is gone already.
      if (!this.peers.has(peer)) continue;
      if (role === 'signed-out') this.drop(peer, CloseCode.Unauthorized, 'Signed out');
      else if (role === null) this.drop(peer, CloseCode.Forbidden, 'No access to this dataset');
      else if (role !== peer.role) peer.changeRole(role);
    }
  }

  /** Closes the sockets that signed in with a credential that no longer works. */
  revoke(credential: string): void {
    this.bus?.announce({ kind: 'revoke', credential });
    this.revokeHere(credential);
  }

  private revokeHere(credential: string): void {
    for (const peer of [...this.peers]) if (peer.credential === credential) this.drop(peer, CloseCode.Unauthorized, 'Signed out');
  }

  private drop(peer: LivePeer, code: number, reason: string): void {
    this.peers.delete(peer);
    peer.close(code, reason);
  }
}
