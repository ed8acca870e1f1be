/** What duplicate detection needs from the database (docs/actors-and-duplicates.md#duplicates); `db/` implements it. */
import type { Column } from '../../model/columns';
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

/** Where a read in date order stopped: the date cell's sort key (its text, ignoring case) and the row id. */
export interface DatePosition {
  key: string;
  rowId: string;
}

/** A row written since some time, with its date cell's sort key (as `DatePosition.key`; null: an empty cell). */
export interface ChangedDate {
  rowId: string;
  key: string | null;
}

export interface DuplicateStore {
  /**
   * The compared cells of a sheet's rows, dated or not; with `changedSince`, only of the rows written at or
   * after that time (ms).
   */
  keys(datasetId: string, sheetId: string, columns: DuplicateColumns, changedSince?: number): Promise<DuplicateKeyRecord[]>;
  /**
   * The compared cells of up to `limit` of the sheet's rows that have something in their date cell, in the order
   * of that cell's sort key (its text, ignoring case: for the dates that count, calendar order with a partial date
   * before its days) then their row id, from after `after`; each with its position. Read through the date
   * column's index (`dateIndex`), so a page costs its rows however deep into the sheet it is. With `until`, only
   * the rows whose sort key is at most that.
   */
  byDate(datasetId: string, sheetId: string, columns: DuplicateColumns, after: DatePosition | undefined, limit: number, until?: string):
  Promise<Array<DuplicateKeyRecord & { position: DatePosition }>>;
  /**
   * Makes sure the date column has its large-sheet index (`db/sheet-indexes.ts`: the one the rows page sorts by),
   * building it if need be without holding up the server's other work; resolves once it can be read.
   */
  dateIndex(datasetId: string, sheetId: string, column: Column): Promise<void>;
  /**
   * Up to `limit` of the sheet's rows written at or after `since` (ms, the read model's `updated_at`), each with
   * its date cell's sort key: what a kept sweep reads again around (`SweptPairs`).
   */
  changedDates(datasetId: string, sheetId: string, dateColumn: string, since: number, limit: number): Promise<ChangedDate[]>;
  /** Which of these rows the sheet still has. */
  existingRows(datasetId: string, sheetId: string, rowIds: readonly string[]): Promise<Set<string>>;
  /** How many rows the sheet has. */
  rowCount(datasetId: string, sheetId: string): Promise<number>;
  /** The ids of the sheet's rows. */
  rowIds(datasetId: string, sheetId: string): Promise<string[]>;
  /** The groups dismissed on a sheet, each its row ids. */
  dismissed(datasetId: string, sheetId: string): Promise<string[][]>;
  /** Stores a dismissed group; false when the same group was dismissed already. */
  dismiss(datasetId: string, sheetId: string, rows: readonly string[], userId: string, at: number): Promise<boolean>;
}
