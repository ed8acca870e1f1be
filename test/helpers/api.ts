/** Typed wrappers of the HTTP API calls that tests make for setup. */
import { expect } from 'vitest';
import type { Role } from '../../model/roles';
import { api } from './clients';
import type { RunningServer } from './server';

export interface CreatedUser {
  id: string;
  name: string;
  role: Role;
  token: string;
}

/** Creates a user through `POST /api/users` as the admin. */
export async function createUser(server: RunningServer, name: string, role: Role): Promise<CreatedUser> {
  const { status, body } = await api(server, '/api/users', { body: { name, role } });
  expect(status, JSON.stringify(body)).toBe(201);
  return body as CreatedUser;
}

/** Creates a dataset through `POST /api/datasets` as the admin. */
export async function createDataset(
  server: RunningServer, id: string, template: 'events-statements' | 'blank' = 'events-statements',
): Promise<void> {
  const { status, body } = await api(server, '/api/datasets', { body: { id, name: `Test ${id}`, template } });
  expect(status, JSON.stringify(body)).toBe(201);
}

export interface ExportResponse {
  status: number;
  headers: Headers;
  /** The body exactly as sent (a byte-order mark is not stripped). */
  bytes: Uint8Array;
  /** The body decoded as UTF-8, byte-order mark kept. */
  text: string;
}

/** `GET …/export` with the raw body: `Response.text()` would silently drop a byte-order mark. */
export async function exportSheet(
  server: RunningServer, datasetId: string, sheetId: string, query: string = '', token: string = server.adminToken,
): Promise<ExportResponse> {
  const response = await fetch(
    `${server.url}/api/datasets/${datasetId}/sheets/${sheetId}/export${query ? `?${query}` : ''}`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) };
}

export interface HistoryEntry {
  sheet: string;
  row: string;
  column: string;
  old: unknown;
  new: unknown;
  by: string | null;
  at: string;
}

export async function rowHistory(server: RunningServer, datasetId: string, rowId: string): Promise<HistoryEntry[]> {
  const { status, body } = await api(server, `/api/datasets/${datasetId}/history?row=${encodeURIComponent(rowId)}`);
  expect(status).toBe(200);
  return body as HistoryEntry[];
}

export async function rowCount(server: RunningServer, datasetId: string, sheetId: string): Promise<number | undefined> {
  const { body } = await api(server, `/api/datasets/${datasetId}`);
  return (body.sheets as Array<{ id: string; rowCount: number }>).find((s) => s.id === sheetId)?.rowCount;
}
