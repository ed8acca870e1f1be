import type { CellValue } from './columns';

/** One cell change as the history API reports it (CONTRACT §7). */
export interface HistoryEntry {
  sheet: string;
  row: string;
  column: string;
  old: CellValue;
  new: CellValue;
  /** The user's name; null if the change was made by the server itself. */
  by: string | null;
  /** ISO 8601 UTC. */
  at: string;
}
