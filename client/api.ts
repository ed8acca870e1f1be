/**
 * The HTTP API, same origin, authenticated by the session cookie. Request and response types come
 * from the one contract in model/http.ts.
 */
import type {
  BulkApproveResponse, CommentCreated, Conflict, DatasetCreated, DatasetDetail, DatasetList, DatasetSettings, FlagCreated,
  FlagList, FlagWithThread, HistoryEntry, NewDatasetBody, NewFlagBody, NewUserBody, NewUserResponse, Progress,
  RowApproved, User, UserList,
} from '../model/http';

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

export const signIn = (name: string, password: string) => request<User>('POST', '/api/session', { name, password });
/** Signs in with a sign-in link's token (after the page asked before replacing another user's session). */
export const signInWithToken = (token: string) => request<User>('POST', '/api/session', { token });
export const signOut = () => request<void>('DELETE', '/api/session');
export const listUsers = () => request<UserList>('GET', '/api/users');
export const createUser = (user: NewUserBody) => request<NewUserResponse>('POST', '/api/users', user);
export const listDatasets = () => request<DatasetList>('GET', '/api/datasets');
export const getDataset = (id: string) => request<DatasetDetail>('GET', dataset(id));
export const createDataset = (body: NewDatasetBody) => request<DatasetCreated>('POST', '/api/datasets', body);
export const rowHistory = (datasetId: string, rowId: string) =>
  request<HistoryEntry[]>('GET', `${dataset(datasetId)}/history?row=${encodeURIComponent(rowId)}`);

export const getSettings = (datasetId: string) => request<DatasetSettings>('GET', `${dataset(datasetId)}/settings`);
export const getProgress = (datasetId: string) => request<Progress>('GET', `${dataset(datasetId)}/progress`);

/** The dataset's flags; `status` narrows them to open or resolved ones. */
export const listFlags = (datasetId: string, status?: 'open' | 'resolved') =>
  request<FlagList>('GET', `${dataset(datasetId)}/flags${status ? `?status=${status}` : ''}`);
export const createFlag = (datasetId: string, flag: NewFlagBody) => request<FlagCreated>('POST', `${dataset(datasetId)}/flags`, flag);
export const addComment = (datasetId: string, flagId: string, text: string) =>
  request<CommentCreated>('POST', `${dataset(datasetId)}/flags/${encodeURIComponent(flagId)}/comments`, { text });
export const resolveFlag = (datasetId: string, flagId: string, resolution: string) =>
  request<FlagWithThread>('POST', `${dataset(datasetId)}/flags/${encodeURIComponent(flagId)}/resolve`, resolution ? { resolution } : {});
export const approveRow = (datasetId: string, rowId: string) =>
  request<RowApproved>('POST', `${dataset(datasetId)}/rows/${encodeURIComponent(rowId)}/approve`);
/** Approves many rows in one request; each is approved or refused with the server's reason. */
export const approveRows = (datasetId: string, rows: readonly string[]) =>
  request<BulkApproveResponse>('POST', `${dataset(datasetId)}/approve`, { rows });

/** Closes a concurrent-edit conflict: `kept` leaves the cell as it is, `lost` writes the other value into it. */
export const resolveConflict = (datasetId: string, conflictId: string, value: 'kept' | 'lost') =>
  request<Conflict>('POST', `${dataset(datasetId)}/conflicts/${encodeURIComponent(conflictId)}/resolve`, { value });

/** The download address of a sheet's export. */
export function exportUrl(datasetId: string, sheetId: string, format: ExportFormat, rows: ExportRows): string {
  const params = new URLSearchParams({ format, rows });
  return `${dataset(datasetId)}/sheets/${encodeURIComponent(sheetId)}/export?${params}`;
}

/** The one-time sign-in link for a new user's token. */
export function signInLink(token: string): string {
  return `${location.origin}/?token=${encodeURIComponent(token)}`;
}
