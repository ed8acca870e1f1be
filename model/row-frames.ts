/**
 * Frames of the rows socket (`/ws/DATASET/rows`, docs/sync.md#the-rows-socket): one WebSocket carries the
 * rooms of many rows of a dataset. Each frame is the room's name (a `varString`) followed by one message of
 * the y-websocket protocol (or one of ours) exactly as a socket of that room alone would carry it. A frame
 * of the client holding the room name only leaves that room; a frame of the server holding a "room closed"
 * message closes that room alone, where a socket of that room alone would have been closed.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { CloseCode } from './codes';

/**
 * The server's message that closes one room of the rows socket: followed by the close code (a `varUint`)
 * and reason (a `varString`). Only the rows socket carries it, framed with its room; numbered apart from
 * the stored acknowledgements' messages (`StoreMessage`, from 100).
 */
export const ROOM_CLOSED = 120;

export function rowFrame(room: string, message: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, room);
  encoding.writeUint8Array(encoder, message);
  return encoding.toUint8Array(encoder);
}

/** A frame's room and message (empty: the client leaves the room); null for bytes that are not a frame. */
export function readRowFrame(data: Uint8Array): { room: string; message: Uint8Array } | null {
  try {
    const decoder = decoding.createDecoder(data);
    const room = decoding.readVarString(decoder);
    return { room, message: data.subarray(decoder.pos) };
  } catch {
    return null;
  }
}

export interface RoomClose {
  code: number;
  reason: string;
}

/** The message that closes a room with `code` and `reason` (to be framed with the room). */
export function roomClosedMessage(code: number, reason: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, ROOM_CLOSED);
  encoding.writeVarUint(encoder, code);
  encoding.writeVarString(encoder, reason);
  return encoding.toUint8Array(encoder);
}

/** The code and reason of a "room closed" message; null for any other message. */
export function readRoomClosed(message: Uint8Array): RoomClose | null {
  try {
    const decoder = decoding.createDecoder(message);
    if (decoding.readVarUint(decoder) !== ROOM_CLOSED) return null;
    return { code: decoding.readVarUint(decoder), reason: decoding.readVarString(decoder) };
  } catch {
    return null;
  }
}

/**
 * Whether a room closed with `code` stays closed: its row is gone (4404), refused to this user (4403),
 * or what the client sent for it cannot be applied (4400, 1009) and would be refused again: the client
 * does not open it again on its own. Any other code (4500, say) is not for good: the client opens the
 * room again after a wait.
 */
export function closedForGood(code: number): boolean {
  return code === CloseCode.NotFound || code === CloseCode.Forbidden || code === CloseCode.BadMessage || code === CloseCode.TooLarge;
}
