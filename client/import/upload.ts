/**
 * Sends a file to a sheet's import (docs/import.md) with XMLHttpRequest, whose upload reports progress
 * (fetch does not). The answer is the import report, also for 422 (records rejected, nothing written);
 * any other error comes back as the contract's error envelope.
 */
import type { ImportReport } from '../../model/http';
import { routeUrl } from '../api';

export const CSV_TYPE = 'text/csv';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface ImportRequest {
  datasetId: string;
  sheetId: string;
  file: Blob;
  type: typeof CSV_TYPE | typeof XLSX_TYPE;
  key?: string;
  dryRun: boolean;
  partial: boolean;
  /** One entry per header cell: a column id, `row_id`, or "" to ignore it. */
  mapping?: string[];
}

export type ImportAnswer =
  | { ok: true; status: number; report: ImportReport }
  | { ok: false; status: number; message: string };

/** The query of an import request. */
export function importQuery(r: Pick<ImportRequest, 'key' | 'dryRun' | 'partial' | 'mapping'>): string {
  const q = new URLSearchParams();
  if (r.key) q.set('key', r.key);
  if (r.dryRun) q.set('dry_run', '1');
  if (r.partial) q.set('partial', '1');
  if (r.mapping) q.set('mapping', JSON.stringify(r.mapping));
  return q.toString();
}

export function uploadImport(r: ImportRequest, onProgress?: (fraction: number) => void): Promise<ImportAnswer> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', routeUrl('/api/datasets/{id}/sheets/{sheetId}/import', { id: r.datasetId, sheetId: r.sheetId }, new URLSearchParams(importQuery(r))));
    xhr.setRequestHeader('content-type', r.type);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.withCredentials = true;
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      let json: unknown;
      try { json = JSON.parse(xhr.responseText); } catch { json = undefined; }
      const body = json as (Partial<ImportReport> & { error?: { message?: string } }) | undefined;
      if ((xhr.status === 200 || xhr.status === 422) && body && typeof body.inserted === 'number') {
        resolve({ ok: true, status: xhr.status, report: body as ImportReport });
      } else {
        resolve({ ok: false, status: xhr.status, message: body?.error?.message ?? `${xhr.status} ${xhr.statusText}` });
      }
    });
    xhr.addEventListener('error', () => resolve({ ok: false, status: 0, message: 'The upload failed: the server could not be reached' }));
    xhr.send(r.file);
  });
}
