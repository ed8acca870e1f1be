import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createSheet, getSheet, insertRow, setCell, sheetRows } from '../../model/document';
import { ItemAuthors } from './authors';
import { type ConcurrentWrite, DeletedValues, detectConcurrentWrites } from './detect';

/**
 * A server document with one row, and what each update applied to it was found to contain; `keep`
 * keeps the values of deleted cells for later transactions.
 */
function setup({ keep = true } = {}) {
  const server = new Y.Doc();
  server.clientID = 1;
  createSheet(server, { id: 'events', name: 'Events', columns: [{ id: 'location', name: 'Location', type: 'text' }] });
  insertRow(getSheet(server, 'events')!, 'r1', { location: 'Seoul' });
  let found: ConcurrentWrite[] = [];
  const deleted = keep ? new DeletedValues() : undefined;
  server.on('beforeObserverCalls', (transaction: Y.Transaction) => {
    found = detectConcurrentWrites(transaction, undefined, deleted);
    deleted?.record(transaction);
  });
  const client = (clientID: number) => {
    const doc = new Y.Doc();
    doc.clientID = clientID;
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
    return doc;
  };
  /** Sends what `doc` has that the server lacks; returns what was found in it. */
  const send = (doc: Y.Doc) => {
    found = [];
    Y.applyUpdate(server, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(server)));
    return found;
  };
  const cell = () => sheetRows(getSheet(server, 'events')!).get('r1')?.get('location');
  return { server, client, send, cell };
}

const set = (doc: Y.Doc, value: string | null, column = 'location', row = 'r1') => setCell(getSheet(doc, 'events')!, row, column, value);

describe('finding concurrent writes of a cell', () => {
  it('finds nothing in sequential edits, even by other people', () => {
    const { client, send, cell } = setup();
    const ana = client(10);
    set(ana, 'Beijing');
    expect(send(ana)).toEqual([]);
    const ben = client(5); // has Ana's change
    set(ben, 'Tokyo');
    expect(send(ben)).toEqual([]);
    expect(cell()).toBe('Tokyo');
  });

  it('finds a concurrent write that wins (the new value replaced one its writer never saw)', () => {
    const { client, send, cell } = setup();
    const ana = client(10);
    const ben = client(20);
    set(ana, 'Beijing');
    set(ben, 'Tokyo');
    expect(send(ana)).toEqual([]);
    const found = send(ben);
    expect(cell()).toBe('Tokyo');
    expect(found).toEqual([{
      sheetId: 'events', rowId: 'r1', columnId: 'location', kept: 'Tokyo', lost: 'Beijing', incomingKept: true,
      other: expect.objectContaining({ client: 10 }), previous: expect.objectContaining({ client: 10 }), incoming: expect.objectContaining({ client: 20 }),
      // What Ben saw and replaced: Yjs dropped it when Ana's write deleted it, so it comes from the values kept.
      replaced: { value: 'Seoul' },
    }]);
  });

  it('says nothing of the value a concurrent writer replaced once the document dropped it, and kept none', () => {
    const { client, send } = setup({ keep: false });
    const ana = client(10);
    const ben = client(20);
    set(ana, 'Beijing');
    set(ben, 'Tokyo');
    send(ana);
    expect(send(ben)).toEqual([expect.not.objectContaining({ replaced: expect.anything() })]);
  });

  it('tells an empty cell as the value replaced by two people filling it at once', () => {
    const { client, send } = setup();
    const ana = client(10);
    const ben = client(20);
    set(ana, 'Beijing', 'actor1');
    set(ben, 'Tokyo', 'actor1');
    send(ana);
    expect(send(ben)).toEqual([expect.objectContaining({ kept: 'Tokyo', lost: 'Beijing', replaced: { value: null } })]);
  });

  it('finds a concurrent write that loses (Yjs deletes it as it is applied)', () => {
    const { client, send, cell } = setup();
    const ana = client(20);
    const ben = client(10);
    set(ana, 'Beijing');
    set(ben, 'Tokyo');
    send(ana);
    const found = send(ben);
    expect(cell()).toBe('Beijing');
    expect(found).toEqual([expect.objectContaining({ kept: 'Beijing', lost: 'Tokyo', incomingKept: false, other: expect.objectContaining({ client: 20 }) })]);
  });

  it("takes an offline writer's last value of the cell", () => {
    const { client, send } = setup();
    const ana = client(20);
    const ben = client(10);
    set(ana, 'Beijing');
    set(ben, 'Tok');
    set(ben, 'Tokyo');
    send(ana);
    expect(send(ben)).toEqual([expect.objectContaining({ kept: 'Beijing', lost: 'Tokyo', incomingKept: false })]);
  });

  it('finds two people filling the same empty cell', () => {
    const { client, send } = setup();
    const ana = client(10);
    const ben = client(20);
    set(ana, 'Kim', 'actor1');
    set(ben, 'Yoon', 'actor1');
    expect(send(ana)).toEqual([]);
    expect(send(ben)).toEqual([expect.objectContaining({ columnId: 'actor1', kept: 'Yoon', lost: 'Kim', incomingKept: true })]);
  });

  it('finds nothing when both wrote the same value, or when a value is written into a cell someone cleared', () => {
    const { client, send } = setup();
    const ana = client(10);
    const ben = client(20);
    set(ana, 'Beijing');
    set(ben, 'Beijing');
    send(ana);
    expect(send(ben)).toEqual([]);

    const cora = client(30);
    const dan = client(40);
    set(cora, null);
    set(dan, 'Tokyo');
    send(cora);
    expect(send(dan)).toEqual([]);
  });

  it('finds a value that loses against a clear it never saw', () => {
    const { client, send, cell } = setup();
    const ana = client(20);
    const ben = client(10);
    set(ana, 'Beijing');
    set(ana, null);
    set(ben, 'Tokyo');
    send(ana);
    expect(send(ben)).toEqual([expect.objectContaining({ kept: null, lost: 'Tokyo', incomingKept: false, other: null })]);
    expect(cell()).toBeUndefined();
  });

  it('looks only at rows that existed before: new rows are never conflicts', () => {
    const { client, send } = setup();
    const ana = client(10);
    const ben = client(20);
    insertRow(getSheet(ana, 'events')!, 'r2', { location: 'Busan' });
    set(ben, 'Tokyo');
    send(ben);
    expect(send(ana)).toEqual([]);
  });
});

describe('authors of items', () => {
  it('tells who wrote an item by client and clock, and nothing for items from before', () => {
    const doc = new Y.Doc();
    const authors = new ItemAuthors();
    doc.getMap('m').set('old', 1);
    doc.on('beforeObserverCalls', (transaction: Y.Transaction) => authors.record(transaction, (transaction.origin as string | null)));
    doc.transact(() => doc.getMap('m').set('a', 1), 'ana');
    doc.transact(() => doc.getMap('m').set('b', 1), 'ben');
    doc.transact(() => doc.getMap('m').set('c', 1), 'ben');
    const idOf = (key: string) => (doc.getMap('m')._map.get(key) as Y.Item).id;
    expect(authors.of(idOf('old'))).toBeUndefined();
    expect(authors.of(idOf('a'))).toBe('ana');
    expect(authors.of(idOf('b'))).toBe('ben');
    expect(authors.of(idOf('c'))).toBe('ben');
  });
});
