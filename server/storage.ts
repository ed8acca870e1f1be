/**
 * What the server needs from its database, as interfaces: the document store (the sync layer's write
 * side), the catalog of datasets, and the read model that history, export, progress and review read.
 * `createApp` receives an implementation; only `main.ts` (and tests) build one. The SQLite one lives in
 * `db/`; another database implements the same interfaces.
 */
import type { CellValue, Column } from '../model/columns';
import type { HistoryEntry } from '../model/history';
import type { Role } from '../model/roles';
import type { FlagRecord } from '../model/reviews';
import { DEFAULT_FLAG_REASONS } from '../model/templates';
import type { DocCommit, DocStore } from './sync/store';

export interface DatasetSettings {
  flagReasons: string[];
  /** Nobody approves a row they changed (four eyes). */
  fourEyes: boolean;
}

export const DEFAULT_SETTINGS: DatasetSettings = { flagReasons: DEFAULT_FLAG_REASONS, fourEyes: true };

export interface DatasetRecord {
  id: string;
  name: string;
  template: string;
  /** ISO 8601 UTC. */
  createdAt: string;
  settings: DatasetSettings;
}

export interface NewDatasetRecord {
  id: string;
  name: string;
  template: string;
  settings: DatasetSettings;
  createdBy: string | null;
}

export interface SheetSummary {
  id: string;
  name: string;
  columns: Column[];
  rowCount: number;
}

/** The datasets the database holds. */
export interface DatasetCatalog {
  list(): DatasetRecord[];
  get(id: string): DatasetRecord | undefined;
  /** A dataset's sheets in tab order, with their row counts. */
  sheets(id: string): SheetSummary[];
  /**
   * Stores a new dataset, its first document state and its first sources in one transaction.
   * Returns false, storing nothing, when the id is taken.
   */
  create(record: NewDatasetRecord, first: DocCommit, sources?: readonly NewSourceRecord[]): boolean;
  updateSettings(id: string, settings: DatasetSettings): void;
}

export const ROW_FILTERS = ['all', 'approved', 'flagged', 'unflagged'] as const;
export type RowFilter = (typeof ROW_FILTERS)[number];

/** A row as the export writes it: cells, review state and provenance (users by name, times ISO 8601). */
export interface ExportRow {
  rowId: string;
  cells: Record<string, CellValue>;
  reviewStatus: string;
  openFlags: number;
  createdBy: string | null;
  createdAt: string;
  updatedBy: string | null;
  updatedAt: string;
}

export interface FlagFilter {
  status?: string;
  reason?: string;
  sheet?: string;
  row?: string;
  by?: string;
}

/** Who coded a row, by name, from its history (review status changes left out). */
export interface RowAuthors {
  /** Everyone who changed one of its cells, the last to do so last. */
  coders: string[];
  lastChangedBy: string | null;
  /** Everyone who changed one of its cells since it was created or last approved. */
  sinceApproval: string[];
}

export interface RowReview {
  sheetId: string;
  status: string;
  openFlags: number;
}

export interface ProgressCounts {
  statusCounts: Array<{ sheet: string; status: string; n: number }>;
  coders: Array<{ name: string; sheet: string; rows: number }>;
  days: Array<{ day: string; rows: number }>;
  timeline: Array<{ sheet: string; row: string; date: string; label: string | null; kind: string | null; status: string }>;
}

/** What the document's changes are turned into, for reading without the document. */
export interface ReadModel {
  /** Cell changes of a dataset, or of one row, oldest first. */
  history(datasetId: string, rowId?: string): HistoryEntry[];
  /** A sheet's rows in row-id order, read a page at a time. */
  exportRows(datasetId: string, sheetId: string, filter: RowFilter): Iterable<ExportRow>;
  progress(datasetId: string, sheets: readonly SheetSummary[]): ProgressCounts;
  flags(datasetId: string, filter?: FlagFilter): FlagRecord[];
  flag(datasetId: string, flagId: string): FlagRecord | undefined;
  /** A row's sheet and review state, if the row exists. */
  rowReview(datasetId: string, rowId: string): RowReview | undefined;
  rowAuthors(datasetId: string, rowIds: readonly string[]): Map<string, RowAuthors>;
  /** Names of everyone who changed a cell of the row at or after `sinceMs`. */
  rowEditorsSince(datasetId: string, rowId: string, sinceMs: number): string[];
}

export interface UserRecord {
  id: string;
  name: string;
  role: Role;
}

/** Users and their browser sessions. Secrets are stored only as hashes (`server/auth/secrets.ts`). */
export interface UserDirectory {
  /** Stores a new user; false, storing nothing, when the name is taken. */
  insert(user: UserRecord & { tokenHash: string; passwordHash: string | null }): boolean;
  byTokenHash(tokenHash: string): UserRecord | undefined;
  byName(name: string): (UserRecord & { passwordHash: string | null }) | undefined;
  list(): Array<UserRecord & { createdAt: string }>;
  count(): number;
  /** The admin made first (the one the first start created). */
  firstAdmin(): UserRecord | undefined;
  setTokenHash(userId: string, tokenHash: string): void;
  insertSession(session: { idHash: string; userId: string; createdAt: number; expiresAt: number }): void;
  /** The user of an unexpired session. */
  bySessionHash(idHash: string, now: number): UserRecord | undefined;
  deleteSession(idHash: string): void;
}

/** A source as stored: its text never changes once stored. */
export interface SourceRecord {
  id: string;
  title: string;
  url: string | null;
  outlet: string | null;
  publishedAt: string | null;
  /** In Unicode code points. */
  length: number;
  /** sha256 of the UTF-8 text, hex. */
  sha256: string;
}

export interface NewSourceRecord extends SourceRecord {
  text: string;
  createdBy: string | null;
}

/** The texts a dataset's rows are coded from (README "Sources and evidence"). */
export interface SourceStore {
  /** A dataset's sources in the order they were added, without their texts. */
  list(datasetId: string): SourceRecord[];
  get(datasetId: string, sourceId: string): (SourceRecord & { text: string }) | undefined;
  /** Only the text, for checking anchors. */
  text(datasetId: string, sourceId: string): string | undefined;
  insert(datasetId: string, source: NewSourceRecord): void;
  /** Removes a source unless a row anchors to it: 'anchored' then, storing nothing; 'missing' if there is none. */
  delete(datasetId: string, sourceId: string): 'deleted' | 'anchored' | 'missing';
  /** Sources with their texts, for the sources export. */
  all(datasetId: string): Iterable<SourceRecord & { text: string }>;
}

export interface Storage {
  docs: DocStore;
  sources: SourceStore;
  datasets: DatasetCatalog;
  readModel: ReadModel;
  users: UserDirectory;
}
