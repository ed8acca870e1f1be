/**
 * Copy, cut, paste and clearing of the selected block, as tab-separated text the way spreadsheets
 * put it on the clipboard. Each action is one document change with the user's origin.
 *
 * A copy also puts the block's values on the clipboard as JSON (`CELLS_TYPE`): text is all another
 * program gets, but a paste into Tessera takes a place from there whole (coordinates, precision) where its
 * text has only the name. The JSON is used only while the text beside it is the copy's own.
 */
import type { GridApi } from 'ag-grid-community';
import type * as Y from 'yjs';
import type { CellValue, Column } from '../../model/columns';
import { addColumn } from '../columns/edit';
import type { RowData, SheetBinding } from './binding';
import { type CellWrite, lastRowId, rowIdsAfter, writeCells } from './edit';
import { isInEditor } from './keys';
import { isPlace } from '../../model/places';
import { type Bounds, type GridSelection, boundsSize } from './selection';
import { parseTsv, toTsv } from './tsv';
import { fromText, toText } from './values';
import { type WidePasteHandler, blockWidth } from './wide-paste';

export interface ClipboardOptions {
  api: GridApi<RowData>;
  selection: GridSelection;
  binding: SheetBinding;
  doc: Y.Doc;
  origin: unknown;
  readOnly: boolean;
  /** Decides what to do with a pasted block wider than the columns to its right (see wide-paste.ts). */
  widePaste?: WidePasteHandler;
  /** The only columns a paste or clear writes, and no rows are added; every column, rows added past the last, without it. */
  writableColumns?: ReadonlySet<string>;
}

/** The clipboard type of a copied block's values: `{ text, values }`, `text` being the block's TSV. */
export const CELLS_TYPE = 'application/x-tessera-cells+json';

/** The values of a copied block, for a paste of the same text; a place is taken whole from them. */
type CopiedValues = ReadonlyArray<ReadonlyArray<CellValue>>;

export class GridClipboard {
  private destroyed = false;

  constructor(private readonly options: ClipboardOptions) {}

  /** A wide paste still waiting for the person's answer is dropped. */
  destroy(): void {
    this.destroyed = true;
  }

  /** Handles the copy, cut and paste events of the grid's container; returns how to stop listening. */
  listen(container: HTMLElement): () => void {
    const copy = (e: ClipboardEvent) => this.onCopy(e, false);
    const cut = (e: ClipboardEvent) => this.onCopy(e, true);
    const paste = (e: ClipboardEvent) => this.onPaste(e);
    container.addEventListener('copy', copy);
    container.addEventListener('cut', cut);
    container.addEventListener('paste', paste);
    return () => {
      container.removeEventListener('copy', copy);
      container.removeEventListener('cut', cut);
      container.removeEventListener('paste', paste);
    };
  }

  /** The selected block (or focused cell) as a tab-separated block. */
  copyText(): string | null {
    return this.copied()?.text ?? null;
  }

  /** The selected block (or focused cell): its values, and as a tab-separated block. */
  private copied(): { text: string; values: CopiedValues } | null {
    const { api, selection } = this.options;
    const b = selection.bounds();
    if (!b) return null;
    const columns = selection.displayedColumns();
    const values: CellValue[][] = [];
    for (let r = b.top; r <= b.bottom; r++) {
      const data = api.getDisplayedRowAtIndex(r)?.data;
      const cells: CellValue[] = [];
      for (let c = Math.max(1, b.left); c <= b.right; c++) {
        const colId = columns[c]?.getColId();
        cells.push(colId && data ? data.cells[colId] ?? null : null);
      }
      values.push(cells);
    }
    return { text: toTsv(values.map((row) => row.map((value) => toText(value)))), values };
  }

  /**
   * Pastes a tab-separated block at the selected block's top-left cell, adding rows past the last. `values`,
   * from a copy in Tessera of this very text, give the places whole.
   */
  pasteText(text: string, values?: CopiedValues): void {
    const { selection, binding, readOnly, widePaste } = this.options;
    if (readOnly) return;
    const block = parseTsv(text);
    const start = selection.bounds();
    if (block.length === 0 || !start) return;
    // One value pasted onto a block fills the block, as in a spreadsheet.
    const fill = block.length === 1 && block[0]!.length === 1 && selection.multiCellBlock() !== null;
    const fits = selection.dataColumns().length - Math.max(0, start.left - 1);
    if (!fill && blockWidth(block) > fits && widePaste) {
      void widePaste(block, fits, binding.columns()).then((choice) => {
        if (choice && !this.destroyed) this.pasteBlock(choice.block, start, false, choice.columns, values);
      });
      return;
    }
    this.pasteBlock(block, start, fill, [], values);
  }

  /** Pastes rows of cells at `start`, after adding `added` columns at the end of the sheet, as one change. */
  private pasteBlock(block: string[][], start: Bounds, fill: boolean, added: Column[], values?: CopiedValues): void {
    if (block.length === 0) return;
    const { api, selection, binding, doc, origin } = this.options;
    const columns = selection.dataColumns();
    const startCol = Math.max(0, start.left - 1);
    const fits = columns.length - startCol;
    const height = fill ? boundsSize(start).rows : block.length;
    const width = fill ? Math.min(boundsSize(start).columns, fits) : Math.min(blockWidth(block), fits + added.length);
    const displayed = api.getDisplayedRowCount();
    const writable = this.options.writableColumns;
    const missing = writable ? 0 : Math.max(0, start.top + height - displayed);
    const newIds = rowIdsAfter(lastRowId(doc, binding.sheetId), missing);
    const byId = new Map(binding.columns().map((c) => [c.id, c]));
    const writes: CellWrite[] = [];
    for (let r = 0; r < height; r++) {
      const index = start.top + r;
      const rowId = index < displayed ? api.getDisplayedRowAtIndex(index)?.data?.id : newIds[index - displayed];
      if (rowId === undefined) continue;
      const cells = fill ? block[0]! : block[r]!;
      for (let c = 0; c < width; c++) {
        const column = c < fits ? byId.get(columns[startCol + c]?.getColId() ?? '') : added[c - fits];
        if (!column || (writable && !writable.has(column.id))) continue;
        const copied = values?.[fill ? 0 : r]?.[fill ? 0 : c];
        const value = column.type === 'place' && isPlace(copied) ? copied : fromText(column, cells[fill ? 0 : c] ?? '');
        writes.push({ row: rowId, column: column.id, value });
      }
    }
    doc.transact(() => {
      for (const column of added) addColumn(doc, binding.sheetId, column, origin);
      writeCells(doc, binding.sheetId, writes, origin);
    }, origin);
    selection.selectIndices(start.top, start.top + height - 1, startCol + 1, startCol + width);
  }

  /** Empties the cells of the selected block (or the focused cell). */
  clear(): void {
    const { api, selection, binding, doc, origin, readOnly } = this.options;
    if (readOnly) return;
    const b = selection.bounds();
    if (!b) return;
    const columns = selection.displayedColumns();
    const writable = this.options.writableColumns;
    const writes: CellWrite[] = [];
    for (let r = b.top; r <= b.bottom; r++) {
      const rowId = api.getDisplayedRowAtIndex(r)?.data?.id;
      for (let c = Math.max(1, b.left); c <= b.right; c++) {
        const colId = columns[c]?.getColId();
        if (colId !== undefined && writable && !writable.has(colId)) continue;
        if (rowId !== undefined && colId !== undefined) writes.push({ row: rowId, column: colId, value: null });
      }
    }
    writeCells(doc, binding.sheetId, writes, origin);
  }

  private onCopy(e: ClipboardEvent, cut: boolean): void {
    if (isInEditor(e.target) || !e.clipboardData) return;
    const copied = this.copied();
    if (copied === null) return;
    e.clipboardData.setData('text/plain', copied.text);
    e.clipboardData.setData(CELLS_TYPE, JSON.stringify(copied));
    e.preventDefault();
    if (cut) this.clear();
  }

  private onPaste(e: ClipboardEvent): void {
    if (isInEditor(e.target) || !e.clipboardData) return;
    const text = e.clipboardData.getData('text/plain');
    e.preventDefault();
    if (text !== '') this.pasteText(text, copiedValues(e.clipboardData.getData(CELLS_TYPE), text));
  }
}

/** The values of a copy in Tessera, when the clipboard's text is still that copy's. */
function copiedValues(json: string, text: string): CopiedValues | undefined {
  if (json === '') return undefined;
  try {
    const copied = JSON.parse(json) as { text?: unknown; values?: unknown };
    const lines = (t: unknown) => (typeof t === 'string' ? t.replace(/\r\n/g, '\n') : null);
    return lines(copied.text) === lines(text) && Array.isArray(copied.values) ? (copied.values as CopiedValues) : undefined;
  } catch {
    return undefined;
  }
}
