/**
 * The PostgreSQL schema (Drizzle), table for table and column for column the SQLite one (`db/schema.ts`):
 * the same names, JSON kept as text, times as milliseconds since the epoch (bigint read as numbers).
 */
import { bigint, bigserial, customType, doublePrecision, index, primaryKey, pgTable, text } from 'drizzle-orm/pg-core';

/** Bytes (Yjs updates, snapshots, packages) as `bytea`, read as Buffers. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
/** Whole numbers: milliseconds since the epoch do not fit a 32-bit integer. */
const integer = (name: string) => bigint(name, { mode: 'number' });

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  role: text('role', { enum: ['viewer', 'reviewer', 'editor', 'admin'] }).notNull(),
  /** sha256 of the API token: tokens are 256-bit random, so a fast hash is enough. */
  tokenHash: text('token_hash').notNull().unique(),
  /** scrypt hash of the password, if the user has one. */
  passwordHash: text('password_hash'),
  createdAt: integer('created_at').notNull(),
  /** When an admin disabled the user (no sign-in, no API, sockets closed); null while active. */
  disabledAt: integer('disabled_at'),
});

export const sessions = pgTable('sessions', {
  /** sha256 of the cookie value. */
  idHash: text('id_hash').primaryKey(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

export const datasets = pgTable('datasets', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  template: text('template').notNull(),
  /** JSON: dataset settings (flag reasons, four eyes). */
  settings: text('settings').notNull().default('{}'),
  createdBy: text('created_by').references(() => users.id),
  createdAt: integer('created_at').notNull(),
  /** When the dataset was archived (read-only, hidden from the default list); null while active. */
  archivedAt: integer('archived_at'),
  /** `everyone`: every user with their global role; `members`: only its members (and global admins). */
  access: text('access', { enum: ['everyone', 'members'] }).notNull().default('everyone'),
  /**
   * `document`: the dataset's rows are in its own document; `rows`: each row is a document of its own
   * (docs/design/million-rows.md), and the dataset's document holds its name and sheets only.
   */
  layout: text('layout', { enum: ['document', 'rows'] }).notNull().default('document'),
  /** When a `document` dataset was converted to `rows`; null for one made in its layout. */
  convertedAt: integer('converted_at'),
});

/** A user's role on one dataset. */
export const datasetMembers = pgTable('dataset_members', {
  datasetId: text('dataset_id').notNull().references(() => datasets.id, { onDelete: 'cascade' }),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  role: text('role', { enum: ['viewer', 'reviewer', 'editor', 'admin'] }).notNull(),
  addedBy: text('added_by'),
  addedAt: integer('added_at').notNull(),
}, (t) => [primaryKey({ columns: [t.datasetId, t.userId] }), index('dataset_members_user').on(t.userId)]);

/** One-time sign-in links: a secret (stored hashed) that signs one user in once, before it expires. */
export const signinLinks = pgTable('signin_links', {
  idHash: text('id_hash').primaryKey(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  createdBy: text('created_by'),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
});

/** Who changed users, memberships and access, and when. */
export const auditLog = pgTable('audit_log', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  at: integer('at').notNull(),
  /** The user who made the change; null for the server itself. */
  actorId: text('actor_id'),
  action: text('action').notNull(),
  /** What was changed: a user's or a dataset's id. */
  target: text('target').notNull(),
  /** JSON details (the new role, …). */
  detail: text('detail').notNull(),
});

/** Append-only log of applied Yjs updates; folded into `snapshots` by compaction. */
export const updates = pgTable('updates', {
  seq: bigserial('seq', { mode: 'number' }).primaryKey(),
  datasetId: text('dataset_id').notNull(),
  update: bytea('update').notNull(),
  /** The document's state vector after this update (set on the last update of each flush). */
  stateVector: bytea('state_vector'),
  userId: text('user_id'),
  at: integer('at').notNull(),
}, (t) => [index('updates_dataset_seq').on(t.datasetId, t.seq)]);

/** The compacted document: one merged update holding everything up to `upToSeq`. */
export const snapshots = pgTable('snapshots', {
  datasetId: text('dataset_id').primaryKey(),
  state: bytea('state').notNull(),
  /** The state vector of `state`, so a cold document can answer sync step 1 without parsing it. */
  stateVector: bytea('state_vector'),
  upToSeq: integer('up_to_seq').notNull(),
  at: integer('at').notNull(),
  /**
   * The sequence number from which the room's log starts over: a document that replaced the room's
   * earlier one (a dataset converted to the `rows` layout). A reader behind it cannot merge what follows.
   */
  baseSeq: integer('base_seq').notNull().default(0),
});

/** History: every cell change the server applied, with who and when. Values are JSON. */
export const cellChanges = pgTable('cell_changes', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  datasetId: text('dataset_id').notNull(),
  sheetId: text('sheet_id').notNull(),
  rowId: text('row_id').notNull(),
  columnId: text('column_id').notNull(),
  old: text('old'),
  new: text('new'),
  userId: text('user_id'),
  at: integer('at').notNull(),
  /** JSON: why the change was made, when the server knows more than who and when (an adjudication's coder values). */
  note: text('note'),
}, (t) => [index('cell_changes_row').on(t.datasetId, t.rowId, t.id)]);

/**
 * The read model of a sheet's rows, kept in step with the document in the same transaction as the
 * update log: exports and the API read it without loading the document.
 */
export const rows = pgTable('rows', {
  datasetId: text('dataset_id').notNull(),
  sheetId: text('sheet_id').notNull(),
  rowId: text('row_id').notNull(),
  /** JSON object of the row's cells. */
  cells: text('cells').notNull(),
  createdBy: text('created_by'),
  createdAt: integer('created_at').notNull(),
  updatedBy: text('updated_by'),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [
  primaryKey({ columns: [t.datasetId, t.sheetId, t.rowId] }),
  // The rows of a sheet written since a time (what a later request for duplicates reads again): a range of it.
  index('rows_updated').on(t.datasetId, t.sheetId, t.updatedAt),
  // A row by its id alone (its review, a route's row): the primary key leads with the sheet, so without this such a
  // lookup read every row of the dataset (tens of milliseconds per edit at a million rows).
  index('rows_by_id').on(t.datasetId, t.rowId, t.sheetId),
]);

/** The read model of a dataset's sheets (name, columns in display order). */
export const sheets = pgTable('sheets', {
  datasetId: text('dataset_id').notNull(),
  sheetId: text('sheet_id').notNull(),
  name: text('name').notNull(),
  /** JSON array of columns. */
  columns: text('columns').notNull(),
  position: integer('position').notNull(),
  /**
   * How many rows of the sheet `rows` holds: kept by triggers on `rows` (`db/pg/migrations/0003_sheet_row_counts.sql`), whoever writes
   * them, so that a page's total is read, not counted.
   */
  rowCount: integer('row_count').notNull().default(0),
}, (t) => [primaryKey({ columns: [t.datasetId, t.sheetId] })]);

/** The read model of review state per row. */
export const reviews = pgTable('reviews', {
  datasetId: text('dataset_id').notNull(),
  rowId: text('row_id').notNull(),
  status: text('status').notNull(),
  openFlags: integer('open_flags').notNull(),
}, (t) => [primaryKey({ columns: [t.datasetId, t.rowId] })]);

/**
 * The read model of review flags: one row per flag, rewritten with its row's review in the same
 * transaction as the update that changed it, so listing flags never needs the document.
 */
export const flags = pgTable('flags', {
  datasetId: text('dataset_id').notNull(),
  flagId: text('flag_id').notNull(),
  rowId: text('row_id').notNull(),
  sheetId: text('sheet_id').notNull(),
  columnId: text('column_id'),
  reason: text('reason').notNull(),
  note: text('note').notNull(),
  /** The reviewer's name. */
  by: text('by').notNull(),
  at: text('at').notNull(),
  status: text('status').notNull(),
  resolvedBy: text('resolved_by'),
  resolvedAt: text('resolved_at'),
  resolution: text('resolution'),
  /** JSON array of the thread's comments. */
  comments: text('comments').notNull(),
}, (t) => [primaryKey({ columns: [t.datasetId, t.flagId] }), index('flags_row').on(t.datasetId, t.rowId)]);

/**
 * The read model of concurrent-edit conflicts: a cell two people changed without having seen each
 * other's change. One value was kept (Yjs's choice); the other is kept here until someone resolves it.
 */
export const conflicts = pgTable('conflicts', {
  datasetId: text('dataset_id').notNull(),
  conflictId: text('conflict_id').notNull(),
  sheetId: text('sheet_id').notNull(),
  rowId: text('row_id').notNull(),
  columnId: text('column_id').notNull(),
  /** JSON cell values. */
  kept: text('kept'),
  keptBy: text('kept_by'),
  lost: text('lost'),
  lostBy: text('lost_by'),
  at: text('at').notNull(),
  status: text('status').notNull(),
  resolvedBy: text('resolved_by'),
  resolvedAt: text('resolved_at'),
}, (t) => [primaryKey({ columns: [t.datasetId, t.conflictId] }), index('conflicts_cell').on(t.datasetId, t.rowId, t.columnId)]);

/**
 * The texts a dataset's rows are coded from. A source's text never changes once stored (a corrected
 * text is a new source); rows anchor into it by code-point offsets.
 */
export const sources = pgTable('sources', {
  datasetId: text('dataset_id').notNull(),
  sourceId: text('source_id').notNull(),
  title: text('title').notNull(),
  url: text('url'),
  outlet: text('outlet'),
  publishedAt: text('published_at'),
  text: text('text').notNull(),
  /** sha256 of the UTF-8 text, hex. */
  sha256: text('sha256').notNull(),
  /** Length in Unicode code points. */
  length: integer('length').notNull(),
  createdBy: text('created_by'),
  createdAt: integer('created_at').notNull(),
}, (t) => [primaryKey({ columns: [t.datasetId, t.sourceId] })]);

/**
 * Every anchor of the read model's rows, one row per anchor into a source, so that a source's passages are
 * read by (dataset, source), not found by scanning the dataset's rows. Kept by triggers on `rows`
 * (`db/pg/migrations/0005_source_anchors.sql`), whoever writes them: a commit, an import, a bulk write, a row or sheet or dataset deleted.
 * An anchor is an object of a cell holding a list of them; `cell` and `item` order a row's anchors as
 * its cells' JSON lists them.
 */
export const sourceAnchors = pgTable('source_anchors', {
  datasetId: text('dataset_id').notNull(),
  sourceId: text('source_id').notNull(),
  sheetId: text('sheet_id').notNull(),
  rowId: text('row_id').notNull(),
  /** The cell's place in the row's JSON (an increasing number, not a column id). */
  cell: integer('cell').notNull(),
  /** The anchor's index in the cell's list. */
  item: integer('item').notNull(),
  /** In code points of the source's text, end exclusive. */
  start: integer('anchor_start').notNull(),
  end: integer('anchor_end').notNull(),
  exact: text('exact').notNull(),
}, (t) => [primaryKey({ columns: [t.datasetId, t.sourceId, t.sheetId, t.rowId, t.cell, t.item] })]);

// ---- double coding: rounds, their coders and the adjudication decisions ----
// A coder's copy is a document like any other (updates, snapshots, rows and cell_changes), stored
// under its room `DATASET/rounds/ROUND/CODER_ID`; these tables hold what the round is.

/** A double-coding round: which rows and columns of a sheet are coded blind by its coders. */
export const rounds = pgTable('rounds', {
  datasetId: text('dataset_id').notNull().references(() => datasets.id, { onDelete: 'cascade' }),
  roundId: text('round_id').notNull(),
  name: text('name').notNull(),
  sheetId: text('sheet_id').notNull(),
  /** JSON arrays of row ids and column ids. */
  rows: text('rows').notNull(),
  columns: text('columns').notNull(),
  /** JSON object: column id → measurement level of alpha. */
  levels: text('levels').notNull(),
  /** The random sample that drew the rows, if one did: percent and the seed used. */
  samplePercent: doublePrecision('sample_percent'),
  sampleSeed: integer('sample_seed'),
  createdBy: text('created_by').notNull(),
  createdAt: integer('created_at').notNull(),
}, (t) => [primaryKey({ columns: [t.datasetId, t.roundId] })]);

/** A coder of a round; `submittedAt` set once they submitted (their copy is read-only from then on). */
export const roundCoders = pgTable('round_coders', {
  datasetId: text('dataset_id').notNull(),
  roundId: text('round_id').notNull(),
  userId: text('user_id').notNull(),
  /** The order the round listed its coders in. */
  position: integer('position').notNull(),
  submittedAt: integer('submitted_at'),
}, (t) => [primaryKey({ columns: [t.datasetId, t.roundId, t.userId] }), index('round_coders_user').on(t.userId)]);

/** The last adjudication of each cell of a round: the value decided and every coder's value then. */
export const roundAdjudications = pgTable('round_adjudications', {
  datasetId: text('dataset_id').notNull(),
  roundId: text('round_id').notNull(),
  rowId: text('row_id').notNull(),
  columnId: text('column_id').notNull(),
  /** JSON cell values: the decision, and coder name → value. */
  value: text('value'),
  coderValues: text('coder_values').notNull(),
  userId: text('user_id').notNull(),
  at: integer('at').notNull(),
}, (t) => [primaryKey({ columns: [t.datasetId, t.roundId, t.rowId, t.columnId] })]);
// ---- Releases (docs/releases.md#releases) ----

/**
 * A dataset's numbered releases. Immutable once stored: `zip` holds the package's exact bytes (its sha256
 * is `sha256`), and `snapshot` the rows and columns it was made from (gzipped JSON), so the diff between
 * two releases and the changelog of the next one never read the live document.
 */
export const releases = pgTable('releases', {
  datasetId: text('dataset_id').notNull(),
  version: text('version').notNull(),
  /** For ordering: major * 1e6 + minor. */
  rank: integer('rank').notNull(),
  createdAt: integer('created_at').notNull(),
  /** The releasing user's name. */
  createdBy: text('created_by'),
  notes: text('notes').notNull(),
  /** `all` or `approved`: which rows went in. */
  rowFilter: text('row_filter').notNull(),
  /** JSON: {sheetId: row count}. */
  rowCounts: text('row_counts').notNull(),
  sha256: text('sha256').notNull(),
  /** Empty for releases stored in parts (`releaseParts`). */
  zip: bytea('zip').notNull(),
  snapshot: bytea('snapshot').notNull(),
}, (t) => [primaryKey({ columns: [t.datasetId, t.version] }), index('releases_rank').on(t.datasetId, t.rank)]);

/**
 * A release's stored files (`zip`, `snapshot`) in parts of about a megabyte, in `seq` order, for releases whose
 * `zip` and `snapshot` columns are empty: written a few parts per transaction and read a part at a time, so a
 * release of a million rows is never one value in a statement. `sha256` is the release's: two instances making
 * the same version at once write parts of their own, and the one whose release row is stored keeps its parts.
 */
export const releaseParts = pgTable('release_parts', {
  datasetId: text('dataset_id').notNull(),
  version: text('version').notNull(),
  sha256: text('sha256').notNull(),
  file: text('file').notNull(),
  seq: integer('seq').notNull(),
  bytes: bytea('bytes').notNull(),
}, (t) => [primaryKey({ columns: [t.datasetId, t.version, t.sha256, t.file, t.seq] })]);

/**
 * Groups of rows that duplicate detection proposed and a user said are not the same event
 * (docs/actors-and-duplicates.md): never listed again. `rows` is the group's row ids, sorted, joined by spaces.
 */
export const duplicateDismissals = pgTable('duplicate_dismissals', {
  datasetId: text('dataset_id').notNull().references(() => datasets.id, { onDelete: 'cascade' }),
  sheetId: text('sheet_id').notNull(),
  rows: text('rows').notNull(),
  /** The user who dismissed it. */
  dismissedBy: text('dismissed_by'),
  dismissedAt: integer('dismissed_at').notNull(),
}, (t) => [primaryKey({ columns: [t.datasetId, t.sheetId, t.rows] })]);
