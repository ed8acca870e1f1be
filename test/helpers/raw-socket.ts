/**
 * A bare `ws` socket to the sync endpoint, for what the stock provider never sends: hostile frames,
 * missing tokens, and a close code seen first-hand.
 */
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import type { RunningServer } from './server';

export interface RawSocket {
  ws: WebSocket;
  /** Resolves once the upgrade was accepted (the socket opened). */
  opened: Promise<void>;
  /** Resolves with the close code the server sent. */
  closed: Promise<{ code: number; reason: string }>;
  /** The close code, once closed. */
  readonly closeCode: number | undefined;
  /** Binary messages received so far. */
  received: Uint8Array[];
  send(data: Uint8Array | string): void;
  /**
   * Sends frames in one TCP write, so the server reads and handles them in one event-loop turn, as it
   * does whenever a busy client's messages pile up. Corks the socket under `ws` (not public API).
   */
  sendTogether(frames: Uint8Array[]): void;
}

/** Opens a raw socket to `/ws/:datasetId`; `token: null` sends none. */
export function openRawSocket(server: RunningServer, datasetId: string, token: string | null = server.adminToken): RawSocket {
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(`${server.wsUrl}/${datasetId}${query}`);
  const received: Uint8Array[] = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) received.push(new Uint8Array(data));
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  let closeCode: number | undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once('close', (code, reason) => {
      closeCode = code;
      resolve({ code, reason: reason.toString() });
    });
  });
  // A refused upgrade rejects `opened`; keep that from being an unhandled rejection when nobody awaits it.
  opened.catch(() => {});
  const sendTogether = (frames: Uint8Array[]) => {
    const tcp = (ws as unknown as { _socket: import('node:net').Socket })._socket;
    tcp.cork();
    for (const frame of frames) ws.send(frame);
    process.nextTick(() => tcp.uncork());
  };
  return { ws, opened, closed, get closeCode() { return closeCode; }, received, send: (data) => ws.send(data), sendTogether };
}

/** A y-websocket sync frame (message type 0) of `step` with `payload`. */
export function syncFrame(step: 0 | 1 | 2, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, step);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

/** A y-websocket awareness frame (message type 1) carrying `payload` as the awareness update. */
export function awarenessFrame(payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

/**
 * An awareness update that is well framed but whose state is not JSON: one client, clock 1, then the
 * state string.
 */
export function awarenessUpdateWithState(clientId: number, state: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, clientId);
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarString(encoder, state);
  return encoding.toUint8Array(encoder);
}
