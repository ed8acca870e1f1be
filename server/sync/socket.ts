/** GET /ws/:room — the y-websocket endpoint; a dataset's room is its id (docs/sync.md#rooms). */
import type { Hono } from 'hono';
import type { UpgradeWebSocket, WSContext } from 'hono/ws';
import type { WebSocket } from 'ws';
import { CloseCode, CloseReason } from '../../model/codes';
import { parseRoom } from '../../model/rooms';
import { canEdit, type Role } from '../../model/roles';
import { roleOn } from '../access';
import { signedIn } from '../auth/middleware';
import type { User } from '../auth/users';
import type { Services } from '../context';
import type { LivePeer } from './live-peers';
import { allowedOrigins, originAllowed } from './origin';
import { roleMessage } from './protocol';
import type { Peer, SharedDoc } from './shared-doc';
import { isStepOne, StepOneGuard } from './step-one-guard';

/**
 * What the server queues for one socket is bounded: once more than max(8 MiB, twice the document's
 * stored size) waits to be sent, nothing more is queued or made for it and the socket is closed with 1013.
 */
export const MIN_QUEUE_LIMIT_BYTES = 8 * 1024 * 1024;
const CUT_OFF_AFTER_MS = 1000;

/**
 * Closes a socket with 1013 (try again later), and cuts it off after a grace period: a peer that does
 * not read will not read the close frame either, and what is queued for it is held until it is gone.
 */
function tryAgainLater(socket: WebSocket, reason: string): void {
  socket.close(CloseCode.TryAgainLater, reason);
  setTimeout(() => socket.terminate(), CUT_OFF_AFTER_MS).unref();
}

/** A socket's peer: sends go straight to the `ws` socket, skipping sockets that are closing. */
class SocketPeer implements Peer, LivePeer {
  readonly userId: string;
  readonly userName: string;
  /** The user's role on the dataset; `changeRole` follows changes (an archived dataset, a new membership). */
  role: Role;

  constructor(
    user: User, role: Role, readonly datasetId: string, readonly room: string, readonly credential: string,
    private readonly socket: WebSocket, private readonly doc: SharedDoc, readonly acks: boolean,
  ) {
    this.userId = user.id;
    this.userName = user.name;
    this.role = role;
  }

  get readOnly(): boolean {
    return !canEdit(this.role);
  }

  /** From now on its writes are applied only if the role may edit; our client is told, to turn its grid read-only. */
  changeRole(role: Role): void {
    this.role = role;
    if (this.acks) this.send(roleMessage(role));
  }

  /** One message always fits (a new client's first answer is the whole document); a queue already past the limit means the peer is not reading. */
  get backlogged(): boolean {
    return this.socket.bufferedAmount > Math.max(MIN_QUEUE_LIMIT_BYTES, 2 * this.doc.sizeBytes);
  }

  send(message: Uint8Array, onWritten?: () => void): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.backlogged) return this.close(CloseCode.TryAgainLater, 'Not reading fast enough');
    this.socket.send(message, onWritten && ((error) => { if (!error) onWritten(); }));
  }

  close(code: number, reason: string): void {
    if (code === CloseCode.TryAgainLater) tryAgainLater(this.socket, reason);
    else this.socket.close(code, reason);
  }
}

export function mountSocket(app: Hono<any>, upgradeWebSocket: UpgradeWebSocket<WebSocket>, { storage, registry, peers, rounds, log }: Services): void {
  const allowed = allowedOrigins();
  app.get('/ws/:room{.+}', upgradeWebSocket((c) => {
    // The upgrade is always accepted; refusals are close codes, which a browser can see (1006 otherwise).
    const sameSite = originAllowed(c.req.header('origin'), c.req.header('host'), allowed);
    const auth = signedIn(storage.users, c, true);
    auth.catch(() => undefined); // awaited on open; a socket refused before that never asks
    const room = parseRoom(c.req.param('room') ?? '');
    const acks = c.req.query('acks') === '1';
    let peer: SocketPeer | null = null;
    let doc: SharedDoc | null = null;
    /**
     * Messages that arrive while the socket is being opened (the store is read): handled after, in
     * order, even when the client closed the socket meanwhile (what it sent before closing counts).
     */
    let early: Uint8Array[] | null = [];
    let gone = false;
    const stepOnes = new StepOneGuard();

    /** Signs the socket in and joins it to its document; a refusal is a close code. */
    async function open(ws: WSContext<WebSocket>): Promise<void> {
      if (!sameSite) return ws.close(CloseCode.Forbidden, CloseReason.OriginNotAllowed);
      const user = (await auth)?.user;
      if (!user) return ws.close(CloseCode.Unauthorized, 'Unauthorized');
      const dataset = room ? await storage.datasets.get(room.datasetId) : undefined;
      let role = dataset ? await roleOn(storage.datasets, user, dataset) : null;
      // Clients name a dataset or a round, never a coder's copy: the server picks the copy.
      if (!room || !dataset || !role || room.coder !== undefined) return ws.close(CloseCode.NotFound, 'Unknown dataset');
      // A row's own room exists in a dataset whose rows are documents of their own, for a sheet it has.
      if (room.row && (dataset.layout !== 'rows' || !await storage.datasets.sheetColumns(dataset.id, room.row.sheetId))) {
        return ws.close(CloseCode.NotFound, 'Unknown row');
      }
      let docRoom = room.name;
      if (room.round !== undefined) {
        // A round's room opens the coder's own copy; to anyone else the round does not exist.
        const copy = await rounds.copyFor(dataset, room.round, user);
        if (!copy) return ws.close(CloseCode.NotFound, 'Unknown round');
        docRoom = copy.room;
        role = copy.role;
      }
      let loaded: SharedDoc;
      try {
        loaded = await registry.get(docRoom);
      } catch (error) {
        log.error({ room: docRoom, err: error }, 'loading the document failed');
        return ws.close(CloseCode.LoadFailed, 'Could not load the dataset');
      }
      doc = loaded;
      peer = new SocketPeer(user, role, room.datasetId, room.name, (await auth)!.credential, ws.raw!, doc, acks);
      peers.add(peer);
      doc.addPeer(peer);
    }

    function receive(ws: WSContext<WebSocket>, data: Uint8Array): void {
      // Once the server is closing a socket, what it still sends is not listened to.
      if (!peer || !doc || ws.readyState !== 1) return;
      doc.receive(peer, data);
    }

    function leave(): void {
      if (!peer || !doc) return;
      doc.removePeer(peer);
      peers.remove(peer);
      registry.release(doc.id);
      peer = null;
    }

    return {
      onOpen(_event, ws: WSContext<WebSocket>) {
        open(ws).then(() => {
          const waiting = early ?? [];
          early = null;
          // Sent before anything closed the socket (the client may be closing it by now).
          for (const data of waiting) if (peer && doc) doc.receive(peer, data);
          if (gone) leave();
        }, (error: unknown) => {
          log.error({ err: error }, 'opening a socket failed');
          ws.close(CloseCode.LoadFailed, 'Could not load the dataset');
        });
      },
      onMessage(event, ws) {
        // What arrives after the server closed the socket is not listened to.
        if (ws.readyState !== 1) return;
        if (typeof event.data === 'string') return ws.close(CloseCode.BadMessage, 'Bad message');
        const data = new Uint8Array(event.data as ArrayBuffer);
        // A step 1 counts as it arrives, even while the socket is still opening: each may be answered
        // with the whole document, so a socket may not ask faster than the step-1 rate.
        if (isStepOne(data) && !stepOnes.admit()) {
          log.info({ room: room?.name }, 'closing socket: too many sync step 1 messages');
          return tryAgainLater(ws.raw!, 'Too many sync requests');
        }
        if (early) early.push(data);
        else receive(ws, data);
      },
      onClose() {
        gone = true;
        // Still opening: it leaves once what it sent meanwhile is handled.
        if (early === null) leave();
      },
    };
  }));
}

