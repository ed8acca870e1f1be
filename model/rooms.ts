/**
 * Sync rooms: the y-websocket room name a client connects to. A dataset's own document is the room
 * named by its id; further documents of a dataset are rooms below it (`DATASET/KIND/ID`).
 */
import { DATASET_ID } from './ids';

export interface Room {
  /** The room's full name, as clients connect to it. */
  name: string;
  datasetId: string;
}

/** The room a name stands for, or null for a name no room can have. */
export function parseRoom(name: string): Room | null {
  return DATASET_ID.test(name) ? { name, datasetId: name } : null;
}
