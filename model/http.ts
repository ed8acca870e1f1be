/**
 * The HTTP API, typed once: a zod schema for every request body and every response, and the types
 * derived from them. The server validates request bodies with these schemas; the client uses the
 * derived types (type-only imports, so zod stays out of the browser bundle).
 */
import { z } from 'zod';
import { type Anchor, COLUMN_TYPES, type CellValue, type Column, PROBLEM_CODES } from './columns';
import type { Flag } from './document';
import { DATASET_ID, DATASET_ID_RULE, ROW_ID } from './ids';
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

const CellValueSchema = z.union([
  z.string(), z.number(), z.boolean(), z.null(), z.array(z.string()), z.array(AnchorSchema),
]) satisfies z.ZodType<CellValue>;

const ColumnSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(COLUMN_TYPES),
  required: z.boolean().optional(),
  options: z.array(z.string()).optional(),
  description: z.string().optional(),
  ref: z.string().optional(),
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

/** `POST /api/users` → 201: the token is shown this once. */
export const NewUserResponse = User.extend({ token: z.string() });
export type NewUserResponse = z.infer<typeof NewUserResponse>;

/** `GET /api/users` (admin) */
export const UserList = z.array(User.extend({ createdAt: z.string() }));
export type UserList = z.infer<typeof UserList>;

// ---- datasets ----

/** `GET /api/datasets` */
export const DatasetList = z.array(z.object({ id: z.string(), name: z.string(), template: z.string(), createdAt: z.string() }));
export type DatasetList = z.infer<typeof DatasetList>;
export type DatasetSummary = DatasetList[number];

/** `POST /api/datasets` (admin); without an id, the server makes one from the name. */
export const NewDatasetBody = z.object({
  name: z.string().trim().min(1).max(200),
  id: z.string().regex(DATASET_ID, DATASET_ID_RULE).optional(),
  template: z.enum(TEMPLATE_IDS as [TemplateId, ...TemplateId[]]).default('events-statements'),
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
});
export type DatasetDetail = z.infer<typeof DatasetDetail>;

/** One cell change. `by` is the user's name, null for changes the server made itself; `at` is ISO 8601 UTC. */
export const HistoryEntry = z.object({
  sheet: z.string(),
  row: z.string(),
  column: z.string(),
  old: CellValueSchema,
  new: CellValueSchema,
  by: z.string().nullable(),
  at: z.string(),
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

/** `GET /api/datasets/:id/sheets/:sheetId/problems`: what the grid marks, plus evidence checks. */
export const SheetProblems = z.array(z.object({
  row: z.string(),
  column: z.string(),
  code: z.enum([...PROBLEM_CODES, 'quote_not_in_evidence']),
  message: z.string(),
}));
export type SheetProblems = z.infer<typeof SheetProblems>;
