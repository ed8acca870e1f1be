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
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { CellValue, Column } from '../../model/columns';
import { exportRecord } from '../export/format';
import { inTurns } from '../http/turns';
import type { ExportRow, ReleaseRows, Storage } from '../storage';
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
  /**
   * The same rows as stored, each its line of JSON not yet parsed (snapshots stored as lines), in batches as
   * they are unzipped: read either these or `rows`, once.
   */
  lines?: AsyncIterable<string[]>;
}

const FORMAT = 'tessera-snapshot/2';

/** The dataset's sheets now, as the read model holds them. */
export async function snapshotHead({ datasets }: Storage, dataset: { id: string; name: string }): Promise<SnapshotHead> {
  const sheets = (await datasets.sheets(dataset.id)).map(({ id, name, columns }) => ({ id, name, columns }));
  return { dataset: { id: dataset.id, name: dataset.name }, sheets };
}

/**
 * The rows a release takes as the read model gives them, with the index of their sheet: sheet by sheet in the
 * head's order (`approved`: approved rows only), in turns of the event loop.
 */
export async function* releaseExportRows({ readModel }: Storage, head: SnapshotHead, rows: ReleaseRows): AsyncGenerator<[sheet: number, row: ExportRow]> {
  for (const [index, sheet] of head.sheets.entries()) {
    for await (const row of inTurns(readModel.exportRows(head.dataset.id, sheet.id, rows))) yield [index, row];
  }
}

/** The rows a release takes, as the snapshot holds them. */
export async function* releaseRows(storage: Storage, head: SnapshotHead, rows: ReleaseRows): AsyncGenerator<SnapshotRow> {
  for await (const [index, row] of releaseExportRows(storage, head, rows)) yield [index, exportRecord(head.sheets[index]!.columns, row)];
}

/** Writes a snapshot a row at a time, gzipped as it goes. */
export class SnapshotWriter {
  private readonly file = Compressed.gzip();

  constructor(head: SnapshotHead) {
    void this.file.write(`${JSON.stringify({ format: FORMAT, ...head })}\n`);
  }

  add(row: SnapshotRow): Promise<void> {
    // Two writes rather than one joined string, which would be copied once more to be encoded.
    void this.file.write(JSON.stringify(row));
    return this.file.write('\n');
  }

  /** The gzipped snapshot, in pieces. */
  async finish(): Promise<Buffer[]> {
    return (await this.file.end()).chunks;
  }
}

/**
 * The lines of UTF-8 text, each without its `\n` (a snapshot's lines are JSON, whose strings hold no raw line
 * breaks), in batches: those each piece completes. Split here rather than by `readline`, whose general line
 * endings and a promise per line cost as much as the rest of a diff.
 */
async function* linesOf(chunks: AsyncIterable<Buffer>): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + decoder.write(chunk);
    const lines = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      lines.push(text.slice(start, end));
      start = end + 1;
    }
    rest = text.slice(start);
    if (lines.length > 0) yield lines;
  }
  rest += decoder.end();
  if (rest !== '') yield [rest];
}

/**
 * Opens a stored snapshot (its bytes, or its parts as they are read): its head at once, its rows as they
 * are unzipped (off the main thread) and parsed.
 */
export async function openSnapshot(bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<OpenSnapshot> {
  // Unzipped in pieces of 64 KiB rather than zlib's 16: each piece costs the event loop a turn.
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  Readable.from(bytes instanceof Uint8Array ? [bytes] : bytes).pipe(gunzip);
  const batches = linesOf(gunzip)[Symbol.asyncIterator]();
  const first = await batches.next();
  const head = first.done ? null : JSON.parse(first.value[0]!) as (SnapshotHead & { format?: string }) | Snapshot;
  if (!head) throw new Error('An empty snapshot');
  if (!('format' in head) || head.format !== FORMAT) {
    // Made before the line format: one JSON document on one line, small enough to have been made whole.
    gunzip.destroy();
    return wholeSnapshot(head as Snapshot);
  }
  const { format: _format, ...rest } = head;
  const rowLines = (async function* () {
    const after = (first.value as string[]).slice(1).filter((line) => line !== '');
    if (after.length > 0) yield after;
    for (;;) {
      const batch = await batches.next();
      if (batch.done) return;
      const lines = batch.value.filter((line) => line !== '');
      if (lines.length > 0) yield lines;
    }
  })();
  return {
    head: rest,
    rows: (async function* () {
      for await (const lines of rowLines) for (const line of lines) yield JSON.parse(line) as SnapshotRow;
    })(),
    lines: rowLines,
  };
}

/** How a row's line starts, `exportRecord` putting `row_id` first: `[SHEET_INDEX,{"row_id":"…"`. */
const LINE_START = /^\[(\d+),\{"row_id":"([^"\\]*)"/;

/**
 * The sheet index and row id of a row's line, read without parsing the line; null for a line that does
 * not start as `exportRecord` writes (a row id with escapes, say), which is parsed instead.
 */
export function lineKey(line: string): [sheet: number, rowId: string] | null {
  const start = LINE_START.exec(line);
  return start ? [Number(start[1]), start[2]!] : null;
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
