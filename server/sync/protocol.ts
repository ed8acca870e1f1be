/** Framing of the y-websocket protocol (y-protocols sync and awareness messages). */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { type RowDelta, StoreMessage } from '../../model/codes';

export const MessageType = { Sync: 0, Awareness: 1, Auth: 2, QueryAwareness: 3 } as const;
export const SyncStep = { One: 0, Two: 1, Update: 2 } as const;

export type Incoming =
  | { type: 'sync-step-1'; stateVector: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' };

/** Thrown for any message the server cannot decode; the socket closes with 4400. */
export class BadMessageError extends Error {}

/** Decodes one client message; throws BadMessageError for anything else. */
export function decodeMessage(data: Uint8Array): Incoming {
  try {
    const decoder = decoding.createDecoder(data);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MessageType.Sync: {
        const step = decoding.readVarUint(decoder);
        const payload = decoding.readVarUint8Array(decoder);
        if (step === SyncStep.One) return { type: 'sync-step-1', stateVector: payload };
        if (step === SyncStep.Two || step === SyncStep.Update) return { type: 'update', update: payload };
        break;
      }
      case MessageType.Awareness:
        return { type: 'awareness', update: decoding.readVarUint8Array(decoder) };
      case MessageType.QueryAwareness:
        return { type: 'query-awareness' };
    }
  } catch (error) {
    throw new BadMessageError(`undecodable message: ${(error as Error).message}`);
  }
  throw new BadMessageError('unknown message type');
}

function syncMessage(step: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.Sync);
  encoding.writeVarUint(encoder, step);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

export const syncStep1Message = (stateVector: Uint8Array) => syncMessage(SyncStep.One, stateVector);
export const syncStep2Message = (update: Uint8Array) => syncMessage(SyncStep.Two, update);
export const updateMessage = (update: Uint8Array) => syncMessage(SyncStep.Update, update);

export function awarenessMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.Awareness);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** Tells a peer that opted in (`acks=1`) what is stored: the document's state vector as stored. */
export function storedMessage(stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, StoreMessage.Stored);
  encoding.writeVarUint8Array(encoder, stateVector);
  return encoding.toUint8Array(encoder);
}

/** Tells a peer that opted in (`acks=1`) its new role on the dataset. */
export function roleMessage(role: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, StoreMessage.Role);
  encoding.writeVarString(encoder, role);
  return encoding.toUint8Array(encoder);
}

/** Tells a peer of a dataset's room that opted in (`acks=1`) which rows changed in their own rooms. */
export function rowsChangedMessage(deltas: readonly RowDelta[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, StoreMessage.RowsChanged);
  encoding.writeVarString(encoder, JSON.stringify(deltas));
  return encoding.toUint8Array(encoder);
}

/** Tells a peer that opted in (`acks=1`) that the server cannot store changes right now. */
export function storeFailingMessage(): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, StoreMessage.StoreFailing);
  return encoding.toUint8Array(encoder);
}

/** One client's entry of an awareness update; `state` is its JSON text (`"null"` when it left). */
export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: string;
}

/** Splits an awareness update into its entries; throws BadMessageError when it is not one. */
export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  try {
    const decoder = decoding.createDecoder(update);
    const count = decoding.readVarUint(decoder);
    const entries: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      entries.push({ clientId, clock, state: decoding.readVarString(decoder) });
    }
    return entries;
  } catch (error) {
    throw new BadMessageError(`bad awareness update: ${(error as Error).message}`);
  }
}

/** The awareness update made of `entries` (the y-protocols encoding). */
export function encodeAwarenessUpdate(entries: readonly AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const { clientId, clock, state } of entries) {
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, state);
  }
  return encoding.toUint8Array(encoder);
}
