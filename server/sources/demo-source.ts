/**
 * Anchors for the demo dataset's rows into the seed article: for each row, the passage it was coded
 * from. An event row is anchored at its `source_excerpt`, a statement at its `quote`. A passage found
 * verbatim is one anchor; otherwise each of its lines is looked for on its own, and a line that is not in
 * the article as written is looked for without its final punctuation (a quote that ends a sentence in
 * the row but runs on in the article, "dialogue." against "dialogue,"), then sentence by sentence.
 * Rows with nothing found get none.
 */
import type * as Y from 'yjs';
import type { Anchor } from '../../model/columns';
import { getSheet, readRow, sheetRows } from '../../model/document';

/** Which cell of a row holds the passage it was coded from, per sheet. */
const PASSAGE_COLUMN: Record<string, string> = { events: 'source_excerpt', statements: 'quote' };

/** The anchors of each row of `doc` into `text` (source `sourceId`), by sheet and row id. */
export function demoAnchors(doc: Y.Doc, sourceId: string, text: string): Array<{ sheet: string; row: string; anchors: Anchor[] }> {
  const found: Array<{ sheet: string; row: string; anchors: Anchor[] }> = [];
  for (const [sheetId, column] of Object.entries(PASSAGE_COLUMN)) {
    const sheet = getSheet(doc, sheetId);
    if (!sheet) continue;
    for (const [rowId, yrow] of sheetRows(sheet)) {
      const passage = readRow(yrow)[column];
      if (typeof passage !== 'string' || passage.trim() === '') continue;
      const anchors = findPassage(text, sourceId, passage);
      if (anchors.length > 0) found.push({ sheet: sheetId, row: rowId, anchors });
    }
  }
  return found;
}

/** Anchors for `passage` in `text`: the whole passage, or its lines one by one. */
export function findPassage(text: string, sourceId: string, passage: string): Anchor[] {
  const whole = anchorAt(text, sourceId, passage);
  if (whole) return [whole];
  const anchors: Anchor[] = [];
  for (const line of passage.split(/\n+/).map((l) => l.trim()).filter((l) => l !== '')) {
    const anchor = lookUp(text, sourceId, line);
    if (anchor) {
      anchors.push(anchor);
      continue;
    }
    // A quote the row joins from pieces the article interrupts ("…,” Pak said. “…"): sentence by sentence.
    for (const sentence of line.split(/(?<=[.!?])\s+/u)) {
      const piece = lookUp(text, sourceId, sentence);
      if (piece) anchors.push(piece);
    }
  }
  return anchors;
}

/** A piece as written, or without its final punctuation. */
function lookUp(text: string, sourceId: string, piece: string): Anchor | null {
  return anchorAt(text, sourceId, piece) ?? anchorAt(text, sourceId, piece.replace(/[.,;:!?]+$/u, ''));
}

/** The first place `exact` occurs in `text`, in code points, or null. */
function anchorAt(text: string, source: string, exact: string): Anchor | null {
  if (exact === '') return null;
  const index = text.indexOf(exact);
  if (index < 0) return null;
  const start = Array.from(text.slice(0, index)).length;
  return { source, start, end: start + Array.from(exact).length, exact };
}
