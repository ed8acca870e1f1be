/** `POST …/sheets/:sheet/import` with a raw body, for import tests. */
import type { RunningServer } from './server';

export const CSV = 'text/csv';
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface ImportCall {
  status: number;
  body: any;
}

/** Sends a file to a sheet's import; `query` without the `?`. */
export async function importFile(
  server: RunningServer, datasetId: string, sheetId: string, file: string | Uint8Array,
  { type = CSV, query = '', token = server.adminToken }: { type?: string; query?: string; token?: string } = {},
): Promise<ImportCall> {
  const response = await fetch(`${server.url}/api/datasets/${datasetId}/sheets/${sheetId}/import${query ? `?${query}` : ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body: file as BodyInit,
  });
  const text = await response.text();
  let body: any = text;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: response.status, body };
}

/** A CSV file (CRLF, RFC 4180 quoting) of these records. */
export function csvOf(records: ReadonlyArray<ReadonlyArray<string>>): string {
  const field = (f: string) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);
  return records.map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}
