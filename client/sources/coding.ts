/**
 * Coding from a passage: a new event or statement whose evidence is the passage, or the passage added
 * to a row's evidence. Rows go into the document the way the grid adds them (client/grid/edit.ts), as
 * one change of this user's (one undo step). A statement's quote is the passage verbatim, a direct quote
 * when the sheet has `quote_type`; an event's `source_excerpt` is the passage when the sheet has one.
 */
import type * as Y from 'yjs';
import type { Anchor } from '../../model/anchors';
import { anchorsOf } from '../../model/anchors';
import type { CellValue, Column } from '../../model/columns';
import { getSheet, readColumns, sheetRows } from '../../model/document';
import { addRow, writeCells } from '../grid/edit';
import { type ActorOffer, actorOffers, offerActor } from './actor-offers';

/** The sheets coding from a passage writes to (the events-statements template's). */
export const EVENTS_SHEET = 'events';
export const STATEMENTS_SHEET = 'statements';

export type NewRowKind = 'event' | 'statement';

/**
 * Where the reading pane's coding goes: into the dataset's document (`documentCoder`), or, in a dataset
 * whose rows are documents of their own, into the rows' documents (client/paged/sources.ts). Each write is
 * one step of this user's undo.
 */
export interface Coder {
  /** Adds `anchor` to a row's evidence (`addEvidence`'s rules); false when the sheet has no evidence column or the row is gone. */
  addEvidence(sheet: string, row: string, anchor: Anchor): Promise<boolean>;
  /** A new event or statement coded from `anchor` (`newRowFromPassage`'s rules), or null when no sheet can hold it. */
  newRow(kind: NewRowKind, anchor: Anchor): Promise<{ sheet: string; row: string } | null>;
  /** The actors `passage` names that a row of `sheet` may take (actor-offers.ts). */
  actorOffers(sheet: string, passage: string): ActorOffer[];
  /** A row's cell as known here (undefined when it is not). */
  cell(sheet: string, row: string, column: string): CellValue | undefined;
  /** Writes an actor's name into a row's cell; false when the sheet or the row is gone. */
  takeActor(sheet: string, row: string, column: string, name: string): Promise<boolean>;
}

/** Coding into the dataset's document, as the document grid edits it (`origin`: this user's undo steps). */
export function documentCoder(doc: Y.Doc, origin: unknown): Coder {
  return {
    addEvidence: async (sheet, row, anchor) => addEvidence(doc, sheet, row, anchor, origin),
    newRow: async (kind, anchor) => newRowFromPassage(doc, kind, anchor, origin),
    actorOffers: (sheet, passage) => actorOffers(doc, sheet, passage),
    cell: (sheet, row, column) => {
      const found = getSheet(doc, sheet);
      return found ? sheetRows(found).get(row)?.get(column) as CellValue | undefined : undefined;
    },
    takeActor: async (sheet, row, column, name) => offerActor(doc, sheet, row, column, name, origin),
  };
}

/** The first `evidence` column of a sheet, or null when it has none (or there is no such sheet). */
export function evidenceColumn(doc: Y.Doc, sheetId: string): Column | null {
  const sheet = getSheet(doc, sheetId);
  return sheet ? readColumns(sheet).find((c) => c.type === 'evidence') ?? null : null;
}

/** The values of a new row coded from `anchor` on `sheetId`, or null when that sheet cannot hold evidence. */
export function rowFromPassage(columns: readonly Column[], kind: NewRowKind, anchor: Anchor): Record<string, CellValue> | null {
  const evidence = columns.find((c) => c.type === 'evidence');
  if (!evidence) return null;
  const values: Record<string, CellValue> = { [evidence.id]: [anchor] };
  const has = (id: string) => columns.find((c) => c.id === id);
  if (kind === 'statement') {
    if (has('quote')) values.quote = anchor.exact;
    const quoteType = has('quote_type');
    if (quoteType && (quoteType.options === undefined || quoteType.options.includes('direct'))) values.quote_type = 'direct';
  } else if (has('source_excerpt')) {
    values.source_excerpt = anchor.exact;
  }
  return values;
}

/** Adds an event or a statement coded from `anchor`; returns its sheet and row id, or null (no such sheet or no evidence column). */
export function newRowFromPassage(doc: Y.Doc, kind: NewRowKind, anchor: Anchor, origin: unknown): { sheet: string; row: string } | null {
  const sheetId = kind === 'event' ? EVENTS_SHEET : STATEMENTS_SHEET;
  const sheet = getSheet(doc, sheetId);
  if (!sheet) return null;
  const values = rowFromPassage(readColumns(sheet), kind, anchor);
  if (!values) return null;
  return { sheet: sheetId, row: addRow(doc, sheetId, origin, values) };
}

/**
 * Adds `anchor` to a row's evidence (after the anchors it has); false when the sheet has no evidence
 * column or the row is gone. The same anchor twice is kept once.
 */
export function addEvidence(doc: Y.Doc, sheetId: string, rowId: string, anchor: Anchor, origin: unknown): boolean {
  const sheet = getSheet(doc, sheetId);
  const column = evidenceColumn(doc, sheetId);
  const row = sheet ? sheetRows(sheet).get(rowId) : undefined;
  if (!column || !row) return false;
  const current = anchorsOf(row.get(column.id));
  const same = (a: Anchor) => a.source === anchor.source && a.start === anchor.start && a.end === anchor.end;
  if (current.some(same)) return true;
  writeCells(doc, sheetId, [{ row: rowId, column: column.id, value: [...current, anchor] }], origin);
  return true;
}
