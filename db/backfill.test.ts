import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addFlag } from '../model/reviews';
import { Changes, observeDocument } from '../server/sync/changes';
import { backfillFlags } from './backfill';
import { openDatabase } from './client';
import { flags } from './schema';
import { SqliteDocStore } from './store';

describe('the flags backfill', () => {
  it('fills the flags read model once from documents stored before it existed', async () => {
    const db = openDatabase(':memory:');
    const docs = new SqliteDocStore(db);
    const doc = new Y.Doc();
    const changes = new Changes();
    const stop = observeDocument(doc, () => ({ changes, origin: null }));
    addFlag(doc, 'r1', { id: 'f1', sheet: 'events', column: null, reason: 'other', note: 'old flag', by: 'rita', at: '2024-02-22T00:00:00.000Z' });
    stop();
    await docs.append(changes.toCommit('old', doc));
    // As a database from before the flags table: the review row is there, its flags are not.
    db.delete(flags).run();
    db.$client.pragma('user_version = 0');

    expect(backfillFlags(db, docs)).toBe(1);
    expect(db.select().from(flags).all()).toEqual([expect.objectContaining({ datasetId: 'old', flagId: 'f1', rowId: 'r1', note: 'old flag', status: 'open' })]);
    // Once only: a later start reads no document.
    db.delete(flags).run();
    expect(backfillFlags(db, docs)).toBe(0);
    expect(db.select().from(flags).all()).toEqual([]);
  });
});
