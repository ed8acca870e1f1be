/**
 * The grid's spreadsheet keys that AG Grid community lacks: Shift+arrows grow the block, Delete and
 * Backspace clear it, Ctrl/Cmd+A selects all, Escape drops the block, Ctrl/Cmd+Z and Y undo and redo
 * one's own changes. Each acts on the block as it is at that keydown (see GridSelection).
 */
import type { GridApi } from 'ag-grid-community';
import type { RowData } from './binding';
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
  }
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

/** True inside a cell editor, where keys and clipboard belong to the text field. */
export function isInEditor(target: EventTarget | null): boolean {
  return target instanceof Element && (isTextField(target) || target.closest('.ag-cell-editor, .ag-popup-editor, .popup-editor') !== null);
}

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  return target.matches('input, textarea, select, [contenteditable=""], [contenteditable="true"]');
}
