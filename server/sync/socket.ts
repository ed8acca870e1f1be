/**
 * The sync endpoints (docs/sync.md#rooms):
 *
 * - `GET /ws/:room`: the y-websocket protocol, one room per socket; a dataset's room is its id;
 * - `GET /ws/:dataset/rows`: the rows socket, the rooms of many rows of one dataset over one socket, each
 *   message framed with its room (`model/row-frames.ts`), so that a tab editing rows one after another does
 *   not open a socket (and sign in again) per row.
 *
 * Both sign in once per socket; each room joined is a `RoomChannel` with a peer of its own in the room's
 * document, exactly as a socket of that room alone would be. Where a socket of one room is closed, the
 * rows socket closes that room alone, unless what closes it concerns the whole socket.
 */
import type { Context, Hono } from 'hono';
import type { UpgradeWebSocket, WSContext } from 'hono/ws';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { CloseCode, CloseReason } from '../../model/codes';
import { parseRoom } from '../../model/rooms';
import { readRowFrame, roomClosedMessage, rowFrame } from '../../model/row-frames';
import { canEdit, type Role } from '../../model/roles';
import { roleOn } from '../access';
import { signedIn } from '../auth/middleware';
import type { User } from '../auth/users';
import type { Services } from '../context';
import type { LivePeer } from './live-peers';
import { allowedOrigins, originAllowed } from './origin';
import { roleMessage } from './protocol';
import { DatasetConverting } from './registry';
import type { Peer, SharedDoc } from './shared-doc';
import { isStepOne, StepOneGuard } from './step-one-guard';

/**
 * What the server queues for one socket is bounded: once more than max(8 MiB, twice the document's
 * stored size) waits to be sent, nothing more is queued or made for it and the socket is closed with 1013.
 */
export const MIN_QUEUE_LIMIT_BYTES = 8 * 1024 * 1024;
const CUT_OFF_AFTER_MS = 1000;
/** Rooms one rows socket may hold open at once (a tab keeps a few dozen rows open). */
export const MAX_ROOMS_PER_SOCKET = 256;

/**
 * Closes a socket with 1013 (try again later), and cuts it off after a grace period: a peer that does
 * not read will not read the close frame either, and what is queued for it is held until it is gone.
 */
function tryAgainLater(socket: WebSocket, reason: string): void {
  socket.close(CloseCode.TryAgainLater, reason);
  setTimeout(() => socket.terminate(), CUT_OFF_AFTER_MS).unref();
}

/** Past this many bytes held back in one turn, a socket's frames are let out at once. */
const CORKED_MAX_BYTES = 64 * 1024;
const corked = new WeakSet<WebSocket>();

/**
 * Holds a socket's frames back until the end of this turn of the event loop, so that what one turn sends it
 * (the answers to a burst of a client's frames, a room's acknowledgement among many) leaves in one write to
 * the network, one system call, instead of one per frame: the rows socket carries many small frames. `ws`
 * keeps its TCP socket as `_socket`; without one, frames go out one by one as before.
 */
function corkForTurn(socket: WebSocket): void {
  const tcp = (socket as unknown as { _socket?: Socket })._socket;
  if (!tcp || corked.has(socket)) return;
  corked.add(socket);
  tcp.cork();
  setImmediate(() => uncork(socket, tcp));
}

function uncork(socket: WebSocket, tcp: Socket): void {
  if (!corked.delete(socket)) return;
  tcp.uncork();
}

/** Sends a frame on a socket, held back with the rest of this turn's (`corkForTurn`). */
function sendCorked(socket: WebSocket, data: Uint8Array, onSent?: (error?: Error) => void): void {
  corkForTurn(socket);
  socket.send(data, onSent);
  const tcp = (socket as unknown as { _socket?: Socket })._socket;
  if (tcp && tcp.writableLength > CORKED_MAX_BYTES) uncork(socket, tcp);
}

/** Closes a socket with `code`: with 1013, cut off after a grace period (`tryAgainLater`). */
function closeSocket(socket: WebSocket, code: number, reason: string): void {
  if (code === CloseCode.TryAgainLater) tryAgainLater(socket, reason);
  else socket.close(code, reason);
}

/**
 * Whether a close of one room of the rows socket closes that room alone (docs/sync.md#the-rows-socket):
 * a refused or unknown row, a message that cannot be applied, a row that could not be loaded. A signed-out
 * user (4401), a user who may no longer open the dataset, the server going away (1012, 1001) and the
 * socket's own limits (1013) close the whole socket.
 */
export function closesRoomOnly(code: number, reason: string): boolean {
  switch (code) {
    case CloseCode.BadMessage:
    case CloseCode.NotFound:
    case CloseCode.LoadFailed:
      return true;
    case CloseCode.Forbidden:
      return reason !== CloseReason.NoAccess && reason !== CloseReason.OriginNotAllowed;
    default:
      return false;
  }
}

/** Frames a room's messages on the socket that carries it (the rows socket prefixes its room). */
type Framing = (message: Uint8Array) => Uint8Array;
const unframed: Framing = (message) => message;

/** Closes a room on its socket: a socket of one room closes; the rows socket may close the room alone. */
type Closing = (code: number, reason: string) => void;

/**
 * A room's peer on a socket: sends go straight to the `ws` socket, skipping sockets that are closing. A
 * close goes to its `Closing`: on a socket of its own room it closes the socket.
 */
class SocketPeer implements Peer, LivePeer {
  readonly userId: string;
  readonly userName: string;
  /** The user's role on the dataset; `changeRole` follows changes (an archived dataset, a new membership). */
  role: Role;

  constructor(
    user: User, role: Role, readonly datasetId: string, readonly room: string, readonly credential: string,
    private readonly socket: WebSocket, private readonly doc: SharedDoc, readonly acks: boolean, private readonly frame: Framing,
    private readonly closing: Closing,
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
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    if (this.backlogged) return this.close(CloseCode.TryAgainLater, 'Not reading fast enough');
    const sent = onWritten && ((error?: Error) => { if (!error) onWritten(); });
    // A rows socket carries many rooms' small frames in one turn: they leave together. A room's own socket
    // sends a frame or two per change, at once (held to the end of the turn, a broadcast waited for nothing).
    if (this.frame === unframed) this.socket.send(this.frame(message), sent);
    else sendCorked(this.socket, this.frame(message), sent);
  }

  /** Set once closed: a room closed alone sends nothing more, though its socket stays open. */
  private closed = false;

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closing(code, reason);
  }
}

/** Who signed a socket in, once for all the rooms it opens; undefined when refused. */
type SignIn = Promise<{ user: User; credential: string } | undefined>;

/**
 * One room joined on a socket: opening it checks the user's access and loads the room's document;
 * messages that arrive meanwhile are handled after, in order, even when the client left meanwhile (what
 * it sent before leaving counts). A refusal of the room goes to its `Closing`; a refusal of the socket
 * (not signed in, no such dataset for this user) closes the socket.
 */
class RoomChannel {
  private peer: SocketPeer | null = null;
  private doc: SharedDoc | null = null;
  private early: Uint8Array[] | null = [];
  private gone = false;
  /** A step 1 counts as it arrives, even while the room is still opening: each may be answered with the whole document. */
  private readonly stepOnes = new StepOneGuard();

  constructor(
    private readonly services: Services, private readonly signIn: SignIn, private readonly name: string,
    private readonly acks: boolean, private readonly ws: WSContext<WebSocket>, private readonly frame: Framing,
    private readonly closing: Closing,
    /** The layout the client reads the room in, when it says (`layout=document`: a client of a dataset's whole document). */
    private readonly expects?: string,
  ) {}

  open(): void {
    this.join().then(() => {
      const waiting = this.early ?? [];
      this.early = null;
      // Sent before anything closed the socket (the client may be closing it by now).
      for (const data of waiting) if (this.peer && this.doc) this.doc.receive(this.peer, data);
      if (this.gone) this.leave();
    }, (error: unknown) => {
      this.services.log.error({ err: error }, 'opening a socket failed');
      this.ws.close(CloseCode.LoadFailed, 'Could not load the dataset');
    });
  }

  /** A message of the client for this room. */
  receive(data: Uint8Array): void {
    if (isStepOne(data) && !this.stepOnes.admit()) {
      this.services.log.info({ room: this.name }, 'closing socket: too many sync step 1 messages');
      return tryAgainLater(this.ws.raw!, 'Too many sync requests');
    }
    if (this.early) this.early.push(data);
    else this.deliver(data);
  }

  /** The client left the room (or closed its socket); still opening, it leaves once what it sent meanwhile is handled. */
  close(): void {
    this.gone = true;
    if (this.early === null) this.leave();
  }

  private deliver(data: Uint8Array): void {
    // Once the server is closing a socket, what it still sends is not listened to.
    if (!this.peer || !this.doc || this.ws.readyState !== 1) return;
    this.doc.receive(this.peer, data);
  }

  private async join(): Promise<void> {
    const { storage, registry, peers, rounds, log } = this.services;
    const { ws } = this;
    const signedIn = await this.signIn;
    if (!signedIn) return ws.close(CloseCode.Unauthorized, 'Unauthorized');
    const { user, credential } = signedIn;
    const room = parseRoom(this.name);
    const dataset = room ? await storage.datasets.get(room.datasetId) : undefined;
    let role = dataset ? await roleOn(storage.datasets, user, dataset) : null;
    // Clients name a dataset or a round, never a coder's copy: the server picks the copy.
    if (!room || !dataset || !role || room.coder !== undefined) return ws.close(CloseCode.NotFound, 'Unknown dataset');
    // A row's own room exists in a dataset whose rows are documents of their own, for a sheet it has.
    if (room.row && (dataset.layout !== 'rows' || !await storage.datasets.sheetColumns(dataset.id, room.row.sheetId))) {
      return this.closing(CloseCode.NotFound, 'Unknown row');
    }
    let docRoom = room.name;
    if (room.round !== undefined) {
      // A round's room opens the coder's own copy; to anyone else the round does not exist.
      const copy = await rounds.copyFor(dataset, room.round, user);
      if (!copy) return this.closing(CloseCode.NotFound, 'Unknown round');
      docRoom = copy.room;
      role = copy.role;
    }
    // A client of a dataset's whole document (it says so) finds the dataset converted to rows by page.
    if (this.expects === 'document' && dataset.layout === 'rows' && docRoom === dataset.id) return this.closing(CloseCode.Converted, 'Dataset converted');
    let doc: SharedDoc;
    try {
      doc = await registry.get(docRoom);
    } catch (error) {
      if (error instanceof DatasetConverting) return this.closing(CloseCode.TryAgainLater, 'Dataset being converted');
      log.error({ room: docRoom, err: error }, 'loading the document failed');
      return this.closing(CloseCode.LoadFailed, 'Could not load the dataset');
    }
    this.doc = doc;
    this.peer = new SocketPeer(user, role, room.datasetId, room.name, credential, ws.raw!, doc, this.acks, this.frame, this.closing);
    peers.add(this.peer);
    doc.addPeer(this.peer);
  }

  private leave(): void {
    const { peer, doc } = this;
    if (!peer || !doc) return;
    doc.removePeer(peer);
    this.services.peers.remove(peer);
    this.services.registry.release(doc.id);
    this.peer = null;
  }
}

export function mountSocket(app: Hono<any>, upgradeWebSocket: UpgradeWebSocket<WebSocket>, services: Services): void {
  const allowed = allowedOrigins();

  /** Signs a socket in from its upgrade request; the upgrade is always accepted, refusals are close codes (a browser sees those, not a 1006). */
  function signInOf(c: Context): { sameSite: boolean; signIn: SignIn } {
    const sameSite = originAllowed(c.req.header('origin'), c.req.header('host'), allowed);
    const signIn: SignIn = signedIn(services.storage.users, c, true);
    signIn.catch(() => undefined); // awaited on open; a socket refused before that never asks
    return { sameSite, signIn };
  }

  /** A frame's bytes, or null after closing the socket for a text frame. */
  function bytesOf(event: MessageEvent, ws: WSContext<WebSocket>): Uint8Array | null {
    if (typeof event.data !== 'string') return new Uint8Array(event.data as ArrayBuffer);
    ws.close(CloseCode.BadMessage, 'Bad message');
    return null;
  }

  // Before `/ws/:room`: `DATASET/rows` is no room of its own.
  app.get('/ws/:dataset/rows', upgradeWebSocket((c) => {
    const { sameSite, signIn } = signInOf(c);
    const datasetId = c.req.param('dataset') ?? '';
    const channels = new Map<string, RoomChannel>();
    let open = false;
    /** Joins a room; a close of the room alone leaves it and tells the client, the socket staying open. */
    const openRoom = (name: string, ws: WSContext<WebSocket>): RoomChannel => {
      const closing: Closing = (code, reason) => {
        if (!closesRoomOnly(code, reason)) return closeSocket(ws.raw!, code, reason);
        if (channels.get(name) !== channel) return;
        channels.delete(name);
        channel.close();
        if (ws.readyState === 1) sendCorked(ws.raw!, rowFrame(name, roomClosedMessage(code, reason)));
      };
      const channel = new RoomChannel(services, signIn, name, true, ws, (message) => rowFrame(name, message), closing);
      channels.set(name, channel);
      channel.open();
      return channel;
    };
    return {
      onOpen(_event, ws) {
        if (!sameSite) return ws.close(CloseCode.Forbidden, CloseReason.OriginNotAllowed);
        open = true;
      },
      onMessage(event, ws) {
        // What arrives after the server closed the socket is not listened to.
        if (!open || ws.readyState !== 1) return;
        const data = bytesOf(event, ws);
        if (!data) return;
        const frame = readRowFrame(data);
        const room = frame && parseRoom(frame.room);
        // Only rows of the socket's dataset travel on it.
        if (!frame || !room?.row || room.datasetId !== datasetId) return ws.close(CloseCode.BadMessage, 'Bad message');
        let channel = channels.get(frame.room);
        if (frame.message.byteLength === 0) {
          channel?.close();
          channels.delete(frame.room);
          return;
        }
        if (!channel) {
          // A room is joined with a sync step 1; anything else for a room not open was sent before the
          // client heard that the server closed it (or after it left), and is not listened to.
          if (!isStepOne(frame.message)) return;
          if (channels.size >= MAX_ROOMS_PER_SOCKET) return tryAgainLater(ws.raw!, 'Too many rooms open');
          channel = openRoom(frame.room, ws);
        }
        channel.receive(frame.message);
      },
      onClose() {
        for (const channel of channels.values()) channel.close();
        channels.clear();
      },
    };
  }));

  app.get('/ws/:room{.+}', upgradeWebSocket((c) => {
    const { sameSite, signIn } = signInOf(c);
    const acks = c.req.query('acks') === '1';
    const expects = c.req.query('layout');
    let channel: RoomChannel | null = null;
    return {
      onOpen(_event, ws) {
        if (!sameSite) return ws.close(CloseCode.Forbidden, CloseReason.OriginNotAllowed);
        channel = new RoomChannel(services, signIn, c.req.param('room') ?? '', acks, ws, unframed, (code, reason) => closeSocket(ws.raw!, code, reason), expects);
        channel.open();
      },
      onMessage(event, ws) {
        if (!channel || ws.readyState !== 1) return;
        const data = bytesOf(event, ws);
        if (data) channel.receive(data);
      },
      onClose() {
        channel?.close();
      },
    };
  }));
}
