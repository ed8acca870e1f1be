/**
 * The rows socket's client closing one room when the server says so (docs/sync.md#the-rows-socket): a
 * room closed for good is dropped and its handlers told, while the socket and its other rooms stay; a room
 * closed for a while is joined again after a wait. A `ws` server on a real socket plays the server's part:
 * it answers each sync step 1 with a sync step 2, and closes the rooms a test names.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import WebSocket, { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { CloseCode } from '../../model/codes';
import { readRowFrame, roomClosedMessage, rowFrame } from '../../model/row-frames';
import { waitFor } from '../../test/helpers/wait';
import { type RoomHandlers, RowSocket } from './row-socket';

interface FakeServer {
  url: string;
  /** Every frame the client sent: its room and what it held. */
  frames: Array<{ room: string; kind: 'step1' | 'step2' | 'update' | 'leave' | 'other' }>;
  /** Connections the client opened. */
  connections: number;
  /** Closes a room with a code the next time the client joins it. */
  refuse: Map<string, number>;
  close(): Promise<void>;
}

/** Answers a sync step 1 with an empty sync step 2, as a server with nothing to send does. */
function stepTwo(): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeSyncStep2(encoder, new Y.Doc());
  return encoding.toUint8Array(encoder);
}

async function fakeServer(): Promise<FakeServer> {
  const wss = new WebSocketServer({ port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const server: FakeServer = {
    url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`,
    frames: [], connections: 0, refuse: new Map(),
    close: () => new Promise((resolve) => {
      for (const ws of wss.clients) ws.terminate();
      wss.close(() => resolve());
    }),
  };
  wss.on('connection', (ws) => {
    server.connections += 1;
    ws.on('message', (data: Buffer) => {
      const frame = readRowFrame(new Uint8Array(data))!;
      if (frame.message.byteLength === 0) return void server.frames.push({ room: frame.room, kind: 'leave' });
      const decoder = decoding.createDecoder(frame.message);
      const kinds = { [syncProtocol.messageYjsSyncStep1]: 'step1', [syncProtocol.messageYjsSyncStep2]: 'step2', [syncProtocol.messageYjsUpdate]: 'update' } as const;
      const kind = decoding.readVarUint(decoder) === 0 ? kinds[decoding.readVarUint(decoder) as 0 | 1 | 2] ?? 'other' : 'other';
      server.frames.push({ room: frame.room, kind });
      if (kind !== 'step1') return;
      const code = server.refuse.get(frame.room);
      server.refuse.delete(frame.room);
      ws.send(rowFrame(frame.room, code === undefined ? stepTwo() : roomClosedMessage(code, 'Refused here')));
    });
  });
  return server;
}

describe('a room the server closes alone', () => {
  let server: FakeServer;
  let socket: RowSocket;

  afterEach(async () => {
    socket?.destroy();
    await server?.close();
  });

  const join = (room: string, doc = new Y.Doc()) => {
    const seen = { syncs: 0, closed: null as { code: number; reason: string } | null };
    const handlers: RoomHandlers = {
      synced: () => { seen.syncs += 1; },
      stored: () => undefined,
      storeFailing: () => undefined,
      closed: (code, reason) => { seen.closed = { code, reason }; },
    };
    const channel = socket.join(room, doc, handlers);
    return { seen, doc, channel };
  };
  const sentFor = (room: string) => server.frames.filter((f) => f.room === room);

  it('is dropped for good: nothing more is sent for it, and the other rooms keep the socket', async () => {
    server = await fakeServer();
    server.refuse.set('gone', CloseCode.NotFound);
    socket = new RowSocket(server.url, WebSocket as unknown as typeof globalThis.WebSocket);
    socket.connect();
    const kept = join('kept');
    const gone = join('gone');
    await waitFor(() => kept.seen.syncs === 1 && gone.seen.closed !== null, { what: 'one room synced, the other closed' });
    expect(gone.seen.closed).toEqual({ code: CloseCode.NotFound, reason: 'Refused here' });

    gone.doc.getMap('cells').set('a', 1);
    kept.doc.getMap('cells').set('a', 1);
    await waitFor(() => sentFor('kept').some((f) => f.kind === 'update'), { what: 'the kept room\'s update sent' });
    gone.channel.leave();
    // No update and no leave: the server holds nothing of the room any more.
    expect(sentFor('gone')).toEqual([{ room: 'gone', kind: 'step1' }]);
    expect(server.connections).toBe(1);
    expect(kept.seen.syncs).toBe(1);
  });

  it('is joined again after a wait, on the same socket, when the close is not for good', async () => {
    server = await fakeServer();
    server.refuse.set('later', CloseCode.LoadFailed);
    socket = new RowSocket(server.url, WebSocket as unknown as typeof globalThis.WebSocket);
    socket.connect();
    const later = join('later');
    await waitFor(() => later.seen.syncs === 1, { what: 'the room joined again and synced' });
    expect(sentFor('later')).toEqual([{ room: 'later', kind: 'step1' }, { room: 'later', kind: 'step1' }]);
    expect(later.seen.closed).toBeNull();
    expect(server.connections).toBe(1);
  });
});
