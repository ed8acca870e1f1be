import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { deleteRow, getSheet, initDocument, insertRow, setCell } from '../../model/document';
import { TEMPLATES } from '../../model/templates';
import { legacyChanges } from './legacy-changes';

/** A whole document as the server stored it, and a browser's copy of it that synced it once. */
function storedAndCopy() {
  const server = new Y.Doc();
  initDocument(server, 'Growing', TEMPLATES['events-statements']);
  const events = getSheet(server, 'events')!;
  server.transact(() => {
    insertRow(events, 'r1', { summary: 'Talks', event_type: 'AGREE' });
    insertRow(events, 'r2', { summary: 'Strike' });
    insertRow(events, 'r3', { summary: 'Parade' });
  });
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(server));
  return { server, copy };
}

describe('legacyChanges', () => {
  it('finds the cells, new rows and deleted rows the copy holds beyond what the server stored', () => {
    const { server, copy } = storedAndCopy();
    const events = getSheet(copy, 'events')!;
    copy.transact(() => {
      setCell(events, 'r1', 'summary', 'Talks failed');
      setCell(events, 'r1', 'event_type', null);
      insertRow(events, 'r4', { summary: 'Offline row', actor1: 'China' });
      deleteRow(events, 'r3');
    });
    const changes = legacyChanges(copy, [Y.encodeStateAsUpdate(server)]);
    expect(changes.sort((a, b) => a.rowId.localeCompare(b.rowId))).toEqual([
      { sheetId: 'events', rowId: 'r1', cells: { summary: 'Talks failed', event_type: null }, deleted: false },
      { sheetId: 'events', rowId: 'r3', cells: {}, deleted: true },
      { sheetId: 'events', rowId: 'r4', cells: { summary: 'Offline row', actor1: 'China' }, deleted: false },
    ]);
  });

  it('finds nothing in a copy whose changes were all stored, even when the server stored more since', () => {
    const { server, copy } = storedAndCopy();
    setCell(getSheet(copy, 'events')!, 'r2', 'summary', 'Strike ended');
    // The server stored the copy's change, and someone else's after it.
    Y.applyUpdate(server, Y.encodeStateAsUpdate(copy, Y.encodeStateVector(server)));
    setCell(getSheet(server, 'events')!, 'r1', 'summary', 'Talks resumed');
    expect(legacyChanges(copy, [Y.encodeStateAsUpdate(server)])).toEqual([]);
  });
});
