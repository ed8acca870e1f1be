/**
 * What the SQLite stores (`db/`) and the PostgreSQL ones (`db/pg/`) share: the read models' limits, and
 * how a stored row becomes its record. The two schemas store these tables column for column alike (JSON
 * in text columns, times in ms), so one decoder serves both.
 */
import type { Level } from '../model/agreement/alpha';
import type { CellValue } from '../model/columns';
import type { ConflictRecord, ConflictValue } from '../model/conflicts';
import type { FlagComment, FlagRecord } from '../model/reviews';
import {
  type AdjudicationRecord, type DatasetAccess, type DatasetLayout, type DatasetRecord, type DatasetSettings, DEFAULT_SETTINGS, type RoundRecord,
} from '../server/storage';

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

/** A row of the `datasets` table. */
export interface DatasetRow {
  id: string;
  name: string;
  template: string;
  createdAt: number;
  settings: string;
  access: DatasetAccess;
  archivedAt: number | null;
  layout: DatasetLayout;
  convertedAt: number | null;
}

export const toDatasetRecord = (d: DatasetRow): DatasetRecord => ({
  id: d.id,
  name: d.name,
  template: d.template,
  createdAt: new Date(d.createdAt).toISOString(),
  settings: { ...DEFAULT_SETTINGS, ...(JSON.parse(d.settings) as Partial<DatasetSettings>) },
  access: d.access,
  layout: d.layout,
  archivedAt: d.archivedAt === null ? null : new Date(d.archivedAt).toISOString(),
  convertedAt: d.convertedAt === null ? null : new Date(d.convertedAt).toISOString(),
});

/** A row of the `rounds` table; its coders are read from `round_coders`. */
export interface RoundRow {
  roundId: string;
  datasetId: string;
  name: string;
  sheetId: string;
  rows: string;
  columns: string;
  levels: string;
  samplePercent: number | null;
  sampleSeed: number | null;
  createdBy: string;
  createdAt: number;
}

export const toRoundRecord = (r: RoundRow, coders: RoundRecord['coders']): RoundRecord => ({
  id: r.roundId, datasetId: r.datasetId, name: r.name, sheetId: r.sheetId,
  rows: JSON.parse(r.rows) as string[], columns: JSON.parse(r.columns) as string[],
  levels: JSON.parse(r.levels) as Record<string, Level>,
  sample: r.samplePercent !== null && r.sampleSeed !== null ? { percent: r.samplePercent, seed: r.sampleSeed } : null,
  createdBy: r.createdBy, createdAt: r.createdAt, coders,
});

/** A row of the `round_adjudications` table. */
export interface AdjudicationRow {
  roundId: string;
  rowId: string;
  columnId: string;
  userId: string;
  at: number;
  value: string | null;
  coderValues: string;
}

export const toAdjudicationRecord = (a: AdjudicationRow): AdjudicationRecord => ({
  roundId: a.roundId, rowId: a.rowId, columnId: a.columnId, userId: a.userId, at: a.at,
  value: fromJson(a.value),
  coderValues: JSON.parse(a.coderValues) as Record<string, CellValue>,
});
