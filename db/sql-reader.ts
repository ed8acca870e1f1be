/**
 * Reads of a rows page (`db/rows-page.ts`) on a connection of a worker thread's own (`db/read-worker.mjs`). SQLite
 * answers on the thread that asks, and a page deep in a million-row sheet walks an index for tens of milliseconds
 * (up to about 130 ms on the development machine): on the server's connection that holds every socket meanwhile.
 * In WAL mode the worker's connection sees every commit made before its read began, so a page still reflects every
 * edit a client was told is stored. An in-memory database has no file another connection could open: its reads
 * run on the server's connection.
 */
import type Database from 'better-sqlite3';
import { WorkerCalls } from './worker-calls';

export class SqliteReader {
  private readonly calls: WorkerCalls | undefined;

  constructor(private readonly sqlite: Database.Database) {
    this.calls = sqlite.memory ? undefined : new WorkerCalls(new URL('./read-worker.mjs', import.meta.url), sqlite.name);
  }

  /** Starts the worker now rather than at the first read (its thread and connection take tens of milliseconds). */
  open(): this {
    this.calls?.start();
    return this;
  }

  /** The rows of one statement (its text and parameters, as the driver takes them). */
  all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    if (!this.calls) return Promise.resolve(this.sqlite.prepare(sql).all(...params) as T[]);
    return this.calls.call<T[]>({ sql, params });
  }

  /** Lets the worker go (the next read starts it again). */
  async close(): Promise<void> {
    await this.calls?.close();
  }
}

const readers = new WeakMap<Database.Database, SqliteReader>();

/** The reader of a connection's database (one worker per connection). */
export function sqliteReader(sqlite: Database.Database): SqliteReader {
  let reader = readers.get(sqlite);
  if (!reader) readers.set(sqlite, reader = new SqliteReader(sqlite));
  return reader;
}
