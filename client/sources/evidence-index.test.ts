import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import type { Anchor } from '../../model/anchors';
import { deleteRow, getSheet, initDocument, insertRow, setCell } from '../../model/document';
import { TEMPLATES } from '../../model/templates';
import { EvidenceIndex } from './evidence-index';

const a = (source: string, start: number, exact: string): Anchor => ({ source, start, end: start + [...exact].length, exact });

function setUp() {
  const doc = new Y.Doc();
  initDocument(doc, 'test', TEMPLATES['events-statements']);
  const index = new EvidenceIndex(doc);
  const changes: string[][] = [];
  index.onChange((sources) => changes.push([...sources].sort()));
  return { doc, index, changes, events: getSheet(doc, 'events')!, statements: getSheet(doc, 'statements')! };
}

const rowsIn = (index: EvidenceIndex, source: string) => index.anchorsIn(source).map((x) => `${x.sheet}/${x.row}:${x.anchor.start}`).sort();

describe('EvidenceIndex', () => {
  it('finds every row’s anchors by source, several rows on one passage and one row in several sources', () => {
    const { index, events, statements } = setUp();
    insertRow(events, 'E1', { evidence: [a('S1', 0, 'abc'), a('S2', 5, 'xy')] });
    insertRow(statements, 'T1', { evidence: [a('S1', 0, 'abc')] });
    expect(rowsIn(index, 'S1')).toEqual(['events/E1:0', 'statements/T1:0']);
    expect(rowsIn(index, 'S2')).toEqual(['events/E1:5']);
    expect(index.anchorsOf('events', 'E1').map((x) => x.anchor.source)).toEqual(['S1', 'S2']);
    expect(index.rowCount('S1')).toBe(2);
  });

  it('follows changes to a row’s evidence and deleted rows, telling which sources changed (an edit of another cell is none)', () => {
    const { index, changes, events } = setUp();
    // Asked once, the index follows the document from then on.
    expect(rowsIn(index, 'S1')).toEqual([]);
    insertRow(events, 'E1', { evidence: [a('S1', 0, 'abc')] });
    setCell(events, 'E1', 'evidence', [a('S2', 1, 'b')]);
    expect(rowsIn(index, 'S1')).toEqual([]);
    expect(rowsIn(index, 'S2')).toEqual(['events/E1:1']);
    setCell(events, 'E1', 'summary', 'no anchors here');
    deleteRow(events, 'E1');
    expect(rowsIn(index, 'S2')).toEqual([]);
    expect(changes).toEqual([['S1'], ['S1', 'S2'], ['S2']]);
  });

  it('follows another coder’s changes synced into the document', () => {
    const { doc, index } = setUp();
    expect(rowsIn(index, 'S3')).toEqual([]);
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    insertRow(getSheet(other, 'statements')!, 'T9', { quote: 'xy', evidence: [a('S3', 4, 'xy')] });
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other, Y.encodeStateVector(doc)), 'remote');
    expect(rowsIn(index, 'S3')).toEqual(['statements/T9:4']);
  });
});
