/**
 * A row stored before it had a document of its own (imported, say) gets one made from its stored cells,
 * the first time its room is loaded: the same bytes on every instance, written to the log once, and
 * never winning over a value a client wrote without having seen it.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openDatabase } from '../../db/client';
import { SqliteDocStore } from '../../db/store';
import type { CellValue } from '../../model/columns';
import { rowRoom } from '../../model/rooms';
import { genesisUpdate, getRowCells } from '../../model/row-document';
import { createLogger } from '../logger';
import { rowDocument } from './kinds';
import { DocRegistry } from './registry';
import { emptyCommit } from './store';

const CELLS: Record<string, CellValue> = { summary: 'Talks agreed', actor1: 'China', context: ['military'], fatalities: 0 };
const ROOM = rowRoom('d1', 'events', 'r1');

/** A store holding row r1 in its read model only, as an import leaves it. */
function storeWithStoredRow(): SqliteDocStore {
  const store = new SqliteDocStore(openDatabase(':memory:'));
  store.appendNow({ ...emptyCommit('d1'), rows: [{ sheetId: 'events', rowId: 'r1', cells: CELLS, userId: null, at: 1 }] });
  return store;
}

const registryOn = (store: SqliteDocStore) => new DocRegistry(store, {
  idleMs: 60_000, compactEvery: 10_000, log: createLogger('silent'),
  kindOf: async (room) => rowDocument(room, 'd1', 'events', 'r1'),
});

describe('the genesis of a row\'s document', () => {
  it('is the same bytes for the same cells, in any key order', () => {
    const reversed = Object.fromEntries(Object.entries(CELLS).reverse());
    expect(genesisUpdate(reversed)).toEqual(genesisUpdate(CELLS));
    const doc = new Y.Doc();
    Y.applyUpdate(doc, genesisUpdate(CELLS));
    expect(getRowCells(doc).toJSON()).toEqual(CELLS);
  });

  it('loses to a value a client wrote without having seen it, in either order of arrival', () => {
    const blind = new Y.Doc();
    getRowCells(blind).set('summary', 'Written blind');
    const edit = Y.encodeStateAsUpdate(blind);
    for (const order of [[genesisUpdate(CELLS), edit], [edit, genesisUpdate(CELLS)]]) {
      const doc = new Y.Doc();
      for (const update of order) Y.applyUpdate(doc, update);
      expect(getRowCells(doc).toJSON()).toEqual({ ...CELLS, summary: 'Written blind' });
    }
  });

  it('makes the room from the stored cells and logs it once, however many instances load it at once', async () => {
    const store = storeWithStoredRow();
    const [a, b] = [registryOn(store), registryOn(store)];
    const [docA, docB] = await Promise.all([a.get(ROOM), b.get(ROOM)]);
    expect(docA.read(getRowCells).toJSON()).toEqual(CELLS);
    expect(docB.read(getRowCells).toJSON()).toEqual(CELLS);
    const stored = await store.load(ROOM);
    expect(stored.updates).toHaveLength(1);
    expect(stored.updates[0]).toEqual(genesisUpdate(CELLS));
    await Promise.all([a.closeAll(), b.closeAll()]);
  });

  it('keeps an edit made on it across a reload, with the stored cells it did not touch', async () => {
    const store = storeWithStoredRow();
    const first = registryOn(store);
    const doc = await first.get(ROOM);
    await doc.transact({ userId: 'u1' }, (d) => getRowCells(d).set('actor1', 'United States'));
    await first.closeAll();
    expect(await store.storedRow('d1', 'events', 'r1')).toEqual({ ...CELLS, actor1: 'United States' });
    const again = await registryOn(store).get(ROOM);
    expect(again.read(getRowCells).toJSON()).toEqual({ ...CELLS, actor1: 'United States' });
  });

  it('starts a row nobody stored empty, writing nothing until someone writes to it', async () => {
    const store = new SqliteDocStore(openDatabase(':memory:'));
    const doc = await registryOn(store).get(ROOM);
    expect(doc.read(getRowCells).size).toBe(0);
    expect((await store.load(ROOM)).updates).toHaveLength(0);
  });
});
