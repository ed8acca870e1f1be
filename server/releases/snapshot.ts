/**
 * What a release freezes: each sheet's columns and its rows as the export writes them (`row_id`, the
 * cells, review status and provenance). Stored gzipped beside the package, so diffs and the next
 * release's changelog compare releases without the live document.
 *
 * Stored as lines of JSON: first the head (the dataset, and each sheet's id, name and columns), then one
 * line per row, `[SHEET_INDEX, RECORD]`, sheet by sheet in row-id order. It is written and read a row at a
 * time, so a release of a million rows is never held whole. Releases made before were one JSON document
 * (`{dataset, sheets: [{…, rows}]}`); they are read as well.
 */
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { CellValue, Column } from '../../model/columns';
import { exportRecord } from '../export/format';
import { inTurns } from '../http/turns';
import type { ReleaseRows, Storage } from '../storage';
import { Compressed } from './compressed';

export type SnapshotRecord = Record<string, CellValue>;

export interface SnapshotSheetHead {
  id: string;
  name: string;
  columns: Column[];
}

export interface SnapshotHead {
  dataset: { id: string; name: string };
  sheets: SnapshotSheetHead[];
}

/** A whole snapshot in memory (a small one: tests, and releases made before the line format). */
export interface SnapshotSheet extends SnapshotSheetHead {
  /** Export records in row-id order. */
  rows: SnapshotRecord[];
}

export interface Snapshot {
  dataset: { id: string; name: string };
  sheets: SnapshotSheet[];
}

/** A row of a snapshot: the index of its sheet in the head, and its record. */
export type SnapshotRow = [sheet: number, record: SnapshotRecord];

/** A stored snapshot opened for reading: its head, and its rows once, in order. */
export interface OpenSnapshot {
  head: SnapshotHead;
  rows: AsyncIterable<SnapshotRow>;
}

const FORMAT = 'tessera-snapshot/2';

/** The dataset's sheets now, as the read model holds them. */
export async function snapshotHead({ datasets }: Storage, dataset: { id: string; name: string }): Promise<SnapshotHead> {
  const sheets = (await datasets.sheets(dataset.id)).map(({ id, name, columns }) => ({ id, name, columns }));
  return { dataset: { id: dataset.id, name: dataset.name }, sheets };
}

/** The rows a release takes, sheet by sheet in the head's order (`approved`: approved rows only), in turns of the event loop. */
export async function* releaseRows({ readModel }: Storage, head: SnapshotHead, rows: ReleaseRows): AsyncGenerator<SnapshotRow> {
  for (const [index, sheet] of head.sheets.entries()) {
    for await (const row of inTurns(readModel.exportRows(head.dataset.id, sheet.id, rows))) yield [index, exportRecord(sheet.columns, row)];
  }
}

/** Writes a snapshot a row at a time, gzipped as it goes. */
export class SnapshotWriter {
  private readonly file = Compressed.gzip();

  constructor(head: SnapshotHead) {
    void this.file.write(`${JSON.stringify({ format: FORMAT, ...head })}\n`);
  }

  add(row: SnapshotRow): Promise<void> {
    return this.file.write(`${JSON.stringify(row)}\n`);
  }

  /** The gzipped snapshot, in pieces. */
  async finish(): Promise<Buffer[]> {
    return (await this.file.end()).chunks;
  }
}

/**
 * Opens a stored snapshot (its bytes, or its parts as they are read): its head at once, its rows as they
 * are unzipped (off the main thread) and parsed.
 */
export async function openSnapshot(bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<OpenSnapshot> {
  const gunzip = createGunzip();
  Readable.from(bytes instanceof Uint8Array ? [bytes] : bytes).pipe(gunzip);
  const lines = createInterface({ input: gunzip, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const first = await lines.next();
  const head = first.done ? null : JSON.parse(first.value) as (SnapshotHead & { format?: string }) | Snapshot;
  if (!head) throw new Error('An empty snapshot');
  if (!('format' in head) || head.format !== FORMAT) {
    // Made before the line format: one JSON document on one line, small enough to have been made whole.
    gunzip.destroy();
    return wholeSnapshot(head as Snapshot);
  }
  const { format: _format, ...rest } = head;
  return {
    head: rest,
    rows: (async function* () {
      for (;;) {
        const line = await lines.next();
        if (line.done) return;
        if (line.value !== '') yield JSON.parse(line.value) as SnapshotRow;
      }
    })(),
  };
}

/** A snapshot in memory, opened as a stored one is. */
export function wholeSnapshot(snapshot: Snapshot): OpenSnapshot {
  return {
    head: { dataset: snapshot.dataset, sheets: snapshot.sheets.map(({ id, name, columns }) => ({ id, name, columns })) },
    rows: (async function* () {
      for (const [index, sheet] of snapshot.sheets.entries()) for (const record of sheet.rows) yield [index, record] as SnapshotRow;
    })(),
  };
}
