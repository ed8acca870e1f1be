/**
 * What the sync layer needs from storage, kept small: the SQLite store (`db/store.ts`) and the
 * PostgreSQL one (`db/pg/store.ts`) both keep it, and `store.contract.ts` is the suite every store must
 * pass. Every method answers a promise; the sync engine counts a change as stored only once it resolved.
 */
import type { CellValue, Column } from '../../model/columns';
import type { ConflictRecord } from '../../model/conflicts';
import type { FlagRecord } from '../../model/reviews';

export interface StoredDoc {
  /** The compacted state, if the dataset was ever compacted. */
  snapshot: Uint8Array | null;
  /** Updates logged after the snapshot, oldest first. */
  updates: Uint8Array[];
  /** The sequence number of the last logged update (0 if none). */
  lastSeq: number;
  /** The state vector of snapshot and updates together, if it was stored with them. */
  stateVector: Uint8Array | null;
}

/**
 * What the log holds after a sequence number, for a document that has everything up to it: the updates
 * logged since, oldest first, and the snapshot too when compaction folded some of them into it.
 */
export interface LoggedSince {
  snapshot: Uint8Array | null;
  updates: Array<{ seq: number; update: Uint8Array }>;
  /** The sequence number of the last logged update (`afterSeq` when there is nothing newer). */
  lastSeq: number;
  /**
   * True when the room's log started over after `afterSeq` (`snapshots.base_seq`): another document took
   * the room's place (a dataset converted to the `rows` layout), and what follows cannot be merged into
   * what the reader has.
   */
  replaced?: boolean;
}

/** Whether a log whose snapshot says it starts over at `baseSeq` did so after a reader's `afterSeq` (0: it never did). */
export const replacedAfter = (baseSeq: number, afterSeq: number): boolean => baseSeq > afterSeq;

export interface LoggedUpdate {
  update: Uint8Array;
  userId: string | null;
  at: number;
}

/** One cell change for the history: sheet, row, column, old and new value, who and when. */
export interface CellChange {
  sheetId: string;
  rowId: string;
  columnId: string;
  old: CellValue | undefined;
  new: CellValue | undefined;
  userId: string | null;
  at: number;
  /** JSON: what more the history should say about the change (an adjudication's coder values). */
  note?: string;
}

/** A row's cells as they now are; `cells: null` when the row was deleted. */
export interface RowState {
  sheetId: string;
  rowId: string;
  cells: Record<string, CellValue> | null;
  userId: string | null;
  at: number;
}

/**
 * A sheet's name, columns and (when the document has one) tab position as they now are; `null` when
 * the sheet was removed.
 */
export interface SheetState {
  sheetId: string;
  sheet: { name: string; columns: Column[]; position?: number } | null;
}

/** A row's review as it now is: its status and every flag with its thread. */
export interface ReviewState {
  rowId: string;
  status: string;
  openFlags: number;
  flags: FlagRecord[];
}

/** Everything one flush of a document writes, atomically. */
export interface DocCommit {
  /** Whose read model (rows, history, reviews) the commit changes; also its log's key, unless `room` is set. */
  datasetId: string;
  /** The room whose log the updates go to, when it is not `datasetId` (a row's own document). */
  room?: string;
  updates: LoggedUpdate[];
  /** The document's state vector after these updates. */
  stateVector?: Uint8Array;
  cells: CellChange[];
  rows: RowState[];
  sheets: SheetState[];
  reviews: ReviewState[];
  /** Conflict entries as they now are: each replaces the stored one of its id. */
  conflicts: ConflictRecord[];
}

export interface DocStore {
  /** The stored document of a dataset. */
  load(datasetId: string): Promise<StoredDoc>;
  /**
   * Writes the updates to the log and their effects to the history and the read model in one
   * transaction. A deleted row's cells are recorded in the history as changed to nothing.
   * Returns the sequence number of the last update written.
   */
  append(commit: DocCommit): Promise<number>;
  /**
   * `append`, for a document that has everything logged up to `afterSeq`: in the same transaction, with
   * the dataset locked against every other writer (other instances included), it reads what was logged
   * since, hands it to `build`, and writes the commit `build` returns. So the commit is made from a
   * document that has every change stored before it, and its updates follow them in the log directly.
   */
  commit(datasetId: string, afterSeq: number, build: (missed: LoggedSince) => DocCommit): Promise<number>;
  /** A row's cells as the read model holds them; null when it has no such row. */
  storedRow(datasetId: string, sheetId: string, rowId: string): Promise<Record<string, CellValue> | null>;
  /** The rows of a dataset the read model holds among `rowIds`, in any sheet: their sheet and cells. */
  storedRows(datasetId: string, rowIds: readonly string[]): Promise<Map<string, { sheetId: string; cells: Record<string, CellValue> }>>;
  /**
   * New rows of an import into a sheet of the `rows` layout, in one transaction, without a document log:
   * each row with one history record holding all its cells (column `*`, see `IMPORTED_ROW`), which the
   * history reads back as one change per cell. `cells` is the row's cells as JSON text. A store without it
   * is given the rows as a commit (`append`).
   */
  insertRows?(datasetId: string, sheetId: string, userId: string, at: number, rows: readonly InsertedRow[]): Promise<void>;
  /** What was logged after `afterSeq` (see `LoggedSince`). */
  since(datasetId: string, afterSeq: number): Promise<LoggedSince>;
  /**
   * Replaces everything logged up to `upToSeq` by `state`, in one transaction; nothing when a snapshot
   * of a later sequence number is stored already (another instance compacted further).
   */
  compact(datasetId: string, state: Uint8Array, upToSeq: number, stateVector?: Uint8Array): Promise<void>;
}

/** A new row of an import: its id and its cells as JSON text (an object of column id to value, nulls left out). */
export interface InsertedRow {
  rowId: string;
  cells: string;
}

/**
 * The history's column of a record that holds a whole imported row (its `new` is the row's cells as JSON): read
 * back as one change per cell, from nothing to the cell's value.
 */
export const IMPORTED_ROW = '*';

/** A commit asked of a store that makes the commits of one turn together (`commitQueued`), until it is made. */
export interface QueuedCommit {
  datasetId: string;
  afterSeq: number;
  build: (missed: LoggedSince) => DocCommit;
  resolve(seq: number): void;
  reject(error: unknown): void;
}

/**
 * The history of a row the commit deletes: each of its last values, from that value to nothing. Its last values
 * are `stored` (its cells as the read model held them), then as this very commit changed them before the delete.
 */
export function deletedRowChanges(commit: Pick<DocCommit, 'cells'>, row: RowState, stored: Record<string, CellValue> | undefined): CellChange[] {
  const last = { ...stored };
  for (const c of commit.cells) {
    if (c.sheetId !== row.sheetId || c.rowId !== row.rowId) continue;
    if (c.new === undefined) delete last[c.columnId];
    else last[c.columnId] = c.new;
  }
  return Object.entries(last).map(([columnId, old]) => ({ sheetId: row.sheetId, rowId: row.rowId, columnId, old, new: undefined, userId: row.userId, at: row.at }));
}

export function emptyCommit(datasetId: string): DocCommit {
  return { datasetId, updates: [], cells: [], rows: [], sheets: [], reviews: [], conflicts: [] };
}
