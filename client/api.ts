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

/**
 * Sends a request; a GET refused with 429 or 503 is sent again after the server's `Retry-After`, unless the
 * caller asks again on its own terms (`retry: false`).
 */
async function send(method: string, url: string, init: RequestInit, retry = true): Promise<Response> {
  for (let tries = 1; ; tries++) {
    const res = await fetch(url, init);
    if (!retry || method !== 'GET' || (res.status !== 429 && res.status !== 503) || tries >= MAX_TRIES) return res;
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
async function call<M extends Method, P extends PathOf<M>>(method: M, path: P, options: Options<M, P> | undefined): Promise<ResponseOf<M, P>> {
  const { params, query, body, retry } = (options ?? {}) as { params?: Record<string, string>; query?: Query; body?: unknown; retry?: boolean };
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  // The server takes a cookie-authenticated write only as JSON, even one without a body (cross-site protection).
  if (method !== 'GET') init.headers = { ...init.headers, 'content-type': 'application/json' };
  if (body !== undefined) init.body = JSON.stringify(body);
  // The answer has the shape its route declares: the server's tests check every answer against it.
  return await answer(await send(method, routeUrl(path, params, query), init, retry)) as ResponseOf<M, P>;
}

/** A call's options: the route's params, query and body, and whether a refused GET is asked again here. */
type Options<M extends Method, P extends string> = CallOptions<M, P> & { retry?: boolean };

/** The arguments after the path: left out when the route has no path params and no body. */
type Rest<M extends Method, P extends string> = NeedsOptions<M, P> extends true ? [options: Options<M, P>] : [options?: Options<M, P>];

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
/** Sets a user's password: your own needs `old`; an admin resets another's without it. */
export const setPassword = (userName: string, password: string, old?: string) =>
  api.put('/api/users/{userName}/password', { params: { userName }, body: old === undefined ? { password } : { password, old } });
/** Signs out one session of the user, or all of them. */
export const endSessions = (userName: string, sessionId?: string) => (sessionId === undefined
  ? api.delete('/api/users/{userName}/sessions', { params: { userName } })
  : api.delete('/api/users/{userName}/sessions/{sessionId}', { params: { userName, sessionId } }));

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
/** Where rows stand in the order of a page query (`query`: its sort, search and filters; offset and limit ignored). */
export const rowPositions = (id: string, sheetId: string, query: URLSearchParams, rows: readonly string[]) =>
  api.get('/api/datasets/{id}/sheets/{sheetId}/row-positions', {
    params: { id, sheetId }, query: new URLSearchParams([...query, ...rows.map((r): [string, string] => ['row', r])]),
  });
/** The cells of a few rows of a sheet, by row id, where rows are not in the browser. */
export const duplicateRowCells = (id: string, sheetId: string, rows: readonly string[]) =>
  api.get('/api/datasets/{id}/sheets/{sheetId}/duplicates/rows', { params: { id, sheetId }, query: new URLSearchParams(rows.map((r) => ['row', r])) });

/** Adds to a flag's thread; `fixed`: the coder says the row is fixed and asks the reviewer to look again. */
export const addComment = (id: string, flagId: string, text: string, fixed = false) =>
  api.post('/api/datasets/{id}/flags/{flagId}/comments', { params: { id, flagId }, body: fixed ? { text, fixed } : { text } });
export const resolveFlag = (id: string, flagId: string, resolution: string) =>
  api.post('/api/datasets/{id}/flags/{flagId}/resolve', { params: { id, flagId }, body: resolution ? { resolution } : {} });

/** The dataset's sources without their texts; `query` keeps those whose title or text contains it. */
export const listSources = (id: string, query = '') => api.get('/api/datasets/{id}/sources', { params: { id }, query: { q: query.trim() } });

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

/** The download address of the agreement report as CSV. */
export const agreementCsvUrl = (id: string, roundId: string) => routeUrl('/api/datasets/{id}/rounds/{roundId}/agreement', { id, roundId }, { format: 'csv' });

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

/** The codebook as Markdown, for download. */
export const codebookMarkdownUrl = (id: string) => routeUrl('/api/datasets/{id}/codebook', { id }, { format: 'md' });

/** The download address of a release's package: the same bytes every time. */
export const releaseZipUrl = (id: string, version: string) => routeUrl('/api/datasets/{id}/releases/{version}/package.zip', { id, version });
/** A release's CHANGELOG.md, as text. */
export async function releaseChangelog(id: string, version: string): Promise<string> {
  const res = await send('GET', routeUrl('/api/datasets/{id}/releases/{version}/CHANGELOG.md', { id, version }), { credentials: 'same-origin' });
  if (!res.ok) throw new ApiError(res.status, 'http_error', `${res.status} ${res.statusText}`);
  return res.text();
}
