import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Anchor, CellValue } from '../../model/columns';
import type { Role } from '../../model/roles';
import {
  columnToYMap, createSheet, deleteRow, getMeta, getReviews, getSheet, getSheets, initDocument, insertRow, readColumns,
  setCell, sheetColumns, sheetRows, type YSheet,
} from '../../model/document';
import { addConflict, getConflicts } from '../../model/conflicts';
import { setReviewStatus } from '../../model/reviews';
import { TEMPLATES } from '../../model/templates';
import { mulberry32 } from '../../test/helpers/random';
import { getRowCells } from '../../model/row-document';
import { rowUpdateProblem, updateProblem } from './update-check';

const anchor: Anchor = { source: 'src1', start: 0, end: 5, exact: 'Seoul' };
/** An evidence cell's value. */
const anchors = (...list: Anchor[]): CellValue => list;

/**
 * Documents get fixed client ids, one after another, so that the bytes of every update (and so the
 * fuzzing below) are the same on every run.
 */
let nextClientId = 1;
function newDoc(): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = nextClientId++;
  return doc;
}

/** The server's document: the events-statements layout with two rows. */
function serverDoc(): Y.Doc {
  const doc = newDoc();
  initDocument(doc, 'Test', TEMPLATES['events-statements']);
  insertRow(getSheet(doc, 'events')!, 'r1', { actor1: 'China', summary: 'first', context: ['military'] });
  insertRow(getSheet(doc, 'events')!, 'r2', { actor1: 'Japan' });
  return doc;
}

/** A client holding what the server holds. */
function clientOf(server: Y.Doc): Y.Doc {
  const doc = newDoc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
  return doc;
}

/** What `change` made the client send: everything it now has that the server lacks, as one update. */
function changeOf(client: Y.Doc, server: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  client.transact(() => change(client));
  return Y.encodeStateAsUpdate(client, Y.encodeStateVector(server));
}

const events = (doc: Y.Doc): YSheet => getSheet(doc, 'events')!;
const verdict = (server: Y.Doc, update: Uint8Array, role: Role) => updateProblem(server, Y.decodeUpdate(update), role);

/** Checks the change as `role`; when allowed, applies it to the server and makes sure nothing is left pending. */
function check(change: (doc: Y.Doc) => void, role: Role = 'editor', server = serverDoc()): string | null {
  const update = changeOf(clientOf(server), server, change);
  const problem = verdict(server, update, role);
  if (problem === null) {
    Y.applyUpdate(server, update);
    expect(server.store.pendingStructs).toBeNull();
    expect(server.store.pendingDs).toBeNull();
  }
  return problem;
}

describe('updates clients may send', () => {
  it.each<[string, (doc: Y.Doc) => void]>([
    ['a changed cell', (doc) => setCell(events(doc), 'r1', 'summary', 'second')],
    ['a cleared cell', (doc) => setCell(events(doc), 'r1', 'actor1', null)],
    ['a new row with every kind of value', (doc) => insertRow(events(doc), '01J0000000000000000000000A', {
      summary: 'text', actor1: '', event_date: '2024-01', cameo_code: '036', context: ['military', 'political'], count: 3,
      ratio: 0.5, flag: true, evidence: anchors(anchor), none: [],
    })],
    ['a deleted row', (doc) => deleteRow(events(doc), 'r1')],
    ['a row replaced by a new one under its id', (doc) => sheetRows(events(doc)).set('r1', new Y.Map())],
    ['an evidence cell with several anchors', (doc) => setCell(events(doc), 'r2', 'evidence', anchors(anchor, { ...anchor, start: 10, end: 12, exact: '東京' }))],
    ['many rows at once', (doc) => { for (let i = 0; i < 200; i++) insertRow(events(doc), `row${i}`, { summary: `s${i}`, count: i }); }],
  ])('editor: %s', (_, change) => {
    expect(check(change, 'editor')).toBeNull();
  });

  it.each<[string, (doc: Y.Doc) => void]>([
    ['a new column', (doc) => sheetColumns(events(doc)).push([columnToYMap({ id: 'notes', name: 'Notes', type: 'longtext' })])],
    ['an evidence column', (doc) => sheetColumns(events(doc)).push([columnToYMap({ id: 'more_evidence', name: 'More evidence', type: 'evidence' })])],
    ['every field of a column changed', (doc) => {
      const column = sheetColumns(events(doc)).get(1);
      column.set('name', 'Precision');
      column.set('type', 'multi');
      column.set('options', ['day', 'year']);
      column.set('optionLabels', { day: 'Day', year: 'Year' });
      column.set('description', 'How precise');
      column.set('required', false);
      column.delete('description');
    }],
    ['a ref column', (doc) => sheetColumns(events(doc)).push([columnToYMap({ id: 'event', name: 'Event', type: 'ref', ref: 'events' })])],
    ['a deleted column', (doc) => sheetColumns(events(doc)).delete(0, 1)],
    ['a moved column (copied to its new place, the old one deleted)', (doc) => {
      const columns = sheetColumns(events(doc));
      const copy = columnToYMap(readColumns(events(doc))[0]!);
      columns.delete(0, 1);
      columns.insert(3, [copy]);
    }],
    ['a renamed sheet', (doc) => events(doc).set('name', 'Happenings')],
    ['a new sheet', (doc) => createSheet(doc, { id: 'actors', name: 'Actors', columns: [{ id: 'name', name: 'Name', type: 'text' }] })],
    ['a new sheet with rows', (doc) => insertRow(createSheet(doc, { id: 'actors', name: 'Actors', columns: [] }), 'a1', { name: 'x' })],
    ['a deleted sheet', (doc) => getSheets(doc).delete('events')],
  ])('admin: %s', (_, change) => {
    expect(check(change, 'admin')).toBeNull();
  });

  it('a cell written into a row that was deleted meanwhile (the write is dropped, not refused)', () => {
    const server = serverDoc();
    const client = clientOf(server);
    const other = clientOf(server);
    Y.applyUpdate(server, changeOf(other, server, (doc) => deleteRow(events(doc), 'r2')));
    const update = changeOf(client, server, (doc) => setCell(events(doc), 'r2', 'summary', 'late'));
    expect(verdict(server, update, 'editor')).toBeNull();
    Y.applyUpdate(server, update);
    expect(sheetRows(events(server)).has('r2')).toBe(false);
  });

  it("another client's changes relayed with one's own (a reconnect sends both)", () => {
    const server = serverDoc();
    const a = clientOf(server);
    const b = clientOf(server);
    Y.applyUpdate(b, changeOf(a, server, (doc) => insertRow(events(doc), 'ra', { summary: 'from a' })));
    const update = changeOf(b, server, (doc) => setCell(events(doc), 'ra', 'summary', 'b overwrote it'));
    expect(verdict(server, update, 'editor')).toBeNull();
    Y.applyUpdate(server, update);
    expect(sheetRows(events(server)).get('ra')?.get('summary')).toBe('b overwrote it');
  });

  it("an undone column deletion (the client's undo manager re-creates the column)", () => {
    const server = serverDoc();
    const client = clientOf(server);
    const undo = new Y.UndoManager(getSheets(client), { trackedOrigins: new Set(['me']) });
    client.transact(() => sheetColumns(events(client)).delete(2, 1), 'me');
    Y.applyUpdate(server, Y.encodeStateAsUpdate(client, Y.encodeStateVector(server)));
    undo.undo();
    const update = Y.encodeStateAsUpdate(client, Y.encodeStateVector(server));
    expect(verdict(server, update, 'admin')).toBeNull();
    Y.applyUpdate(server, update);
    expect(readColumns(events(server)).map((c) => c.id)).toEqual(readColumns(events(clientOf(serverDoc()))).map((c) => c.id));
  });

  it('an update the server has already: nothing new, nothing to refuse', () => {
    const server = serverDoc();
    const client = clientOf(server);
    const update = changeOf(client, server, (doc) => setCell(events(doc), 'r1', 'summary', 'x'));
    Y.applyUpdate(server, update);
    expect(verdict(server, update, 'editor')).toBeNull();
  });
});

describe('updates that are refused', () => {
  it.each<[string, Role, (doc: Y.Doc) => void, RegExp]>([
    ['meta.name set by an editor', 'editor', (doc) => getMeta(doc).set('name', 'Hijacked'), /meta is written by the server only/],
    ['meta.name set by an admin', 'admin', (doc) => getMeta(doc).set('name', 'Hijacked'), /meta is written by the server only/],
    ['a meta key deleted', 'admin', (doc) => getMeta(doc).delete('schemaVersion'), /meta is written by the server only/],
    ['a new root map', 'admin', (doc) => doc.getMap('evil').set('x', 1), /no root "evil"/],
    ['a new root text', 'editor', (doc) => doc.getText('notes').insert(0, 'hello'), /no root "notes"/],
    ['a review status', 'admin', (doc) => setReviewStatus(doc, 'r1', 'approved'), /reviews is written by the server only/],
    ['a conflict entry', 'admin', (doc) => addConflict(doc, {
      id: 'c1', sheet: 'events', row: 'r1', column: 'actor1', kept: 'a', keptBy: null, lost: 'b', lostBy: null, at: '2024-01-01T00:00:00.000Z',
    }), /conflicts is written by the server only/],
    ['a nested map in a new row', 'editor', (doc) => {
      const row = new Y.Map<unknown>();
      row.set('summary', new Y.Map());
      (sheetRows(events(doc)) as Y.Map<unknown>).set('r9', row);
    }, /a cell holds a plain value/],
    ['a text in a new row', 'admin', (doc) => {
      const row = new Y.Map<unknown>();
      row.set('summary', new Y.Text('typed'));
      (sheetRows(events(doc)) as Y.Map<unknown>).set('r9', row);
    }, /a cell holds a plain value/],
    ['a plain object in a new row', 'editor', (doc) => {
      insertRow(events(doc), 'r9', { summary: { nested: true } as never });
    }, /a cell holds a string/],
    ['a nested map in an existing row', 'editor', (doc) => (sheetRows(events(doc)).get('r1') as Y.Map<unknown>).set('summary', new Y.Map()), /a cell holds a plain value/],
    ['a number that is not finite', 'editor', (doc) => setCell(events(doc), 'r1', 'count', Number.NaN), /a cell holds a string/],
    ['a list mixing strings and numbers', 'editor', (doc) => setCell(events(doc), 'r1', 'context', ['a', 1] as never), /a cell holds a string/],
    ['an anchor whose exact text does not span it', 'editor', (doc) => setCell(events(doc), 'r1', 'evidence', [{ ...anchor, end: 9 }] as never), /a cell holds a string/],
    ['a cell under a key that is no column id', 'editor', (doc) => setCell(events(doc), 'r1', 'Not An Id', 'x'), /is not a column id/],
    ['a row that is not a map', 'editor', (doc) => (sheetRows(events(doc)) as Y.Map<unknown>).set('r9', 'a row as text'), /a row is a map/],
    ['a row id with spaces', 'editor', (doc) => insertRow(events(doc), 'not a row id', {}), /is not a row id/],
    ["a sheet's rows replaced by an editor", 'editor', (doc) => events(doc).set('rows', new Y.Map()), /only admins/],
    ["a sheet's rows replaced by an admin", 'admin', (doc) => events(doc).set('rows', new Y.Map()), /rows are never replaced/],
    ["a sheet's rows replaced and deleted at once", 'admin', (doc) => { events(doc).set('rows', new Y.Map()); events(doc).delete('rows'); }, /keeps its rows/],
    ["a sheet's rows deleted", 'admin', (doc) => events(doc).delete('rows'), /a sheet keeps its rows/],
    ["a sheet's columns replaced", 'admin', (doc) => events(doc).set('columns', new Y.Array()), /columns are never replaced/],
    ['a sheet given an unknown field', 'admin', (doc) => events(doc).set('colour', 'red'), /a sheet has no field "colour"/],
    ['a sheet name that is not a string', 'admin', (doc) => events(doc).set('name', 5), /name is a string/],
    ['a sheet renamed by an editor', 'editor', (doc) => events(doc).set('name', 'Mine'), /only admins/],
    ['a sheet made by an editor', 'editor', (doc) => createSheet(doc, { id: 'mine', name: 'Mine', columns: [] }), /only admins/],
    ['a sheet replaced under its id', 'admin', (doc) => createSheet(doc, { id: 'events', name: 'Events', columns: [] }), /a sheet is never replaced/],
    ['a sheet without rows', 'admin', (doc) => {
      const sheet = new Y.Map<unknown>();
      sheet.set('name', 'Half');
      sheet.set('columns', new Y.Array());
      getSheets(doc).set('half', sheet);
    }, /a new sheet needs its rows/],
    ['a sheet that is not a map', 'admin', (doc) => (getSheets(doc) as Y.Map<unknown>).set('flat', 'x'), /a sheet is a map/],
    ['a sheet id that is not one', 'admin', (doc) => createSheet(doc, { id: 'Bad Sheet', name: 'x', columns: [] }), /is not a sheet id/],
    ['a column added by an editor', 'editor', (doc) => sheetColumns(events(doc)).push([columnToYMap({ id: 'notes', name: 'Notes', type: 'text' })]), /only admins/],
    ['a column deleted by an editor', 'editor', (doc) => sheetColumns(events(doc)).delete(0, 1), /only admins/],
    ['a column that is not a map', 'admin', (doc) => (sheetColumns(events(doc)) as Y.Array<unknown>).push(['flat']), /a column is a map/],
    ['a column without an id', 'admin', (doc) => (sheetColumns(events(doc)) as Y.Array<unknown>).push([new Y.Map()]), /needs an id/],
    ['a column whose id is an export column', 'admin', (doc) => sheetColumns(events(doc)).push([columnToYMap({ id: 'review_status', name: 'S', type: 'text' })]), /a column's id is/],
    ['a column whose id is taken', 'admin', (doc) => sheetColumns(events(doc)).push([columnToYMap({ id: 'actor1', name: 'Again', type: 'text' })]), /has a column "actor1" already/],
    ['a column id changed', 'admin', (doc) => sheetColumns(events(doc)).get(0).set('id', 'when'), /a column id never changes/],
    ['a column id deleted', 'admin', (doc) => sheetColumns(events(doc)).get(0).delete('id'), /a column id never changes/],
    ['a column type not in the list', 'admin', (doc) => sheetColumns(events(doc)).get(0).set('type', 'colour'), /a column's type is one of/],
    ['column options that are not strings', 'admin', (doc) => sheetColumns(events(doc)).get(0).set('options', [1, 2]), /options is a list of strings/],
    ['option labels that are not strings', 'admin', (doc) => sheetColumns(events(doc)).get(0).set('optionLabels', { a: 1 }), /optionLabels is an object/],
    ['required that is not a boolean', 'admin', (doc) => sheetColumns(events(doc)).get(0).set('required', 'yes'), /required is true or false/],
    ['a column field that does not exist', 'admin', (doc) => sheetColumns(events(doc)).get(0).set('width', 200), /has no field "width"/],
    ['a column field holding a shared type', 'admin', (doc) => sheetColumns(events(doc)).get(0).set('options', new Y.Array()), /is a plain value/],
  ])('%s (as %s)', (_, role, change, why) => {
    expect(check(change, role)).toMatch(why);
  });

  it('an update that depends on a change the server does not have', () => {
    const server = serverDoc();
    const a = clientOf(server);
    const b = clientOf(server);
    // b has a's new row (over another path) before the server does, and writes into it.
    Y.applyUpdate(b, changeOf(a, server, (doc) => insertRow(events(doc), 'ra', { summary: 'from a' })));
    const sv = Y.encodeStateVector(b);
    b.transact(() => setCell(events(b), 'ra', 'summary', 'b overwrote it'));
    const onlyB = Y.encodeStateAsUpdate(b, sv);
    expect(verdict(server, onlyB, 'editor')).toMatch(/depends on changes the server does not have/);
  });

  it('an update with a gap in its own clocks', () => {
    const server = serverDoc();
    const client = clientOf(server);
    const sv = Y.encodeStateVector(server);
    client.transact(() => setCell(events(client), 'r1', 'summary', 'one'));
    const afterFirst = Y.encodeStateVector(client);
    client.transact(() => setCell(events(client), 'r1', 'summary', 'two'));
    expect(verdict(server, Y.encodeStateAsUpdate(client, afterFirst), 'editor')).toMatch(/depends on changes/);
    expect(verdict(server, Y.encodeStateAsUpdate(client, sv), 'editor')).toBeNull();
  });

  it('a deletion of something the server does not have', () => {
    const server = serverDoc();
    const a = clientOf(server);
    const b = clientOf(server);
    Y.applyUpdate(b, changeOf(a, server, (doc) => insertRow(events(doc), 'ra', { summary: 'from a' })));
    const sv = Y.encodeStateVector(b);
    b.transact(() => deleteRow(events(b), 'ra'));
    expect(verdict(server, Y.encodeStateAsUpdate(b, sv), 'editor')).toMatch(/depends on changes/);
  });

  it('leaves the document untouched: nothing applied, the state vector where it was', () => {
    const server = serverDoc();
    const before = Y.encodeStateVector(server);
    const roots = [...server.share.keys()];
    const update = changeOf(clientOf(server), server, (doc) => {
      getMeta(doc).set('name', 'x');
      doc.getMap('evil').set('x', 1);
    });
    expect(verdict(server, update, 'admin')).not.toBeNull();
    expect(Y.encodeStateVector(server)).toEqual(before);
    expect(getMeta(server).get('name')).toBe('Test');
    expect([...server.share.keys()]).toEqual(roots);
  });

  it('the reviews root, even when a review exists already', () => {
    const server = serverDoc();
    server.transact(() => setReviewStatus(server, 'r1', 'flagged'));
    expect(check((doc) => getReviews(doc).get('r1')!.set('status', 'approved'), 'admin', server)).toMatch(/outside the document layout|reviews/);
    expect(check((doc) => getReviews(doc).delete('r1'), 'admin', server)).toMatch(/reviews is written by the server only/);
  });

  it('the conflicts root, even when a conflict exists already', () => {
    const server = serverDoc();
    server.transact(() => addConflict(server, {
      id: 'c1', sheet: 'events', row: 'r1', column: 'actor1', kept: 'a', keptBy: null, lost: 'b', lostBy: null, at: '2024-01-01T00:00:00.000Z',
    }));
    expect(check((doc) => getConflicts(doc).get('c1')!.set('status', 'resolved'), 'admin', server)).toMatch(/outside the document layout|conflicts/);
    expect(check((doc) => getConflicts(doc).delete('c1'), 'editor', server)).toMatch(/conflicts is written by the server only/);
  });
});

describe("a row's own document", () => {
  const rowServer = (): Y.Doc => {
    const doc = newDoc();
    doc.transact(() => {
      getRowCells(doc).set('summary', 'first');
      setReviewStatus(doc, 'r1', 'flagged');
      addConflict(doc, { id: 'c1', sheet: 'events', row: 'r1', column: 'summary', kept: 'a', keptBy: null, lost: 'b', lostBy: null, at: '2024-01-01T00:00:00.000Z' });
    });
    return doc;
  };
  const rowCheck = (change: (doc: Y.Doc) => void) => {
    const server = rowServer();
    return rowUpdateProblem(server, Y.decodeUpdate(changeOf(clientOf(server), server, change)), 'admin');
  };

  it('takes cells from a client', () => {
    expect(rowCheck((doc) => getRowCells(doc).set('summary', 'second'))).toBeNull();
  });

  it('refuses writes into its reviews and conflicts roots, written by the server only, admins included', () => {
    expect(rowCheck((doc) => getReviews(doc).delete('r1'))).toMatch(/reviews is written by the server only/);
    expect(rowCheck((doc) => getConflicts(doc).delete('c1'))).toMatch(/conflicts is written by the server only/);
    expect(rowCheck((doc) => addConflict(doc, {
      id: 'forged', sheet: 'events', row: 'r1', column: 'summary', kept: 'a', keptBy: null, lost: 'b', lostBy: null, at: '2024-01-01T00:00:00.000Z',
    }))).toMatch(/conflicts is written by the server only/);
    expect(rowCheck((doc) => getConflicts(doc).get('c1')!.set('status', 'resolved'))).not.toBeNull();
  });
});

describe('updates that are well framed but mangled', () => {
  it('refuse an empty deletion range, which Yjs never sends and throws on halfway through applying', () => {
    // A version 1 update: no structs; a delete set of one client (7) with one range, clock 0, length 0.
    const update = new Uint8Array([0, 1, 7, 1, 0, 0]);
    expect(() => Y.applyUpdate(serverDoc(), update)).toThrow();
    expect(verdict(serverDoc(), update, 'admin')).toBe('a deletion of nothing');
  });

  it('are answered with a reason or allowed, never with an exception, and what is allowed applies whole', () => {
    const random = mulberry32(0x1a7007);
    const server = serverDoc();
    const client = clientOf(server);
    const samples = [
      changeOf(client, server, (doc) => insertRow(events(doc), 'r5', { summary: 'x', context: ['a'] })),
      changeOf(client, server, (doc) => sheetColumns(events(doc)).push([columnToYMap({ id: 'notes', name: 'Notes', type: 'text' })])),
      changeOf(client, server, (doc) => { deleteRow(events(doc), 'r1'); setCell(events(doc), 'r2', 'actor1', 'Peru'); }),
    ];
    let decoded = 0;
    for (let i = 0; i < 1500; i++) {
      const bytes = random.pick(samples).slice();
      for (let flips = random.int(1, 3); flips > 0; flips--) bytes[random.int(0, bytes.length - 1)] = random.int(0, 255);
      let update: ReturnType<typeof Y.decodeUpdate>;
      try {
        update = Y.decodeUpdate(bytes);
      } catch {
        continue; // refused before any check
      }
      decoded++;
      const copy = new Y.Doc();
      Y.applyUpdate(copy, Y.encodeStateAsUpdate(server));
      const problem = updateProblem(copy, update, random.pick(['editor', 'admin'] as const));
      if (problem !== null) continue;
      Y.applyUpdate(copy, bytes);
      expect(copy.store.pendingStructs, `seed ${random.seed}, sample ${i}`).toBeNull();
      expect([...copy.share.keys()].every((name) => ['meta', 'sheets', 'reviews'].includes(name))).toBe(true);
    }
    expect(decoded).toBeGreaterThan(100);
  });
});
