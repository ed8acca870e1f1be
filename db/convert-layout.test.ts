/**
 * `DatasetCatalog.convertToRows` on both databases: the room's log moves aside, the room starts over from
 * the document built of the dataset's name and sheets, a reader behind the new start is told
 * (`LoggedSince.replaced`, kept across later compactions), and a dataset converted already is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createDataset } from '../server/datasets';
import type { Storage } from '../server/storage';
import { createTestDatabase, type TestDatabase } from '../test/helpers/pg';
import { openStorage, type OpenStorage } from './open';

const opened: OpenStorage[] = [];
const databases: TestDatabase[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const o of opened) await o.close();
  for (const d of databases) await d.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const stores: Record<string, () => Promise<Storage>> = {
  SQLite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-convert-'));
    dirs.push(dir);
    const o = await openStorage({ dbFile: join(dir, 'tessera.db') });
    opened.push(o);
    return o.storage;
  },
  PostgreSQL: async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const o = await openStorage({ DATABASE_URL: database.url, dbFile: '' });
    opened.push(o);
    return o.storage;
  },
};

/** An update of one map entry by a client of its own. */
function update(key: string, value: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap('meta').set(key, value);
  return Y.encodeStateAsUpdate(doc);
}

describe.each(Object.keys(stores))('converting a dataset to rows on %s', (name) => {
  it('moves the log aside, starts the room over, tells a reader behind it, and converts once', async () => {
    const storage = await stores[name]!();
    const { docs, datasets } = storage;
    await createDataset(datasets, { id: 'grow', name: 'Growing', template: 'events-statements', createdBy: null });
    await docs.append({ datasetId: 'grow', updates: [{ update: update('a', '1'), userId: null, at: 1 }], cells: [], rows: [], sheets: [], reviews: [], conflicts: [] });
    const before = await docs.load('grow');
    const built: string[] = [];
    const conversion = {
      datasetId: 'grow', legacyRoom: 'grow/legacy', userId: 'admin', at: 2, audit: [],
      build(name: string, sheets: ReadonlyArray<{ id: string }>) {
        built.push(name, ...sheets.map((s) => s.id));
        const fresh = new Y.Doc();
        fresh.getMap('meta').set('name', name);
        return { state: Y.encodeStateAsUpdate(fresh), stateVector: Y.encodeStateVector(fresh) };
      },
    };

    expect(await datasets.convertToRows(conversion)).toEqual({ outcome: 'converted', rows: { events: 0, statements: 0 } });
    // Built from the dataset's name and its sheets in tab order, as the read model holds them.
    expect(built).toEqual(['Growing', 'events', 'statements']);
    const record = await datasets.get('grow');
    expect(record?.layout).toBe('rows');
    expect(record?.convertedAt).not.toBeNull();
    const after = await docs.load('grow');
    expect(after.lastSeq).toBeGreaterThan(before.lastSeq);
    const doc = new Y.Doc();
    for (const piece of [after.snapshot!, ...after.updates]) Y.applyUpdate(doc, piece);
    expect(doc.getMap('meta').toJSON()).toEqual({ name: 'Growing' });

    // The earlier document is kept whole under the legacy room.
    const legacy = await docs.load('grow/legacy');
    const old = new Y.Doc();
    for (const piece of [...(legacy.snapshot ? [legacy.snapshot] : []), ...legacy.updates]) Y.applyUpdate(old, piece);
    expect(old.getMap('meta').get('a')).toBe('1');

    expect(await docs.since('grow', before.lastSeq)).toMatchObject({ replaced: true, snapshot: null, updates: [] });
    expect((await docs.since('grow', after.lastSeq)).replaced).toBeFalsy();
    // A later compaction of the new log still tells a reader behind the start.
    const seq = await docs.append({ datasetId: 'grow', updates: [{ update: update('b', '2'), userId: null, at: 3 }], cells: [], rows: [], sheets: [], reviews: [], conflicts: [] });
    await docs.compact('grow', update('c', '3'), seq);
    expect((await docs.since('grow', before.lastSeq)).replaced).toBe(true);
    expect((await docs.since('grow', after.lastSeq)).replaced).toBeFalsy();

    expect(await datasets.convertToRows(conversion)).toEqual({ outcome: 'not document' });
  });
});
