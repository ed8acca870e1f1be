/**
 * The HTTP API, typed once: a zod schema for every request body and every response, and the types
 * derived from them. The server validates request bodies with these schemas; the client uses the
 * derived types (type-only imports, so zod stays out of the browser bundle).
 */
import { z } from 'zod';
import { LEVELS, type Level } from './agreement/alpha';
import { type Anchor, COLUMN_TYPES, type CellValue, type Column, PROBLEM_CODES, RESERVED_COLUMN_IDS } from './columns';
import { CONFLICT_STATUSES, type ConflictRecord } from './conflicts';
import { type Flag, REVIEW_STATUSES } from './document';
import { DUPLICATE_REASONS } from './duplicates';
import { isPlace, type Place } from './places';
import { COLUMN_ID, DATASET_ID, DATASET_ID_RULE, ROW_ID, SHEET_ID } from './ids';
import { VERSION } from './releases';
import { MAX_BULK_APPROVE, type FlagComment } from './reviews';
import { ROLES } from './roles';
import { TEMPLATE_IDS, type TemplateId } from './templates';

const NOTE_MAX = 5000;
/** Flag reason codes: lowercase letters, digits and _, starting with a letter. */
const REASON_CODE = /^[a-z][a-z0-9_]{0,62}$/;

// ---- shared pieces ----

/** A passage of a source: code points `start` to `end` (end exclusive) and the text there. */
export const AnchorSchema = z.object({
  source: z.string().min(1),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  exact: z.string(),
}) satisfies z.ZodType<Anchor>;

/** A place (model/places.ts): the shape is checked here; the sense of its values is `placeProblem`'s. */
export const PlaceSchema = z.object({
  name: z.string(),
  country: z.string().nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  precision: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  geonameid: z.number().int().nullable(),
}).strict().refine(isPlace) satisfies z.ZodType<Place>;

const CellValueSchema = z.union([
  z.string(), z.number(), z.boolean(), z.null(), z.array(z.string()), z.array(AnchorSchema), PlaceSchema,
]) satisfies z.ZodType<CellValue>;

const ColumnSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(COLUMN_TYPES),
  required: z.boolean().optional(),
  options: z.array(z.string()).optional(),
  /** A label for each code of `options`, for the codebook. */
  optionLabels: z.record(z.string(), z.string()).optional(),
  description: z.string().optional(),
  ref: z.string().optional(),
  /** For `text` columns: the sheet of the actor list the cell names an actor of. */
  actors: z.string().optional(),
}) satisfies z.ZodType<Column>;

// ---- session and users ----

/** `POST /api/session` */
/** Name and password, or a sign-in link's token (the page that asks before replacing another user's session). */
export const SignInBody = z.union([
  z.object({ name: z.string().min(1), password: z.string().min(1) }),
  z.object({ token: z.string().min(1) }),
]);
export type SignInBody = z.infer<typeof SignInBody>;

/** `GET /api/me`, and the answer of `POST /api/session`. */
export const User = z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES) });
export type User = z.infer<typeof User>;

/** `POST /api/users` (admin) */
export const NewUserBody = z.object({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  password: z.string().min(8, 'a password needs at least 8 characters').max(200).optional(),
});
export type NewUserBody = z.infer<typeof NewUserBody>;

/**
 * `POST /api/users` → 201: the token is shown this once (for scripts); `signinUrl` is a one-time sign-in
 * link (a path on this site) to hand to the person, working once until `signinExpiresAt`.
 */
export const NewUserResponse = User.extend({ token: z.string(), signinUrl: z.string(), signinExpiresAt: z.string() });
export type NewUserResponse = z.infer<typeof NewUserResponse>;

/** `GET /api/users` (admin) */
export const UserList = z.array(User.extend({ createdAt: z.string(), disabled: z.boolean().optional() }));
export type UserList = z.infer<typeof UserList>;

const Password = z.string().min(8, 'a password needs at least 8 characters').max(200);

/** `PATCH /api/users/:userName` (admin) */
export const UserPatch = z.object({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional() });
export type UserPatch = z.infer<typeof UserPatch>;

/** `PUT /api/users/:userName/password`: the user with their old password, or an admin without it. */
export const PasswordBody = z.object({ old: z.string().optional(), password: Password });
export type PasswordBody = z.infer<typeof PasswordBody>;

/** `POST /api/users/:userName/token` → the new token, shown this once. */
export const NewToken = z.object({ token: z.string() });

/** `POST /api/users/:userName/link` (admin) → a one-time sign-in link that expires. */
export const SignInLink = z.object({ url: z.string(), expiresAt: z.string() });
export type SignInLink = z.infer<typeof SignInLink>;

/** `GET /api/users/:userName/sessions` */
export const SessionList = z.array(z.object({
  id: z.string(), createdAt: z.string(), expiresAt: z.string(),
  /** True for the session this request came with (the browser asking). */
  current: z.boolean().optional(),
}));
export type SessionList = z.infer<typeof SessionList>;

/** `GET /api/audit` (admin): newest first. */
export const AuditLog = z.array(z.object({
  at: z.string(), by: z.string().nullable(), action: z.string(), target: z.string(), detail: z.record(z.string(), z.unknown()),
}));
export type AuditLog = z.infer<typeof AuditLog>;

/** `GET /api/datasets/:id/members` */
export const MemberList = z.array(z.object({ name: z.string(), role: z.enum(ROLES), addedAt: z.string() }));
export type MemberList = z.infer<typeof MemberList>;

/** `PUT /api/datasets/:id/members/:userName` (dataset admin) */
export const MemberBody = z.object({ role: z.enum(ROLES) });


// ---- datasets ----

/** Who may reach a dataset: `everyone` (each user with their global role) or its `members` only. */
export const DatasetAccess = z.enum(['everyone', 'members']);
export type DatasetAccess = z.infer<typeof DatasetAccess>;

/** `GET /api/datasets` */
export const DatasetList = z.array(z.object({
  id: z.string(), name: z.string(), template: z.string(), createdAt: z.string(),
  /** The signed-in user's role on it (an archived one: at most `viewer`); older servers leave it out. */
  role: z.enum(ROLES).optional(),
  /** Their own role on it apart from an archive: what they act with once it is restored. */
  ownRole: z.enum(ROLES).optional(),
  access: DatasetAccess.optional(),
  /** When it was archived (ISO 8601 UTC), null while active; archived ones are listed only with `?archived=1`. */
  archivedAt: z.string().nullable().optional(),
  /** `rows`: each row is a document of its own, read by page; older servers leave it out. */
  layout: z.enum(['document', 'rows']).optional(),
}));
export type DatasetList = z.infer<typeof DatasetList>;
export type DatasetSummary = DatasetList[number];

/** `POST /api/datasets` (admin); without an id, the server makes one from the name. */
export const NewDatasetBody = z.object({
  name: z.string().trim().min(1).max(200),
  id: z.string().regex(DATASET_ID, DATASET_ID_RULE).optional(),
  template: z.enum(TEMPLATE_IDS as [TemplateId, ...TemplateId[]]).default('events-statements'),
  /** `rows`: each row a document of its own, for sheets of any size (docs/sync.md#rooms). */
  layout: z.enum(['document', 'rows']).default('document'),
});
export type NewDatasetBody = z.input<typeof NewDatasetBody>;

/** `POST /api/datasets` → 201 */
export const DatasetCreated = z.object({ id: z.string(), name: z.string() });
export type DatasetCreated = z.infer<typeof DatasetCreated>;

/** `GET /api/datasets/:id` */
export const DatasetDetail = z.object({
  id: z.string(),
  name: z.string(),
  template: z.string(),
  createdAt: z.string(),
  sheets: z.array(z.object({ id: z.string(), name: z.string(), columns: z.array(ColumnSchema), rowCount: z.number() })),
  /** The signed-in user's role on this dataset; older servers leave it out (the global role applies). */
  role: z.enum(ROLES).optional(),
  /** Their own role on it apart from an archive: what they act with once it is restored. */
  ownRole: z.enum(ROLES).optional(),
  /** When it was archived (read-only for everyone until restored), null while active. */
  archivedAt: z.string().nullable().optional(),
  access: DatasetAccess.optional(),
  /** `rows`: each row is a document of its own (room `DATASET/rows/SHEET/ROW`); older servers leave it out. */
  layout: z.enum(['document', 'rows']).optional(),
  /** When a `document` dataset was converted to `rows`; null for one made in its layout. */
  convertedAt: z.string().nullable().optional(),
});
export type DatasetDetail = z.infer<typeof DatasetDetail>;

/**
 * `POST /api/datasets/:id/layout` (dataset admin): converts a `document` dataset to `rows`, for good. → 200
 * `LayoutChanged`; `409` when it has that layout already.
 */
export const LayoutBody = z.object({ layout: z.literal('rows') }).strict();
export type LayoutBody = z.infer<typeof LayoutBody>;

/** `POST /api/datasets/:id/layout` → 200: the rows each sheet holds now, as documents of their own. */
export const LayoutChanged = z.object({
  id: z.string(),
  layout: z.literal('rows'),
  convertedAt: z.string(),
  rows: z.record(z.string(), z.number()),
});
export type LayoutChanged = z.infer<typeof LayoutChanged>;

/** `PATCH /api/datasets/:id` (admin): rename, archive (`true`) or restore (`false`). → 200 DatasetDetail */
export const DatasetPatch = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  archived: z.boolean().optional(),
  /** `everyone`: every user with their global role; `members`: only its members (and global admins). */
  access: DatasetAccess.optional(),
}).strict();
export type DatasetPatch = z.infer<typeof DatasetPatch>;

/** `DELETE /api/datasets/:id` (admin): the dataset's id typed out, so nothing is deleted by a slip. */
export const DeleteDatasetBody = z.object({ confirm: z.string() });
export type DeleteDatasetBody = z.infer<typeof DeleteDatasetBody>;

/** A new sheet's columns: valid, unique ids that no export column takes. */
const NewSheetColumns = z.array(ColumnSchema.extend({
  id: z.string().regex(COLUMN_ID, 'column ids start with a letter and use a-z, 0-9 and _'),
  name: z.string().trim().min(1).max(200),
  actors: z.string().regex(SHEET_ID, 'an actor list is named by its sheet id').optional(),
})).max(500).superRefine((columns, ctx) => {
  const seen = new Set<string>();
  for (const [i, c] of columns.entries()) {
    if (RESERVED_COLUMN_IDS.has(c.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `"${c.id}" is a column every export adds` });
    if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `the column id "${c.id}" is used twice` });
    seen.add(c.id);
  }
});

/** `POST /api/datasets/:id/sheets` (admin): without an id, the server makes one from the name. → 201 SheetSummary */
export const NewSheetBody = z.object({
  id: z.string().regex(SHEET_ID, 'sheet ids start with a letter and use a-z, 0-9 and _').optional(),
  name: z.string().trim().min(1).max(200),
  columns: NewSheetColumns.optional(),
});
export type NewSheetBody = z.infer<typeof NewSheetBody>;

/** `PATCH /api/datasets/:id/sheets/:sheetId` (admin): rename, or move to `position` (0 is the first tab). */
export const SheetPatch = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  position: z.number().int().min(0).optional(),
}).strict();
export type SheetPatch = z.infer<typeof SheetPatch>;

/** A sheet as `GET /api/datasets/:id` lists it, and as adding or changing one answers. */
export const SheetSummary = z.object({ id: z.string(), name: z.string(), columns: z.array(ColumnSchema), rowCount: z.number() });
export type SheetSummary = z.infer<typeof SheetSummary>;

/** `DELETE /api/datasets/:id/sheets/:sheetId` → 200: what was removed (its rows stay in the history). */
export const SheetDeleted = z.object({ id: z.string(), name: z.string(), rowCount: z.number() });
export type SheetDeleted = z.infer<typeof SheetDeleted>;

/** One cell change. `by` is the user's name, null for changes the server made itself; `at` is ISO 8601 UTC. */
export const HistoryEntry = z.object({
  sheet: z.string(),
  row: z.string(),
  column: z.string(),
  old: CellValueSchema,
  new: CellValueSchema,
  by: z.string().nullable(),
  at: z.string(),
  /** Set when the change was a double-coding decision: the round and every coder's value for the cell then. */
  adjudication: z.object({ round: z.string(), values: z.record(z.string(), CellValueSchema) }).optional(),
  /**
   * Set when the change was part of merging duplicate rows: the row kept and the rows merged into it; on a
   * merged row's `row_id` entry in a dataset's document, also the ids of its flags the merge moved.
   */
  merge: z.object({ kept: z.string(), merged: z.array(z.string()), flags: z.array(z.string()).optional() }).optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** `GET /api/datasets/:id/history?row=ROWID`: oldest first. */
export const History = z.array(HistoryEntry);

// ---- review ----

const FlagComment = z.object({
  id: z.string(), by: z.string(), at: z.string(), text: z.string(), kind: z.literal('fixed').optional(),
}) satisfies z.ZodType<FlagComment>;

const FlagFields = z.object({
  id: z.string(),
  sheet: z.string(),
  column: z.string().nullable(),
  reason: z.string(),
  note: z.string(),
  by: z.string(),
  at: z.string(),
  status: z.enum(['open', 'resolved']),
  resolvedBy: z.string().optional(),
  resolvedAt: z.string().optional(),
  resolution: z.string().optional(),
}) satisfies z.ZodType<Flag>;

/** A flag with its row and its thread: the answer of resolving it. */
export const FlagWithThread = FlagFields.extend({ row: z.string(), comments: z.array(FlagComment) });
export type FlagWithThread = z.infer<typeof FlagWithThread>;

/** `GET /api/datasets/:id/flags`: every flag, with who coded its row. */
export const FlagList = z.array(FlagWithThread.extend({
  /** Names of everyone who changed a cell of the row. */
  coders: z.array(z.string()).optional(),
  /** Name of whoever last changed a cell of the row (review status changes left out), or null. */
  lastChangedBy: z.string().nullable().optional(),
  /** Names of everyone who changed a cell of the row since it was created or last approved. */
  sinceApproval: z.array(z.string()).optional(),
}));
export type FlagList = z.infer<typeof FlagList>;
export type FlagListItem = FlagList[number];

/** `POST /api/datasets/:id/flags` (reviewer): `column` null or left out flags the whole row. */
export const NewFlagBody = z.object({
  sheet: z.string().min(1),
  row: z.string().min(1),
  column: z.string().min(1).nullable().optional(),
  reason: z.string().min(1),
  note: z.string().max(NOTE_MAX).optional(),
});
export type NewFlagBody = z.infer<typeof NewFlagBody>;

/** `POST /api/datasets/:id/flags` → 201 */
export const FlagCreated = FlagFields.extend({ row: z.string() });
export type FlagCreated = z.infer<typeof FlagCreated>;

/** `POST /api/datasets/:id/flags/:flagId/resolve` (reviewer) → 200 FlagWithThread */
export const ResolveFlagBody = z.object({ resolution: z.string().max(NOTE_MAX).optional() });
export type ResolveFlagBody = z.infer<typeof ResolveFlagBody>;

/** `POST /api/datasets/:id/flags/:flagId/comments` (reviewer) */
export const CommentBody = z.object({
  text: z.string().trim().min(1, 'a comment needs text').max(NOTE_MAX),
  /** The coder says the row is fixed and asks the reviewer to look again. */
  fixed: z.boolean().optional(),
});
export type CommentBody = z.infer<typeof CommentBody>;

/** `POST /api/datasets/:id/flags/:flagId/comments` → 201 */
export const CommentCreated = FlagComment;
export type CommentCreated = z.infer<typeof CommentCreated>;

/** `POST /api/datasets/:id/rows/:rowId/approve` (reviewer) → 200 */
export const RowApproved = z.object({ row: z.string(), status: z.literal('approved') });
export type RowApproved = z.infer<typeof RowApproved>;

/** `POST /api/datasets/:id/approve` (reviewer): approves many rows in one request. */
export const BulkApproveBody = z.object({
  rows: z.array(z.string().regex(ROW_ID, 'row ids are 1–64 characters of 0-9, A-Z, a-z, _ and -')).min(1).max(MAX_BULK_APPROVE),
});
export type BulkApproveBody = z.infer<typeof BulkApproveBody>;

/** `POST /api/datasets/:id/approve` → 200: each row is approved or refused with the reason. */
export const BulkApproveResponse = z.object({
  approved: z.array(z.string()),
  refused: z.array(z.object({ row: z.string(), code: z.string(), message: z.string() })),
});
export type BulkApproveResponse = z.infer<typeof BulkApproveResponse>;

/** `GET /api/datasets/:id/rows/:rowId/review`: a row's review state for the signed-in user. */
export const RowReview = z.object({
  row: z.string(),
  sheet: z.string(),
  status: z.enum(REVIEW_STATUSES),
  openFlags: z.number(),
  /** Names of everyone who changed a cell of the row. */
  coders: z.array(z.string()),
  lastChangedBy: z.string().nullable(),
  /** Names of everyone who changed a cell of the row since it was created or last approved. */
  sinceApproval: z.array(z.string()),
  /** Whether the signed-in user may approve the row now; if not, `approveRefusal` says why. */
  canApprove: z.boolean(),
  approveRefusal: z.string().optional(),
});
export type RowReview = z.infer<typeof RowReview>;

const TimelineBase = z.object({ at: z.string(), by: z.string().nullable() });

/** One step of a row's story: a cell change, or a step of its review. */
export const TimelineEvent = z.discriminatedUnion('kind', [
  TimelineBase.extend({ kind: z.literal('cell'), column: z.string(), old: CellValueSchema, new: CellValueSchema }),
  TimelineBase.extend({ kind: z.literal('flagged'), flag: z.string(), column: z.string().nullable(), reason: z.string(), note: z.string() }),
  TimelineBase.extend({ kind: z.enum(['answered', 'fixed']), flag: z.string(), text: z.string() }),
  TimelineBase.extend({ kind: z.literal('resolved'), flag: z.string(), resolution: z.string() }),
  TimelineBase.extend({ kind: z.enum(['approved', 'reset']) }),
]);
export type TimelineEvent = z.infer<typeof TimelineEvent>;

/**
 * `GET /api/datasets/:id/rows/:rowId/timeline`: oldest first. `reset`: an edit set the approved row
 * back to unreviewed.
 */
export const Timeline = z.array(TimelineEvent);
export type Timeline = z.infer<typeof Timeline>;

// ---- concurrent edits ----

/** A cell's value in a conflict: what a cell holds (evidence anchors as they are), null for an empty cell. */
const ConflictValue = z.union([CellValueSchema, z.array(AnchorSchema)]);

/** A cell two people changed without having seen each other's change: the value kept and the one lost, with their authors' names. */
export const Conflict = z.object({
  id: z.string(),
  sheet: z.string(),
  row: z.string(),
  column: z.string(),
  kept: ConflictValue,
  keptBy: z.string().nullable(),
  lost: ConflictValue,
  lostBy: z.string().nullable(),
  at: z.string(),
  status: z.enum(CONFLICT_STATUSES),
  resolvedBy: z.string().optional(),
  resolvedAt: z.string().optional(),
}) satisfies z.ZodType<ConflictRecord>;
export type Conflict = z.infer<typeof Conflict>;

/** `GET /api/datasets/:id/conflicts?status=open|resolved`: oldest first. */
export const ConflictList = z.array(Conflict);
export type ConflictList = z.infer<typeof ConflictList>;

/** The `status` query of `GET /api/datasets/:id/conflicts`; left out, every conflict. */
export const ConflictListQuery = z.object({ status: z.enum(CONFLICT_STATUSES).optional() });

/**
 * `POST /api/datasets/:id/conflicts/:conflictId/resolve` (editor) → 200 Conflict: `kept` (the default)
 * closes it; `lost` writes the lost value into the cell first.
 */
export const ResolveConflictBody = z.object({ value: z.enum(['kept', 'lost']).optional() });
export type ResolveConflictBody = z.infer<typeof ResolveConflictBody>;

/** `GET /api/datasets/:id/settings` */
export const DatasetSettings = z.object({
  flagReasons: z.array(z.string()),
  /** Nobody approves a row they were the last to change. */
  fourEyes: z.boolean(),
});
export type DatasetSettings = z.infer<typeof DatasetSettings>;

/** `PATCH /api/datasets/:id/settings` (admin) → 200 DatasetSettings */
export const SettingsPatch = z.object({
  flagReasons: z.array(z.string().regex(REASON_CODE, 'reason codes are lowercase letters, digits and _')).min(1).optional(),
  fourEyes: z.boolean().optional(),
});
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** `GET /api/datasets/:id/progress`: rows per status and per coder, rows coded per day, dated rows for a timeline. */
export const Progress = z.object({
  sheets: z.array(z.object({ id: z.string(), name: z.string(), rowCount: z.number(), statuses: z.record(z.string(), z.number()) })),
  coders: z.array(z.object({ name: z.string(), sheet: z.string(), rows: z.number() })),
  days: z.array(z.object({ day: z.string(), rows: z.number() })),
  timeline: z.array(z.object({
    row: z.string(),
    sheet: z.string(),
    date: z.string().nullable(),
    label: z.string().nullable(),
    kind: z.string().nullable(),
    status: z.string(),
  })),
});
export type Progress = z.infer<typeof Progress>;

// ---- sources and evidence ----

/** `POST /api/datasets/:id/sources` (editor) as JSON; the text is stored as given, never changed. */
export const NewSourceBody = z.object({
  title: z.string().trim().min(1, 'a source needs a title').max(500),
  text: z.string().min(1, 'a source needs text'),
  url: z.string().url().max(2000).optional(),
  outlet: z.string().trim().max(200).optional(),
  publishedAt: z.string().trim().max(40).optional(),
});
export type NewSourceBody = z.infer<typeof NewSourceBody>;

/** A source without its text: `POST …/sources` → 201, and each item of `GET …/sources`. */
export const SourceSummary = z.object({
  id: z.string(),
  title: z.string(),
  url: z.string().nullable(),
  outlet: z.string().nullable(),
  publishedAt: z.string().nullable(),
  /** In Unicode code points: what anchors' offsets count. */
  length: z.number(),
  /** sha256 of the UTF-8 text, hex. */
  sha256: z.string(),
});
export type SourceSummary = z.infer<typeof SourceSummary>;

export const SourceList = z.array(SourceSummary);
export type SourceList = z.infer<typeof SourceList>;

/** `GET /api/datasets/:id/sources/:sourceId` */
export const SourceDetail = SourceSummary.extend({ text: z.string() });
export type SourceDetail = z.infer<typeof SourceDetail>;

/**
 * `GET /api/datasets/:id/sources/:sourceId/anchors`: the passages rows anchor to in the source (offsets
 * in code points), by sheet and row id; `truncated` when there were more than the server lists.
 */
export const SourceAnchors = z.object({
  anchors: z.array(z.object({ sheet: z.string(), row: z.string(), start: z.number(), end: z.number(), exact: z.string() })),
  truncated: z.boolean(),
});
export type SourceAnchors = z.infer<typeof SourceAnchors>;

/** `GET /api/datasets/:id/sheets/:sheetId/problems`: what the grid marks, plus evidence checks. */
export const SheetProblems = z.array(z.object({
  row: z.string(),
  column: z.string(),
  code: z.enum([...PROBLEM_CODES, 'quote_not_in_evidence']),
  message: z.string(),
}));
export type SheetProblems = z.infer<typeof SheetProblems>;

// ---- double coding (rounds) and agreement ----

/** Measurement levels of Krippendorff's alpha. */
export const AGREEMENT_LEVELS = LEVELS;
export type AgreementLevel = Level;

/** Round ids: made by the server (a ULID), safe in addresses and room names. */
export const ROUND_ID = /^[0-9A-Za-z]{1,64}$/;

/**
 * The most rows a round holds, listed and sampled together: each coder's blind copy is one document of
 * the round's rows, opened whole, so a round costs what its rows cost, never a sheet's size.
 */
export const MAX_ROUND_ROWS = 10_000;

/**
 * `POST /api/datasets/:id/rounds` (dataset admin). The round's rows are `rows`, or, with `sample`,
 * `percent` % of the sheet's rows (rounded up), drawn from the rows not yet in another round of the
 * sheet with a seeded generator (`seed` left out: the server picks one and returns it, so the same
 * sample can be drawn again). Both given: the sample is drawn from the rows not already listed in
 * `rows`, and added to them; a round of more than `MAX_ROUND_ROWS` rows is refused. Coders must be users
 * who may open the dataset.
 */
export const NewRoundBody = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  sheet: z.string().min(1),
  rows: z.array(z.string().regex(ROW_ID, 'row ids are 1–64 characters of 0-9, A-Z, a-z, _ and -')).max(MAX_ROUND_ROWS).optional(),
  columns: z.array(z.string().min(1)).min(1, 'a round needs at least one column'),
  coders: z.array(z.string().min(1)).min(2, 'a round needs at least two coders').max(50),
  levels: z.record(z.string(), z.enum(AGREEMENT_LEVELS)).optional(),
  sample: z.object({
    percent: z.number().gt(0).max(100),
    seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  }).optional(),
}).refine((b) => (b.rows?.length ?? 0) > 0 || b.sample !== undefined, {
  message: 'a round needs rows, or a sample', path: ['rows'],
});
export type NewRoundBody = z.input<typeof NewRoundBody>;

/** One coder's progress in a round: units (row × round column) with a value in their copy, and when they submitted. */
export const RoundCoderStatus = z.object({
  name: z.string(),
  /** Cells of the round (rows × columns) that hold a value in this coder's copy. */
  coded: z.number(),
  /** Rows of the round with every round column filled in this coder's copy. */
  rowsDone: z.number(),
  submittedAt: z.string().nullable(),
});
export type RoundCoderStatus = z.infer<typeof RoundCoderStatus>;

/**
 * A round as `POST …/rounds` answers (201) and `GET …/rounds/:roundId` gives it. `status`: `open` while a
 * coder has not submitted, `submitted` once all have. `levels` names every round column's level (the
 * defaults filled in). `sample` is what drew the rows, with the seed used.
 */
export const Round = z.object({
  id: z.string(),
  dataset: z.string(),
  name: z.string(),
  sheet: z.string(),
  rows: z.array(z.string()),
  columns: z.array(z.string()),
  coders: z.array(z.string()),
  levels: z.record(z.string(), z.enum(AGREEMENT_LEVELS)),
  sample: z.object({ percent: z.number(), seed: z.number() }).nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  status: z.enum(['open', 'submitted']),
  /** Cells of the round per coder: rows × columns. */
  units: z.number(),
  progress: z.array(RoundCoderStatus),
  /** Whether the signed-in user is one of the coders (and so may open the copy and submit). */
  isCoder: z.boolean(),
});
export type Round = z.infer<typeof Round>;

/** `GET /api/datasets/:id/rounds`: newest first; a coder sees the rounds they code, a dataset admin every round. */
export const RoundList = z.array(Round.omit({ rows: true }).extend({ rowCount: z.number() }));
export type RoundList = z.infer<typeof RoundList>;
export type RoundSummary = RoundList[number];

/** `POST …/rounds/:roundId/submit` (that coder) → 200: their copy is read-only from now on. */
export const RoundSubmitted = z.object({ round: z.string(), coder: z.string(), submittedAt: z.string() });
export type RoundSubmitted = z.infer<typeof RoundSubmitted>;

/**
 * `GET …/rounds/:roundId/agreement` (dataset admin): Krippendorff's alpha per column over the round's
 * rows, and per pair of coders. `alpha` is null when it is undefined (fewer than one pairable unit, or
 * every value the same so no disagreement is expected); `percent` (0–1) is pairwise percent agreement,
 * null without pairable values. `units`: rows with at least two coders' values in that column.
 * `?format=csv`: the same as a report, see docs/double-coding.md#agreement.
 */
export const Agreement = z.object({
  round: z.string(),
  columns: z.array(z.object({
    column: z.string(),
    level: z.enum(AGREEMENT_LEVELS),
    alpha: z.number().nullable(),
    percent: z.number().nullable(),
    units: z.number(),
  })),
  pairs: z.array(z.object({
    coders: z.tuple([z.string(), z.string()]),
    column: z.string(),
    alpha: z.number().nullable(),
    percent: z.number().nullable(),
    units: z.number(),
  })),
});
export type Agreement = z.infer<typeof Agreement>;

/** A cell's value in the dataset, a coder's copy or a decision: null for an empty cell. */
export const RoundValue = CellValueSchema;

/** An adjudication: the value decided for a cell, who decided and when, and every coder's value then. */
export const Adjudication = z.object({
  round: z.string(),
  row: z.string(),
  column: z.string(),
  value: CellValueSchema,
  values: z.record(z.string(), CellValueSchema),
  by: z.string(),
  at: z.string(),
});
export type Adjudication = z.infer<typeof Adjudication>;

/**
 * `GET …/rounds/:roundId/units` (dataset admin), for adjudication: one item per row × round column,
 * most disagreement first. `values`: every coder's value (null: left empty). `agreed`: the value when
 * every coder gave the same non-empty one, else absent. `disagreement`: 0 when all agree, up to 1 and
 * beyond (the unit's mean pairwise distance at the column's level divided by the column's expected
 * distance; 1 = as far apart as chance). `current`: the dataset's value now. `adjudication`: the last
 * decision, if any. `?column=` keeps one column; `?open=1` only units not yet decided.
 */
export const RoundUnits = z.array(z.object({
  row: z.string(),
  column: z.string(),
  level: z.enum(AGREEMENT_LEVELS),
  values: z.record(z.string(), CellValueSchema),
  agreed: CellValueSchema.optional(),
  disagreement: z.number(),
  current: CellValueSchema,
  adjudication: Adjudication.nullable(),
}));
export type RoundUnits = z.infer<typeof RoundUnits>;
export type RoundUnit = RoundUnits[number];

/** `POST …/rounds/:roundId/adjudicate` (dataset admin): writes `value` into the dataset's cell. → 200 Adjudication */
export const AdjudicateBody = z.object({
  row: z.string().regex(ROW_ID),
  column: z.string().min(1),
  value: CellValueSchema,
});
export type AdjudicateBody = z.infer<typeof AdjudicateBody>;
// ---- codebook and releases (docs/releases.md) ----

const CodebookColumn = z.object({
  id: z.string(), name: z.string(), type: z.enum(COLUMN_TYPES), required: z.boolean(),
  description: z.string().nullable(), ref: z.string().nullable(), filled: z.number(),
  /** For a text column that names an actor list: the list's sheet. */
  actors: z.string().optional(),
  codes: z.array(z.object({ code: z.string(), label: z.string().nullable(), count: z.number() })),
  unlisted: z.array(z.object({ code: z.string(), count: z.number() })),
});

/** `GET /api/datasets/:id/codebook`: every sheet and column, codes with labels and row counts. */
export const Codebook = z.object({
  dataset: z.object({ id: z.string(), name: z.string() }),
  sheets: z.array(z.object({ id: z.string(), name: z.string(), rows: z.number(), columns: z.array(CodebookColumn) })),
});
export type Codebook = z.infer<typeof Codebook>;

/** `POST /api/datasets/:id/releases` (dataset admin): the version defaults to the next minor one. */
export const NewReleaseBody = z.object({
  version: z.string().regex(VERSION, 'a version is MAJOR.MINOR, e.g. 1.0 or 2.3, without leading zeros').optional(),
  notes: z.string().max(20_000).optional(),
  rows: z.enum(['all', 'approved']).optional(),
}).strict();
export type NewReleaseBody = z.infer<typeof NewReleaseBody>;

/** A release as made (→ 201) and listed (`GET …/releases`, oldest first). */
export const Release = z.object({
  version: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  notes: z.string(),
  rowFilter: z.enum(['all', 'approved']),
  rows: z.record(z.string(), z.number()),
  sha256: z.string(),
});
export type Release = z.infer<typeof Release>;
export const ReleaseList = z.array(Release);
export type ReleaseList = z.infer<typeof ReleaseList>;

/** Problems counted by kind (every kind, 0 when none): the cell checks' codes and `quote_not_in_evidence`. */
const ProblemCounts = z.record(z.enum([...PROBLEM_CODES, 'quote_not_in_evidence']), z.number());

/**
 * `GET …/releases/preview?rows=all|approved`: what a release made now would hold and carry: rows per
 * sheet, open problems by kind (a `ref` to a row the release leaves out counts as one) and open flags.
 */
export const ReleasePreview = z.object({
  rowFilter: z.enum(['all', 'approved']),
  rows: z.record(z.string(), z.number()),
  problems: ProblemCounts,
  openFlags: z.number(),
  sheets: z.array(z.object({ id: z.string(), name: z.string(), rows: z.number(), problems: ProblemCounts, openFlags: z.number() })),
});
export type ReleasePreview = z.infer<typeof ReleasePreview>;

/** `GET …/releases/:version/diff?from=VERSION`: rows added, removed, and the cells changed, per sheet. */
export const ReleaseDiff = z.object({
  sheets: z.record(z.string(), z.object({
    added: z.array(z.string()),
    removed: z.array(z.string()),
    changed: z.array(z.object({ row: z.string(), column: z.string(), old: CellValueSchema, new: CellValueSchema })),
  })),
});
export type ReleaseDiff = z.infer<typeof ReleaseDiff>;
// ---- import ----

/** Problems an import reports: `rejected` values cannot be stored as their column's type. */
export const IMPORT_REJECT_CODES = ['type', 'date', 'evidence', 'place', 'row_id', 'key', 'header'] as const;

/**
 * `POST /api/datasets/:id/sheets/:sheetId/import` query. `mapping`: a JSON array with one entry per
 * column of the file's header, in order: the column id (or `row_id`) its values go to, or `""` to ignore
 * it; without it the header names the columns.
 */
export const ImportQuery = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'key must be row_id or a column id').optional(),
  dry_run: z.enum(['0', '1']).optional(),
  partial: z.enum(['0', '1']).optional(),
  mapping: z.string().max(100_000).optional(),
});
export type ImportQuery = z.infer<typeof ImportQuery>;

/** The `mapping` query parameter, parsed. */
export const ImportMapping = z.array(z.string().max(100)).max(500);

/** A record (or one of its values) that was not imported; `line` is the record's row in the file, the header being 1. */
export const ImportRejected = z.object({
  line: z.number(),
  column: z.string().nullable(),
  value: z.string(),
  code: z.enum(IMPORT_REJECT_CODES),
  message: z.string(),
});
export type ImportRejected = z.infer<typeof ImportRejected>;

/** What the grid would mark on an imported row (the codes of `…/problems`). */
export const ImportWarning = z.object({
  line: z.number(),
  row: z.string(),
  column: z.string(),
  code: z.enum([...PROBLEM_CODES, 'quote_not_in_evidence']),
  message: z.string(),
});
export type ImportWarning = z.infer<typeof ImportWarning>;

/**
 * The answer of an import (200, or 422 with `error` when records were rejected and `partial` was not
 * asked for: then nothing was written). `rejected` and `warnings` list at most 1000 entries each;
 * `rejectedTotal`/`warningsTotal` count them all. `written` says whether rows went into the sheet.
 */
export const ImportReport = z.object({
  inserted: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  rejected: z.array(ImportRejected),
  warnings: z.array(ImportWarning),
  rejectedTotal: z.number(),
  warningsTotal: z.number(),
  written: z.boolean(),
  /** Whether this was a check (`dry_run=1`): the counts say what the import would have done, and nothing was written. */
  dryRun: z.boolean().optional(),
  /** The outcome in a sentence: what was written, or for a check what would have been and that nothing was. */
  summary: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type ImportReport = z.infer<typeof ImportReport>;

// ---- duplicates (docs/actors-and-duplicates.md#duplicates) ----

/** Most days apart two dates of one event may be: a wider window compares every row with too many others. */
export const MAX_DUPLICATE_DAYS = 30;
/** Most rows one merge or dismissal names. */
export const MAX_DUPLICATE_ROWS = 100;

/** `GET …/sheets/:sheetId/duplicates?days=1` (viewer): groups of rows that likely code the same event, best first. */
export const DuplicateGroups = z.array(z.object({
  rows: z.array(z.string()),
  /** 0..1: what the rows share, weighed, over what the sheet can compare. */
  score: z.number(),
  reasons: z.array(z.enum(DUPLICATE_REASONS)),
}));
export type DuplicateGroups = z.infer<typeof DuplicateGroups>;

const RowIdSchema = z.string().regex(ROW_ID, 'a row id is 1-64 of 0-9, A-Z, a-z, _ and -');

/** `POST …/sheets/:sheetId/duplicates/merge` (editor) */
export const MergeBody = z.object({
  keep: RowIdSchema,
  merge: z.array(RowIdSchema).min(1).max(MAX_DUPLICATE_ROWS),
}).refine((b) => !b.merge.includes(b.keep), { message: 'merge: the kept row is not merged into itself', path: ['merge'] })
  .refine((b) => new Set(b.merge).size === b.merge.length, { message: 'merge: a row is listed twice', path: ['merge'] });
export type MergeBody = z.infer<typeof MergeBody>;

/** What a merge did: cells filled, anchors gained, flags moved and references pointed at the kept row. */
export const MergeResult = z.object({
  keep: z.string(),
  merged: z.array(z.string()),
  filled: z.array(z.string()),
  anchors: z.number(),
  flags: z.number(),
  refs: z.number(),
});
export type MergeResult = z.infer<typeof MergeResult>;

/** `POST …/sheets/:sheetId/duplicates/dismiss` (editor): these rows are not the same event. */
export const DismissBody = z.object({ rows: z.array(RowIdSchema).min(2).max(MAX_DUPLICATE_ROWS) })
  .refine((b) => new Set(b.rows).size === b.rows.length, { message: 'rows: a row is listed twice', path: ['rows'] });
export type DismissBody = z.infer<typeof DismissBody>;

/** `dismissed`: false when the same group was dismissed before. */
export const Dismissed = z.object({ rows: z.array(z.string()), dismissed: z.boolean() });
export type Dismissed = z.infer<typeof Dismissed>;
