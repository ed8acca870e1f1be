/**
 * Calls to a worker thread that holds a SQLite connection of its own (`db/sql-worker.mjs`, `db/read-worker.mjs`):
 * each message carries an `id`, and the worker answers it with one message `{ id, result }` or `{ id, error }`.
 * The worker starts at the first call (or `start`); while no call waits it does not keep the process alive; if it
 * stops, the calls waiting fail and the next call starts another.
 */
import { Worker } from 'node:worker_threads';

interface Answer {
  id: number;
  result?: unknown;
  error?: string;
}

export class WorkerCalls {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();

  /** `script`: the worker's module; `file`: the SQLite file it opens. */
  constructor(private readonly script: URL, private readonly file: string) {}

  /** Sends `message` (with an id added); resolves with the worker's `result`. */
  call<T>(message: object): Promise<T> {
    const worker = this.start();
    return new Promise<T>((resolve, reject) => {
      const id = ++this.nextId;
      this.waiting.set(id, { resolve: resolve as (result: unknown) => void, reject });
      worker.ref();
      worker.postMessage({ ...message, id });
    });
  }

  /** The worker, started if it is not running. */
  start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { workerData: { file: this.file } });
    worker.on('message', ({ id, result, error }: Answer) => {
      const asked = this.waiting.get(id);
      this.waiting.delete(id);
      if (this.waiting.size === 0) worker.unref();
      if (error !== undefined) asked?.reject(new Error(error));
      else asked?.resolve(result);
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const asked of this.waiting.values()) asked.reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the SQL worker stopped (exit code ${code})`)));
    worker.unref();
    return this.worker = worker;
  }

  /** Lets the worker go (the next call starts another). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
