import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ACTOR_LIST_COLUMNS } from '../../model/actors';
import { createSheet, getReviews, getSheet, getSheets, initDocument, insertRow, setCell, sheetColumns, deleteRow } from '../../model/document';
import { TEMPLATES } from '../../model/templates';
import { type RowsChange, SheetBinding } from './binding';
import { addRow, rowIdsAfter, writeCells } from './edit';
import { addColumn, updateColumn } from '../columns/edit';

function demoDoc(): Y.Doc {
  const doc = new Y.Doc();
  initDocument(doc, 'test', TEMPLATES['events-statements']);
  return doc;
}

const complete = { event_date: '2024-02-22', date_precision: 'day', actor1: 'China', event_type: 'AGREE', summary: 'They agree.' };

function record(binding: SheetBinding): RowsChange[] {
  const changes: RowsChange[] = [];
  binding.on('rows', (c) => changes.push(c));
  return changes;
}

/** Applies all of `from`'s state to `to`, as a sync from another client does. */
function sync(from: Y.Doc, to: Y.Doc): void {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)), 'remote');
}

describe('SheetBinding', () => {
  it('lists the rows of a sheet in id order with their cells', () => {
    const doc = demoDoc();
    const events = getSheet(doc, 'events')!;
    insertRow(events, 'B', { ...complete, actor1: 'second' });
    insertRow(events, 'A', { ...complete, actor1: 'first' });
    const binding = new SheetBinding(doc, 'events');
    expect(binding.rows().map((r) => [r.id, r.cells.actor1])).toEqual([['A', 'first'], ['B', 'second']]);
    expect(binding.columns().map((c) => c.id)).toContain('event_type');
  });

  it('gives an empty cell still to code (a blind copy’s round column) no required problem, but keeps its other problems', () => {
    const doc = demoDoc();
    const events = getSheet(doc, 'events')!;
    insertRow(events, 'A', { ...complete, event_type: null, summary: null });
    insertRow(events, 'B', { ...complete, event_type: 'NOT A CODE' });
    const plain = new SheetBinding(doc, 'events');
    expect(Object.keys(plain.row('A')!.problems).sort()).toEqual(['event_type', 'summary']);
    const copy = new SheetBinding(doc, 'events', { toCode: new Set(['event_type']) });
    expect(Object.keys(copy.row('A')!.problems)).toEqual(['summary']);
    expect(copy.row('B')!.problems.event_type?.map((p) => p.code)).toEqual(['code']);
  });

  it('reports a cell edit as an update of that row only, with a new row object', () => {
    const doc = demoDoc();
    const events = getSheet(doc, 'events')!;
    insertRow(events, 'A', complete);
    insertRow(events, 'B', complete);
    const binding = new SheetBinding(doc, 'events');
    const before = binding.row('A');
    const changes = record(binding);
    setCell(events, 'A', 'actor1', 'Japan');
    expect(changes).toHaveLength(1);
    expect(changes[0]!.add).toEqual([]);
    expect(changes[0]!.remove).toEqual([]);
    expect(changes[0]!.update.map((r) => r.id)).toEqual(['A']);
    expect(changes[0]!.update[0]!.cells.actor1).toBe('Japan');
    expect(binding.row('A')).not.toBe(before);
  });

  it('reports a remote edit that arrives as a Yjs update as a row update', () => {
    const mine = demoDoc();
    const theirs = new Y.Doc();
    sync(mine, theirs);
    insertRow(getSheet(mine, 'events')!, 'A', complete);
    sync(mine, theirs);
    const binding = new SheetBinding(mine, 'events');
    const changes = record(binding);
    setCell(getSheet(theirs, 'events')!, 'A', 'location', 'Rio de Janeiro');
    sync(theirs, mine);
    expect(changes.flatMap((c) => c.update).map((r) => r.cells.location)).toEqual(['Rio de Janeiro']);
  });

  it('adds new rows at the end, and a row with an older id at its place in id order', () => {
    const doc = demoDoc();
    const events = getSheet(doc, 'events')!;
    insertRow(events, 'B', complete);
    insertRow(events, 'D', complete);
    const binding = new SheetBinding(doc, 'events');
    const changes = record(binding);
    insertRow(events, 'E', complete);
    insertRow(events, 'A', complete);
    doc.transact(() => {
      insertRow(events, 'C', complete);
      insertRow(events, 'F', complete);
    });
    expect(changes.map((c) => c.add.map((a) => [a.row.id, a.index]))).toEqual([
      [['E', 2]],
      [['A', 0]],
      [['C', 2], ['F', 5]],
    ]);
    expect(binding.rows().map((r) => r.id)).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
  });

  it('reports a deleted row as a removal by id', () => {
    const doc = demoDoc();
    const events = getSheet(doc, 'events')!;
    insertRow(events, 'A', complete);
    insertRow(events, 'B', complete);
    const binding = new SheetBinding(doc, 'events');
    const changes = record(binding);
    deleteRow(events, 'A');
    expect(changes).toEqual([{ remove: ['A'], update: [], add: [] }]);
    expect(binding.rows().map((r) => r.id)).toEqual(['B']);
  });

  it('groups all the cells of one transaction (a paste) into one change', () => {
    const doc = demoDoc();
    const [a] = rowIdsAfter(undefined, 1);
    insertRow(getSheet(doc, 'events')!, a!, complete);
    const binding = new SheetBinding(doc, 'events');
    const changes = record(binding);
    const [n1, n2] = rowIdsAfter(a, 2);
    writeCells(doc, 'events', [
      { row: a!, column: 'actor1', value: 'x' },
      { row: a!, column: 'actor2', value: 'y' },
      { row: n1!, column: 'actor1', value: 'new 1' },
      { row: n2!, column: 'actor1', value: 'new 2' },
    ], 'me');
    expect(changes).toHaveLength(1);
    expect(changes[0]!.update.map((r) => r.id)).toEqual([a]);
    expect(changes[0]!.add.map((x) => [x.row.id, x.index])).toEqual([[n1, 1], [n2, 2]]);
  });

  it('marks problems on the cells that have them and counts the rows with problems', () => {
    const doc = demoDoc();
    const events = getSheet(doc, 'events')!;
    insertRow(events, 'A', complete);
    insertRow(events, 'B', { ...complete, event_type: 'HUG', event_date: '2024-13' });
    const binding = new SheetBinding(doc, 'events');
    expect(binding.row('A')!.problems).toEqual({});
    expect(Object.keys(binding.row('B')!.problems).sort()).toEqual(['event_date', 'event_type']);
    expect(binding.problemRowCount).toBe(1);

    setCell(events, 'A', 'actor1', null);
    expect(binding.row('A')!.problems.actor1?.[0]?.code).toBe('required');
    expect(binding.problemRowCount).toBe(2);

    deleteRow(events, 'B');
    setCell(events, 'A', 'actor1', 'China');
    expect(binding.problemRowCount).toBe(0);
  });

  it('re-validates every row when a column changes, and reports the new columns', () => {
    const doc = demoDoc();
    insertRow(getSheet(doc, 'events')!, 'A', complete);
    const binding = new SheetBinding(doc, 'events');
    const columnEvents: string[][] = [];
    binding.on('columns', (cols) => columnEvents.push(cols.map((c) => c.id)));
    updateColumn(doc, 'events', 'location', { required: true }, 'me');
    expect(binding.row('A')!.problems.location?.[0]?.code).toBe('required');
    expect(binding.problemRowCount).toBe(1);
    addColumn(doc, 'events', { id: 'coder_note', name: 'Note', type: 'text' }, 'me');
    expect(columnEvents.at(-1)).toContain('coder_note');
  });

  it('follows the referenced sheet: a ref to a deleted event becomes a problem', () => {
    const doc = demoDoc();
    insertRow(getSheet(doc, 'events')!, 'E1', complete);
    insertRow(getSheet(doc, 'statements')!, 'S1', {
      statement_date: '2024-02-22', date_precision: 'day', speaker: 'Liu', quote: '…', quote_type: 'indirect', event_id: 'E1',
    });
    const binding = new SheetBinding(doc, 'statements');
    expect(binding.row('S1')!.problems).toEqual({});
    const changes = record(binding);
    deleteRow(getSheet(doc, 'events')!, 'E1');
    expect(changes.flatMap((c) => c.update).map((r) => r.id)).toEqual(['S1']);
    expect(binding.row('S1')!.problems.event_id?.[0]?.code).toBe('ref');
  });

  it('marks an actor cell that names no actor of its list, and follows the list as it changes', () => {
    const doc = demoDoc();
    createSheet(doc, { id: 'actors', name: 'Actors', columns: ACTOR_LIST_COLUMNS });
    insertRow(getSheet(doc, 'actors')!, 'P1', { name: 'China', aliases: ['Beijing'] });
    updateColumn(doc, 'events', 'actor1', { actors: 'actors' }, null);
    insertRow(getSheet(doc, 'events')!, 'A', { ...complete, actor1: 'Beijing' });
    insertRow(getSheet(doc, 'events')!, 'B', { ...complete, actor1: 'Japan' });
    const binding = new SheetBinding(doc, 'events');
    expect(binding.row('A')!.problems).toEqual({});
    expect(binding.row('B')!.problems.actor1?.map((p) => p.code)).toEqual(['actor']);
    const changes = record(binding);
    insertRow(getSheet(doc, 'actors')!, 'P2', { name: 'Japan' });
    expect(changes.flatMap((c) => c.update).map((r) => r.id).sort()).toEqual(['A', 'B']);
    expect(binding.row('B')!.problems).toEqual({});
    setCell(getSheet(doc, 'actors')!, 'P1', 'aliases', null);
    expect(binding.row('A')!.problems.actor1?.map((p) => p.code)).toEqual(['actor']);
  });

  it('updates a row when its review status changes', () => {
    const doc = demoDoc();
    insertRow(getSheet(doc, 'events')!, 'A', complete);
    const binding = new SheetBinding(doc, 'events');
    const changes = record(binding);
    const review = new Y.Map<unknown>();
    review.set('status', 'approved');
    getReviews(doc).set('A', review);
    expect(changes.flatMap((c) => c.update).map((r) => [r.id, r.status])).toEqual([['A', 'approved']]);
  });

  it('ignores changes to other sheets', () => {
    const doc = demoDoc();
    insertRow(getSheet(doc, 'events')!, 'A', complete);
    const binding = new SheetBinding(doc, 'statements');
    const changes = record(binding);
    setCell(getSheet(doc, 'events')!, 'A', 'actor1', 'x');
    insertRow(getSheet(doc, 'events')!, 'B', complete);
    expect(changes).toEqual([]);
  });

  it('starts over when the sheet arrives after the binding was made (first sync)', () => {
    const server = demoDoc();
    insertRow(getSheet(server, 'events')!, 'A', complete);
    const client = new Y.Doc();
    const binding = new SheetBinding(client, 'events');
    let resets = 0;
    binding.on('reset', () => resets++);
    expect(binding.exists).toBe(false);
    sync(server, client);
    expect(resets).toBe(1);
    expect(binding.exists).toBe(true);
    expect(binding.rows().map((r) => r.id)).toEqual(['A']);
    // And it follows the new sheet's rows.
    const changes = record(binding);
    setCell(getSheet(client, 'events')!, 'A', 'actor1', 'y');
    expect(changes).toHaveLength(1);
  });

  it('shows a column that two admins moved at the same time once', () => {
    const doc = demoDoc();
    const columns = sheetColumns(getSheet(doc, 'events')!);
    const copy = new Y.Map<unknown>();
    copy.set('id', 'actor1');
    copy.set('name', 'Actor 1 again');
    copy.set('type', 'text');
    columns.push([copy]);
    const binding = new SheetBinding(doc, 'events');
    expect(binding.columns().filter((c) => c.id === 'actor1')).toHaveLength(1);
  });

  it('stops listening when destroyed', () => {
    const doc = demoDoc();
    const binding = new SheetBinding(doc, 'events');
    const changes = record(binding);
    binding.destroy();
    addRow(doc, 'events', 'me');
    expect(changes).toEqual([]);
    expect(getSheets(doc).size).toBe(2);
  });

  it('marks a direct quote that is not the text of one of the row’s anchors on its quote cell, as the server does, and counts the row', () => {
    const doc = demoDoc();
    const statements = getSheet(doc, 'statements')!;
    const anchor = { source: 'S', start: 0, end: 5, exact: 'hello' };
    const base = { statement_date: '2024-02-22', date_precision: 'day', speaker: 'Liu', quote_type: 'direct' };
    insertRow(statements, 'A', { ...base, quote: 'hello', evidence: [anchor] });
    insertRow(statements, 'B', { ...base, quote: 'hello' });
    const binding = new SheetBinding(doc, 'statements');
    const codes = (id: string) => (binding.row(id)!.problems.quote ?? []).map((p) => p.code);
    expect(codes('A')).toEqual([]);
    expect(codes('B')).toEqual(['quote_not_in_evidence']);
    const before = binding.problemRowCount;
    // An indirect quote needs no evidence; changing A's quote away from its passage makes it a problem.
    setCell(statements, 'B', 'quote_type', 'indirect');
    setCell(statements, 'A', 'quote', 'hello!');
    expect(codes('B')).toEqual([]);
    expect(codes('A')).toEqual(['quote_not_in_evidence']);
    expect(binding.problemRowCount).toBe(before);
  });
});
