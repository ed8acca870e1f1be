/**
 * Reads a CSV upload record by record as it arrives (RFC 4180, UTF-8 with or without a byte-order
 * mark): the file is never one string in memory. Bytes that are not UTF-8 are refused rather than
 * replaced, so no text is silently changed.
 */
import { type Parser, parse } from 'csv-parse';
import { badRequest } from '../errors';
import { MAX_RECORD_CHARS } from './limits';
import type { RawRecord } from './raw';

/** Resolves when the parser wants more text, or was closed; the listener that did not fire is removed (a large file waits thousands of times). */
function drained(parser: Parser): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { parser.off('drain', done); parser.off('close', done); resolve(); };
    parser.once('drain', done);
    parser.once('close', done);
  });
}

/** The records of a CSV body, the header first; `line` counts records (the header is 1), as a spreadsheet numbers rows. */
export async function* csvRecords(body: ReadableStream<Uint8Array>): AsyncGenerator<RawRecord> {
  // A quote inside an unquoted field (`He said "hi"`) is kept as text rather than refusing the file.
  const parser = parse({ relax_column_count: true, relax_quotes: true, max_record_size: MAX_RECORD_CHARS });
  // The decoder drops a leading byte-order mark; `fatal` refuses bytes that are not UTF-8.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let failure: Error | null = null;
  const reader = body.getReader();
  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        if (text !== '' && !parser.write(text)) await drained(parser);
        if (parser.destroyed) return;
      }
      const rest = decoder.decode();
      if (rest !== '') parser.write(rest);
      parser.end();
    } catch (error) {
      failure = error instanceof TypeError ? badRequest('The file is not UTF-8 text: save it as CSV UTF-8') : (error as Error);
      parser.destroy();
    }
  })();
  let line = 0;
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      line += 1;
      // A line with nothing in it is no record (a blank line, or one of only commas).
      if (fields.every((f) => f === '')) continue;
      yield { line, cells: fields };
    }
  } catch (error) {
    if (failure) throw failure;
    throw badRequest(`The file is not valid CSV: ${(error as Error).message}`);
  } finally {
    // Ending early (a bad header, say) stops reading the upload too.
    parser.destroy();
    await reader.cancel().catch(() => undefined);
    await pump;
  }
  if (failure) throw failure;
}
