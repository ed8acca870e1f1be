/**
 * What a release freezes: each sheet's columns and its rows as the export writes them (`row_id`, the
 * cells, review status and provenance). Stored gzipped beside the package, so diffs and the next
 * release's changelog compare releases without the live document.
 */
import { promisify } from 'node:util';
import { gunzip, gzipSync } from 'node:zlib';
import type { CellValue, Column } from '../../model/columns';
import { exportRecord } from '../export/format';
import type { ReleaseRows, Storage } from '../storage';

export interface SnapshotSheet {
  id: string;
  name: string;
  columns: Column[];
  /** Export records in row-id order. */
  rows: Array<Record<string, CellValue>>;
}

export interface Snapshot {
  dataset: { id: string; name: string };
  sheets: SnapshotSheet[];
}

/** The dataset's sheets and rows now, as the read model holds them; `approved` keeps approved rows only. */
export async function takeSnapshot({ datasets, readModel }: Storage, dataset: { id: string; name: string }, rows: ReleaseRows): Promise<Snapshot> {
  const sheets: SnapshotSheet[] = [];
  for (const sheet of await datasets.sheets(dataset.id)) {
    const records: SnapshotSheet['rows'] = [];
    for await (const row of readModel.exportRows(dataset.id, sheet.id, rows)) records.push(exportRecord(sheet.columns, row));
    sheets.push({ id: sheet.id, name: sheet.name, columns: sheet.columns, rows: records });
  }
  return { dataset: { id: dataset.id, name: dataset.name }, sheets };
}

export function encodeSnapshot(snapshot: Snapshot): Uint8Array {
  return gzipSync(JSON.stringify(snapshot), { level: 6 });
}

const gunzipped = promisify(gunzip);

/** Unzipped off the main thread; only the parse runs on it. */
export async function decodeSnapshot(bytes: Uint8Array): Promise<Snapshot> {
  return JSON.parse((await gunzipped(bytes)).toString('utf8')) as Snapshot;
}
