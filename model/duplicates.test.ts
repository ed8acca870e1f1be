import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Anchor } from './columns';
import { getSheet, initDocument, insertRow, readRow, reviewStatus, rowFlags, sheetRows } from './document';
import { mergeRows } from './duplicates';
import { addFlag, resolveFlag, findFlag } from './reviews';
import { TEMPLATES } from './templates';

const anchor = (start: number, exact: string): Anchor => ({ source: 'S1', start, end: start + exact.length, exact });

function dataset(): Y.Doc {
  const doc = new Y.Doc();
  initDocument(doc, 'test', TEMPLATES['events-statements']);
  const events = getSheet(doc, 'events')!;
  insertRow(events, 'K', { event_date: '2024-02-14', event_type: 'MOBILIZE', actor1: 'North Korea', evidence: [anchor(0, 'Missiles.')] });
  insertRow(events, 'M1', { event_date: '2024-02-14', event_type: 'MOBILIZE', actor1: 'Pyongyang', location: 'Wonsan', summary: 'A test.', evidence: [anchor(0, 'Missiles.'), anchor(20, 'Fired.')] });
  insertRow(events, 'M2', { event_date: '2024-02-15', event_type: 'MOBILIZE', summary: 'Another summary.', country: 'PRK', evidence: [anchor(40, 'Again.')] });
  insertRow(getSheet(doc, 'statements')!, 'S', { speaker: 'Kim', event_id: 'M2' });
  return doc;
}

const cells = (doc: Y.Doc, sheet: string, row: string) => {
  const yrow = sheetRows(getSheet(doc, sheet)!).get(row);
  return yrow ? readRow(yrow) : undefined;
};

describe('mergeRows', () => {
  it('keeps one row: it gains the anchors it lacks and fills its empty cells, the first merged row first', () => {
    const doc = dataset();
    const outcome = mergeRows(doc, 'events', 'K', ['M1', 'M2']);
    expect(cells(doc, 'events', 'K')).toEqual({
      event_date: '2024-02-14', event_type: 'MOBILIZE', actor1: 'North Korea', location: 'Wonsan', summary: 'A test.', country: 'PRK',
      evidence: [anchor(0, 'Missiles.'), anchor(20, 'Fired.'), anchor(40, 'Again.')],
    });
    // In the columns' order.
    expect(outcome).toMatchObject({ filled: ['location', 'country', 'summary'], anchors: 2, refs: 1, flags: 0 });
    expect(cells(doc, 'events', 'M1')).toBeUndefined();
    expect(cells(doc, 'events', 'M2')).toBeUndefined();
    // A statement that belonged to a merged event belongs to the kept one.
    expect(cells(doc, 'statements', 'S')!.event_id).toBe('K');
  });

  it('moves the merged rows’ flags, threads and all, to the kept row, which is flagged while one is open', () => {
    const doc = dataset();
    const flag = (id: string, at: string) => ({ id, sheet: 'events', column: null, reason: 'duplicate', note: '', by: 'rita', at });
    addFlag(doc, 'M1', flag('F1', '2024-03-01T00:00:00.000Z'));
    addFlag(doc, 'M2', flag('F2', '2024-03-02T00:00:00.000Z'));
    resolveFlag(doc, 'M2', findFlag(doc, 'F2')!.flag, 'rita', '2024-03-03T00:00:00.000Z', 'fine');
    expect(reviewStatus(doc, 'K')).toBe('unreviewed');
    const outcome = mergeRows(doc, 'events', 'K', ['M1', 'M2']);
    expect(outcome.flags).toBe(2);
    expect(outcome.status).toEqual({ old: 'unreviewed', new: 'flagged' });
    expect(rowFlags(doc, 'K').map((f) => [f.id, f.status])).toEqual([['F1', 'open'], ['F2', 'resolved']]);
    expect(findFlag(doc, 'F1')!.rowId).toBe('K');
    expect(rowFlags(doc, 'M1')).toEqual([]);
  });
});
