/**
 * The open sockets, so that a change of who may do what reaches them at once: a user who may no
 * longer write stops being applied (and is told their new role), one who may no longer read is
 * closed with 4403, and a revoked token or session closes the sockets that signed in with it (4401).
 */
import { CloseCode, CloseReason } from '../../model/codes';
import type { Role } from '../../model/roles';
import type { Logger } from '../logger';
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

/**
 * What one recheck reads once for all the sockets it decides (a dataset, say): `load` runs for the
 * first caller of a key, and later ones share its answer.
 */
export type Once = <T>(key: string, load: () => Promise<T>) => Promise<T>;

/** The current role of a socket's user on its dataset: null if they may no longer see it, 'signed-out' if they may not sign in. */
export type Decide = (peer: LivePeer, once: Once) => Promise<Role | null | 'signed-out'>;

/** How often every open socket is checked against the database when nothing else asks (ACCESS_RECHECK_MS). */
export const RECHECK_EVERY_MS = 5000;

export interface LivePeersOptions {
  /** With other instances, every recheck and revocation is made on each of them too. */
  bus?: Pick<Bus, 'announce' | 'onEvent' | 'onReconnect'>;
  /** The period of the full recheck; 0 leaves it out. */
  recheckEveryMs?: number;
  log?: Pick<Logger, 'warn'>;
}

export class LivePeers {
  private readonly peers = new Set<LivePeer>();
  private readonly bus: LivePeersOptions['bus'];
  private readonly timer: NodeJS.Timeout | null = null;
  /** A periodic recheck still running: the next one is left out rather than pile up behind it. */
  private periodic: Promise<void> | null = null;
  /** Set while the periodic recheck fails (the database is down, say), so the log says it once. */
  private failing = false;

  /**
   * Besides the rechecks routes ask for, every open socket is checked against the database when the
   * bus comes back (what was announced meanwhile is lost to this instance) and every `recheckEveryMs`
   * (a session that expired, a lost announcement, a change made while a socket was being opened).
   */
  constructor(private readonly decide: Decide, private readonly options: LivePeersOptions = {}) {
    const { bus, recheckEveryMs = RECHECK_EVERY_MS } = options;
    this.bus = bus;
    bus?.onEvent((event) => {
      // One that fails (the database is away) is made by the periodic recheck instead.
      if (event.kind === 'recheck') {
        this.recheckHere({ userId: event.userId, datasetId: event.datasetId })
          .catch((error: unknown) => this.options.log?.warn({ err: error }, 'rechecking open sockets for another instance failed'));
      }
      else if (event.kind === 'revoke') this.revokeHere(event.credential);
    });
    bus?.onReconnect(() => void this.recheckAll());
    if (recheckEveryMs > 0) {
      this.timer = setInterval(() => {
        this.periodic ??= this.recheckAll().finally(() => { this.periodic = null; });
      }, recheckEveryMs).unref();
    }
  }

  /** Stops the periodic recheck (shutdown). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
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

  /** Re-decides every open socket of this instance; a failure is logged (once while it lasts), and closes nothing. */
  private async recheckAll(): Promise<void> {
    try {
      await this.recheckHere({});
      if (this.failing) this.options.log?.warn('rechecking open sockets works again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.options.log?.warn({ err: error }, 'rechecking open sockets failed; retrying');
      this.failing = true;
    }
  }

  private async recheckHere(which: { userId?: string | undefined; datasetId?: string | undefined }): Promise<void> {
    const read = new Map<string, Promise<unknown>>();
    const once: Once = <T>(key: string, load: () => Promise<T>) => {
      if (!read.has(key)) read.set(key, load());
      return read.get(key) as Promise<T>;
    };
    for (const peer of [...this.peers]) {
      if (which.userId !== undefined && peer.userId !== which.userId) continue;
      if (which.datasetId !== undefined && peer.datasetId !== which.datasetId) continue;
      // Sockets with the same credential on the same room get the same answer: it is asked once.
      const role = await once(`decision\n${peer.credential}\n${peer.room}`, () => this.decide(peer, once));
      // A socket that closed while its user was read is gone already.
      if (!this.peers.has(peer)) continue;
      if (role === 'signed-out') this.drop(peer, CloseCode.Unauthorized, 'Signed out');
      else if (role === null) this.drop(peer, CloseCode.Forbidden, CloseReason.NoAccess);
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
