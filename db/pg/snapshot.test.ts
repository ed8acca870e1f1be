import { afterAll, expect, it } from 'vitest';
import type { NewSourceRecord } from '../../server/storage';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/pg';
import { openPgDatabase, type PgDb } from './client';
import { pgStorage } from './storage';

let database: TestDatabase | undefined;
let db: PgDb | undefined;
afterAll(async () => {
  await db?.$client.end();
  await database?.drop();
});

const source = (id: string): NewSourceRecord => ({
  id, title: id, url: null, outlet: null, publishedAt: null, length: 4, sha256: 'x'.repeat(64), text: 'text', createdBy: null,
});

it('reads one state of the database in a snapshot, whatever is committed while it runs', async () => {
  database = await createTestDatabase();
  db = await openPgDatabase(database.url);
  const storage = pgStorage(db);
  await storage.sources.insert('demo', source('first'));

  const ids = async (view: typeof storage) => (await view.sources.list('demo')).map((s) => s.id);
  const seen = await storage.snapshot(async (view) => {
    const before = await ids(view);
    // Committed on another connection of the pool while the snapshot is open.
    await storage.sources.insert('demo', source('second'));
    return { before, after: await ids(view) };
  });

  expect(seen).toEqual({ before: ['first'], after: ['first'] });
  expect(await ids(storage)).toEqual(['first', 'second']);
});
