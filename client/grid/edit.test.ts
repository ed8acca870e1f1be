import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodeTime } from 'ulid';
import { getSheet, initDocument, sheetRows } from '../../model/document';
import { TEMPLATES } from '../../model/templates';
import { addRow, deleteRows, lastRowId, rowIdsAfter, writeCells } from './edit';

function doc(): Y.Doc {
  const d = new Y.Doc();
  initDocument(d, 'test', TEMPLATES['events-statements']);
  return d;
}

describe('grid writes', () => {
  it('makes new row ids that sort after a row made by a client whose clock is ahead', () => {
    const future = `${encodeTime(Date.now() + 3_600_000, 10)}0000000000000000`;
    const ids = rowIdsAfter(future, 3);
    expect(ids.every((id) => id > future)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
  });

  it('adds an empty row after the last one', () => {
    const d = doc();
    const first = addRow(d, 'events', 'me');
    const second = addRow(d, 'events', 'me');
    expect(second > first).toBe(true);
    expect(lastRowId(d, 'events')).toBe(second);
  });

  it('writes cells in one transaction, and sends nothing for values that did not change', () => {
    const d = doc();
    const row = addRow(d, 'events', 'me');
    const origins: unknown[] = [];
    d.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.changed.size > 0) origins.push(tr.origin);
    });
    writeCells(d, 'events', [{ row, column: 'actor1', value: 'China' }, { row, column: 'event_type', value: 'AGREE' }], 'me');
    expect(origins).toEqual(['me']);
    writeCells(d, 'events', [{ row, column: 'actor1', value: 'China' }, { row, column: 'location', value: null }], 'me');
    expect(origins).toEqual(['me']);
    writeCells(d, 'events', [{ row, column: 'context', value: ['military'] }], 'me');
    writeCells(d, 'events', [{ row, column: 'context', value: ['military'] }], 'me');
    expect(origins).toEqual(['me', 'me']);
  });

  it('deletes rows in one undoable step', () => {
    const d = doc();
    const ids = [addRow(d, 'events', 'setup'), addRow(d, 'events', 'setup'), addRow(d, 'events', 'setup')];
    const undo = new Y.UndoManager(d.getMap('sheets'), { trackedOrigins: new Set(['me']) });
    deleteRows(d, 'events', ids.slice(0, 2), 'me');
    expect([...sheetRows(getSheet(d, 'events')!).keys()]).toEqual([ids[2]]);
    undo.undo();
    expect([...sheetRows(getSheet(d, 'events')!).keys()].sort()).toEqual(ids);
  });
});
