// Parses a CSV upload in a worker thread (server/import/read-csv.ts): parsing a million records takes the
// better part of a core for many seconds, and the server's event loop keeps serving sockets meanwhile.
//
// Messages in: { bytes } (the upload's next bytes, UTF-8) and { end: true }. Messages out, in order: for each
// { bytes } one batch of the records it completed, for { end } the last batch with done: true; or, once,
// { error, utf8 } (utf8: the bytes were not UTF-8), after which nothing more is read. A batch is its fields'
// text end to end, where each field ends in it, and how many fields each record has: a string and two
// typed arrays copy between threads far faster than an array of arrays of strings.
import { parentPort, workerData } from 'node:worker_threads';
import { parse } from 'csv-parse';

let records = [];
let failed = false;
const parser = parse({
  // A quote inside an unquoted field (`He said "hi"`) is kept as text rather than refusing the file.
  relax_column_count: true,
  relax_quotes: true,
  max_record_size: workerData.maxRecordChars,
  // Records are collected as they are parsed, synchronously within each write, rather than read from the stream.
  on_record: (record) => {
    records.push(record);
    return null;
  },
});
// The decoder drops a leading byte-order mark; `fatal` refuses bytes that are not UTF-8.
const decoder = new TextDecoder('utf-8', { fatal: true });

function fail(error, utf8) {
  if (failed) return;
  failed = true;
  parentPort.postMessage({ error: String(error?.message ?? error), utf8 });
}

function send(done) {
  const counts = new Uint32Array(records.length);
  let fields = 0;
  for (let i = 0; i < records.length; i++) fields += counts[i] = records[i].length;
  const ends = new Uint32Array(fields);
  let end = 0;
  let k = 0;
  for (const record of records) for (const field of record) ends[k++] = end += field.length;
  const text = records.map((record) => record.join('')).join('');
  records = [];
  const batch = { text, ends, counts };
  parentPort.postMessage(done ? { ...batch, done: true } : batch, [ends.buffer, counts.buffer]);
}

parser.on('error', (error) => fail(error, false));
parser.on('end', () => {
  if (!failed) send(true);
});
// Nothing is pushed downstream (`on_record` keeps it): flowing, the stream ends once the input has.
parser.resume();

parentPort.on('message', (message) => {
  if (failed) return;
  let text;
  try {
    text = message.end ? decoder.decode() : decoder.decode(message.bytes, { stream: true });
  } catch (error) {
    fail(error, true);
    return;
  }
  if (message.end) {
    if (text !== '') parser.write(text);
    parser.end();
    return;
  }
  if (text === '') {
    send(false);
    return;
  }
  parser.write(text, (error) => {
    if (!error && !failed) send(false);
  });
});
