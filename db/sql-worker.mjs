// Runs SQL statements on a connection of its own to a SQLite file, in a worker thread (db/sheet-indexes.ts):
// building an index of a million-row sheet takes seconds, and the server's event loop keeps serving meanwhile.
// Each message is { id, sql }; the answer is { id } or { id, error }.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file);
// Another connection (the server's) may be writing: wait for it rather than fail.
db.pragma('busy_timeout = 60000');

parentPort.on('message', ({ id, sql }) => {
  try {
    db.exec(sql);
    parentPort.postMessage({ id });
  } catch (error) {
    // A statement of a transaction failed: the rest of it is undone, and the write lock let go.
    if (db.inTransaction) db.exec('rollback');
    parentPort.postMessage({ id, error: String(error?.message ?? error) });
  }
});
