/**
 * Reads a CSV upload record by record as it arrives (RFC 4180, UTF-8 with or without a byte-order
 * mark): the file is never one string in memory. Bytes that are not UTF-8 are refused rather than
 * replaced, so no text is silently changed.
 */
import { Worker } from 'node:worker_threads';
import { badRequest } from '../errors';
import { MAX_RECORD_CHARS } from './limits';
import type { RawRecord } from './raw';

/** Records parsed ahead of the reader at most (then the upload waits): a few slices of an import. */
const RECORDS_AHEAD = 4096;
/** Chunks of the upload with the worker at once: one parsed while the next waits, so it does not wait for this thread. */
const CHUNKS_AHEAD = 2;

/** What the parser thread (`csv-worker.mjs`) answers: a batch of records, or why it stopped. */
type Parsed = Batch & { done?: true } | { error: string; utf8: boolean };
/** Records as `csv-worker.mjs` sends them: their fields' text end to end, where each field ends, fields per record. */
type Batch = { text: string; ends: Uint32Array; counts: Uint32Array };

/** The records of a batch, as arrays of fields. */
function recordsOf({ text, ends, counts }: Batch): string[][] {
  const records: string[][] = new Array(counts.length);
  let k = 0;
  let start = 0;
  for (let i = 0; i < counts.length; i++) {
    const fields: string[] = new Array(counts[i]!);
    for (let j = 0; j < fields.length; j++, k++) {
      fields[j] = text.slice(start, ends[k]!);
      start = ends[k]!;
    }
    records[i] = fields;
  }
  return records;
}

/**
 * The records of a CSV body, the header first; `line` counts records (the header is 1), as a spreadsheet numbers rows.
 * The text is parsed in a worker thread, a chunk of the upload at a time, a bounded number of records ahead.
 */
export async function* csvRecords(body: ReadableStream<Uint8Array>): AsyncGenerator<RawRecord> {
  const worker = new Worker(new URL('./csv-worker.mjs', import.meta.url), { workerData: { maxRecordChars: MAX_RECORD_CHARS } });
  const reader = body.getReader();
  let queue: string[][] = [];
  let next = 0;
  let done = false;
  let failure: Error | null = null;
  /** Who waits for a change: the pump for the worker's answer or for room, the reader for records. */
  const waiting = new Set<() => void>();
  const changed = () => new Promise<void>((resolve) => waiting.add(resolve));
  const notify = () => {
    for (const resolve of waiting) resolve();
    waiting.clear();
  };
  let answered = 0;
  worker.on('message', (message: Parsed) => {
    if ('error' in message) {
      failure = message.utf8 ? badRequest('The file is not UTF-8 text: save it as CSV UTF-8') : badRequest(`The file is not valid CSV: ${message.error}`);
    } else {
      const records = recordsOf(message);
      queue = next < queue.length ? queue.slice(next).concat(records) : records;
      next = 0;
      answered += 1;
      if (message.done) done = true;
    }
    notify();
  });
  worker.on('error', (error) => {
    failure ??= error;
    notify();
  });
  worker.on('exit', () => {
    if (!done) failure ??= new Error('the CSV parser stopped');
    notify();
  });
  // Chunks go to the worker CHUNKS_AHEAD at a time, and only while few records wait to be read.
  let stopped = false;
  const pump = (async () => {
    try {
      let sent = 0;
      for (;;) {
        const { done: ended, value } = await reader.read();
        if (stopped) return;
        worker.postMessage(ended ? { end: true } : { bytes: value });
        sent += 1;
        if (ended) return;
        while (!stopped && failure === null && (sent - answered >= CHUNKS_AHEAD || queue.length - next >= RECORDS_AHEAD)) await changed();
        if (stopped || failure !== null) return;
      }
    } catch (error) {
      failure ??= error as Error;
      notify();
    }
  })();
  let line = 0;
  try {
    for (;;) {
      while (next < queue.length) {
        const fields = queue[next++]!;
        line += 1;
        // Room for more: the pump may send the worker the next chunk.
        if (queue.length - next === RECORDS_AHEAD - 1) notify();
        // A line with nothing in it is no record (a blank line, or one of only commas).
        if (fields.every((f) => f === '')) continue;
        yield { line, cells: fields };
      }
      if (failure) throw failure;
      if (done) return;
      await changed();
    }
  } finally {
    // Ending early (a bad header, say) stops reading the upload too.
    stopped = true;
    notify();
    await worker.terminate();
    await reader.cancel().catch(() => undefined);
    await pump;
  }
}
