/**
 * Sync rooms: the y-websocket room name a client connects to. A dataset's own document is the room
 * named by its id; further documents of a dataset are rooms below it (`DATASET/KIND/ID`).
 *
 * A double-coding round is the room `DATASET/rounds/ROUND`: each coder who connects to it gets a copy
 * of their own, kept under `DATASET/rounds/ROUND/CODER` (the coder's user id). Clients name the round;
 * only the server names a copy.
 */
import { DATASET_ID } from './ids';

export interface Room {
  /** The room's full name, as clients connect to it (or, for a coder's copy, as the server keeps it). */
  name: string;
  datasetId: string;
  /** Set for a double-coding round's room. */
  round?: string;
  /** Set for one coder's copy of a round: their user id. */
  coder?: string;
}

/** Round ids and coder (user) ids inside room names. */
const ROOM_PART = /^[0-9A-Za-z_-]{1,64}$/;

/** The room a name stands for, or null for a name no room can have. */
export function parseRoom(name: string): Room | null {
  const [datasetId, kind, round, coder, ...rest] = name.split('/');
  if (!datasetId || !DATASET_ID.test(datasetId) || rest.length > 0) return null;
  if (kind === undefined) return { name, datasetId };
  if (kind !== 'rounds' || !round || !ROOM_PART.test(round)) return null;
  if (coder === undefined) return { name, datasetId, round };
  return ROOM_PART.test(coder) ? { name, datasetId, round, coder } : null;
}

/** The room clients connect to for a round: each coder gets their own copy there. */
export function roundRoom(datasetId: string, roundId: string): string {
  return `${datasetId}/rounds/${roundId}`;
}

/** Where the server keeps one coder's copy of a round. */
export function coderCopyRoom(datasetId: string, roundId: string, coderId: string): string {
  return `${roundRoom(datasetId, roundId)}/${coderId}`;
}
