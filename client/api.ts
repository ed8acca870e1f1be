/** The HTTP API, same origin, authenticated by the session cookie (CONTRACT §2, §3, §7, §8). */
import type { Column } from '../model/columns';
import type { Role } from '../model/roles';
import type { TemplateId } from '../model/templates';

export interface Me {
  id: string;
  name: string;
  role: Role;
}

export interface UserSummary extends Me {
  createdAt: string;
}

export interface NewUser extends Me {
  token: string;
}

export interface DatasetSummary {
  id: string;
  name: string;
  template?: string;
  createdAt?: string;
}

export interface DatasetDetail {
  id: string;
  name: string;
  sheets: Array<{ id: string; name: string; columns: Column[]; rowCount: number }>;
}

import type { HistoryEntry } from '../model/history';
export type { HistoryEntry };

export type ExportFormat = 'csv' | 'json';
export type ExportRows = 'all' | 'approved' | 'flagged' | 'unflagged';

/** An error answer of the API, with the contract's code and message. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** One JSON call of the API with the session cookie; an error answer throws an ApiError. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
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
export async function getMe(): Promise<Me | null> {
  try {
    return await request<Me>('GET', '/api/me');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export const signIn = (name: string, password: string) => request<Me>('POST', '/api/session', { name, password });
export const signOut = () => request<void>('DELETE', '/api/session');
export const listUsers = () => request<UserSummary[]>('GET', '/api/users');
export const createUser = (user: { name: string; role: Role; password?: string }) => request<NewUser>('POST', '/api/users', user);
export const listDatasets = () => request<DatasetSummary[]>('GET', '/api/datasets');
export const getDataset = (id: string) => request<DatasetDetail>('GET', `/api/datasets/${encodeURIComponent(id)}`);
export const createDataset = (body: { name: string; id?: string; template?: TemplateId }) =>
  request<{ id: string; name: string }>('POST', '/api/datasets', body);
export const rowHistory = (datasetId: string, rowId: string) =>
  request<HistoryEntry[]>('GET', `/api/datasets/${encodeURIComponent(datasetId)}/history?row=${encodeURIComponent(rowId)}`);

/** The download address of a sheet's export. */
export function exportUrl(datasetId: string, sheetId: string, format: ExportFormat, rows: ExportRows): string {
  const params = new URLSearchParams({ format, rows });
  return `/api/datasets/${encodeURIComponent(datasetId)}/sheets/${encodeURIComponent(sheetId)}/export?${params}`;
}

/** The one-time sign-in link for a new user's token. */
export function signInLink(token: string): string {
  return `${location.origin}/?token=${encodeURIComponent(token)}`;
}
