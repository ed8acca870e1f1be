import { afterEach, describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { openDatabase } from '../../db/client';
import { SqliteDocStore } from '../../db/store';
import { CloseCode } from '../../model/codes';
import { getMeta, getSheet, initDocument, insertRow, setCell, sheetRows, type YSheet } from '../../model/document';
import { TEMPLATES } from '../../model/templates';
import { createLogger } from '../logger';
import { updateMessage } from './protocol';
import { type Peer, SharedDoc } from './shared-doc';
import { emptyCommit, type DocCommit, type DocStore, type LoggedSince } from './store';

/** A SQLite store that counts loads and fails every append while `failing` is set. */
class FlakyStore implements DocStore {
  failing = false;
  /** How long each commit takes to land. */
  delayMs = 0;
  loads = 0;
  attempts = 0;
  readonly inner: SqliteDocStore;

  constructor(readonly db = openDatabase(':memory:')) {
    this.inner = new SqliteDocStore(db);
  }

  load(datasetId: string) {
    this.loads++;
    return this.inner.load(datasetId);
  }

  async append(commit: DocCommit): Promise<number> {
    this.attempts++;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failing) throw new Error('disk full (on purpose)');
    return this.inner.append(commit);
  }

  async commit(datasetId: string, afterSeq: number, build: (missed: LoggedSince) => DocCommit): Promise<number> {
    this.attempts++;
    if (this.failing) throw new Error('disk full (on purpose)');
    // Committed at once, answered later: what is applied meanwhile is not part of this commit.
    const seq = await this.inner.commit(datasetId, afterSeq, build);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return seq;
  }

  since(datasetId: string, afterSeq: number) {
    return this.inner.since(datasetId, afterSeq);
  }

  compact(datasetId: string, state: Uint8Array, upToSeq: number, stateVector?: Uint8Array): Promise<void> {
    return this.inner.compact(datasetId, state, upToSeq, stateVector);
  }

  /** The updates stored now. */
  logged(datasetId: string): Uint8Array[] {
    return this.inner.loadNow(datasetId).updates;
  }

  /** The document the stored log rebuilds. */
  rebuilt(datasetId: string): Y.Doc {
    const stored = this.inner.loadNow(datasetId);
    const doc = new Y.Doc();
    for (const piece of stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates) Y.applyUpdate(doc, piece);
    return doc;
  }

  historyOf(rowId: string): Array<{ column: string; new: string | null; user: string | null }> {
    return (this.db.$client.prepare('SELECT column_id, new, user_id FROM cell_changes WHERE row_id = ? ORDER BY id').all(rowId) as
      Array<{ column_id: string; new: string | null; user_id: string | null }>)
      .map((c) => ({ column: c.column_id, new: c.new === null ? null : (JSON.parse(c.new) as string), user: c.user_id }));
  }
}

class FakePeer implements Peer {
  readonly readOnly = false;
  readonly acks: boolean = false;
  get userName(): string {
    return this.userId;
  }
  readonly sent: Uint8Array[] = [];
  readonly closes: number[] = [];
  constructor(readonly userId: string, readonly role: 'editor' | 'admin' = 'editor') {}
  send(message: Uint8Array): void {
    this.sent.push(message);
  }
  close(code: number): void {
    this.closes.push(code);
  }
}

/** A peer that asked for acks (`acks=1`). */
class AckingPeer extends FakePeer {
  override readonly acks = true;
  /** The state vectors it was told are stored, in order. */
  stored(): Array<Map<number, number>> {
    return this.sent.filter((m) => m[0] === 100).map((m) => {
      const decoder = decoding.createDecoder(m);
      decoding.readVarUint(decoder);
      return Y.decodeStateVector(decoding.readVarUint8Array(decoder));
    });
  }
}

const DATASET = 'd1';
const events = (doc: Y.Doc): YSheet => getSheet(doc, 'events')!;
const stateOf = (doc: Y.Doc) => Y.encodeStateAsUpdate(doc);

/** A store holding a dataset's first document, and the shared document loaded from it. */
async function setUp(): Promise<{ store: FlakyStore; shared: SharedDoc }> {
  const store = new FlakyStore();
  const doc = new Y.Doc();
  initDocument(doc, 'Test', TEMPLATES['events-statements']);
  insertRow(events(doc), 'r1', { summary: 'first' });
  store.inner.appendNow({ ...emptyCommit(DATASET), updates: [{ update: stateOf(doc), userId: null, at: 1 }] });
  const shared = await SharedDoc.load(DATASET, store, { compactEvery: 10_000, log: createLogger('silent') });
  opened.push(shared);
  return { store, shared };
}

/** A client's copy of what the shared document holds now. */
function clientOf(shared: SharedDoc): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, shared.read(stateOf));
  return doc;
}

/** What `change` made the client send, as the one update of its transaction. */
function changeOf(client: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  let update: Uint8Array | undefined;
  const capture = (u: Uint8Array) => { update = u; };
  client.on('update', capture);
  client.transact(() => change(client));
  client.off('update', capture);
  return update!;
}

/** The document as plain data, every root. */
const json = (doc: Y.Doc) => Object.fromEntries([...doc.share.keys()].sort().map((name) => [name, doc.getMap(name).toJSON()]));

const opened: SharedDoc[] = [];
afterEach(async () => {
  for (const shared of opened.splice(0)) await shared.close({ compact: false });
});

describe('SharedDoc when the store fails', () => {
  it('keeps the updates, retries, and stores them all once the store works again', async () => {
    const { store, shared } = await setUp();
    const peer = new FakePeer('u1');
    shared.addPeer(peer);
    const client = clientOf(shared);
    store.failing = true;
    shared.receive(peer, updateMessage(changeOf(client, (doc) => setCell(events(doc), 'r1', 'summary', 'second'))));
    shared.receive(peer, updateMessage(changeOf(client, (doc) => insertRow(events(doc), 'r2', { actor1: 'Kenya' }))));
    await expect.poll(() => store.attempts, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    expect(store.logged(DATASET)).toHaveLength(1);
    // The document keeps serving what it applied, though the store does not have it yet.
    expect(json(clientOf(shared))).toEqual(json(client));

    store.failing = false;
    await expect.poll(() => store.logged(DATASET).length, { timeout: 10_000 }).toBe(3);
    expect(json(store.rebuilt(DATASET))).toEqual(json(client));
    expect(store.historyOf('r1')).toEqual([{ column: 'summary', new: 'second', user: 'u1' }]);
    expect(store.historyOf('r2')).toEqual([{ column: 'actor1', new: 'Kenya', user: 'u1' }]);
    expect(peer.closes).toEqual([]);
  });
});

describe('SharedDoc on a store whose commits take time', () => {
  it('tells a peer as stored only what the store committed, not an update applied while the commit was on its way', async () => {
    const { store, shared } = await setUp();
    store.delayMs = 100;
    const peer = new AckingPeer('u1');
    shared.addPeer(peer);
    const client = clientOf(shared);
    shared.receive(peer, updateMessage(changeOf(client, (doc) => setCell(events(doc), 'r1', 'summary', 'first'))));
    const afterFirst = Y.decodeStateVector(Y.encodeStateVector(client));
    await expect.poll(() => store.attempts).toBe(1);
    shared.receive(peer, updateMessage(changeOf(client, (doc) => setCell(events(doc), 'r1', 'summary', 'second'))));
    const afterSecond = Y.decodeStateVector(Y.encodeStateVector(client));
    await expect.poll(() => peer.stored().length).toBeGreaterThanOrEqual(1);
    expect(peer.stored()[0]).toEqual(afterFirst);
    await expect.poll(() => peer.stored().at(-1)).toEqual(afterSecond);
    expect(store.logged(DATASET)).toHaveLength(3);
  });
});

describe('SharedDoc refusing an update', () => {
  it('closes the sender with 4400 and keeps nothing: not applied, stored or sent, and nothing reloaded', async () => {
    const { store, shared } = await setUp();
    const careless = new FakePeer('careless', 'admin');
    const other = new FakePeer('other');
    shared.addPeer(careless);
    shared.addPeer(other);
    const before = shared.read(stateOf);
    const stateVector = shared.read(Y.encodeStateVector);
    const loads = store.loads;
    const sentBefore = other.sent.length;

    shared.receive(careless, updateMessage(changeOf(clientOf(shared), (doc) => {
      getMeta(doc).set('name', 'Hijacked');
      events(doc).set('rows', new Y.Map());
    })));

    expect(careless.closes).toEqual([CloseCode.BadMessage]);
    expect(shared.read(Y.encodeStateVector)).toEqual(stateVector);
    expect(shared.read(stateOf)).toEqual(before);
    expect(store.loads).toBe(loads);
    await shared.flush();
    expect(store.logged(DATASET)).toHaveLength(1);
    await new Promise((resolve) => setImmediate(resolve)); // the turn's outgoing messages are sent at its end
    expect(other.sent.length).toBe(sentBefore);
  });

  it('goes on applying and storing the others, and the stored log rebuilds the document in memory', async () => {
    const { store, shared } = await setUp();
    const careless = new FakePeer('careless');
    const honest = new FakePeer('honest');
    shared.addPeer(careless);
    shared.addPeer(honest);
    const honestDoc = clientOf(shared);
    shared.receive(careless, updateMessage(changeOf(clientOf(shared), (doc) => {
      const row = new Y.Map<unknown>();
      row.set('summary', new Y.Text('not a cell value'));
      (sheetRows(events(doc)) as Y.Map<unknown>).set('r9', row);
    })));
    expect(careless.closes).toEqual([CloseCode.BadMessage]);

    shared.receive(honest, updateMessage(changeOf(honestDoc, (doc) => setCell(events(doc), 'r1', 'summary', 'honest'))));
    shared.receive(honest, updateMessage(changeOf(honestDoc, (doc) => setCell(events(doc), 'r1', 'actor1', 'Chile'))));
    expect(honest.closes).toEqual([]);
    await expect.poll(() => store.logged(DATASET).length).toBe(3);
    const inMemory = json(clientOf(shared));
    expect(inMemory).toEqual(json(honestDoc));
    expect(json(store.rebuilt(DATASET))).toEqual(inMemory);
    expect(sheetRows(events(store.rebuilt(DATASET))).has('r9')).toBe(false);
  });

  it('drops a server-side change that fails halfway, keeping what was applied before it but not stored yet', async () => {
    const { store, shared } = await setUp();
    const peer = new FakePeer('u1');
    shared.addPeer(peer);
    const client = clientOf(shared);
    store.failing = true;
    shared.receive(peer, updateMessage(changeOf(client, (doc) => setCell(events(doc), 'r1', 'summary', 'kept'))));
    await expect.poll(() => store.attempts).toBeGreaterThanOrEqual(1);

    await expect(shared.transact({ userId: 'server' }, (doc) => {
      setCell(events(doc), 'r1', 'actor1', 'half');
      throw new Error('failed halfway');
    })).rejects.toThrow('failed halfway');
    await shared.ready();
    expect(json(clientOf(shared))).toEqual(json(client));

    store.failing = false;
    await expect.poll(() => store.logged(DATASET).length, { timeout: 10_000 }).toBe(2);
    expect(json(store.rebuilt(DATASET))).toEqual(json(client));
    expect(store.historyOf('r1')).toEqual([{ column: 'summary', new: 'kept', user: 'u1' }]);
  });
});

describe('SharedDoc with an update whose dependencies come later', () => {
  it('holds it back until they arrive, then applies both (a reconnecting client’s edit before its offline step 2)', async () => {
    const { shared } = await setUp();
    const peer = new FakePeer('u1');
    shared.addPeer(peer);
    const client = clientOf(shared);
    const offline = changeOf(client, (doc) => insertRow(events(doc), 'r2', { actor1: 'Kenya' }));
    const later = changeOf(client, (doc) => setCell(events(doc), 'r2', 'summary', 'typed after reconnecting'));

    shared.receive(peer, updateMessage(later));
    expect(peer.closes).toEqual([]);
    expect(shared.read((doc) => sheetRows(events(doc)).has('r2'))).toBe(false);

    shared.receive(peer, updateMessage(offline));
    expect(peer.closes).toEqual([]);
    expect(json(clientOf(shared))).toEqual(json(client));
  });

  it('closes a peer whose held-back updates never get their dependencies, past the bound', async () => {
    const { shared } = await setUp();
    const peer = new FakePeer('u1');
    shared.addPeer(peer);
    const client = clientOf(shared);
    changeOf(client, (doc) => insertRow(events(doc), 'r2', { actor1: 'never sent' }));
    for (let i = 0; i <= 1000 && peer.closes.length === 0; i++) {
      shared.receive(peer, updateMessage(changeOf(client, (doc) => setCell(events(doc), 'r2', 'summary', `edit ${i}`))));
    }
    expect(peer.closes).toEqual([4400]);
    expect(shared.read((doc) => sheetRows(events(doc)).has('r2'))).toBe(false);
  });
});
