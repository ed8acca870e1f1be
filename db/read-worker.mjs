// Answers reads on a connection of its own to a SQLite file, in a worker thread (db/sql-reader.ts): a page deep
// in a million-row sheet walks an index for tens of milliseconds, and the server's event loop keeps serving
// meanwhile. Each message is { id, sql, params }; the answer is { id, result } (the rows) or { id, error }.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file, { readonly: true });
db.pragma('busy_timeout = 60000');
// The schema is read once, now, rather than by the first page asked for.
db.prepare('select 1 from rows limit 0').all();
/** Prepared statements by their text: a page asks the same few shapes of statement again and again. */
const prepared = new Map();

parentPort.on('message', ({ id, sql, params }) => {
  try {
    let statement = prepared.get(sql);
    if (!statement) {
      if (prepared.size >= 200) prepared.clear();
      prepared.set(sql, statement = db.prepare(sql));
    }
    parentPort.postMessage({ id, result: statement.all(...params) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.message ?? error) });
  }
});
