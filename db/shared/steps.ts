/**
 * The query layer both stores share. The SQLite and PostgreSQL schemas hold the same tables column for
 * column (`db/schema-drift.test.ts`), so most of a store's SQL is the same on both; what differs is how it
 * runs. better-sqlite3 answers at once, and a SQLite transaction must run in one synchronous turn (its
 * callback cannot await); node-postgres answers promises.
 *
 * So a shared method is written once as a generator of steps: it yields each query (a Drizzle builder, made
 * on the store's database or transaction) and is handed back the result. The SQLite store runs those steps
 * to the end at once, each query synchronously, as its hand-written methods did; the PostgreSQL store
 * awaits each. Where the SQL itself differs (JSON functions, ILIKE, row locks), the store passes the piece
 * that differs.
 */
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type { Db } from '../client';
import type { PgDb } from '../pg/client';
import * as pgSchema from '../pg/schema';
import * as schema from '../schema';

/**
 * A database or transaction as the shared queries see it: the SQLite schema's tables, every query awaited
 * (never `.get()`/`.all()`/`.run()`, which PostgreSQL's builders lack: `rows`, `first` and `exec` run them).
 */
export type QueryDb = BaseSQLiteDatabase<'async', unknown, typeof schema>;
/** The tables, typed as SQLite's: PostgreSQL's have the same columns and the same TypeScript types. */
export type Tables = typeof schema;

type Step =
  | { rows: PromiseLike<unknown> }
  | { first: PromiseLike<unknown> }
  | { exec: PromiseLike<unknown> }
  | { call: () => unknown }
  | { transaction: (tx: QueryDb) => Steps<unknown>; snapshot: boolean };

/** What a shared method is: the steps it takes, ending with its result. */
export type Steps<T> = Generator<Step, T, unknown>;

/** A query's rows: a select, or a write ending in `.returning()`. */
export function* rows<T>(query: PromiseLike<T[]>): Steps<T[]> {
  return (yield { rows: query }) as T[];
}

/** A query's first row (add `.limit(1)` where more may match). */
export function* first<T>(query: PromiseLike<T[]>): Steps<T | undefined> {
  return (yield { first: query }) as T | undefined;
}

/** A write whose result is not needed. */
export function* exec(query: PromiseLike<unknown>): Steps<void> {
  yield { exec: query };
}

/** Something the store does its own way (writing a document commit): synchronous on SQLite, awaited on PostgreSQL. */
export function* call<T>(fn: () => T | Promise<T>): Steps<T> {
  return (yield { call: fn }) as T;
}

/** Steps in one transaction, on `tx`. */
export function* transaction<T>(body: (tx: QueryDb) => Steps<T>): Steps<T> {
  return (yield { transaction: body, snapshot: false }) as T;
}

/**
 * Reads that must see one state: on SQLite they run in one synchronous turn anyway; on PostgreSQL in a
 * read-only repeatable-read transaction.
 */
export function* snapshot<T>(body: (tx: QueryDb) => Steps<T>): Steps<T> {
  return (yield { transaction: body, snapshot: true }) as T;
}

/** A store's database as a shared implementation is given it. */
export interface QueryStore {
  db: QueryDb;
  t: Tables;
  /** Runs a method's steps (a failed query rejects, as an async method's throw would). */
  run<T>(steps: Steps<T>): Promise<T>;
  /** A select that locks the rows it reads until the transaction ends (PostgreSQL; SQLite's writer holds the whole database). */
  forUpdate<Q>(query: Q): Q;
}

// ---- SQLite: every step at once ----

interface SyncQuery {
  all(): unknown[];
  get(): unknown;
  run(): unknown;
}

function runSync<T>(db: Db, steps: Steps<T>): T {
  let next = steps.next();
  while (!next.done) {
    let result: unknown;
    try {
      result = stepSync(db, next.value);
    } catch (error) {
      next = steps.throw(error);
      continue;
    }
    next = steps.next(result);
  }
  return next.value;
}

function stepSync(db: Db, step: Step): unknown {
  if ('rows' in step) return (step.rows as unknown as SyncQuery).all();
  if ('first' in step) return (step.first as unknown as SyncQuery).get();
  if ('exec' in step) return (step.exec as unknown as SyncQuery).run();
  if ('call' in step) {
    const result = step.call();
    if (result instanceof Promise) throw new Error('a SQLite step must not answer a promise');
    return result;
  }
  if (step.snapshot) return runSync(db, step.transaction(db as unknown as QueryDb));
  return db.transaction((tx) => runSync(tx as unknown as Db, step.transaction(tx as unknown as QueryDb)));
}

export function sqliteQueryStore(db: Db): QueryStore {
  return {
    db: db as unknown as QueryDb,
    t: schema,
    run: <T>(steps: Steps<T>) => {
      try {
        return Promise.resolve(runSync(db, steps));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    forUpdate: (query) => query,
  };
}

// ---- PostgreSQL: each step awaited ----

async function runAsync<T>(db: PgDb, steps: Steps<T>): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    let result: unknown;
    try {
      result = await stepAsync(db, next.value);
    } catch (error) {
      next = steps.throw(error);
      continue;
    }
    next = steps.next(result);
  }
  return next.value;
}

async function stepAsync(db: PgDb, step: Step): Promise<unknown> {
  if ('rows' in step) return step.rows;
  if ('first' in step) return ((await step.first) as unknown[])[0];
  if ('exec' in step) return step.exec;
  if ('call' in step) return step.call();
  return db.transaction(
    (tx) => runAsync(tx as unknown as PgDb, step.transaction(tx as unknown as QueryDb)),
    step.snapshot ? { isolationLevel: 'repeatable read', accessMode: 'read only' } : undefined,
  );
}

export function pgQueryStore(db: PgDb): QueryStore {
  return {
    db: db as unknown as QueryDb,
    t: pgSchema as unknown as Tables,
    run: (steps) => runAsync(db, steps),
    forUpdate: (query) => (query as unknown as { for(strength: 'update'): unknown }).for('update') as typeof query,
  };
}
