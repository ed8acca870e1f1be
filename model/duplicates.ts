/**
 * Duplicates: rows that likely code the same event, and merging them into one
 * (docs/actors-and-duplicates.md#duplicates). `mergeRows` is the change the server makes to a dataset's
 * document; the server decides which rows may be merged and records who did it.
 */
import * as Y from 'yjs';
import { type Anchor, type CellValue, type Column, isAnchor, isEmpty } from './columns';
import {
  type ReviewStatus, getReviews, getSheet, getSheets, readColumns, readRow, reviewStatus, setCell, sheetRows, type YSheet,
} from './document';
import { flagMap, setReviewStatus } from './reviews';

/** Why rows are listed as duplicates of each other: what they share. */
export const DUPLICATE_REASONS = ['date', 'event_type', 'actors', 'place', 'evidence'] as const;
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number];

/** What a merge changed. */
export interface MergeOutcome {
  /** Columns of the kept row filled from the merged rows. */
  filled: string[];
  /** Anchors the kept row gained. */
  anchors: number;
  /** Flags moved to the kept row. */
  flags: number;
  /** Reference cells (of any sheet) that pointed at a merged row and now point at the kept one. */
  refs: number;
  /** The kept row's review status before and after (a moved open flag flags it). */
  status: { old: ReviewStatus; new: ReviewStatus };
}

/**
 * Merges rows of a sheet into `keep`, in one transaction of the caller's: the kept row gains the merged
 * rows' evidence anchors it lacks and fills its empty cells from them (the first merged row with a value
 * wins), reference cells pointing at a merged row point at the kept one, the merged rows' flags move to
 * the kept row, and the merged rows are deleted. Every row must exist in the sheet (the caller checks).
 */
export function mergeRows(doc: Y.Doc, sheetId: string, keep: string, merge: readonly string[]): MergeOutcome {
  const sheet = getSheet(doc, sheetId)!;
  const rows = sheetRows(sheet);
  const fill = mergedCells(readColumns(sheet), readRow(rows.get(keep)!), merge.map((id) => readRow(rows.get(id)!)));
  const outcome: MergeOutcome = {
    filled: fill.filled, anchors: fill.anchors, flags: 0, refs: 0, status: { old: reviewStatus(doc, keep), new: reviewStatus(doc, keep) },
  };
  for (const [columnId, value] of Object.entries(fill.cells)) setCell(sheet, keep, columnId, value);
  outcome.refs = repointRefs(doc, sheetId, new Set(merge), keep);
  outcome.flags = moveFlags(doc, merge, keep, sheetId);
  for (const id of merge) rows.delete(id);
  outcome.status.new = reviewStatus(doc, keep);
  return outcome;
}

/**
 * What a merge writes into the kept row's cells, from the rows' cells alone: each evidence column with the
 * merged rows' anchors it lacks added after its own, and each empty cell filled from the first merged row
 * (in the order given) that has a value there. `filled` names the filled columns, `anchors` counts the added.
 */
export function mergedCells(
  columns: readonly Column[], kept: Readonly<Record<string, CellValue>>, merged: ReadonlyArray<Readonly<Record<string, CellValue>>>,
): { cells: Record<string, CellValue>; filled: string[]; anchors: number } {
  const out = { cells: {} as Record<string, CellValue>, filled: [] as string[], anchors: 0 };
  for (const column of columns) {
    if (column.type === 'evidence') {
      const anchors = anchorsIn(kept[column.id]);
      const added = merged.flatMap((cells) => anchorsIn(cells[column.id])).filter((a, i, all) =>
        !anchors.some((b) => sameAnchor(a, b)) && all.findIndex((b) => sameAnchor(a, b)) === i);
      if (added.length > 0) {
        out.cells[column.id] = [...anchors, ...added];
        out.anchors += added.length;
      }
      continue;
    }
    if (!isEmpty(kept[column.id])) continue;
    const value = merged.map((cells) => cells[column.id]).find((v): v is CellValue => v !== undefined && !isEmpty(v));
    if (value !== undefined) {
      out.cells[column.id] = value;
      out.filled.push(column.id);
    }
  }
  return out;
}

const anchorsIn = (value: CellValue | undefined): Anchor[] => (Array.isArray(value) ? value.filter(isAnchor) : []);
const sameAnchor = (a: Anchor, b: Anchor) => a.source === b.source && a.start === b.start && a.end === b.end;

/** Points `ref` cells of any sheet that name a merged row of `sheetId` at the kept row; returns how many. */
function repointRefs(doc: Y.Doc, sheetId: string, merged: ReadonlySet<string>, keep: string): number {
  let count = 0;
  for (const [, sheet] of getSheets(doc)) {
    if (!(sheet instanceof Y.Map)) continue;
    const refs = readColumns(sheet as YSheet).filter((c) => c.type === 'ref' && c.ref === sheetId);
    if (refs.length === 0) continue;
    for (const [rowId, row] of sheetRows(sheet as YSheet)) {
      for (const column of refs) {
        const value = row.get(column.id);
        if (typeof value === 'string' && merged.has(value)) {
          setCell(sheet as YSheet, rowId, column.id, keep);
          count++;
        }
      }
    }
  }
  return count;
}

/**
 * Moves the flags of merged rows (open and resolved, with their threads) to the kept row, oldest first
 * after its own, and drops the merged rows' review entries. A moved open flag flags the kept row.
 */
export function moveFlags(doc: Y.Doc, merge: readonly string[], keep: string, sheetId: string): number {
  return giveFlags(doc, keep, sheetId, takeFlags(doc, merge));
}

/** The flags of rows as plain data, taken with the rows' review entries out of the document. */
export function takeFlags(doc: Y.Doc, rowIds: readonly string[]): Array<Record<string, unknown>> {
  const reviews = getReviews(doc);
  const taken: Array<Record<string, unknown>> = [];
  for (const id of rowIds) {
    const flags = reviews.get(id)?.get('flags');
    if (flags instanceof Y.Array) for (const flag of flags.toArray() as Y.Map<unknown>[]) taken.push(flag.toJSON());
    if (reviews.has(id)) reviews.delete(id);
  }
  return taken;
}

/** Adds flags taken from other rows (`takeFlags`) to a row, oldest first after its own; returns how many. */
export function giveFlags(doc: Y.Doc, keep: string, sheetId: string, moved: Array<Record<string, unknown>>): number {
  if (moved.length === 0) return 0;
  const reviews = getReviews(doc);
  moved.sort((a, b) => String(a.at).localeCompare(String(b.at)));
  // The kept row's review (made as `addFlag` makes one, when it has none yet).
  if (!reviews.get(keep)) setReviewStatus(doc, keep, reviewStatus(doc, keep));
  const target = reviews.get(keep)!.get('flags') as Y.Array<Y.Map<unknown>>;
  target.push(moved.map((plain) => flagMap({ ...plain, sheet: sheetId })));
  if (moved.some((f) => f.status === 'open')) setReviewStatus(doc, keep, 'flagged');
  return moved.length;
}

/** The note of a merge's history entries: `flags` on a merged row's `row_id` entry, the flags it moved. */
interface MergeNote {
  merge: { kept: string; merged: string[]; flags?: string[] };
}

export function mergeNote(kept: string, merged: readonly string[], flags?: readonly string[]): string {
  const note: MergeNote = { merge: { kept, merged: [...merged], ...(flags && { flags: [...flags] }) } };
  return JSON.stringify(note);
}

/** A row's status with these flags (as the review keeps it): flagged while one is open, and only then. */
export function statusWith(status: ReviewStatus, flags: ReadonlyArray<Record<string, unknown>>): ReviewStatus {
  if (flags.some((f) => f.status === 'open')) return 'flagged';
  return status === 'flagged' ? 'unreviewed' : status;
}
