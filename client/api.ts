/**
 * The HTTP API, same origin, authenticated by the session cookie. Request and response types come
 * from the one contract in model/http.ts.
 */
import type {
  Adjudication, Agreement, AuditLog, MemberList, NewRoundBody, Round, RoundList, RoundSubmitted, RoundUnits, SessionList, SignInLink, UserPatch,
  BulkApproveResponse, Codebook, CommentCreated, Conflict, DatasetCreated, DatasetDetail, DatasetList, DatasetPatch, DatasetSettings, FlagCreated,
  FlagList, FlagWithThread, HistoryEntry, NewDatasetBody, NewFlagBody, NewReleaseBody, NewSheetBody, NewUserBody, NewUserResponse, Progress,
  NewSourceBody, Release, ReleaseDiff, ReleaseList, ReleasePreview, RowApproved, RowReview, SheetDeleted, SheetPatch, SheetSummary, SourceDetail, SourceList,
  SourceSummary, Timeline, User, UserList,
} from '../model/http';
import type { Dismissed, DuplicateGroups, MergeResult } from '../model/http';
import type { CellValue } from '../model/columns';
import type { PlaceMatchList } from '../model/places-http';

export type ExportFormat = 'csv' | 'json';
export type ExportRows = 'all' | 'approved' | 'flagged' | 'unflagged';

/** An error answer of the API, with the contract's code and message. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** One JSON call of the API with the session cookie; an error answer throws an ApiError. */
async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  // The server takes a cookie-authenticated write only as JSON, even one without a body (cross-site protection).
  if (method !== 'GET' && method !== 'HEAD') init.headers = { ...init.headers, 'content-type': 'application/json' };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(path, init);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: a proxy's error page, say. Reported below by status.
  }
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? 'http_error', error?.message ?? `${res.status} ${res.statusText}`);
  }
  return json as T;
}

/** The signed-in user, or null when nobody is signed in. */
export async function getMe(): Promise<User | null> {
  try {
    return await request<User>('GET', '/api/me');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

const dataset = (id: string) => `/api/datasets/${encodeURIComponent(id)}`;

/** The gazetteer's places matching a name, best first; only in `country` (ISO 3166-1 alpha-3) when given. */
export const searchPlaces = (q: string, country?: string, limit = 20) =>
  request<PlaceMatchList>('GET', `/api/places?${new URLSearchParams({ q, limit: String(limit), ...(country && { country }) })}`);
export const signIn = (name: string, password: string) => request<User>('POST', '/api/session', { name, password });
/** Signs in with a sign-in link's token (after the page asked before replacing another user's session). */
export const signInWithToken = (token: string) => request<User>('POST', '/api/session', { token });
export const signOut = () => request<void>('DELETE', '/api/session');
export const listUsers = () => request<UserList>('GET', '/api/users');
export const createUser = (user: NewUserBody) => request<NewUserResponse>('POST', '/api/users', user);
const user = (name: string) => `/api/users/${encodeURIComponent(name)}`;
/** Changes a user's global role or disables (or enables) them (admin). */
export const patchUser = (name: string, patch: UserPatch) =>
  request<{ id: string; name: string; role: User['role']; disabled: boolean }>('PATCH', user(name), patch);
/** A new API token for the user: the old one stops working at once. Shown this once. */
export const rotateToken = (name: string) => request<{ token: string }>('POST', `${user(name)}/token`);
/** Sets a user's password: your own needs `old`; an admin resets another's without it. */
export const setPassword = (name: string, password: string, old?: string) =>
  request<unknown>('PUT', `${user(name)}/password`, old === undefined ? { password } : { password, old });
export const listSessions = (name: string) => request<SessionList>('GET', `${user(name)}/sessions`);
/** Signs out one session of the user, or all of them. */
export const endSessions = (name: string, sessionId?: string) =>
  request<{ ended: number }>('DELETE', `${user(name)}/sessions${sessionId === undefined ? '' : `/${encodeURIComponent(sessionId)}`}`);
/** A sign-in link that works once (admin); `url` is relative to this server. */
export const createSignInLink = (name: string) => request<SignInLink>('POST', `${user(name)}/link`);
export const auditLog = () => request<AuditLog>('GET', '/api/audit');

/** The datasets; `withArchived` adds the archived ones (marked by `archivedAt`). */
export const listDatasets = (withArchived = false) => request<DatasetList>('GET', `/api/datasets${withArchived ? '?archived=1' : ''}`);
/** Renames, archives or restores a dataset (admin). */
export const patchDataset = (id: string, patch: DatasetPatch) => request<DatasetDetail>('PATCH', dataset(id), patch);
/** Deletes a dataset and everything stored for it; `confirm` is its id, typed out by the user. */
export const deleteDataset = (id: string, confirm: string) => request<{ id: string }>('DELETE', dataset(id), { confirm });
export const addSheet = (datasetId: string, body: NewSheetBody) => request<SheetSummary>('POST', `${dataset(datasetId)}/sheets`, body);
/** Renames a sheet or moves it to `position` (0 is the first tab). */
export const patchSheet = (datasetId: string, sheetId: string, patch: SheetPatch) =>
  request<SheetSummary>('PATCH', `${dataset(datasetId)}/sheets/${encodeURIComponent(sheetId)}`, patch);
export const deleteSheet = (datasetId: string, sheetId: string) =>
  request<SheetDeleted>('DELETE', `${dataset(datasetId)}/sheets/${encodeURIComponent(sheetId)}`);
export const getDataset = (id: string) => request<DatasetDetail>('GET', dataset(id));

/** One page of a sheet's rows, as `GET …/sheets/:sheet/rows` answers it (sorted, filtered, searched by the server). */
export interface RowsPage {
  total: number;
  rows: Array<Record<string, CellValue> & { row_id: string }>;
}
export const rowsPage = (datasetId: string, sheetId: string, query: URLSearchParams) =>
  request<RowsPage>('GET', `${dataset(datasetId)}/sheets/${encodeURIComponent(sheetId)}/rows?${query}`);
export const listMembers = (datasetId: string) => request<MemberList>('GET', `${dataset(datasetId)}/members`);
/** Adds a member to the dataset or changes their role (dataset admin). */
export const setMember = (datasetId: string, name: string, role: User['role']) =>
  request<{ name: string; role: User['role'] }>('PUT', `${dataset(datasetId)}/members/${encodeURIComponent(name)}`, { role });
export const removeMember = (datasetId: string, name: string) =>
  request<{ name: string }>('DELETE', `${dataset(datasetId)}/members/${encodeURIComponent(name)}`);
export const createDataset = (body: NewDatasetBody) => request<DatasetCreated>('POST', '/api/datasets', body);
/** The sheet's groups of rows that likely code the same event, best first (dates at most `days` apart). */
export const listDuplicates = (datasetId: string, sheetId: string, days: number) =>
  request<DuplicateGroups>('GET', `${dataset(datasetId)}/sheets/${encodeURIComponent(sheetId)}/duplicates?days=${days}`);
/** Merges rows into `keep` (editor): it takes their passages and fills its empty cells from them; they are deleted. */
export const mergeDuplicates = (datasetId: string, sheetId: string, keep: string, merge: readonly string[]) =>
  request<MergeResult>('POST', `${dataset(datasetId)}/sheets/${encodeURIComponent(sheetId)}/duplicates/merge`, { keep, merge });
/** Takes back this user's merge of rows that are documents of their own (editor): their undo of it. */
export const unmergeDuplicates = (datasetId: string, sheetId: string, keep: string, merge: readonly string[]) =>
  request<{ keep: string; restored: string[]; cells: number; refs: number }>('POST', `${dataset(datasetId)}/sheets/${encodeURIComponent(sheetId)}/duplicates/unmerge`, { keep, merge });
/** The cells of a few rows of a sheet, by row id, where rows are not in the browser. */
export const duplicateRowCells = (datasetId: string, sheetId: string, rows: readonly string[]) =>
  request<Record<string, Record<string, CellValue>>>('GET', `${dataset(datasetId)}/sheets/${encodeURIComponent(sheetId)}/duplicates/rows?${new URLSearchParams(rows.map((r) => ['row', r]))}`);
/** Marks rows as not the same event (editor): they are not listed together again. */
export const dismissDuplicates = (datasetId: string, sheetId: string, rows: readonly string[]) =>
  request<Dismissed>('POST', `${dataset(datasetId)}/sheets/${encodeURIComponent(sheetId)}/duplicates/dismiss`, { rows });
export const rowHistory = (datasetId: string, rowId: string) =>
  request<HistoryEntry[]>('GET', `${dataset(datasetId)}/history?row=${encodeURIComponent(rowId)}`);

export const getSettings = (datasetId: string) => request<DatasetSettings>('GET', `${dataset(datasetId)}/settings`);
export const getProgress = (datasetId: string) => request<Progress>('GET', `${dataset(datasetId)}/progress`);

/** The dataset's flags; `status` narrows them to open or resolved ones. */
export const listFlags = (datasetId: string, status?: 'open' | 'resolved') =>
  request<FlagList>('GET', `${dataset(datasetId)}/flags${status ? `?status=${status}` : ''}`);
export const createFlag = (datasetId: string, flag: NewFlagBody) => request<FlagCreated>('POST', `${dataset(datasetId)}/flags`, flag);
/** Adds to a flag's thread; `fixed`: the coder says the row is fixed and asks the reviewer to look again. */
export const addComment = (datasetId: string, flagId: string, text: string, fixed = false) =>
  request<CommentCreated>('POST', `${dataset(datasetId)}/flags/${encodeURIComponent(flagId)}/comments`, fixed ? { text, fixed } : { text });
export const resolveFlag = (datasetId: string, flagId: string, resolution: string) =>
  request<FlagWithThread>('POST', `${dataset(datasetId)}/flags/${encodeURIComponent(flagId)}/resolve`, resolution ? { resolution } : {});
/** A row's review state for me: who coded it, and whether I may approve it now (and if not, why). */
export const getRowReview = (datasetId: string, rowId: string) =>
  request<RowReview>('GET', `${dataset(datasetId)}/rows/${encodeURIComponent(rowId)}/review`);
/** A row's story, oldest first: cell changes beside the steps of its review. */
export const rowTimeline = (datasetId: string, rowId: string) =>
  request<Timeline>('GET', `${dataset(datasetId)}/rows/${encodeURIComponent(rowId)}/timeline`);
export const approveRow = (datasetId: string, rowId: string) =>
  request<RowApproved>('POST', `${dataset(datasetId)}/rows/${encodeURIComponent(rowId)}/approve`);
/** Approves many rows in one request; each is approved or refused with the server's reason. */
export const approveRows = (datasetId: string, rows: readonly string[]) =>
  request<BulkApproveResponse>('POST', `${dataset(datasetId)}/approve`, { rows });

/** Closes a concurrent-edit conflict: `kept` leaves the cell as it is, `lost` writes the other value into it. */
export const resolveConflict = (datasetId: string, conflictId: string, value: 'kept' | 'lost') =>
  request<Conflict>('POST', `${dataset(datasetId)}/conflicts/${encodeURIComponent(conflictId)}/resolve`, { value });

/** The dataset's sources without their texts; `query` keeps those whose title or text contains it. */
export const listSources = (datasetId: string, query = '') =>
  request<SourceList>('GET', `${dataset(datasetId)}/sources${query.trim() ? `?q=${encodeURIComponent(query.trim())}` : ''}`);
/** One source with its text. */
export const getSource = (datasetId: string, sourceId: string) =>
  request<SourceDetail>('GET', `${dataset(datasetId)}/sources/${encodeURIComponent(sourceId)}`);
/** Stores a pasted text as a source. */
export const addSource = (datasetId: string, body: NewSourceBody) => request<SourceSummary>('POST', `${dataset(datasetId)}/sources`, body);

/**
 * Uploads a file as a source: `.txt` and `.md` are stored as they are, `.html` reduced to its text by the
 * server. Sent as the file's own type, which the server accepts from a signed-in page for this route.
 */
export async function uploadSource(datasetId: string, file: File, fields: { title?: string; url?: string; outlet?: string; publishedAt?: string }): Promise<SourceSummary> {
  const type = /\.html?$/i.test(file.name) ? 'text/html' : /\.(md|markdown)$/i.test(file.name) ? 'text/markdown' : 'text/plain';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) if (value) params.set(key, value);
  const res = await fetch(`${dataset(datasetId)}/sources${params.size > 0 ? `?${params}` : ''}`, {
    method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json', 'content-type': `${type}; charset=utf-8` },
    body: await file.text(),
  });
  const json = await res.json().catch(() => undefined) as { error?: { code?: string; message?: string } } | undefined;
  if (!res.ok) throw new ApiError(res.status, json?.error?.code ?? 'http_error', json?.error?.message ?? `${res.status} ${res.statusText}`);
  return json as unknown as SourceSummary;
}

// ——— double coding: rounds, agreement, adjudication ———

const round = (datasetId: string, roundId: string) => `${dataset(datasetId)}/rounds/${encodeURIComponent(roundId)}`;

/** Starts a double-coding round (dataset admin). */
export const createRound = (datasetId: string, body: NewRoundBody) => request<Round>('POST', `${dataset(datasetId)}/rounds`, body);
/** The rounds I may see: those I code, or every round for a dataset admin. */
export const listRounds = (datasetId: string) => request<RoundList>('GET', `${dataset(datasetId)}/rounds`);
export const getRound = (datasetId: string, roundId: string) => request<Round>('GET', round(datasetId, roundId));
/** Hands in my copy: it is read-only afterwards. */
export const submitRound = (datasetId: string, roundId: string) => request<RoundSubmitted>('POST', `${round(datasetId, roundId)}/submit`);
export const getAgreement = (datasetId: string, roundId: string) => request<Agreement>('GET', `${round(datasetId, roundId)}/agreement`);
/** The download address of the agreement report as CSV. */
export const agreementCsvUrl = (datasetId: string, roundId: string) => `${round(datasetId, roundId)}/agreement?format=csv`;
/** Every unit (row × column) with each coder's value, most disagreement first. */
export const getRoundUnits = (datasetId: string, roundId: string) => request<RoundUnits>('GET', `${round(datasetId, roundId)}/units`);
/** Writes the decided value into the dataset's cell. */
export const adjudicate = (datasetId: string, roundId: string, body: { row: string; column: string; value: CellValue }) =>
  request<Adjudication>('POST', `${round(datasetId, roundId)}/adjudicate`, body);

/**
 * How a CSV is written: `analysis` keeps every text exactly (for R, pandas), `excel` adds a byte-order
 * mark and prefixes text a spreadsheet would run as a formula.
 */
export type CsvFlavour = 'analysis' | 'excel';

function exportParams(format: ExportFormat, rows: ExportRows, flavour: CsvFlavour): URLSearchParams {
  const params = new URLSearchParams({ format, rows });
  if (format === 'csv' && flavour === 'analysis') params.set('excel_safe', '0');
  if (format === 'csv' && flavour === 'excel') params.set('bom', '1');
  return params;
}

/** The download address of a sheet's export. */
export function exportUrl(datasetId: string, sheetId: string, format: ExportFormat, rows: ExportRows, flavour: CsvFlavour = 'analysis'): string {
  return `${dataset(datasetId)}/sheets/${encodeURIComponent(sheetId)}/export?${exportParams(format, rows, flavour)}`;
}

/** The download address of the whole dataset: a zip with one file per sheet. */
export function zipExportUrl(datasetId: string, format: ExportFormat, rows: ExportRows, flavour: CsvFlavour = 'analysis'): string {
  return `${dataset(datasetId)}/export.zip?${exportParams(format, rows, flavour)}`;
}

/** Every sheet and column of a dataset, with codes, labels and how many rows hold each. */
export const getCodebook = (datasetId: string) => request<Codebook>('GET', `${dataset(datasetId)}/codebook`);
/** The codebook as Markdown, for download. */
export const codebookMarkdownUrl = (datasetId: string) => `${dataset(datasetId)}/codebook?format=md`;

/** A dataset's releases, oldest first. */
export const listReleases = (datasetId: string) => request<ReleaseList>('GET', `${dataset(datasetId)}/releases`);
/** Makes a release (dataset admins): the version defaults to the next minor one. */
export const createRelease = (datasetId: string, body: NewReleaseBody) => request<Release>('POST', `${dataset(datasetId)}/releases`, body);
/** What a release of these rows would hold and carry now: rows, open problems by kind, open flags. */
export const releasePreview = (datasetId: string, rows: 'all' | 'approved') =>
  request<ReleasePreview>('GET', `${dataset(datasetId)}/releases/preview?rows=${rows}`);
const release = (datasetId: string, version: string) => `${dataset(datasetId)}/releases/${encodeURIComponent(version)}`;
/** The download address of a release's package: the same bytes every time. */
export const releaseZipUrl = (datasetId: string, version: string) => `${release(datasetId, version)}/package.zip`;
/** Rows added, removed and cells changed from release `from` to release `to`. */
export const releaseDiff = (datasetId: string, from: string, to: string) =>
  request<ReleaseDiff>('GET', `${release(datasetId, to)}/diff?from=${encodeURIComponent(from)}`);
/** A release's CHANGELOG.md, as text. */
export async function releaseChangelog(datasetId: string, version: string): Promise<string> {
  const res = await fetch(`${release(datasetId, version)}/CHANGELOG.md`, { credentials: 'same-origin' });
  if (!res.ok) throw new ApiError(res.status, 'http_error', `${res.status} ${res.statusText}`);
  return res.text();
}
