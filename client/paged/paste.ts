/**
 * Pasting a block (TSV from the clipboard, as spreadsheets put it there) into the paged grid: from the
 * focused cell rightwards and downwards over the rows as shown, each row written into its own room, a
 * few dozen rows at a time (`eachRow`) so that the tab (and the server) never holds more than a few dozen rows open,
 * and recorded as one undo step however many rows it spans.
 */
import type { CellValue, Column } from '../../model/columns';
import { parseTsv } from '../grid/tsv';
import { fromText } from '../grid/values';
import type { RowDocs } from './row-docs';
import { type CellChange, changesOf, eachRow } from './undo';

export interface RowWrite {
  row: string;
  cells: Record<string, CellValue>;
}

export interface PastePlan {
  writes: RowWrite[];
  /** Lines of the block that found no row (past the sheet's end, or past the rows read so far). */
  linesLeft: number;
}

/**
 * What a paste writes: the block's lines onto the rows from `startIndex` on (`rowAt` gives a shown
 * row's id), its cells onto `columns` from `startColumn` on; columns that cannot be typed into are
 * skipped over (their cell of the block is dropped), cells past the last column are dropped.
 */
export function planPaste(
  text: string, startIndex: number, startColumn: string, columns: readonly Column[], editable: (c: Column) => boolean,
  rowAt: (index: number) => string | undefined,
): PastePlan {
  const block = parseTsv(text);
  const from = columns.findIndex((c) => c.id === startColumn);
  const writes: RowWrite[] = [];
  let linesLeft = 0;
  if (from < 0) return { writes, linesLeft: block.length };
  const targets = columns.slice(from);
  block.forEach((line, i) => {
    const row = rowAt(startIndex + i);
    if (row === undefined) {
      linesLeft += 1;
      return;
    }
    const cells: Record<string, CellValue> = {};
    line.forEach((text, j) => {
      const column = targets[j];
      if (column && editable(column)) cells[column.id] = fromText(column, text);
    });
    if (Object.keys(cells).length > 0) writes.push({ row, cells });
  });
  return { writes, linesLeft };
}

/** Writes a plan into the rows' rooms; resolves with the changes made (one undo step). */
export async function writePaste(rows: RowDocs, sheetId: string, writes: readonly RowWrite[]): Promise<CellChange[]> {
  const done = await eachRow(rows, writes, async ({ row, cells }) => changesOf(sheetId, row, await rows.write(sheetId, row, cells), cells));
  return done.flat();
}

/** How many rows a block covers. */
export function blockLines(text: string): number {
  return parseTsv(text).length;
}
