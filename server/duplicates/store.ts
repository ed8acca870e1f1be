/** What duplicate detection needs from the database (docs/actors-and-duplicates.md#duplicates); `db/` implements it. */
import type { DuplicateColumns } from './columns';

/** A row's cells that duplicate detection compares, as the read model holds them (lists and objects as JSON text). */
export interface DuplicateKeyRecord {
  rowId: string;
  date: string | null;
  type: string | null;
  /** One per column of `DuplicateColumns.actors`, in that order. */
  actors: Array<string | null>;
  place: string | null;
  location: string | null;
  evidence: string | null;
}

export interface DuplicateStore {
  /**
   * The keys of a sheet's rows that have a date (and an event type, when the sheet has a type column),
   * read in blocking order: by event type, then date.
   */
  keys(datasetId: string, sheetId: string, columns: DuplicateColumns): Promise<DuplicateKeyRecord[]>;
  /** The groups dismissed on a sheet, each its row ids. */
  dismissed(datasetId: string, sheetId: string): Promise<string[][]>;
  /** Stores a dismissed group; false when the same group was dismissed already. */
  dismiss(datasetId: string, sheetId: string, rows: readonly string[], userId: string, at: number): Promise<boolean>;
}
