/**
 * What the server needs from its database, as interfaces: the document store (the sync layer's write
 * side), the catalog of datasets, and the read model that history, export, progress and review read.
 * `createApp` receives an implementation; only `main.ts` (and tests) build one. The SQLite one lives in
 * `db/`; another database implements the same interfaces.
 */
import type { CellValue, Column } from '../model/columns';
import type { ConflictRecord, ConflictStatus } from '../model/conflicts';
import type { HistoryEntry } from '../model/history';
import type { Level } from '../model/agreement/alpha';
import type { Role } from '../model/roles';
import type { FlagRecord } from '../model/reviews';
import { DEFAULT_FLAG_REASONS } from '../model/templates';
import type { DuplicateStore } from './duplicates/store';
import type { DocCommit, DocStore } from './sync/store';

export interface DatasetSettings {
  flagReasons: string[];
  /** Nobody approves a row they changed (four eyes). */
  fourEyes: boolean;
}

export const DEFAULT_SETTINGS: DatasetSettings = { flagReasons: DEFAULT_FLAG_REASONS, fourEyes: true };

export const DATASET_ACCESS = ['everyone', 'members'] as const;
/** `everyone`: every user with their global role; `members`: only the dataset's members (and global admins). */
export type DatasetAccess = (typeof DATASET_ACCESS)[number];

export interface DatasetRecord {
  id: string;
  name: string;
  template: string;
  /** ISO 8601 UTC. */
  createdAt: string;
  settings: DatasetSettings;
  access: DatasetAccess;
  /** When the dataset was archived (ISO 8601 UTC); null while it is active. */
  archivedAt: string | null;
  layout: DatasetLayout;
  /** When a `document` dataset was converted to `rows` (ISO 8601 UTC); null for one made in its layout. */
  convertedAt: string | null;
}

/** Where a dataset's rows are: in its own document, or each in a document of its own (`model/rooms.ts`). */
export type DatasetLayout = 'document' | 'rows';

export interface Member {
  userId: string;
  name: string;
  role: Role;
  /** ISO 8601 UTC. */
  addedAt: string;
}

export interface NewDatasetRecord {
  id: string;
  name: string;
  template: string;
  settings: DatasetSettings;
  createdBy: string | null;
  /** `document` unless given. */
  layout?: DatasetLayout;
}

export interface SheetSummary {
  id: string;
  name: string;
  columns: Column[];
  rowCount: number;
}

/** The datasets the database holds. */
export interface DatasetCatalog {
  list(): Promise<DatasetRecord[]>;
  get(id: string): Promise<DatasetRecord | undefined>;
  /** A dataset's sheets in tab order, with their row counts. */
  sheets(id: string): Promise<SheetSummary[]>;
  /** One sheet's columns in display order, without counting its rows; undefined when there is no such sheet. */
  sheetColumns(id: string, sheetId: string): Promise<Column[] | undefined>;
  /**
   * Stores a new dataset, its first document state, its first sources and `audit`'s entries in one
   * transaction. Returns false, storing nothing, when the id is taken.
   */
  create(record: NewDatasetRecord, first: DocCommit, sources?: readonly NewSourceRecord[], audit?: readonly NewAuditEntry[]): Promise<boolean>;
  updateSettings(id: string, settings: DatasetSettings): Promise<void>;
  /** Every dataset, oldest first, each with the user's role as its member (if they are one): one query. */
  listFor(userId: string): Promise<Array<DatasetRecord & { memberRole: Role | undefined }>>;
  /** The user's role as a member of the dataset, if they are one. */
  memberRole(datasetId: string, userId: string): Promise<Role | undefined>;
  members(datasetId: string): Promise<Member[]>;
  /**
   * Changes the dataset's name (the catalog holds it; the document's `meta.name` mirrors it), archive and
   * access in one transaction with their audit entries, as `decide` answers from the dataset as the
   * transaction reads it (undefined when there is none). `decide` runs inside the transaction and
   * synchronously; a throw writes nothing. Returns the dataset as changed.
   */
  changeDataset(id: string, decide: (dataset: DatasetRecord | undefined) => DatasetChange): Promise<DatasetRecord>;
  /**
   * Adds, changes or removes (`role: null`) a member in one transaction with the audit entries, as `decide`
   * answers from the user named and their membership as the transaction reads them (undefined when there is
   * no such user). `decide` runs inside the transaction and synchronously; a throw writes nothing.
   */
  changeMember(datasetId: string, userName: string, decide: (user: UserRecord | undefined, role: Role | undefined) => MemberChange): Promise<UserRecord>;
  /**
   * Deletes a dataset and everything stored for it (its document's log and snapshot, history, read
   * model, flags, conflicts, and the documents it owns) in one transaction with `audit`'s entries. False,
   * writing nothing, if there was none.
   */
  delete(id: string, audit?: readonly NewAuditEntry[]): Promise<boolean>;
  /**
   * Converts a `document` dataset to `rows` in one transaction, under its document's lock (`LayoutConversion`).
   * `not document` (writing nothing) when it is not a `document` dataset (any more).
   */
  convertToRows(conversion: LayoutConversion): Promise<{ outcome: 'converted'; rows: Record<string, number> } | { outcome: 'not document' }>;
}

/**
 * What converting a dataset to the `rows` layout writes: the log and snapshot of its room move to
 * `legacyRoom` (kept, never served), the document `build` makes from the dataset's name and its sheets as
 * the read model holds them (read under the lock, so they include every commit before) becomes the room's
 * document with a log that starts over (`snapshots.base_seq`: readers behind it are told,
 * `LoggedSince.replaced`), and the layout becomes `rows`. The rows stay where they are: in the read model.
 */
export interface LayoutConversion {
  datasetId: string;
  legacyRoom: string;
  build(name: string, sheets: ReadonlyArray<{ id: string; name: string; columns: Column[] }>): { state: Uint8Array; stateVector: Uint8Array };
  userId: string;
  at: number;
  audit: NewAuditEntry[];
}

/** What an administrative change of a dataset writes; fields left out stay as they are. */
export interface DatasetChange {
  name?: string;
  access?: DatasetAccess;
  /** When it was archived (ms since the epoch); null restores it. */
  archivedAt?: number | null;
  audit: NewAuditEntry[];
}

/** What a change of a dataset's member writes: their role (null: no longer a member). */
export interface MemberChange {
  role: Role | null;
  addedBy: string | null;
  audit: NewAuditEntry[];
}

export const ROW_FILTERS = ['all', 'approved', 'flagged', 'unflagged'] as const;
export type RowFilter = (typeof ROW_FILTERS)[number];

/** What one page of a sheet's rows asks for (`GET …/sheets/:sheetId/rows`); checked against the sheet's columns. */
export interface RowsPageQuery {
  offset: number;
  /** At most `ROWS_PAGE_LIMIT`. */
  limit: number;
  /** A column id, `row_id` or `review_status`; row id order when absent. */
  sort?: { column: string; descending: boolean };
  /** Case-insensitive text searched for in the sheet's text cells. */
  q?: string;
  /** Column id (or `review_status`) → the code its cell holds (`''`: the cell is empty). All must hold. */
  filters: [string, string][];
  /** Only the rows of these ids (those the sheet holds), in the page's order. */
  ids?: string[];
}

/** A page of rows: cells as stored, with the row's review status. */
export interface RowsPage {
  total: number;
  rows: { rowId: string; cells: Record<string, CellValue>; reviewStatus: string }[];
}

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
  history(datasetId: string, rowId?: string): Promise<HistoryEntry[]>;
  /** A sheet's rows in row-id order, read a page at a time. */
  exportRows(datasetId: string, sheetId: string, filter: RowFilter): AsyncIterable<ExportRow>;
  /** One page of a sheet's rows, sorted, filtered and searched in the database. */
  rowsPage(datasetId: string, sheetId: string, columns: readonly Column[], query: RowsPageQuery): Promise<RowsPage>;
  /** Where each row stands in a page query's order (0 the first); rows it leaves out are absent. */
  rowPositions(datasetId: string, sheetId: string, columns: readonly Column[], query: Omit<RowsPageQuery, 'offset' | 'limit'>, rowIds: readonly string[]): Promise<Map<string, number>>;
  progress(datasetId: string, sheets: readonly SheetSummary[]): Promise<ProgressCounts>;
  flags(datasetId: string, filter?: FlagFilter): Promise<FlagRecord[]>;
  flag(datasetId: string, flagId: string): Promise<FlagRecord | undefined>;
  /** A row's sheet and review state, if the row exists. */
  rowReview(datasetId: string, rowId: string): Promise<RowReview | undefined>;
  rowAuthors(datasetId: string, rowIds: readonly string[]): Promise<Map<string, RowAuthors>>;
  /** Names of everyone who changed a cell of the row at or after `sinceMs`. */
  rowEditorsSince(datasetId: string, rowId: string, sinceMs: number): Promise<string[]>;
  /** Concurrent-edit conflicts, oldest first; all of them, or those of one status. */
  conflicts(datasetId: string, status?: ConflictStatus): Promise<ConflictRecord[]>;
  conflict(datasetId: string, conflictId: string): Promise<ConflictRecord | undefined>;
  /** A row's conflicts, open and resolved, oldest first. */
  rowConflicts(datasetId: string, rowId: string): Promise<ConflictRecord[]>;
  /** The name of whoever made the last recorded change of a cell, if any. */
  lastCellAuthor(datasetId: string, sheetId: string, rowId: string, columnId: string): Promise<string | null | undefined>;
}

export interface UserRecord {
  id: string;
  name: string;
  role: Role;
}

export interface SessionInfo {
  /** A short, public id of the session (not its secret): the start of its hash. */
  id: string;
  createdAt: string;
  expiresAt: string;
}

export interface AuditEntry {
  at: string;
  /** The acting user's name; null for the server itself. */
  by: string | null;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

/** An audit entry to write: who (null for the server itself) did what to which user or dataset. */
export interface NewAuditEntry {
  actorId: string | null;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

/** A user as an administrative change reads them. */
export interface UserState extends UserRecord {
  disabled: boolean;
}

/** What an administrative change of a user writes; fields left out stay as they are. */
export interface UserChange {
  role?: Role;
  /** Disabling also ends the user's sessions. */
  disabled?: boolean;
  audit: NewAuditEntry[];
}

/** A one-time sign-in link as stored. */
export interface SignInLinkRecord {
  idHash: string;
  userId: string;
  createdBy: string | null;
  createdAt: number;
  expiresAt: number;
}

/**
 * Users, their browser sessions and one-time sign-in links. Secrets are stored only as hashes
 * (`server/auth/secrets.ts`). Lookups by token or session never return a disabled user.
 */
export interface UserDirectory {
  /**
   * Stores a new user, with a first sign-in link and an audit entry when given, in one transaction; false,
   * storing nothing, when the name is taken.
   */
  insert(user: UserRecord & { tokenHash: string; passwordHash: string | null }, also?: { link?: SignInLinkRecord; audit?: NewAuditEntry }): Promise<boolean>;
  byTokenHash(tokenHash: string): Promise<UserRecord | undefined>;
  /** The user with this name, disabled or not. */
  byName(name: string): Promise<(UserRecord & { passwordHash: string | null; disabled: boolean }) | undefined>;
  byId(id: string): Promise<(UserRecord & { disabled: boolean }) | undefined>;
  list(): Promise<Array<UserRecord & { createdAt: string; disabled: boolean }>>;
  /**
   * Changes the user named in one transaction with the audit entries, as `decide` answers from the user as
   * the transaction reads them (undefined when there is none). `decide` runs inside the transaction and
   * synchronously; a throw writes nothing. Returns the user as changed and the hashes of the sessions a
   * disabling ended.
   */
  changeUser(name: string, decide: (user: UserState | undefined) => UserChange): Promise<{ user: UserState; endedSessions: string[] }>;
  /** Sets the password's hash (null: none), with the audit entry in the same transaction when given. */
  setPasswordHash(userId: string, passwordHash: string | null, audit?: NewAuditEntry): Promise<void>;
  sessionsOf(userId: string): Promise<SessionInfo[]>;
  /**
   * Ends sessions of the user: the one with this public id, or all of them. With `audit`, its entry for
   * the hashes ended is written in the same transaction (a throw from it ends none). Returns the hashes ended.
   */
  deleteSessionsOf(userId: string, sessionId?: string, audit?: (ended: readonly string[]) => NewAuditEntry): Promise<string[]>;
  /** Stores a sign-in link, with the audit entry in the same transaction when given. */
  insertLink(link: SignInLinkRecord, audit?: NewAuditEntry): Promise<void>;
  /** Uses a sign-in link once: its user, if it exists, is unused and unexpired; it cannot be used again. */
  consumeLink(idHash: string, now: number): Promise<UserRecord | undefined>;
  audit(entry: NewAuditEntry): Promise<void>;
  auditLog(limit: number): Promise<AuditEntry[]>;
  count(): Promise<number>;
  /** The admin made first (the one the first start created). */
  firstAdmin(): Promise<UserRecord | undefined>;
  /**
   * Replaces the user's token, with the audit entry in the same transaction when given; returns the hash
   * of the token it replaced.
   */
  setTokenHash(userId: string, tokenHash: string, audit?: NewAuditEntry): Promise<string | undefined>;
  insertSession(session: { idHash: string; userId: string; createdAt: number; expiresAt: number }): Promise<void>;
  /** The user of an unexpired session. */
  bySessionHash(idHash: string, now: number): Promise<UserRecord | undefined>;
  deleteSession(idHash: string): Promise<void>;
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

/** The texts a dataset's rows are coded from (docs/sources.md). */
export interface SourceStore {
  /**
   * A dataset's sources in the order they were added, without their texts; with `query`, only those
   * whose title or text contains it (ignoring case for ASCII letters).
   */
  list(datasetId: string, query?: string): Promise<SourceRecord[]>;
  get(datasetId: string, sourceId: string): Promise<(SourceRecord & { text: string }) | undefined>;
  /** Only the text, for checking anchors. */
  text(datasetId: string, sourceId: string): Promise<string | undefined>;
  insert(datasetId: string, source: NewSourceRecord): Promise<void>;
  /** Removes a source unless a row anchors to it: 'anchored' then, storing nothing; 'missing' if there is none. */
  delete(datasetId: string, sourceId: string): Promise<'deleted' | 'anchored' | 'missing'>;
  /** Sources with their texts, for the sources export. */
  all(datasetId: string): AsyncIterable<SourceRecord & { text: string }>;
  /**
   * The anchors of the read model's rows into the source, at most `limit`, by sheet and row id, and in a
   * row as its cells list them.
   */
  anchors(datasetId: string, sourceId: string, limit: number): Promise<SourceAnchor[]>;
}

/** An anchor of a row into a source (`SourceStore.anchors`). */
export interface SourceAnchor {
  sheet: string;
  row: string;
  start: number;
  end: number;
  exact: string;
}

/** A double-coding round as stored (users by id, times in ms since the epoch). */
export interface RoundRecord {
  id: string;
  datasetId: string;
  name: string;
  sheetId: string;
  rows: string[];
  columns: string[];
  levels: Record<string, Level>;
  sample: { percent: number; seed: number } | null;
  createdBy: string;
  createdAt: number;
  /** In the order the round listed them. */
  coders: Array<{ userId: string; submittedAt: number | null }>;
}

/** The last decision on one cell of a round. */
export interface AdjudicationRecord {
  roundId: string;
  rowId: string;
  columnId: string;
  value: CellValue;
  /** Coder name → their value when the decision was made. */
  coderValues: Record<string, CellValue>;
  userId: string;
  at: number;
}

/** Double-coding rounds; each coder's copy is a document of the DocStore, stored under its own room. */
export interface RoundStore {
  /** Stores a round with the first state of every coder's copy, in one transaction. */
  create(round: RoundRecord, copies: readonly DocCommit[]): Promise<void>;
  /** A dataset's rounds, newest first. */
  list(datasetId: string): Promise<RoundRecord[]>;
  get(datasetId: string, roundId: string): Promise<RoundRecord | undefined>;
  /** Marks a coder's copy submitted; false if they had submitted already (or are no coder of it). */
  submit(datasetId: string, roundId: string, userId: string, at: number): Promise<boolean>;
  saveAdjudication(datasetId: string, record: AdjudicationRecord): Promise<void>;
  adjudications(datasetId: string, roundId: string): Promise<AdjudicationRecord[]>;
  /** The ids of a sheet's rows in the read model, in row-id order: what a round of a `rows` dataset draws from. */
  sheetRows(datasetId: string, sheetId: string): Promise<string[]>;
}

export const RELEASE_ROWS = ['all', 'approved'] as const;
/** Which rows a release holds. */
export type ReleaseRows = (typeof RELEASE_ROWS)[number];

/** A release as listed (docs/releases.md#releases). */
export interface ReleaseRecord {
  version: string;
  /** ISO 8601 UTC. */
  createdAt: string;
  /** The releasing user's name. */
  createdBy: string | null;
  notes: string;
  rowFilter: ReleaseRows;
  /** Rows per sheet. */
  rows: Record<string, number>;
  /** sha256 of the package's zip bytes, hex. */
  sha256: string;
}

/** A dataset's releases: stored once, never changed. */
/** The files stored with a release. */
export type ReleaseFile = 'zip' | 'snapshot';

export interface ReleaseStore {
  /** Oldest (lowest version) first. */
  list(datasetId: string): Promise<ReleaseRecord[]>;
  /**
   * Stores a release, its files given as their bytes in order (any number of pieces); false, storing
   * nothing, when the version exists. Large files are written a few parts per transaction, with turns of
   * the event loop between; the release is listed only once all of it is stored.
   */
  insert(datasetId: string, release: ReleaseRecord, files: Record<ReleaseFile, readonly Uint8Array[]>): Promise<boolean>;
  /** The package's bytes exactly as stored, a part at a time; undefined for no such release. */
  zip(datasetId: string, version: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** The rows and columns the release was made from, as stored (gzipped), a part at a time. */
  snapshot(datasetId: string, version: string): Promise<AsyncIterable<Uint8Array> | undefined>;
}

export interface Storage {
  /**
   * Runs `read` on one consistent state of everything stored: what another request commits meanwhile is
   * not seen, in part or whole. For reads that must agree with each other, such as a release's rows.
   */
  snapshot<T>(read: (view: Storage) => Promise<T>): Promise<T>;
  /** Resolves once the database answered a trivial query (`/healthz`). */
  ping(): Promise<void>;
  rounds: RoundStore;
  docs: DocStore;
  releases: ReleaseStore;
  sources: SourceStore;
  datasets: DatasetCatalog;
  readModel: ReadModel;
  users: UserDirectory;
  /** Duplicate detection's reads and the groups users dismissed. */
  duplicates: DuplicateStore;
  /**
   * Where a long statement (a large sheet's index build) holds the database's one write lock while it runs (SQLite):
   * resolves once none runs, and holds the next back until the returned release is called. A request that writes
   * outside the document store waits here, off the event loop, rather than in the driver's busy wait on it.
   */
  holdWrites?(): Promise<() => void>;
}
