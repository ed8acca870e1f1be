/** `POST …/sheets/:sheet/import` with a raw body, for import tests. */
import { request } from 'node:http';
import type { RunningServer } from './server';

export const CSV = 'text/csv';
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface ImportCall {
  status: number;
  body: any;
}

/**
 * Sends a file to a sheet's import; `query` without the `?`. On a connection of its own: a large file is often
 * made just before, holding the event loop long enough for the server to close an idle pooled connection,
 * which a pooled request would then write to (EPIPE).
 */
export async function importFile(
  server: RunningServer, datasetId: string, sheetId: string, file: string | Uint8Array,
  { type = CSV, query = '', token = server.adminToken }: { type?: string; query?: string; token?: string } = {},
): Promise<ImportCall> {
  const body = typeof file === 'string' ? Buffer.from(file) : Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const url = `${server.url}/api/datasets/${datasetId}/sheets/${sheetId}/import${query ? `?${query}` : ''}`;
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, {
      method: 'POST', agent: false,
      headers: { authorization: `Bearer ${token}`, 'content-type': type, 'content-length': body.byteLength },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
  let parsed: any = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status, body: parsed };
}

/** A CSV file (CRLF, RFC 4180 quoting) of these records. */
export function csvOf(records: ReadonlyArray<ReadonlyArray<string>>): string {
  const field = (f: string) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);
  return records.map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}
