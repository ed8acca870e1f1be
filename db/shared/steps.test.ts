/**
 * The shared query layer's two runners: SQLite runs a method's steps at once (its writes are done when the
 * call returns, as better-sqlite3's were), PostgreSQL awaits each; on both, a step that fails inside a
 * transaction undoes the transaction's earlier writes and rejects the call.
 */
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/pg';
import { openDatabase } from '../client';
import { openPgDatabase, type PgDb } from '../pg/client';
import { call, exec, first, pgQueryStore, type QueryStore, rows, sqliteQueryStore, transaction } from './steps';

const user = (id: string) => ({ id, name: id, role: 'editor' as const, tokenHash: `token-${id}`, passwordHash: null, createdAt: 1 });

/** Inserts two users in one transaction, the second failing (its token taken): neither is kept. */
async function failingTransaction(store: QueryStore): Promise<void> {
  const { users } = store.t;
  await store.run(exec(store.db.insert(users).values(user('ada'))));
  const failing = store.run(transaction(function* (tx) {
    yield* exec(tx.insert(users).values(user('bob')));
    yield* exec(tx.insert(users).values({ ...user('cyd'), tokenHash: 'token-ada' }));
  }));
  await expect(failing).rejects.toThrow();
  expect((await store.run(rows(store.db.select({ id: users.id }).from(users).orderBy(users.id)))).map((u) => u.id)).toEqual(['ada']);
}

/** A failing step thrown back into the method: it may catch it and go on. */
async function caughtStep(store: QueryStore): Promise<void> {
  const { users } = store.t;
  const answer = await store.run(function* () {
    try {
      yield* exec(store.db.insert(users).values({ ...user('dee'), tokenHash: 'token-ada' }));
      return 'stored';
    } catch {
      return (yield* first(store.db.select({ id: users.id }).from(users).where(eq(users.id, 'ada'))))?.id;
    }
  }());
  expect(answer).toBe('ada');
}

describe('the SQLite runner', () => {
  it('has run every step when the call returns', async () => {
    const db = openDatabase(':memory:');
    const store = sqliteQueryStore(db);
    const { users } = store.t;
    const done = store.run(transaction(function* (tx) {
      yield* exec(tx.insert(users).values(user('ada')));
      return yield* first(tx.select({ id: users.id }).from(users));
    }));
    // Not awaited yet: the write is in the database already.
    expect(db.$client.prepare('select id from users').all()).toEqual([{ id: 'ada' }]);
    expect(await done).toEqual({ id: 'ada' });
  });

  it('undoes a transaction whose step fails, and rejects', () => failingTransaction(sqliteQueryStore(openDatabase(':memory:'))));

  it('throws a failed step back into the method', async () => {
    const store = sqliteQueryStore(openDatabase(':memory:'));
    await store.run(exec(store.db.insert(store.t.users).values(user('ada'))));
    await caughtStep(store);
  });

  it('refuses a step that answers a promise (it would run outside the transaction)', async () => {
    const store = sqliteQueryStore(openDatabase(':memory:'));
    await expect(store.run(transaction(function* () {
      yield* call(async () => 1);
    }))).rejects.toThrow(/promise/);
  });
});

describe('the PostgreSQL runner', () => {
  let database: TestDatabase | undefined;
  let db: PgDb | undefined;
  afterAll(async () => {
    await db?.$client.end();
    await database?.drop();
  });

  it('undoes a transaction whose step fails, rejects, and throws a failed step back into the method', async () => {
    database = await createTestDatabase();
    db = await openPgDatabase(database.url);
    const store = pgQueryStore(db);
    await failingTransaction(store);
    await caughtStep(store);
    // Each step awaited: a document write answering a promise is waited for inside the transaction.
    const { users } = store.t;
    const written = await store.run(transaction(function* (tx) {
      yield* call(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        await (tx as unknown as PgDb).execute("insert into users (id, name, role, token_hash, created_at) values ('eve', 'eve', 'viewer', 'token-eve', 1)");
      });
      return yield* first(tx.select({ id: users.id }).from(users).where(eq(users.id, 'eve')));
    }));
    expect(written).toEqual({ id: 'eve' });
  });
});
