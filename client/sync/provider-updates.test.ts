/**
 * The one private part of a library the client relies on: the connection takes the y-websocket
 * provider's `_updateHandler` off the document while a whole document loads (so that Yjs, with no
 * 'update' listener left, does not encode the load again), and puts it back afterwards. y-websocket is
 * pinned to an exact version in package.json; these tests say what that version must do.
 */
import * as decoding from 'lib0/decoding';
import { afterEach, describe, expect, it } from 'vitest';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

/** A socket that never leaves the process: it opens when told and keeps what is sent. */
class FakeSocket {
  static last: FakeSocket | null = null;
  readonly OPEN = 1;
  readyState = 0;
  binaryType = 'arraybuffer';
  readonly sent: Uint8Array[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: unknown) => void) | null = null;
  onclose: ((e: unknown) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.last = this;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }

  send(data: Uint8Array): void {
    this.sent.push(data);
  }

  close(): void {
    this.readyState = 3;
  }
}

/** The document updates among the messages sent: sync messages (0) of type update (2). */
function sentUpdates(socket: FakeSocket): Uint8Array[] {
  return socket.sent.flatMap((message) => {
    const decoder = decoding.createDecoder(message);
    if (decoding.readVarUint(decoder) !== 0 || decoding.readVarUint(decoder) !== 2) return [];
    return [decoding.readVarUint8Array(decoder)];
  });
}

let provider: WebsocketProvider | null = null;
afterEach(() => provider?.destroy());

function connected(doc: Y.Doc): FakeSocket {
  provider = new WebsocketProvider('ws://tessera.test/ws', 'demo', doc, {
    WebSocketPolyfill: FakeSocket as unknown as typeof WebSocket, disableBc: true,
  });
  const socket = FakeSocket.last!;
  socket.open();
  socket.sent.length = 0;
  return socket;
}

describe('the pinned y-websocket provider', () => {
  it("sends the document's updates through the socket while its _updateHandler listens", () => {
    const doc = new Y.Doc();
    const socket = connected(doc);
    doc.getMap('m').set('a', 1);
    const updates = sentUpdates(socket);
    expect(updates).toHaveLength(1);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, updates[0]!);
    expect(copy.getMap('m').get('a')).toBe(1);
  });

  it('sends nothing while its _updateHandler is off the document, and everything again once it is back', () => {
    const doc = new Y.Doc();
    const socket = connected(doc);
    doc.off('update', provider!._updateHandler);
    doc.getMap('m').set('quiet', 1);
    expect(sentUpdates(socket)).toEqual([]);
    doc.on('update', provider!._updateHandler);
    doc.getMap('m').set('heard', 2);
    const keys = sentUpdates(socket).flatMap((u) => Y.decodeUpdate(u).structs.map((s) => (s as Y.Item).parentSub));
    expect(keys).toEqual(['heard']);
  });

  it("puts no other 'update' listener on the document, so taking that one off leaves none", () => {
    const doc = new Y.Doc();
    connected(doc);
    doc.off('update', provider!._updateHandler);
    // Yjs encodes a transaction for 'update' listeners only when there is one (lib0's observer map).
    expect(doc._observers.get('update')?.size ?? 0).toBe(0);
  });
});
