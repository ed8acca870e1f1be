import { afterEach, describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { openDatabase } from '../../db/client';
import { SqliteDocStore } from '../../db/store';
import { CloseCode } from '../../model/codes';
import { getMeta, getSheet, initDocument, insertRow, setCell, sheetRows, type YSheet } from '../../model/document';
import { TEMPLATES } from '../../model/templates';
import { createLogger } from '../logger';
import { syncStep1Message, updateMessage } from './protocol';
import { type Peer, SharedDoc, type SharedDocOptions } from './shared-doc';
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

  storedRow(datasetId: string, sheetId: string, rowId: string) {
    return this.inner.storedRow(datasetId, sheetId, rowId);
  }

  storedRows(datasetId: string, rowIds: readonly string[]) {

    return this.inner.storedRows(datasetId, rowIds);

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
    // Committed (at the end of the turn), answered later: what is applied after it is not part of this commit.
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
  /** Its queue is past the bound (it does not read). */
  backlogged = false;
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
async function setUp(options: Partial<SharedDocOptions> = {}): Promise<{ store: FlakyStore; shared: SharedDoc }> {
  const store = new FlakyStore();
  const doc = new Y.Doc();
  initDocument(doc, 'Test', TEMPLATES['events-statements']);
  insertRow(events(doc), 'r1', { summary: 'first' });
  store.inner.appendNow({ ...emptyCommit(DATASET), updates: [{ update: stateOf(doc), userId: null, at: 1 }] });
  const shared = await SharedDoc.load(DATASET, store, { compactEvery: 10_000, log: createLogger('silent'), ...options });
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
    // The first is committed (the store batches the commits of a turn: it is built at the turn's end), its answer on its way.
    await expect.poll(() => store.logged(DATASET).length).toBe(2);
    expect(store.attempts).toBe(1);
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

/** The sync messages a peer was sent after `from`, decoded: [step, payload]. */
function syncSent(peer: FakePeer, from = 0): Array<[number, Uint8Array]> {
  return peer.sent.slice(from).filter((m) => m[0] === 0).map((m) => {
    const decoder = decoding.createDecoder(m);
    decoding.readVarUint(decoder);
    return [decoding.readVarUint(decoder), decoding.readVarUint8Array(decoder)];
  });
}

/** The messages of a peer's step-1 answer (sent after `from`), the last a step 2. */
function answerTo(peer: FakePeer, from: number): Uint8Array[] {
  const answer = peer.sent.slice(from).filter((m) => m[0] === 0 && m[1] !== 0);
  expect(syncSent(peer, from).at(-1)?.[0]).toBe(1);
  return answer;
}

/** A state vector with these clocks. */
const stateVector = (clocks: Record<number, number>) => Y.encodeStateVector(new Map(Object.entries(clocks).map(([c, n]) => [Number(c), n])));

/** The document a peer that joins now knowing none of it (a made-up client) builds from its answer. */
async function lateJoiner(shared: SharedDoc): Promise<Y.Doc> {
  const late = new FakePeer('late');
  shared.addPeer(late);
  const from = late.sent.length;
  shared.receive(late, syncStep1Message(stateVector({ 4242: 1 })));
  await expect.poll(() => syncSent(late, from).some(([step]) => step === 1)).toBe(true);
  const client = new Y.Doc();
  for (const [, update] of syncSent(late, from)) Y.applyUpdate(client, update);
  return client;
}

describe('SharedDoc answering sync step 1', () => {
  it('answers a client that knows none of the document (made-up clients) with the stored pieces, framed once for everyone', async () => {
    const { store, shared } = await setUp();
    const [a, b] = [new FakePeer('u1'), new FakePeer('u2')];
    shared.addPeer(a);
    shared.addPeer(b);
    const [fromA, fromB] = [a.sent.length, b.sent.length];
    shared.receive(a, syncStep1Message(stateVector({ 123456: 7 })));
    shared.receive(b, syncStep1Message(stateVector({ 654321: 0 })));
    const [answerA, answerB] = [answerTo(a, fromA), answerTo(b, fromB)];
    expect(answerA).toHaveLength(answerB.length);
    answerA.forEach((message, i) => expect(message).toBe(answerB[i]));
    const client = new Y.Doc();
    for (const [, update] of syncSent(a, fromA)) Y.applyUpdate(client, update);
    expect(json(client)).toEqual(json(store.rebuilt(DATASET)));
    expect(store.loads).toBe(1);
    expect(shared.isHot).toBe(false);
  });

  it('reads a hot document back from the store once for every peer that asks for all of it at once', async () => {
    const { store, shared } = await setUp();
    const writer = new FakePeer('writer');
    shared.addPeer(writer);
    shared.receive(writer, updateMessage(changeOf(clientOf(shared), (doc) => setCell(events(doc), 'r1', 'summary', 'hot'))));
    // Stored, and so broadcast already: the peers below get the answer and nothing else (a broadcast of the
    // writer's change reaching them around their answer would be a second copy of what the answer holds).
    await expect.poll(() => store.logged(DATASET).length).toBe(2);
    const peers = Array.from({ length: 5 }, (_, i) => new FakePeer(`u${i}`));
    for (const peer of peers) shared.addPeer(peer);
    const from = peers.map((peer) => peer.sent.length);
    const loads = store.loads;
    peers.forEach((peer, i) => shared.receive(peer, syncStep1Message(stateVector({ [1000 + i]: 1 }))));
    await expect.poll(() => peers.every((peer, i) => syncSent(peer, from[i]).some(([step]) => step === 1))).toBe(true);
    expect(store.loads).toBe(loads + 1);
    const first = answerTo(peers[0]!, from[0]!);
    peers.forEach((peer, i) => answerTo(peer, from[i]!).forEach((message, j) => expect(message).toBe(first[j])));
    const client = new Y.Doc();
    for (const [, update] of syncSent(peers[0]!, from[0])) Y.applyUpdate(client, update);
    expect(json(client)).toEqual(json(clientOf(shared)));
  });

  it('answers a client that knows part of the document with what it lacks, shared by whoever asks the same', async () => {
    const { shared } = await setUp();
    const writer = new FakePeer('writer');
    shared.addPeer(writer);
    const behind = clientOf(shared);
    const known = Y.decodeStateVector(Y.encodeStateVector(behind));
    shared.receive(writer, updateMessage(changeOf(clientOf(shared), (doc) => setCell(events(doc), 'r1', 'summary', 'newer'))));
    const [a, b] = [new FakePeer('u1'), new FakePeer('u2')];
    shared.addPeer(a);
    shared.addPeer(b);
    const [fromA, fromB] = [a.sent.length, b.sent.length];
    // B also claims a client of its own, which the document does not have: the same question.
    shared.receive(a, syncStep1Message(Y.encodeStateVector(known)));
    shared.receive(b, syncStep1Message(Y.encodeStateVector(new Map([...known, [987654, 3]]))));
    const answer = answerTo(a, fromA);
    expect(answer).toHaveLength(1);
    expect(answerTo(b, fromB)[0]).toBe(answer[0]);
    const [[, diff]] = syncSent(a, fromA) as [[number, Uint8Array]];
    expect(diff.byteLength).toBeLessThan(shared.sizeBytes / 4);
    Y.applyUpdate(behind, diff);
    expect(json(behind)).toEqual(json(clientOf(shared)));
  });

  it('does not answer the same question again while its answer is still queued', async () => {
    const { shared } = await setUp();
    const peer = new FakePeer('u1');
    shared.addPeer(peer);
    const from = peer.sent.length;
    for (let i = 0; i < 5; i++) shared.receive(peer, syncStep1Message(stateVector({ [5000 + i]: 1 })));
    expect(syncSent(peer, from).filter(([step]) => step === 1)).toHaveLength(1);
    expect(peer.closes).toEqual([]);
  });

  it('makes nothing for a peer that is not reading, and closes it with 1013', async () => {
    const { shared } = await setUp();
    const peer = new FakePeer('u1');
    shared.addPeer(peer);
    const from = peer.sent.length;
    peer.backlogged = true;
    shared.receive(peer, syncStep1Message(new Uint8Array([0])));
    expect(peer.sent.length).toBe(from);
    expect(peer.closes).toEqual([CloseCode.TryAgainLater]);
  });

  it('closes with 4400 a peer whose state vector names far more clients than the document has', async () => {
    const { shared } = await setUp();
    const peer = new FakePeer('u1');
    shared.addPeer(peer);
    const from = peer.sent.length;
    // 20,000 made-up clients: about 100 KB, costly to decode, and no client has that many of its own.
    shared.receive(peer, syncStep1Message(stateVector(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [1_000_000 + i, 1])))));
    expect(peer.closes).toEqual([CloseCode.BadMessage]);
    expect(peer.sent.length).toBe(from);
  });

  it('closes with 1013, unanswered, a peer whose user is owed 100 answers, but answers other users', async () => {
    const { shared } = await setUp();
    // Fake peers never read: every answer they are sent stays owed.
    const peers = Array.from({ length: 101 }, () => new FakePeer('greedy'));
    for (const peer of peers) shared.addPeer(peer);
    for (const peer of peers) shared.receive(peer, syncStep1Message(new Uint8Array([0])));
    expect(peers.slice(0, 100).every((peer) => peer.closes.length === 0)).toBe(true);
    const last = peers[100]!;
    expect(last.closes).toEqual([CloseCode.TryAgainLater]);
    expect(syncSent(last).filter(([step]) => step === 1)).toHaveLength(0);
    const other = new FakePeer('other');
    shared.addPeer(other);
    shared.receive(other, syncStep1Message(new Uint8Array([0])));
    expect(other.closes).toEqual([]);
    expect(syncSent(other).filter(([step]) => step === 1)).toHaveLength(1);
    // Peers that leave are owed nothing more.
    for (const peer of peers.slice(0, 50)) shared.removePeer(peer);
    const again = new FakePeer('greedy');
    shared.addPeer(again);
    shared.receive(again, syncStep1Message(new Uint8Array([0])));
    expect(again.closes).toEqual([]);
  });

  it('closes with 1013 a peer of a document that owes 1000 answers, whoever it is', async () => {
    const { shared } = await setUp();
    const peers = Array.from({ length: 1001 }, (_, i) => new FakePeer(`user ${i % 20}`));
    for (const peer of peers) shared.addPeer(peer);
    for (const peer of peers) shared.receive(peer, syncStep1Message(new Uint8Array([0])));
    expect(peers.filter((peer) => peer.closes.length > 0)).toEqual([peers[1000]]);
    expect(peers[1000]!.closes).toEqual([CloseCode.TryAgainLater]);
  });
});

describe('SharedDoc and what another instance applied before storing it (pending)', () => {
  /** A bus that keeps what is published, and says whether an instance runs. */
  const busOf = (running: Set<string>) => {
    const published: Array<{ kind: string }> = [];
    return { published, bus: { publish: (_room: string, message: { kind: string }) => published.push(message), alive: async (id: string) => running.has(id) } };
  };
  const updatesSent = (peer: FakePeer) => peer.sent.filter((m) => m[0] === 0 && m[1] === 2).length;

  it('publishes its own applied updates at once, and applies, sends and keeps those of others until they come back logged', async () => {
    const running = new Set(['b']);
    const { published, bus } = busOf(running);
    const { store, shared } = await setUp({ bus });
    const peer = new FakePeer('u1');
    shared.addPeer(peer);
    const client = clientOf(shared);
    shared.receive(peer, updateMessage(changeOf(client, (doc) => setCell(events(doc), 'r1', 'summary', 'mine'))));
    expect(published.map((m) => m.kind)).toEqual(['pending']);

    const elsewhere = clientOf(shared);
    const theirs = changeOf(elsewhere, (doc) => insertRow(events(doc), 'r2', { summary: 'theirs' }));
    const listener = new FakePeer('u2');
    shared.addPeer(listener);
    const before = updatesSent(listener);
    shared.deliver({ kind: 'pending', userId: 'u9', updates: [theirs] }, 'b');
    expect(shared.read((doc) => sheetRows(events(doc)).get('r2')?.get('summary'))).toBe('theirs');
    await expect.poll(() => updatesSent(listener)).toBe(before + 1);

    // One that builds on an update this instance lacks waits for its commit.
    changeOf(elsewhere, (doc) => setCell(events(doc), 'r2', 'summary', 'later')); // never delivered here
    const after = changeOf(elsewhere, (doc) => setCell(events(doc), 'r2', 'actor1', 'on top'));
    shared.deliver({ kind: 'pending', userId: 'u9', updates: [after] }, 'b');
    expect(shared.read((doc) => sheetRows(events(doc)).get('r2')?.get('actor1'))).toBeUndefined();

    // Its commit comes back: not applied or sent again. Only our own write is stored by us.
    await shared.flush();
    const sentBefore = updatesSent(listener);
    const seq = store.logged(DATASET).length;
    store.inner.appendNow({ ...emptyCommit(DATASET), updates: [{ update: theirs, userId: 'u9', at: 2 }] });
    shared.deliver({ kind: 'updates', prevSeq: seq, seq: seq + 1, updates: [theirs] }, 'b');
    // Had it still been kept, closing would store it again now that its instance is gone.
    running.delete('b');
    await shared.close({ compact: false });
    expect(updatesSent(listener)).toBe(sentBefore);
    // Logged once, by the instance that made it; nothing of it recorded here.
    const same = (a: Uint8Array) => a.byteLength === theirs.byteLength && a.every((byte, i) => byte === theirs[i]);
    expect(store.logged(DATASET).filter(same)).toHaveLength(1);
    expect(store.historyOf('r2')).toEqual([]);
  });

  it("answers a client that joins with the whole document including what others applied and have not logged", async () => {
    const { bus } = busOf(new Set(['b']));
    const { shared } = await setUp({ bus });
    const writer = new FakePeer('writer');
    shared.addPeer(writer);
    shared.receive(writer, updateMessage(changeOf(clientOf(shared), (doc) => setCell(events(doc), 'r1', 'summary', 'hot'))));
    const theirs = changeOf(clientOf(shared), (doc) => insertRow(events(doc), 'r2', { summary: 'theirs, not logged' }));
    const sentToWriter = writer.sent.length;
    shared.deliver({ kind: 'pending', userId: 'u9', updates: [theirs] }, 'b');
    await expect.poll(() => writer.sent.length).toBeGreaterThan(sentToWriter);
    // A peer that joins after its broadcast, knowing nothing: its commit, when it comes, is not sent again.
    const client = await lateJoiner(shared);
    expect(sheetRows(events(client)).get('r2')?.get('summary')).toBe('theirs, not logged');
    expect(json(client)).toEqual(json(clientOf(shared)));
  });

  it('sends at once, while cold, what another instance applied, answers joiners with it, and sends its commit to no one again', async () => {
    const { bus } = busOf(new Set(['b']));
    const { store, shared } = await setUp({ bus });
    const reader = new FakePeer('reader');
    shared.addPeer(reader);
    const before = updatesSent(reader);
    const elsewhere = store.rebuilt(DATASET);
    const theirs = changeOf(elsewhere, (doc) => insertRow(events(doc), 'r2', { summary: 'theirs, not logged' }));
    shared.deliver({ kind: 'pending', userId: 'u9', updates: [theirs] }, 'b');
    await expect.poll(() => updatesSent(reader)).toBe(before + 1);
    // One that builds on an update this instance lacks waits for its commit, as in a hot document.
    changeOf(elsewhere, (doc) => setCell(events(doc), 'r2', 'summary', 'never delivered here'));
    const after = changeOf(elsewhere, (doc) => setCell(events(doc), 'r2', 'actor1', 'on top'));
    shared.deliver({ kind: 'pending', userId: 'u9', updates: [after] }, 'b');

    const client = await lateJoiner(shared);
    // Neither kept nor answered: a joiner would hold it pending, missing what it builds on.
    expect(client.store.pendingStructs).toBeNull();
    expect(sheetRows(events(client)).get('r2')?.get('actor1')).toBeUndefined();
    expect(sheetRows(events(client)).get('r2')?.get('summary')).toBe('theirs, not logged');
    expect(shared.isHot).toBe(false);

    // Its commit: kept as stored, sent to no one again.
    const seq = store.logged(DATASET).length;
    store.inner.appendNow({ ...emptyCommit(DATASET), updates: [{ update: theirs, userId: 'u9', at: 2 }] });
    const sentBefore = updatesSent(reader);
    shared.deliver({ kind: 'updates', prevSeq: seq, seq: seq + 1, updates: [theirs] }, 'b');
    await shared.close({ compact: false });
    expect(updatesSent(reader)).toBe(sentBefore);
    expect(store.historyOf('r2')).toEqual([]);
  });

  it('stores, with its history, what an instance that stopped applied and had not stored, kept while cold', async () => {
    const running = new Set(['b']);
    const { bus } = busOf(running);
    const { store, shared } = await setUp({ bus });
    const theirs = changeOf(store.rebuilt(DATASET), (doc) => insertRow(events(doc), 'r3', { summary: 'kept cold' }));
    shared.deliver({ kind: 'pending', userId: 'u7', updates: [theirs] }, 'b');
    expect(shared.isHot).toBe(false);
    running.delete('b');
    await shared.close({ compact: false });
    expect(store.historyOf('r3')).toEqual([{ column: 'summary', new: 'kept cold', user: 'u7' }]);
    expect(sheetRows(events(store.rebuilt(DATASET))).get('r3')?.get('summary')).toBe('kept cold');
  });

  it('stores nothing again of what an instance stored and compacted before this one read it back, once it stopped', async () => {
    const running = new Set(['b']);
    const { bus } = busOf(running);
    const { store, shared } = await setUp({ bus });
    shared.read(() => undefined);
    const theirs = changeOf(clientOf(shared), (doc) => insertRow(events(doc), 'r4', { summary: 'stored, then compacted' }));
    shared.deliver({ kind: 'pending', userId: 'u7', updates: [theirs] }, 'b');
    // Its instance logged it and folded the log into a snapshot; the bus lost its commit.
    const seq = store.inner.appendNow({ ...emptyCommit(DATASET), updates: [{ update: theirs, userId: 'u7', at: 2 }] });
    await store.compact(DATASET, stateOf(store.rebuilt(DATASET)), seq);
    await shared.catchUp();
    running.delete('b');
    await shared.close({ compact: false });
    expect(store.historyOf('r4')).toEqual([]);
  });

  it('stores, with its history, what an instance that stopped applied and had not stored', async () => {
    const { bus } = busOf(new Set());
    const { store, shared } = await setUp({ bus });
    shared.read(() => undefined);
    const theirs = changeOf(clientOf(shared), (doc) => insertRow(events(doc), 'r3', { summary: 'kept here' }));
    shared.deliver({ kind: 'pending', userId: 'u7', updates: [theirs] }, 'gone');
    expect(store.historyOf('r3')).toEqual([]);
    // Closing (an idle unload) asks whether its instance runs: it does not, so this one stores it.
    await shared.close({ compact: false });
    expect(store.historyOf('r3')).toEqual([{ column: 'summary', new: 'kept here', user: 'u7' }]);
    expect(sheetRows(events(store.rebuilt(DATASET))).get('r3')?.get('summary')).toBe('kept here');
  });
});
