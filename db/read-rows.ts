/**
 * What both read models (SQLite, `read-model.ts`, and PostgreSQL, `pg/read-model.ts`) share: their
 * limits, and how a stored flag or conflict row becomes its record. The two schemas store these tables
 * column for column alike (JSON in text columns), so one decoder serves both.
 */
import type { CellValue } from '../model/columns';
import type { ConflictRecord, ConflictValue } from '../model/conflicts';
import type { FlagComment, FlagRecord } from '../model/reviews';

/** Rows read per page of an export: memory stays flat however long the sheet. */
export const EXPORT_PAGE = 2000;
/** History of a whole dataset is capped; a row's history is not. */
export const DATASET_HISTORY_LIMIT = 10_000;
/** Dated rows per sheet drawn on the progress timeline. */
export const TIMELINE_LIMIT = 5000;

export const fromJson = (value: string | null): CellValue => (value === null ? null : (JSON.parse(value) as CellValue));

/** A row of the `flags` table. */
export interface FlagRow {
  flagId: string;
  rowId: string;
  sheetId: string;
  columnId: string | null;
  reason: string;
  note: string;
  by: string;
  at: string;
  status: string;
  resolvedBy: string | null;
  resolvedAt: string | null;
  resolution: string | null;
  comments: string;
}

export const toFlag = (f: FlagRow): FlagRecord => ({
  id: f.flagId, row: f.rowId, sheet: f.sheetId, column: f.columnId, reason: f.reason, note: f.note, by: f.by, at: f.at,
  status: f.status === 'resolved' ? 'resolved' : 'open',
  ...(f.resolvedBy !== null && { resolvedBy: f.resolvedBy }),
  ...(f.resolvedAt !== null && { resolvedAt: f.resolvedAt }),
  ...(f.resolution !== null && { resolution: f.resolution }),
  comments: JSON.parse(f.comments) as FlagComment[],
});

/** A row of the `conflicts` table. */
export interface ConflictRow {
  conflictId: string;
  sheetId: string;
  rowId: string;
  columnId: string;
  kept: string | null;
  keptBy: string | null;
  lost: string | null;
  lostBy: string | null;
  at: string;
  status: string;
  resolvedBy: string | null;
  resolvedAt: string | null;
}

export const toConflict = (c: ConflictRow): ConflictRecord => ({
  id: c.conflictId, sheet: c.sheetId, row: c.rowId, column: c.columnId,
  kept: c.kept === null ? null : (JSON.parse(c.kept) as ConflictValue), keptBy: c.keptBy,
  lost: c.lost === null ? null : (JSON.parse(c.lost) as ConflictValue), lostBy: c.lostBy,
  at: c.at, status: c.status === 'resolved' ? 'resolved' : 'open',
  ...(c.resolvedBy !== null && { resolvedBy: c.resolvedBy }),
  ...(c.resolvedAt !== null && { resolvedAt: c.resolvedAt }),
});
