/**
 * Sync rooms: the y-websocket room name a client connects to. A dataset's own document is the room
 * named by its id; further documents of a dataset are rooms below it (`DATASET/KIND/ID`).
 *
 * A double-coding round is the room `DATASET/rounds/ROUND`: each coder who connects to it gets a copy
 * of their own, kept under `DATASET/rounds/ROUND/CODER` (the coder's user id). Clients name the round;
 * only the server names a copy.
 *
 * In a dataset whose rows are documents of their own (layout `rows`, docs/design/million-rows.md), each
 * row is the room `DATASET/rows/SHEET/ROW` (`model/row-document.ts` gives its layout).
 */
import { DATASET_ID, ROW_ID, SHEET_ID } from './ids';

export interface Room {
  /** The room's full name, as clients connect to it (or, for a coder's copy, as the server keeps it). */
  name: string;
  datasetId: string;
  /** Set for a double-coding round's room. */
  round?: string;
  /** Set for one coder's copy of a round: their user id. */
  coder?: string;
  /** Set for a row's own room: its sheet and row id. */
  row?: { sheetId: string; rowId: string };
}

/** Round ids and coder (user) ids inside room names. */
const ROOM_PART = /^[0-9A-Za-z_-]{1,64}$/;

/** The room a name stands for, or null for a name no room can have. */
export function parseRoom(name: string): Room | null {
  const [datasetId, kind, round, coder, ...rest] = name.split('/');
  if (!datasetId || !DATASET_ID.test(datasetId) || rest.length > 0) return null;
  if (kind === undefined) return { name, datasetId };
  if (kind === 'rows') {
    const [sheetId, rowId] = [round, coder];
    if (!sheetId || !rowId || !SHEET_ID.test(sheetId) || !ROW_ID.test(rowId)) return null;
    return { name, datasetId, row: { sheetId, rowId } };
  }
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

/** The room of one row, in a dataset whose rows are documents of their own. */
export function rowRoom(datasetId: string, sheetId: string, rowId: string): string {
  return `${datasetId}/rows/${sheetId}/${rowId}`;
}
