import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { deleteRow, getSheet, initDocument, insertRow, setCell } from '../../model/document';
import { TEMPLATES } from '../../model/templates';
import { Changes, observeDocument, type Origin } from './changes';

function recorded(change: (doc: Y.Doc) => void, origin: Origin = { userId: 'u1' }) {
  const doc = new Y.Doc();
  initDocument(doc, 'T', TEMPLATES['events-statements']);
  insertRow(getSheet(doc, 'events')!, 'r1', { actor1: 'China', summary: 'first' });
  const changes = new Changes();
  const stop = observeDocument(doc, () => ({ changes, origin }));
  doc.transact(() => change(doc), origin);
  stop();
  return { changes, commit: changes.toCommit('d1', doc) };
}

const cells = (c: Changes) => c.cells.map(({ sheetId, rowId, columnId, old, new: now, userId }) => ({ sheetId, rowId, columnId, old, new: now, userId }));

describe('Changes', () => {
  it('records a changed cell with its old value, and the row as it now is', () => {
    const { changes, commit } = recorded((doc) => setCell(getSheet(doc, 'events')!, 'r1', 'summary', 'second'));
    expect(cells(changes)).toEqual([{ sheetId: 'events', rowId: 'r1', columnId: 'summary', old: 'first', new: 'second', userId: 'u1' }]);
    expect(commit.rows).toEqual([expect.objectContaining({ sheetId: 'events', rowId: 'r1', cells: { actor1: 'China', summary: 'second' }, userId: 'u1' })]);
    expect(commit.updates).toHaveLength(1);
  });

  it('records nothing for a cell set to the value it holds: not the cell, not the row', () => {
    const anchor = { source: 's1', start: 0, end: 4, exact: 'Talk' };
    const doc = new Y.Doc();
    initDocument(doc, 'T', TEMPLATES['events-statements']);
    insertRow(getSheet(doc, 'events')!, 'r1', { actor1: 'China', context: ['military', 'political'], evidence: [anchor] });
    const changes = new Changes();
    const stop = observeDocument(doc, () => ({ changes, origin: { userId: 'u2' } }));
    doc.transact(() => {
      const events = getSheet(doc, 'events')!;
      setCell(events, 'r1', 'actor1', 'China');
      setCell(events, 'r1', 'context', ['military', 'political']);
      // The same anchor, its keys written in another order.
      setCell(events, 'r1', 'evidence', [{ exact: 'Talk', end: 4, start: 0, source: 's1' }]);
      setCell(events, 'r1', 'summary', null);
    }, { userId: 'u2' });
    stop();
    expect(changes.cells).toEqual([]);
    expect(changes.changedRows()).toEqual([]);
    expect(changes.toCommit('d1', doc).rows).toEqual([]);
    // The update itself is kept: it is part of the document.
    expect(changes.updates).toHaveLength(1);
  });

  it('records only the cells whose values changed when a row is written together', () => {
    const { changes } = recorded((doc) => {
      setCell(getSheet(doc, 'events')!, 'r1', 'actor1', 'China');
      setCell(getSheet(doc, 'events')!, 'r1', 'summary', 'second');
    });
    expect(cells(changes)).toEqual([{ sheetId: 'events', rowId: 'r1', columnId: 'summary', old: 'first', new: 'second', userId: 'u1' }]);
    expect(changes.changedRows()).toEqual([{ sheetId: 'events', rowId: 'r1' }]);
  });

  it('records a cleared cell as changed to nothing', () => {
    const { changes } = recorded((doc) => setCell(getSheet(doc, 'events')!, 'r1', 'actor1', null));
    expect(cells(changes)).toEqual([{ sheetId: 'events', rowId: 'r1', columnId: 'actor1', old: 'China', new: undefined, userId: 'u1' }]);
  });

  it('records every cell of a new row', () => {
    const { changes } = recorded((doc) => insertRow(getSheet(doc, 'statements')!, 's1', { quote: 'q', quote_type: 'direct' }));
    expect(cells(changes)).toEqual(expect.arrayContaining([
      { sheetId: 'statements', rowId: 's1', columnId: 'quote', old: undefined, new: 'q', userId: 'u1' },
      { sheetId: 'statements', rowId: 's1', columnId: 'quote_type', old: undefined, new: 'direct', userId: 'u1' },
    ]));
    expect(changes.cells).toHaveLength(2);
  });

  it('reports a deleted row with no cells, for the store to turn into history', () => {
    const { commit } = recorded((doc) => deleteRow(getSheet(doc, 'events')!, 'r1'));
    expect(commit.rows).toEqual([expect.objectContaining({ sheetId: 'events', rowId: 'r1', cells: null, userId: 'u1' })]);
  });

  it('attributes changes to the origin that made them', () => {
    const { changes } = recorded((doc) => setCell(getSheet(doc, 'events')!, 'r1', 'location', 'Rio'), { userId: 'someone else' });
    expect(changes.cells.map((c) => c.userId)).toEqual(['someone else']);
    expect(changes.updates.map((u) => u.userId)).toEqual(['someone else']);
  });

  it('marks the sheet for the read model when its columns change', () => {
    const { commit } = recorded((doc) => {
      const columns = getSheet(doc, 'events')!.get('columns') as Y.Array<Y.Map<unknown>>;
      columns.delete(0, 1);
    });
    const events = commit.sheets.find((s) => s.sheetId === 'events')!;
    expect(events.sheet!.columns.map((c) => c.id)).not.toContain('event_date');
    expect(events.sheet!.columns).toHaveLength(TEMPLATES['events-statements'][0].columns.length - 1);
  });
});
