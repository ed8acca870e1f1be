import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openDatabase } from '../../db/client';
import { SqliteDocStore } from '../../db/store';
import { getSheet, initDocument, insertRow, sheetRows } from '../../model/document';
import { TEMPLATES } from '../../model/templates';
import { createLogger } from '../logger';
import { DocRegistry } from './registry';
import { emptyCommit, type DocCommit, type DocStore, type LoggedSince } from './store';

/** A SQLite store whose commits take `delayMs` to land, as a network database's do. */
class SlowStore implements DocStore {
  readonly inner = new SqliteDocStore(openDatabase(':memory:'));
  constructor(private readonly delayMs: number) {}
  load(datasetId: string) {
    return this.inner.load(datasetId);
  }
  storedRow(datasetId: string, sheetId: string, rowId: string) {
    return this.inner.storedRow(datasetId, sheetId, rowId);
  }
  storedRows(datasetId: string, rowIds: readonly string[]) {
    return this.inner.storedRows(datasetId, rowIds);
  }
  async append(commit: DocCommit): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return this.inner.append(commit);
  }
  async commit(datasetId: string, afterSeq: number, build: (missed: LoggedSince) => DocCommit): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return this.inner.commit(datasetId, afterSeq, build);
  }
  since(datasetId: string, afterSeq: number) {
    return this.inner.since(datasetId, afterSeq);
  }
  compact(datasetId: string, state: Uint8Array, upToSeq: number, stateVector?: Uint8Array): Promise<void> {
    return this.inner.compact(datasetId, state, upToSeq, stateVector);
  }
}

function storeWithDataset(): SlowStore {
  const store = new SlowStore(100);
  const doc = new Y.Doc();
  initDocument(doc, 'Test', TEMPLATES['events-statements']);
  store.inner.appendNow({ ...emptyCommit('d1'), updates: [{ update: Y.encodeStateAsUpdate(doc), userId: null, at: 1 }] });
  return store;
}

describe('DocRegistry on a store whose commits take time', () => {
  it('loads a room again only after the document it is closing has stored what it held', async () => {
    const registry = new DocRegistry(storeWithDataset(), { idleMs: 60_000, compactEvery: 10_000, log: createLogger('silent') });
    const first = await registry.get('d1');
    const change = first.transact({ userId: 'u1' }, (doc) => insertRow(getSheet(doc, 'events')!, 'r1', { summary: 'kept' }));
    // Closing starts while the change's commit is still on its way to the store.
    const closing = registry.closeAll();
    const again = await registry.get('d1');
    expect(again).not.toBe(first);
    expect(again.read((doc) => sheetRows(getSheet(doc, 'events')!).has('r1'))).toBe(true);
    await change;
    await closing;
    await registry.closeAll();
  });

  it('shares one load between callers that ask at once', async () => {
    const registry = new DocRegistry(storeWithDataset(), { idleMs: 60_000, compactEvery: 10_000, log: createLogger('silent') });
    const [a, b] = await Promise.all([registry.get('d1'), registry.get('d1')]);
    expect(a).toBe(b);
    await registry.closeAll();
  });
});
