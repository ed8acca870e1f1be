import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import type { Anchor } from '../../model/anchors';
import { getSheet, initDocument, readRow, sheetRows } from '../../model/document';
import { TEMPLATES } from '../../model/templates';
import { addEvidence, newRowFromPassage } from './coding';

const ANCHOR: Anchor = { source: 'S1', start: 3, end: 8, exact: 'hello' };

function doc(): Y.Doc {
  const d = new Y.Doc();
  initDocument(d, 'test', TEMPLATES['events-statements']);
  return d;
}

describe('coding from a passage', () => {
  it('adds a statement whose quote is the passage verbatim, a direct quote, with the passage as its evidence', () => {
    const d = doc();
    const made = newRowFromPassage(d, 'statement', ANCHOR, 'me')!;
    expect(made.sheet).toBe('statements');
    const row = readRow(sheetRows(getSheet(d, 'statements')!).get(made.row)!);
    expect(row).toEqual({ quote: 'hello', quote_type: 'direct', evidence: [ANCHOR] });
  });

  it('adds an event with the passage as its excerpt and evidence, after the existing rows', () => {
    const d = doc();
    const first = newRowFromPassage(d, 'event', ANCHOR, 'me')!;
    const second = newRowFromPassage(d, 'event', { ...ANCHOR, start: 10, end: 15 }, 'me')!;
    expect(second.row > first.row).toBe(true);
    expect(readRow(sheetRows(getSheet(d, 'events')!).get(first.row)!)).toEqual({ source_excerpt: 'hello', evidence: [ANCHOR] });
  });

  it('adds a passage to a row’s evidence once, after the anchors it has', () => {
    const d = doc();
    const { row } = newRowFromPassage(d, 'event', ANCHOR, 'me')!;
    const other = { source: 'S2', start: 0, end: 2, exact: 'hi' };
    expect(addEvidence(d, 'events', row, other, 'me')).toBe(true);
    expect(addEvidence(d, 'events', row, other, 'me')).toBe(true);
    expect(sheetRows(getSheet(d, 'events')!).get(row)!.get('evidence')).toEqual([ANCHOR, other]);
    expect(addEvidence(d, 'events', 'no-such-row', other, 'me')).toBe(false);
  });

  it('makes no row on a dataset without the sheet', () => {
    const d = new Y.Doc();
    initDocument(d, 'blank', TEMPLATES.blank);
    expect(newRowFromPassage(d, 'statement', ANCHOR, 'me')).toBeNull();
  });
});
