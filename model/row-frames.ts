/**
 * Frames of the rows socket (`/ws/DATASET/rows`, docs/sync.md#the-rows-socket): one WebSocket carries the
 * rooms of many rows of a dataset. Each frame is the room's name (a `varString`) followed by one message of
 * the y-websocket protocol (or one of ours) exactly as a socket of that room alone would carry it. A frame
 * of the client holding the room name only leaves that room.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

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
