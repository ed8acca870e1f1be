/**
 * Reads of a rows page (`db/rows-page.ts`) on a connection of a worker thread's own (`db/read-worker.mjs`). SQLite
 * answers on the thread that asks, and a page deep in a million-row sheet walks an index for tens of milliseconds
 * (up to about 130 ms on the development machine): on the server's connection that holds every socket meanwhile.
 * In WAL mode the worker's connection sees every commit made before its read began, so a page still reflects every
 * edit a client was told is stored. An in-memory database has no file another connection could open: its reads
 * run on the server's connection.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

interface Answer {
  id: number;
  rows?: unknown[];
  error?: string;
}

export class SqliteReader {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (rows: unknown[]) => void; reject: (error: Error) => void }>();

  constructor(private readonly sqlite: Database.Database) {}

  /** Starts the worker now rather than at the first read (its thread and connection take tens of milliseconds). */
  open(): this {
    if (!this.sqlite.memory) this.worker ??= this.start(this.sqlite.name);
    return this;
  }

  /** The rows of one statement (its text and parameters, as the driver takes them). */
  all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    if (this.sqlite.memory) return Promise.resolve(this.sqlite.prepare(sql).all(...params) as T[]);
    const worker = this.worker ??= this.start(this.sqlite.name);
    return new Promise<T[]>((resolve, reject) => {
      const id = ++this.nextId;
      this.waiting.set(id, { resolve: resolve as (rows: unknown[]) => void, reject });
      worker.ref();
      worker.postMessage({ id, sql, params });
    });
  }

  /** Lets the worker go (the next read starts it again). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(file: string): Worker {
    const worker = new Worker(new URL('./read-worker.mjs', import.meta.url), { workerData: { file } });
    worker.on('message', ({ id, rows, error }: Answer) => {
      const asked = this.waiting.get(id);
      this.waiting.delete(id);
      // An idle worker does not keep the process alive.
      if (this.waiting.size === 0) worker.unref();
      if (error !== undefined) asked?.reject(new Error(error));
      else asked?.resolve(rows ?? []);
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const asked of this.waiting.values()) asked.reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the SQL reader stopped (exit code ${code})`)));
    worker.unref();
    return worker;
  }
}

const readers = new WeakMap<Database.Database, SqliteReader>();

/** The reader of a connection's database (one worker per connection). */
export function sqliteReader(sqlite: Database.Database): SqliteReader {
  let reader = readers.get(sqlite);
  if (!reader) readers.set(sqlite, reader = new SqliteReader(sqlite));
  return reader;
}
