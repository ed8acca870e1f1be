/**
 * Copy, cut, paste and clearing of the selected block, as tab-separated text the way spreadsheets
 * put it on the clipboard. Each action is one document change with the user's origin.
 */
import type { GridApi } from 'ag-grid-community';
import type * as Y from 'yjs';
import type { RowData, SheetBinding } from './binding';
import { type CellWrite, lastRowId, rowIdsAfter, writeCells } from './edit';
import { isInEditor } from './keys';
import { type GridSelection, boundsSize } from './selection';
import { parseTsv, toTsv } from './tsv';
import { fromText, toText } from './values';

export interface ClipboardOptions {
  api: GridApi<RowData>;
  selection: GridSelection;
  binding: SheetBinding;
  doc: Y.Doc;
  origin: unknown;
  readOnly: boolean;
}

export class GridClipboard {
  constructor(private readonly options: ClipboardOptions) {}

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
    const { api, selection } = this.options;
    const b = selection.bounds();
    if (!b) return null;
    const columns = selection.displayedColumns();
    const rows: string[][] = [];
    for (let r = b.top; r <= b.bottom; r++) {
      const data = api.getDisplayedRowAtIndex(r)?.data;
      const cells: string[] = [];
      for (let c = Math.max(1, b.left); c <= b.right; c++) {
        const colId = columns[c]?.getColId();
        cells.push(colId && data ? toText(data.cells[colId] ?? null) : '');
      }
      rows.push(cells);
    }
    return toTsv(rows);
  }

  /** Pastes a tab-separated block at the selected block's top-left cell, adding rows past the last. */
  pasteText(text: string): void {
    const { api, selection, binding, doc, origin, readOnly } = this.options;
    if (readOnly) return;
    const block = parseTsv(text);
    const start = selection.bounds();
    if (block.length === 0 || !start) return;
    const columns = selection.dataColumns();
    const startCol = Math.max(0, start.left - 1);
    // One value pasted onto a block fills the block, as in a spreadsheet.
    const fill = block.length === 1 && block[0]!.length === 1 && selection.multiCellBlock() !== null;
    const height = fill ? boundsSize(start).rows : block.length;
    const width = Math.min(fill ? boundsSize(start).columns : block[0]!.length, columns.length - startCol);
    const displayed = api.getDisplayedRowCount();
    const missing = Math.max(0, start.top + height - displayed);
    const newIds = rowIdsAfter(lastRowId(doc, binding.sheetId), missing);
    const byId = new Map(binding.columns().map((c) => [c.id, c]));
    const writes: CellWrite[] = [];
    for (let r = 0; r < height; r++) {
      const index = start.top + r;
      const rowId = index < displayed ? api.getDisplayedRowAtIndex(index)?.data?.id : newIds[index - displayed];
      if (rowId === undefined) continue;
      const cells = fill ? block[0]! : block[r]!;
      for (let c = 0; c < width; c++) {
        const column = byId.get(columns[startCol + c]?.getColId() ?? '');
        if (!column) continue;
        writes.push({ row: rowId, column: column.id, value: fromText(column, cells[fill ? 0 : c] ?? '') });
      }
    }
    writeCells(doc, binding.sheetId, writes, origin);
    selection.selectIndices(start.top, start.top + height - 1, startCol + 1, startCol + width);
  }

  /** Empties the cells of the selected block (or the focused cell). */
  clear(): void {
    const { api, selection, binding, doc, origin, readOnly } = this.options;
    if (readOnly) return;
    const b = selection.bounds();
    if (!b) return;
    const columns = selection.displayedColumns();
    const writes: CellWrite[] = [];
    for (let r = b.top; r <= b.bottom; r++) {
      const rowId = api.getDisplayedRowAtIndex(r)?.data?.id;
      for (let c = Math.max(1, b.left); c <= b.right; c++) {
        const colId = columns[c]?.getColId();
        if (rowId !== undefined && colId !== undefined) writes.push({ row: rowId, column: colId, value: null });
      }
    }
    writeCells(doc, binding.sheetId, writes, origin);
  }

  private onCopy(e: ClipboardEvent, cut: boolean): void {
    if (isInEditor(e.target) || !e.clipboardData) return;
    const text = this.copyText();
    if (text === null) return;
    e.clipboardData.setData('text/plain', text);
    e.preventDefault();
    if (cut) this.clear();
  }

  private onPaste(e: ClipboardEvent): void {
    if (isInEditor(e.target) || !e.clipboardData) return;
    const text = e.clipboardData.getData('text/plain');
    e.preventDefault();
    if (text !== '') this.pasteText(text);
  }
}
