/**
 * The grid's spreadsheet keys that AG Grid community lacks: Shift+arrows grow the block, Delete and
 * Backspace clear it, Ctrl/Cmd+A selects all, Escape drops the block, Ctrl/Cmd+Z and Y undo and redo
 * one's own changes, Home and End go to the row's first and last data cell (with Ctrl/Cmd, the
 * sheet's), and Tab moves through data cells row after row. Each acts on the block as it is at that
 * keydown (see GridSelection).
 */
import type { Column as AgColumn, CellPosition, GridApi, TabToNextCellParams } from 'ag-grid-community';
import type { RowData } from './binding';
import { ROW_NUMBER_COL } from './columns';
import type { GridSelection } from './selection';

export interface KeyActions {
  api: GridApi<RowData>;
  selection: GridSelection;
  clear(): void;
  undo(): void;
  redo(): void;
  /** Moves the grid's focus to a cell, scrolling it into view. */
  focusCell(rowIndex: number, colId: string): void;
}

/** Listens to the keys of the grid's container (and undo anywhere on the page); returns how to stop. */
export function listenKeys(container: HTMLElement, actions: KeyActions): () => void {
  // Before the grid: our keys are handled, and stopped, before AG Grid sees them.
  const before = (e: KeyboardEvent) => onKeyDown(e, actions);
  // After the grid handled a key in this same event (arrows, Tab, Enter moved its focus): the block follows.
  const after = (e: KeyboardEvent) => {
    if (!isInEditor(e.target)) actions.selection.refresh();
  };
  const undo = (e: KeyboardEvent) => onUndoKey(e, actions);
  container.addEventListener('keydown', before, true);
  container.addEventListener('keydown', after);
  document.addEventListener('keydown', undo);
  return () => {
    container.removeEventListener('keydown', before, true);
    container.removeEventListener('keydown', after);
    document.removeEventListener('keydown', undo);
  };
}

function onKeyDown(e: KeyboardEvent, actions: KeyActions): void {
  if (isInEditor(e.target)) return;
  const { api, selection } = actions;
  const mod = e.ctrlKey || e.metaKey;
  const stop = () => {
    e.preventDefault();
    e.stopPropagation();
  };
  if (e.shiftKey && !mod && e.key.startsWith('Arrow')) {
    stop();
    const next = selection.extendBy(e.key);
    if (next) actions.focusCell(next.rowIndex, next.colId);
  } else if (e.key === 'Delete' || (e.key === 'Backspace' && selection.multiCellBlock() !== null)) {
    stop();
    actions.clear();
  } else if (mod && e.key.toLowerCase() === 'a') {
    stop();
    const last = api.getDisplayedRowCount() - 1;
    if (last >= 0) selection.selectIndices(0, last, 1, selection.displayedColumns().length - 1);
  } else if (e.key === 'Escape' && selection.multiCellBlock() !== null) {
    selection.collapse();
  } else if ((e.key === 'Home' || e.key === 'End') && !e.altKey && isInCell(e.target)) {
    // The grid's own Home and End go to the sheet's corners, Home onto the row number, where typing
    // is dropped. As in a spreadsheet they stay in the row, and go to the corners with Ctrl/Cmd.
    const target = rowEnd(actions, e.key === 'Home', mod);
    if (!target) return;
    stop();
    if (e.shiftKey) {
      const rowId = api.getDisplayedRowAtIndex(target.rowIndex)?.data?.id;
      if (rowId !== undefined) selection.extendTo({ rowId, colId: target.colId });
    }
    actions.focusCell(target.rowIndex, target.colId);
  }
}

/** The first (`home`) or last data cell of the focused row, or with `sheet` of the first or last row. */
function rowEnd({ api, selection }: KeyActions, home: boolean, sheet: boolean): { rowIndex: number; colId: string } | null {
  const focused = api.getFocusedCell();
  const columns = selection.dataColumns();
  const column = home ? columns[0] : columns[columns.length - 1];
  const rows = api.getDisplayedRowCount();
  if (!focused || !column || rows === 0) return null;
  return { rowIndex: sheet ? (home ? 0 : rows - 1) : focused.rowIndex, colId: column.getColId() };
}

/**
 * Where Tab (Shift+Tab: backwards) goes from a cell, for the grid's tabToNextCell: the next data cell
 * of the row, and from a row's last one the next row's first, as in a spreadsheet. The row number and
 * the review status take no typing, so Tab passes them by. From the sheet's last cell (its first,
 * backwards) Tab leaves the grid, so that the keyboard can always reach the rest of the page.
 */
export function tabTarget(params: TabToNextCellParams<RowData>, dataColumns: readonly AgColumn[], rowCount: number): CellPosition | false {
  const { backwards, previousCellPosition: from } = params;
  const step = backwards ? -1 : 1;
  const at = dataColumns.findIndex((c) => c.getColId() === from.column.getColId());
  // Not a data column: the row number stands before the data, the review status after it.
  const next = (at >= 0 ? at : from.column.getColId() === ROW_NUMBER_COL ? -1 : dataColumns.length) + step;
  if (next >= 0 && next < dataColumns.length) return { rowIndex: from.rowIndex, rowPinned: null, column: dataColumns[next]! };
  const rowIndex = from.rowIndex + step;
  if (rowIndex < 0 || rowIndex >= rowCount || dataColumns.length === 0) return false;
  return { rowIndex, rowPinned: null, column: dataColumns[backwards ? dataColumns.length - 1 : 0]! };
}

function onUndoKey(e: KeyboardEvent, actions: KeyActions): void {
  const mod = e.ctrlKey || e.metaKey;
  if (!mod || isTextField(e.target)) return;
  const k = e.key.toLowerCase();
  if (k === 'z' && !e.shiftKey) {
    e.preventDefault();
    actions.undo();
  } else if ((k === 'z' && e.shiftKey) || k === 'y') {
    e.preventDefault();
    actions.redo();
  }
}

function isInCell(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('.ag-cell') !== null;
}

/** True inside a cell editor, where keys and clipboard belong to the text field. */
export function isInEditor(target: EventTarget | null): boolean {
  return target instanceof Element && (isTextField(target) || target.closest('.ag-cell-editor, .ag-popup-editor, .popup-editor') !== null);
}

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  return target.matches('input, textarea, select, [contenteditable=""], [contenteditable="true"]');
}
