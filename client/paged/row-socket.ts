/**
 * One WebSocket for the rooms of all the rows a tab edits in a dataset (`/ws/DATASET/rows`, docs/sync.md#the-rows-socket):
 * opening a row is one frame, not a socket of its own that signs in again, so a paste or an undo across
 * hundreds of rows is not held up by connections. Each room speaks the y-websocket protocol inside its
 * frames (`model/row-frames.ts`), as a socket of that room alone would, with the server's stored
 * acknowledgements. The socket reconnects on its own, and every open room syncs again when it does. The
 * server may close one room alone (docs/sync.md#the-rows-socket): a room closed for good (its row is gone,
 * refused, or what was sent for it cannot be applied) is dropped and its handlers told; any other is
 * joined again after a wait.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { StoreMessage } from '../../model/codes';
import { closedForGood, readRoomClosed, readRowFrame, rowFrame } from '../../model/row-frames';

/** What a room tells the one who joined it. */
export interface RoomHandlers {
  /** The room synced with the server (after each connection). */
  synced(): void;
  /** The state vector the server has stored (message 100). */
  stored(stateVector: Map<number, number>): void;
  /** The server cannot store right now (message 101). */
  storeFailing(): void;
  /** The server closed the room for good (`closedForGood`): it is left, and nothing more is sent for it. */
  closed(code: number, reason: string): void;
}

const MESSAGE_SYNC = 0;
/** WebSocket's readyState once open. */
const OPEN = 1;
/** Waits before reconnecting: doubling from the first, up to the last. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2500;
const retryWait = (retries: number) => Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** retries);

class RoomChannel {
  synced = false;
  /** Set while the server has the room closed (not for good): nothing is sent for it until it is joined again. */
  private waiting: ReturnType<typeof setTimeout> | null = null;
  private retries = 0;

  constructor(readonly room: string, readonly doc: Y.Doc, readonly handlers: RoomHandlers, private readonly socket: RowSocket) {
    doc.on('update', this.onUpdate);
  }

  /** Asks the server for what this room lacks (and, in its answer, to be asked for what the server lacks). */
  start(): void {
    this.stopWaiting();
    this.synced = false;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    this.socket.send(this.room, encoding.toUint8Array(encoder));
  }

  receive(message: Uint8Array): void {
    const closed = readRoomClosed(message);
    if (closed) return this.closedByServer(closed.code, closed.reason);
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MESSAGE_SYNC: {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MESSAGE_SYNC);
        const step = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
        if (encoding.length(encoder) > 1) this.socket.send(this.room, encoding.toUint8Array(encoder));
        if (step === syncProtocol.messageYjsSyncStep2 && !this.synced) {
          this.synced = true;
          this.retries = 0;
          this.handlers.synced();
        }
        return;
      }
      case StoreMessage.Stored:
        return this.handlers.stored(Y.decodeStateVector(decoding.readVarUint8Array(decoder)));
      case StoreMessage.StoreFailing:
        return this.handlers.storeFailing();
      default:
        // Presence and roles travel on the dataset's own socket; nothing else is ours to read here.
        return;
    }
  }

  /** Leaves the room: the server lets go of this tab's peer in it. */
  leave(): void {
    this.stopWaiting();
    this.doc.off('update', this.onUpdate);
    this.socket.leave(this);
  }

  /** The server closed this room alone: dropped for good, or joined again after a wait. */
  private closedByServer(code: number, reason: string): void {
    this.synced = false;
    if (closedForGood(code)) {
      this.stopWaiting();
      this.doc.off('update', this.onUpdate);
      this.socket.forget(this);
      return this.handlers.closed(code, reason);
    }
    const wait = retryWait(this.retries);
    this.retries += 1;
    this.stopWaiting();
    this.waiting = setTimeout(() => {
      this.waiting = null;
      if (this.socket.connected) this.start();
    }, wait);
  }

  private stopWaiting(): void {
    if (this.waiting) clearTimeout(this.waiting);
    this.waiting = null;
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    // While the room is closed, what changes is sent when it syncs again.
    if (origin === this || this.waiting) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    this.socket.send(this.room, encoding.toUint8Array(encoder));
  };
}

export type RowRoom = Pick<RoomChannel, 'leave' | 'synced'>;

export class RowSocket {
  private ws: WebSocket | null = null;
  private readonly rooms = new Map<string, RoomChannel>();
  private wanted = false;
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  /** `Socket`: the WebSocket class (another than the browser's in Node). */
  constructor(private readonly url: string, private readonly Socket: typeof WebSocket = WebSocket) {}

  /** The rows socket of a dataset, on this page's server. */
  static forDataset(datasetId: string): RowSocket {
    const wsProto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return new RowSocket(`${wsProto}//${location.host}/ws/${encodeURIComponent(datasetId)}/rows`);
  }

  get connected(): boolean {
    return this.ws?.readyState === OPEN;
  }

  /** Joins a row's room with its document; it syncs now if connected, else once the socket is. */
  join(room: string, doc: Y.Doc, handlers: RoomHandlers): RowRoom {
    const channel = new RoomChannel(room, doc, handlers, this);
    this.rooms.get(room)?.leave();
    this.rooms.set(room, channel);
    if (this.connected) channel.start();
    return channel;
  }

  /** Connects (and keeps reconnecting) until `disconnect`. */
  connect(): void {
    this.wanted = true;
    if (!this.ws && !this.retryTimer) this.open();
  }

  /** Closes the socket and stays disconnected (offline, or the tab is done). */
  disconnect(): void {
    this.wanted = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    for (const channel of this.rooms.values()) channel.synced = false;
  }

  destroy(): void {
    for (const channel of [...this.rooms.values()]) channel.leave();
    this.disconnect();
  }

  /** @internal A room's message, framed; dropped while disconnected (the room syncs again on reconnect). */
  send(room: string, message: Uint8Array): void {
    if (this.connected) this.ws!.send(rowFrame(room, message) as Uint8Array<ArrayBuffer>);
  }

  /** @internal */
  leave(channel: RoomChannel): void {
    if (this.rooms.get(channel.room) !== channel) return;
    this.rooms.delete(channel.room);
    this.send(channel.room, new Uint8Array(0));
  }

  /** @internal A room the server closed: dropped without a frame (the server holds nothing of it). */
  forget(channel: RoomChannel): void {
    if (this.rooms.get(channel.room) === channel) this.rooms.delete(channel.room);
  }

  private open(): void {
    const ws = new this.Socket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.retries = 0;
      for (const channel of this.rooms.values()) channel.start();
    };
    ws.onmessage = (event: MessageEvent<ArrayBuffer>) => {
      const frame = readRowFrame(new Uint8Array(event.data));
      if (frame) this.rooms.get(frame.room)?.receive(frame.message);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      for (const channel of this.rooms.values()) channel.synced = false;
      if (!this.wanted) return;
      const wait = retryWait(this.retries);
      this.retries += 1;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (this.wanted) this.open();
      }, wait);
    };
  }
}
