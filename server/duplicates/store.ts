/** What duplicate detection needs from the database (docs/actors-and-duplicates.md#duplicates); `db/` implements it. */
import type { DuplicateColumns } from './columns';

/** A row's cells that duplicate detection compares, as the read model holds them. */
export interface DuplicateKeyRecord {
  rowId: string;
  date: unknown;
  type: unknown;
  /** One per column of `DuplicateColumns.actors`, in that order. */
  actors: unknown[];
  place: unknown;
  location: unknown;
  evidence: unknown;
}

export interface DuplicateStore {
  /**
   * The compared cells of a sheet's rows, dated or not; with `changedSince`, only of the rows written at or
   * after that time (ms).
   */
  keys(datasetId: string, sheetId: string, columns: DuplicateColumns, changedSince?: number): Promise<DuplicateKeyRecord[]>;
  /** How many rows the sheet has. */
  rowCount(datasetId: string, sheetId: string): Promise<number>;
  /** The ids of the sheet's rows. */
  rowIds(datasetId: string, sheetId: string): Promise<string[]>;
  /** The groups dismissed on a sheet, each its row ids. */
  dismissed(datasetId: string, sheetId: string): Promise<string[][]>;
  /** Stores a dismissed group; false when the same group was dismissed already. */
  dismiss(datasetId: string, sheetId: string, rows: readonly string[], userId: string, at: number): Promise<boolean>;
}
