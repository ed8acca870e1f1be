/**
 * The HTTP API, same origin, authenticated by the session cookie. Every call names a route as model/api
 * declares it (`api.get('/api/datasets/{id}/members', { params: { id } })`), and its answer has the type
 * of that route's schema. Only types come from model/api: no schema reaches the browser.
 */
import type { Method } from '../model/api/route';
import type { CallOptions, NeedsOptions, PathOf, ResponseOf } from '../model/api/typed';
import type { CellValue } from '../model/columns';
import type {
  DatasetPatch, NewDatasetBody, NewFlagBody, NewReleaseBody, NewRoundBody, NewSheetBody, NewSourceBody, NewUserBody, SheetPatch, User, UserPatch,
} from '../model/http';

export type ExportFormat = 'csv' | 'json';
export type ExportRows = 'all' | 'approved' | 'flagged' | 'unflagged';

/** An error answer of the API, with the contract's code and message. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/**
 * A GET the server refused for now (429: the user's share of heavy reads is taken; 503: the database
 * does not answer) is asked again after the `Retry-After` it sends, at most this many times in all…
 */
export const MAX_TRIES = 3;
/** …waiting at most this long each time, whatever the server says (and a second when it says nothing). */
export const MAX_RETRY_WAIT_MS = 10_000;
const DEFAULT_RETRY_WAIT_MS = 1000;

/** How long the server asks us to wait: `Retry-After` in seconds or as a date, capped. */
export function retryWait(header: string | null, now = Date.now()): number {
  if (header === null || header.trim() === '') return DEFAULT_RETRY_WAIT_MS;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_WAIT_MS) : DEFAULT_RETRY_WAIT_MS;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends a request; a GET refused with 429 or 503 is sent again after the server's `Retry-After`. */
async function send(method: string, url: string, init: RequestInit): Promise<Response> {
  for (let tries = 1; ; tries++) {
    const res = await fetch(url, init);
    if (method !== 'GET' || (res.status !== 429 && res.status !== 503) || tries >= MAX_TRIES) return res;
    await wait(retryWait(res.headers.get('retry-after')));
  }
}

/** Reads an answer: its JSON, or an ApiError for an error status. */
async function answer(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
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
  return json;
}

type Query = Record<string, string | number | boolean | undefined> | URLSearchParams;

/** Every declared path, of any method. */
export type RoutePath = PathOf<'GET'> | PathOf<'POST'> | PathOf<'PUT'> | PathOf<'PATCH'> | PathOf<'DELETE'>;

/** A declared path with its `{params}` filled in and its query added: for downloads and links. */
export function routeUrl(path: RoutePath, params: Record<string, string> = {}, query?: Query): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${path}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
  const search = query instanceof URLSearchParams ? query : new URLSearchParams(
    Object.entries(query ?? {}).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]),
  );
  return search.size > 0 ? `${filled}?${search}` : filled;
}

/** One JSON call of a declared route with the session cookie; an error answer throws an ApiError. */
async function call<M extends Method, P extends PathOf<M>>(method: M, path: P, options: CallOptions<M, P> | undefined): Promise<ResponseOf<M, P>> {
  const { params, query, body } = (options ?? {}) as { params?: Record<string, string>; query?: Query; body?: unknown };
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  // The server takes a cookie-authenticated write only as JSON, even one without a body (cross-site protection).
  if (method !== 'GET') init.headers = { ...init.headers, 'content-type': 'application/json' };
  if (body !== undefined) init.body = JSON.stringify(body);
  // The answer has the shape its route declares: the server's tests check every answer against it.
  return await answer(await send(method, routeUrl(path, params, query), init)) as ResponseOf<M, P>;
}

/** The arguments after the path: left out when the route has no path params and no body. */
type Rest<M extends Method, P extends string> = NeedsOptions<M, P> extends true ? [options: CallOptions<M, P>] : [options?: CallOptions<M, P>];

/** The API's routes by method, typed by their declarations in model/api. */
export const api = {
  get: <P extends PathOf<'GET'>>(path: P, ...[options]: Rest<'GET', P>) => call('GET', path, options),
  post: <P extends PathOf<'POST'>>(path: P, ...[options]: Rest<'POST', P>) => call('POST', path, options),
  put: <P extends PathOf<'PUT'>>(path: P, ...[options]: Rest<'PUT', P>) => call('PUT', path, options),
  patch: <P extends PathOf<'PATCH'>>(path: P, ...[options]: Rest<'PATCH', P>) => call('PATCH', path, options),
  delete: <P extends PathOf<'DELETE'>>(path: P, ...[options]: Rest<'DELETE', P>) => call('DELETE', path, options),
};

/** What a route answers, by its method and declared path. */
export type Answer<M extends Method, P extends PathOf<M>> = ResponseOf<M, P>;

/** The signed-in user, or null when nobody is signed in. */
export async function getMe(): Promise<User | null> {
  try {
    return await api.get('/api/me');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

/**
 * Who holds an API token or a sign-in link's token, asked without the session cookie; null when it signs
 * nobody in.
 */
export async function tokenUser(token: string): Promise<User | null> {
  const res = await send('GET', routeUrl('/api/me'), { credentials: 'omit', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  if (res.status === 401) return null;
  return await answer(res) as Answer<'GET', '/api/me'>;
}

/** The gazetteer's places matching a name, best first; only in `country` (ISO 3166-1 alpha-3) when given. */
export const searchPlaces = (q: string, country?: string, limit = 20) => api.get('/api/places', { query: { q, limit, country } });
export const signIn = (name: string, password: string) => api.post('/api/session', { body: { name, password } });
/** Signs in with a sign-in link's token (after the page asked before replacing another user's session). */
export const signInWithToken = (token: string) => api.post('/api/session', { body: { token } });
export const signOut = () => api.delete('/api/session');
export const listUsers = () => api.get('/api/users');
export const createUser = (user: NewUserBody) => api.post('/api/users', { body: user });
/** Changes a user's global role or disables (or enables) them (admin). */
export const patchUser = (userName: string, patch: UserPatch) => api.patch('/api/users/{userName}', { params: { userName }, body: patch });
/** A new API token for the user: the old one stops working at once. Shown this once. */
export const rotateToken = (userName: string) => api.post('/api/users/{userName}/token', { params: { userName } });
/** Sets a user's password: your own needs `old`; an admin resets another's without it. */
export const setPassword = (userName: string, password: string, old?: string) =>
  api.put('/api/users/{userName}/password', { params: { userName }, body: old === undefined ? { password } : { password, old } });
export const listSessions = (userName: string) => api.get('/api/users/{userName}/sessions', { params: { userName } });
/** Signs out one session of the user, or all of them. */
export const endSessions = (userName: string, sessionId?: string) => (sessionId === undefined
  ? api.delete('/api/users/{userName}/sessions', { params: { userName } })
  : api.delete('/api/users/{userName}/sessions/{sessionId}', { params: { userName, sessionId } }));
/** A sign-in link that works once (admin); `url` is relative to this server. */
export const createSignInLink = (userName: string) => api.post('/api/users/{userName}/link', { params: { userName } });
export const auditLog = () => api.get('/api/audit');

/** The datasets; `withArchived` adds the archived ones (marked by `archivedAt`). */
export const listDatasets = (withArchived = false) => api.get('/api/datasets', { query: withArchived ? { archived: '1' } : {} });
/** Renames, archives or restores a dataset (admin). */
export const patchDataset = (id: string, patch: DatasetPatch) => api.patch('/api/datasets/{id}', { params: { id }, body: patch });
/** Deletes a dataset and everything stored for it; `confirm` is its id, typed out by the user. */
export const deleteDataset = (id: string, confirm: string) => api.delete('/api/datasets/{id}', { params: { id }, body: { confirm } });
export const addSheet = (id: string, body: NewSheetBody) => api.post('/api/datasets/{id}/sheets', { params: { id }, body });
/** Renames a sheet or moves it to `position` (0 is the first tab). */
export const patchSheet = (id: string, sheetId: string, patch: SheetPatch) =>
  api.patch('/api/datasets/{id}/sheets/{sheetId}', { params: { id, sheetId }, body: patch });
export const deleteSheet = (id: string, sheetId: string) => api.delete('/api/datasets/{id}/sheets/{sheetId}', { params: { id, sheetId } });
export const getDataset = (id: string) => api.get('/api/datasets/{id}', { params: { id } });

/**
 * One page of a sheet's rows, as `GET …/sheets/{sheetId}/rows` answers it (sorted, filtered, searched by the
 * server); a row is also what the paged grid holds, which may lack the review status of a row kept offline.
 */
export interface RowsPage {
  total: number;
  rows: Array<Record<string, CellValue> & { row_id: string }>;
}
export const rowsPage = (id: string, sheetId: string, query: URLSearchParams): Promise<RowsPage> =>
  api.get('/api/datasets/{id}/sheets/{sheetId}/rows', { params: { id, sheetId }, query });
export const listMembers = (id: string) => api.get('/api/datasets/{id}/members', { params: { id } });
/** Adds a member to the dataset or changes their role (dataset admin). */
export const setMember = (id: string, userName: string, role: User['role']) =>
  api.put('/api/datasets/{id}/members/{userName}', { params: { id, userName }, body: { role } });
export const removeMember = (id: string, userName: string) => api.delete('/api/datasets/{id}/members/{userName}', { params: { id, userName } });
export const createDataset = (body: NewDatasetBody) => api.post('/api/datasets', { body });
/** The sheet's groups of rows that likely code the same event, best first (dates at most `days` apart). */
export const listDuplicates = (id: string, sheetId: string, days: number) =>
  api.get('/api/datasets/{id}/sheets/{sheetId}/duplicates', { params: { id, sheetId }, query: { days: String(days) } });
/** Merges rows into `keep` (editor): it takes their passages and fills its empty cells from them; they are deleted. */
export const mergeDuplicates = (id: string, sheetId: string, keep: string, merge: readonly string[]) =>
  api.post('/api/datasets/{id}/sheets/{sheetId}/duplicates/merge', { params: { id, sheetId }, body: { keep, merge: [...merge] } });
/** Takes back this user's merge of rows that are documents of their own (editor): their undo of it. */
export const unmergeDuplicates = (id: string, sheetId: string, keep: string, merge: readonly string[]) =>
  api.post('/api/datasets/{id}/sheets/{sheetId}/duplicates/unmerge', { params: { id, sheetId }, body: { keep, merge: [...merge] } });
/** The cells of a few rows of a sheet, by row id, where rows are not in the browser. */
export const duplicateRowCells = (id: string, sheetId: string, rows: readonly string[]) =>
  api.get('/api/datasets/{id}/sheets/{sheetId}/duplicates/rows', { params: { id, sheetId }, query: new URLSearchParams(rows.map((r) => ['row', r])) });
/** Marks rows as not the same event (editor): they are not listed together again. */
export const dismissDuplicates = (id: string, sheetId: string, rows: readonly string[]) =>
  api.post('/api/datasets/{id}/sheets/{sheetId}/duplicates/dismiss', { params: { id, sheetId }, body: { rows: [...rows] } });
export const rowHistory = (id: string, row: string) => api.get('/api/datasets/{id}/history', { params: { id }, query: { row } });

export const getSettings = (id: string) => api.get('/api/datasets/{id}/settings', { params: { id } });
export const getProgress = (id: string) => api.get('/api/datasets/{id}/progress', { params: { id } });

/** The dataset's flags; `status` narrows them to open or resolved ones. */
export const listFlags = (id: string, status?: 'open' | 'resolved') => api.get('/api/datasets/{id}/flags', { params: { id }, query: { status } });
export const createFlag = (id: string, flag: NewFlagBody) => api.post('/api/datasets/{id}/flags', { params: { id }, body: flag });
/** Adds to a flag's thread; `fixed`: the coder says the row is fixed and asks the reviewer to look again. */
export const addComment = (id: string, flagId: string, text: string, fixed = false) =>
  api.post('/api/datasets/{id}/flags/{flagId}/comments', { params: { id, flagId }, body: fixed ? { text, fixed } : { text } });
export const resolveFlag = (id: string, flagId: string, resolution: string) =>
  api.post('/api/datasets/{id}/flags/{flagId}/resolve', { params: { id, flagId }, body: resolution ? { resolution } : {} });
/** A row's review state for me: who coded it, and whether I may approve it now (and if not, why). */
export const getRowReview = (id: string, rowId: string) => api.get('/api/datasets/{id}/rows/{rowId}/review', { params: { id, rowId } });
/** A row's story, oldest first: cell changes beside the steps of its review. */
export const rowTimeline = (id: string, rowId: string) => api.get('/api/datasets/{id}/rows/{rowId}/timeline', { params: { id, rowId } });
export const approveRow = (id: string, rowId: string) => api.post('/api/datasets/{id}/rows/{rowId}/approve', { params: { id, rowId } });
/** Approves many rows in one request; each is approved or refused with the server's reason. */
export const approveRows = (id: string, rows: readonly string[]) => api.post('/api/datasets/{id}/approve', { params: { id }, body: { rows: [...rows] } });

/** Closes a concurrent-edit conflict: `kept` leaves the cell as it is, `lost` writes the other value into it. */
export const resolveConflict = (id: string, conflictId: string, value: 'kept' | 'lost') =>
  api.post('/api/datasets/{id}/conflicts/{conflictId}/resolve', { params: { id, conflictId }, body: { value } });

/** The dataset's sources without their texts; `query` keeps those whose title or text contains it. */
export const listSources = (id: string, query = '') => api.get('/api/datasets/{id}/sources', { params: { id }, query: { q: query.trim() } });
/** One source with its text. */
export const getSource = (id: string, sourceId: string) => api.get('/api/datasets/{id}/sources/{sourceId}', { params: { id, sourceId } });
/** Stores a pasted text as a source. */
export const addSource = (id: string, body: NewSourceBody) => api.post('/api/datasets/{id}/sources', { params: { id }, body });

/**
 * Uploads a file as a source: `.txt` and `.md` are stored as they are, `.html` reduced to its text by the
 * server. Sent as the file's own type, which the server accepts from a signed-in page for this route.
 */
export async function uploadSource(id: string, file: File, fields: { title?: string; url?: string; outlet?: string; publishedAt?: string }):
  Promise<Answer<'POST', '/api/datasets/{id}/sources'>> {
  const type = /\.html?$/i.test(file.name) ? 'text/html' : /\.(md|markdown)$/i.test(file.name) ? 'text/markdown' : 'text/plain';
  const res = await fetch(routeUrl('/api/datasets/{id}/sources', { id }, fields), {
    method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json', 'content-type': `${type}; charset=utf-8` },
    body: await file.text(),
  });
  // The answer has the shape its route declares: the server's tests check every answer against it.
  return await answer(res) as Answer<'POST', '/api/datasets/{id}/sources'>;
}

// ——— double coding: rounds, agreement, adjudication ———

/** Starts a double-coding round (dataset admin). */
export const createRound = (id: string, body: NewRoundBody) => api.post('/api/datasets/{id}/rounds', { params: { id }, body });
/** The rounds I may see: those I code, or every round for a dataset admin. */
export const listRounds = (id: string) => api.get('/api/datasets/{id}/rounds', { params: { id } });
export const getRound = (id: string, roundId: string) => api.get('/api/datasets/{id}/rounds/{roundId}', { params: { id, roundId } });
/** Hands in my copy: it is read-only afterwards. */
export const submitRound = (id: string, roundId: string) => api.post('/api/datasets/{id}/rounds/{roundId}/submit', { params: { id, roundId } });
export const getAgreement = (id: string, roundId: string) => api.get('/api/datasets/{id}/rounds/{roundId}/agreement', { params: { id, roundId } });
/** The download address of the agreement report as CSV. */
export const agreementCsvUrl = (id: string, roundId: string) => routeUrl('/api/datasets/{id}/rounds/{roundId}/agreement', { id, roundId }, { format: 'csv' });
/** Every unit (row × column) with each coder's value, most disagreement first. */
export const getRoundUnits = (id: string, roundId: string) => api.get('/api/datasets/{id}/rounds/{roundId}/units', { params: { id, roundId } });
/** Writes the decided value into the dataset's cell. */
export const adjudicate = (id: string, roundId: string, body: { row: string; column: string; value: CellValue }) =>
  api.post('/api/datasets/{id}/rounds/{roundId}/adjudicate', { params: { id, roundId }, body });

/**
 * How a CSV is written: `analysis` keeps every text exactly (for R, pandas), `excel` adds a byte-order
 * mark and prefixes text a spreadsheet would run as a formula.
 */
export type CsvFlavour = 'analysis' | 'excel';

function exportParams(format: ExportFormat, rows: ExportRows, flavour: CsvFlavour) {
  return {
    format, rows,
    ...(format === 'csv' && flavour === 'analysis' && { excel_safe: '0' as const }),
    ...(format === 'csv' && flavour === 'excel' && { bom: '1' as const }),
  };
}

/** The download address of a sheet's export. */
export function exportUrl(id: string, sheetId: string, format: ExportFormat, rows: ExportRows, flavour: CsvFlavour = 'analysis'): string {
  return routeUrl('/api/datasets/{id}/sheets/{sheetId}/export', { id, sheetId }, exportParams(format, rows, flavour));
}

/** The download address of the whole dataset: a zip with one file per sheet. */
export function zipExportUrl(id: string, format: ExportFormat, rows: ExportRows, flavour: CsvFlavour = 'analysis'): string {
  return routeUrl('/api/datasets/{id}/export.zip', { id }, exportParams(format, rows, flavour));
}

/** Every sheet and column of a dataset, with codes, labels and how many rows hold each. */
export const getCodebook = (id: string) => api.get('/api/datasets/{id}/codebook', { params: { id } });
/** The codebook as Markdown, for download. */
export const codebookMarkdownUrl = (id: string) => routeUrl('/api/datasets/{id}/codebook', { id }, { format: 'md' });

/** A dataset's releases, oldest first. */
export const listReleases = (id: string) => api.get('/api/datasets/{id}/releases', { params: { id } });
/** Makes a release (dataset admins): the version defaults to the next minor one. */
export const createRelease = (id: string, body: NewReleaseBody) => api.post('/api/datasets/{id}/releases', { params: { id }, body });
/** What a release of these rows would hold and carry now: rows, open problems by kind, open flags. */
export const releasePreview = (id: string, rows: 'all' | 'approved') => api.get('/api/datasets/{id}/releases/preview', { params: { id }, query: { rows } });
/** The download address of a release's package: the same bytes every time. */
export const releaseZipUrl = (id: string, version: string) => routeUrl('/api/datasets/{id}/releases/{version}/package.zip', { id, version });
/** Rows added, removed and cells changed from release `from` to release `to`. */
export const releaseDiff = (id: string, from: string, to: string) =>
  api.get('/api/datasets/{id}/releases/{version}/diff', { params: { id, version: to }, query: { from } });
/** A release's CHANGELOG.md, as text. */
export async function releaseChangelog(id: string, version: string): Promise<string> {
  const res = await send('GET', routeUrl('/api/datasets/{id}/releases/{version}/CHANGELOG.md', { id, version }), { credentials: 'same-origin' });
  if (!res.ok) throw new ApiError(res.status, 'http_error', `${res.status} ${res.statusText}`);
  return res.text();
}
