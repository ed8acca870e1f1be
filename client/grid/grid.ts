/**
 * One sheet in AG Grid, bound to the document: Yjs changes arrive as row transactions, edits go to
 * the document (readOnlyEdit), and the spreadsheet habits AG Grid community lacks are added here:
 * a selected block, copy and paste of tab-separated blocks, clearing, undo of one's own changes and
 * other people's cells outlined in their colour.
 */
import {
  AllCommunityModule, ModuleRegistry, createGrid, themeQuartz,
  type CellEditRequestEvent, type CellFocusedEvent, type CellMouseOverEvent, type Column as AgColumn,
  type ColDef, type GridApi,
} from 'ag-grid-community';
import type * as Y from 'yjs';
import type { Column } from '../../model/columns';
import type { CellRef, Presence } from '../sync/presence';
import { type RowData, type RowsChange, type SheetBinding, hasProblems } from './binding';
import { type ColumnDefHooks, ROW_NUMBER_COL, dataColumnDef, rowNumberColumnDef } from './columns';
import { type GridContext, refLabeller } from './context';
import { type CellWrite, addRow, deleteRows, lastRowId, rowIdsAfter, writeCells } from './edit';
import { EditGuard } from './edit-guard';
import { PresenceCells } from './presence-cells';
import { type GridReview, REVIEW_STATUS_COL } from '../review/grid-review';
import type { GridConflicts } from '../conflicts/grid-conflicts';
import { type Bounds, BlockSelection, boundsSize, inBounds } from './selection';
import { parseTsv, toTsv } from './tsv';
import { fromText, toCellValue, toText } from './values';

ModuleRegistry.registerModules([AllCommunityModule]);

const theme = themeQuartz.withParams({
  fontFamily: 'inherit',
  fontSize: 13,
  headerFontSize: 12,
  headerFontWeight: 600,
  accentColor: '#2f5bd3',
  foregroundColor: '#1f2430',
  borderColor: '#e3e6ec',
  headerBackgroundColor: '#f7f8fa',
  headerTextColor: '#4a5162',
  rowHoverColor: 'rgba(47, 91, 211, 0.035)',
  wrapperBorder: false,
  wrapperBorderRadius: 0,
  columnBorder: true,
  headerColumnBorder: true,
  cellHorizontalPadding: 10,
  rowBorder: true,
  spacing: 6,
});

export interface SheetGridOptions {
  container: HTMLElement;
  doc: Y.Doc;
  undo: Y.UndoManager;
  /** The origin of this user's changes (tracked by `undo`). */
  origin: unknown;
  binding: SheetBinding;
  presence: Presence;
  readOnly: boolean;
  /** Called when the selected block or focused row changes. */
  onSelection?: () => void;
  /** Review marks and the status column (client/review); none without it. */
  review?: GridReview;
  /** Marks on cells with concurrent-edit conflicts (client/conflicts); none without it. */
  conflicts?: GridConflicts;
}

export class SheetGrid {
  readonly api: GridApi<RowData>;
  private readonly binding: SheetBinding;
  private readonly sheetId: string;
  private readonly selection = new BlockSelection();
  private block: Bounds | null = null;
  private colIndex = new Map<string, number>();
  private problemsOnly = false;
  private readonly presenceCells: PresenceCells;
  private readonly editGuard: EditGuard;
  /**
   * Focus moves we make ourselves (Shift+arrows, Shift+click, keeping focus on my row): they must
   * not start a new block when their (asynchronous) cellFocused event arrives. Key → time asked.
   */
  private ownFocusMoves = new Map<string, number>();
  private dragging = false;
  private readonly cleanup: Array<() => void> = [];

  constructor(private readonly options: SheetGridOptions) {
    const { binding, container, doc } = options;
    this.binding = binding;
    this.sheetId = binding.sheetId;
    this.presenceCells = new PresenceCells(options.presence, this.sheetId);
    const context: GridContext = {
      sheetId: this.sheetId,
      presenceAt: (rowId, columnId) => this.presenceCells.at(rowId, columnId),
      ...refLabeller(doc),
    };

    container.classList.add('sheet-grid');
    this.api = createGrid<RowData>(container, {
      theme,
      context,
      columnDefs: this.columnDefs(binding.columns()),
      rowData: binding.rows(),
      getRowId: (p) => p.data.id,
      readOnlyEdit: true,
      onCellEditRequest: (e) => this.onEditRequest(e),
      rowHeight: 34,
      headerHeight: 36,
      animateRows: false,
      // A cell edit (the common remote change) updates its row in place: no re-sort, re-filter or
      // re-numbering of every row (≈40 ms at 100k rows), and a row being fixed or edited does not
      // jump or vanish under the user's hands. Adds and deletes still refresh the model.
      suppressModelUpdateAfterUpdateTransaction: true,
      deltaSort: true,
      // Rows are virtualised (100k rows scroll smoothly); a coding sheet's few dozen columns are all
      // rendered, so that every cell of a visible row is in the page (CONTRACT §9).
      suppressColumnVirtualisation: binding.columns().length <= 60,
      enableBrowserTooltips: true,
      stopEditingWhenCellsLoseFocus: true,
      enterNavigatesVerticallyAfterEdit: true,
      suppressMovableColumns: true,
      suppressDragLeaveHidesColumns: true,
      undoRedoCellEditing: false,
      isExternalFilterPresent: () => this.problemsOnly,
      doesExternalFilterPass: (node) => node.data !== undefined && hasProblems(node.data),
      onCellFocused: (e) => this.onFocused(e),
      onCellMouseOver: (e) => this.onMouseOver(e),
      onModelUpdated: () => this.onModelUpdated(),
      onCellEditingStarted: (e) => {
        if (e.data) this.editGuard.started(e.data.id, e.column.getColId());
      },
      onCellEditingStopped: () => {
        this.editGuard.stopped();
        this.presenceCells.editingStopped();
      },
      overlayNoRowsTemplate: this.options.readOnly
        ? '<span class="grid-empty">No rows yet.</span>'
        : '<span class="grid-empty">No rows yet — “Add row” or paste a block from a spreadsheet.</span>',
    });

    this.cleanup.push(
      binding.on('rows', (change) => this.applyRows(change)),
      binding.on('columns', (columns) => this.api.setGridOption('columnDefs', this.columnDefs(columns))),
      binding.on('reset', () => {
        this.api.setGridOption('columnDefs', this.columnDefs(binding.columns()));
        this.api.setGridOption('rowData', binding.rows());
      }),
      options.presence.onChange(() => this.presenceCells.update()),
    );
    this.listen(container, 'keydown', (e) => this.onKeyDown(e), true);
    this.listen(container, 'pointerdown', (e) => this.onPointerDown(e), true);
    this.listen(document, 'pointerup', () => (this.dragging = false));
    this.listen(container, 'copy', (e) => this.onCopy(e, false));
    this.listen(container, 'cut', (e) => this.onCopy(e, true));
    this.listen(container, 'paste', (e) => this.onPaste(e));
    this.listen(document, 'keydown', (e) => this.onUndoKey(e));
    this.presenceCells.attach(this.api);
    this.editGuard = new EditGuard({
      api: this.api, doc, sheetId: this.sheetId, origin: options.origin,
      nameOf: (clientId) => options.presence.users().find((u) => u.clientId === clientId && !u.self)?.name ?? null,
    });
  }

  destroy(): void {
    this.editGuard.destroy();
    for (const off of this.cleanup) off();
    this.options.presence.setCell(null);
    this.api.destroy();
  }

  /** Shows only rows with problems, or all rows. */
  setProblemsOnly(on: boolean): void {
    this.problemsOnly = on;
    this.api.onFilterChanged();
  }

  setSearch(text: string): void {
    this.api.setGridOption('quickFilterText', text);
  }

  /** Adds a row at the end and puts the focus on its first cell. */
  addRow(): string | null {
    if (this.options.readOnly) return null;
    const id = addRow(this.options.doc, this.sheetId, this.options.origin);
    const node = this.api.getRowNode(id);
    const first = this.dataColumns()[0];
    if (node?.rowIndex != null && first) this.focusCell(node.rowIndex, first.getColId());
    return id;
  }

  /** Deletes rows (the caller has asked for confirmation). */
  deleteRows(rowIds: readonly string[]): void {
    if (this.options.readOnly) return;
    deleteRows(this.options.doc, this.sheetId, rowIds, this.options.origin);
    this.selection.set(null);
    this.repaintBlock();
  }

  /** Ids of the rows in the selected block (or the focused row). */
  selectedRowIds(): string[] {
    const b = this.block ?? this.focusBounds();
    if (!b) return [];
    const ids: string[] = [];
    for (let r = b.top; r <= b.bottom; r++) {
      const id = this.api.getDisplayedRowAtIndex(r)?.data?.id;
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }

  /** The row of the focused cell. */
  focusedRowId(): string | undefined {
    const focused = this.api.getFocusedCell();
    return focused ? this.api.getDisplayedRowAtIndex(focused.rowIndex)?.data?.id : undefined;
  }

  undo(): void {
    if (!this.options.readOnly) this.options.undo.undo();
  }

  redo(): void {
    if (!this.options.readOnly) this.options.undo.redo();
  }

  /** Pastes a tab-separated block at the selected block's top-left cell, adding rows past the last. */
  pasteText(text: string): void {
    if (this.options.readOnly) return;
    const block = parseTsv(text);
    const start = this.block ?? this.focusBounds();
    if (block.length === 0 || !start) return;
    const columns = this.dataColumns();
    const startCol = Math.max(0, start.left - 1);
    // One value pasted onto a block fills the block, as in a spreadsheet.
    const fill = block.length === 1 && block[0]!.length === 1 && this.block !== null;
    const height = fill ? boundsSize(start).rows : block.length;
    const width = fill ? Math.min(boundsSize(start).columns, columns.length - startCol) : Math.min(block[0]!.length, columns.length - startCol);
    const displayed = this.api.getDisplayedRowCount();
    const missing = Math.max(0, start.top + height - displayed);
    const newIds = rowIdsAfter(lastRowId(this.options.doc, this.sheetId), missing);
    const writes: CellWrite[] = [];
    for (let r = 0; r < height; r++) {
      const index = start.top + r;
      const rowId = index < displayed ? this.api.getDisplayedRowAtIndex(index)?.data?.id : newIds[index - displayed];
      if (rowId === undefined) continue;
      const cells = fill ? block[0]! : block[r]!;
      for (let c = 0; c < width; c++) {
        const column = this.binding.columns().find((x) => x.id === columns[startCol + c]?.getColId());
        if (!column) continue;
        writes.push({ row: rowId, column: column.id, value: fromText(column, cells[fill ? 0 : c] ?? '') });
      }
    }
    writeCells(this.options.doc, this.sheetId, writes, this.options.origin);
    this.selectBlock(start.top, start.top + height - 1, startCol + 1, startCol + width);
  }

  /** The selected block (or focused cell) as a tab-separated block. */
  copyText(): string | null {
    const b = this.block ?? this.focusBounds();
    if (!b) return null;
    const columns = this.displayedColumns();
    const rows: string[][] = [];
    for (let r = b.top; r <= b.bottom; r++) {
      const data = this.api.getDisplayedRowAtIndex(r)?.data;
      const cells: string[] = [];
      for (let c = Math.max(1, b.left); c <= b.right; c++) {
        const colId = columns[c]?.getColId();
        cells.push(colId && data ? toText(data.cells[colId] ?? null) : '');
      }
      rows.push(cells);
    }
    return toTsv(rows);
  }

  /** Empties the cells of the selected block (or the focused cell). */
  clearSelection(): void {
    if (this.options.readOnly) return;
    const b = this.block ?? this.focusBounds();
    if (!b) return;
    const columns = this.displayedColumns();
    const writes: CellWrite[] = [];
    for (let r = b.top; r <= b.bottom; r++) {
      const rowId = this.api.getDisplayedRowAtIndex(r)?.data?.id;
      for (let c = Math.max(1, b.left); c <= b.right; c++) {
        const colId = columns[c]?.getColId();
        if (rowId !== undefined && colId !== undefined) writes.push({ row: rowId, column: colId, value: null });
      }
    }
    writeCells(this.options.doc, this.sheetId, writes, this.options.origin);
  }

  // ——— rows from the document ———

  private applyRows(change: RowsChange): void {
    const api = this.api;
    const focus = this.focusSnapshot();
    if (change.remove.length > 0 || change.update.length > 0) {
      api.applyTransaction({ remove: change.remove.map((id) => ({ id }) as RowData), update: change.update });
    }
    // Adds are grouped into runs of consecutive positions, each one transaction.
    const adds = change.add;
    for (let i = 0; i < adds.length;) {
      let j = i + 1;
      while (j < adds.length && adds[j]!.index === adds[j - 1]!.index + 1) j++;
      api.applyTransaction({ add: adds.slice(i, j).map((a) => a.row), addIndex: adds[i]!.index });
      i = j;
    }
    if (focus) this.keepFocus(focus);
  }

  /** Where the focus is, by row id: the grid itself tracks it by position. */
  private focusSnapshot(): { rowId: string; colId: string; rowIndex: number } | null {
    const focused = this.api.getFocusedCell();
    if (!focused || !this.options.container.contains(document.activeElement)) return null;
    const rowId = this.api.getDisplayedRowAtIndex(focused.rowIndex)?.data?.id;
    return rowId === undefined ? null : { rowId, colId: focused.column.getColId(), rowIndex: focused.rowIndex };
  }

  /** Rows added or removed above mine must not move my focus to another row. */
  private keepFocus(before: { rowId: string; colId: string; rowIndex: number }): void {
    const index = this.api.getRowNode(before.rowId)?.rowIndex;
    if (index === null || index === undefined || index === before.rowIndex) return;
    if (this.api.getEditingCells().length > 0) return;
    this.ownFocusMoves.set(key(before.rowId, before.colId), Date.now());
    this.api.setFocusedCell(index, before.colId);
  }

  private onModelUpdated(): void {
    // Row numbers are positions: refresh the visible ones, and the block's display bounds.
    this.api.refreshCells({ columns: [ROW_NUMBER_COL], force: true });
    this.repaintBlock();
  }

  // ——— columns ———

  private columnDefs(columns: Column[]): ColDef<RowData>[] {
    const { review, conflicts } = this.options;
    const hooks: ColumnDefHooks = {
      readOnly: this.options.readOnly,
      inBlock: (rowIndex: number | null, colId: string) =>
        rowIndex !== null && inBounds(this.block, rowIndex, colId === ROW_NUMBER_COL ? (this.block?.left ?? 0) : (this.colIndex.get(colId) ?? -1)),
      flagAt: review ? (rowId, colId) => review.cellFlag(rowId, colId) : undefined,
      conflictAt: conflicts ? (rowId, colId) => conflicts.conflictAt(rowId, colId) : undefined,
    };
    return [rowNumberColumnDef(hooks), ...columns.map((c) => dataColumnDef(c, hooks)), ...(review?.columnDefs() ?? [])];
  }

  /** The row number and the data columns: the review status column takes no part in blocks, copy and paste. */
  private displayedColumns(): AgColumn[] {
    return this.api.getAllDisplayedColumns().filter((c) => c.getColId() !== REVIEW_STATUS_COL);
  }

  private dataColumns(): AgColumn[] {
    return this.displayedColumns().filter((c) => c.getColId() !== ROW_NUMBER_COL);
  }

  // ——— editing ———

  private onEditRequest(e: CellEditRequestEvent<RowData>): void {
    if (this.options.readOnly || !e.data) return;
    const column = this.binding.columns().find((c) => c.id === e.column.getColId());
    if (!column) return;
    const write = { row: e.data.id, column: column.id, value: toCellValue(column, e.newValue) };
    // Someone else may have changed the cell while it was being edited: then the user decides.
    const ok = this.editGuard.confirm(write.row, write.column, write.value);
    if (ok === true) writeCells(this.options.doc, this.sheetId, [write], this.options.origin);
    else if (ok !== false) void ok.then((keep) => keep && writeCells(this.options.doc, this.sheetId, [write], this.options.origin));
  }

  // ——— focus, block selection, keys ———

  private onFocused(e: CellFocusedEvent<RowData>): void {
    const column = e.column && typeof e.column === 'object' ? e.column : null;
    const node = e.rowIndex === null || e.rowIndex === undefined ? undefined : this.api.getDisplayedRowAtIndex(e.rowIndex);
    const rowId = node?.data?.id;
    if (!column || rowId === undefined) return;
    const colId = column.getColId();
    if (colId !== ROW_NUMBER_COL) this.options.presence.setCell({ sheet: this.sheetId, row: rowId, column: colId } satisfies CellRef);
    const asked = this.ownFocusMoves.get(key(rowId, colId));
    this.ownFocusMoves.delete(key(rowId, colId));
    if (asked !== undefined && Date.now() - asked < 2000) {
      this.repaintBlock();
      return;
    }
    // The user moved the focus (click, arrows, Tab): a new block starts there.
    if (colId === ROW_NUMBER_COL) this.selectRows(rowId, rowId);
    else this.selection.set({ rowId, colId });
    this.repaintBlock();
    this.options.onSelection?.();
  }

  /** The row number selects whole rows: from the anchor's row to `toRowId`. */
  private selectRows(fromRowId: string, toRowId: string): void {
    const data = this.dataColumns();
    const first = data[0]?.getColId();
    const last = data[data.length - 1]?.getColId();
    if (!first || !last) return;
    this.selection.set({ rowId: fromRowId, colId: first });
    this.selection.extendTo({ rowId: toRowId, colId: last });
  }

  private onPointerDown(e: PointerEvent): void {
    const cell = (e.target as HTMLElement).closest<HTMLElement>('.ag-cell[col-id]');
    const rowId = cell?.closest('.ag-row[row-id]')?.getAttribute('row-id');
    const colId = cell?.getAttribute('col-id');
    if (!cell || !rowId || !colId || e.button !== 0) return;
    this.dragging = !e.shiftKey;
    if (!e.shiftKey || !this.selection.anchor) return;
    // Shift+click: the block grows to here; the grid's focus follows without starting a new block.
    if (colId === ROW_NUMBER_COL) this.selectRows(this.selection.anchor.rowId, rowId);
    else this.selection.extendTo({ rowId, colId });
    this.ownFocusMoves.set(key(rowId, colId), Date.now());
    this.repaintBlock();
  }

  private onMouseOver(e: CellMouseOverEvent<RowData>): void {
    if (!this.dragging || !e.data) return;
    const buttons = (e.event as MouseEvent | null)?.buttons ?? 0;
    if ((buttons & 1) === 0) {
      this.dragging = false;
      return;
    }
    const colId = e.column.getColId();
    if (colId === ROW_NUMBER_COL || !this.selection.anchor) return;
    this.selection.extendTo({ rowId: e.data.id, colId });
    this.repaintBlock();
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (isInEditor(e.target)) return;
    const mod = e.ctrlKey || e.metaKey;
    const stop = () => {
      e.preventDefault();
      e.stopPropagation();
    };
    if (e.shiftKey && !mod && e.key.startsWith('Arrow')) {
      stop();
      this.extendBy(e.key);
    } else if (e.key === 'Delete' || (e.key === 'Backspace' && this.block !== null)) {
      stop();
      this.clearSelection();
    } else if (mod && e.key.toLowerCase() === 'a') {
      stop();
      const last = this.api.getDisplayedRowCount() - 1;
      if (last >= 0) this.selectBlock(0, last, 1, this.displayedColumns().length - 1);
    } else if (e.key === 'Escape' && this.block !== null) {
      const focused = this.focusBounds();
      if (focused) this.selectBlock(focused.top, focused.top, focused.left, focused.left);
    }
  }

  private onUndoKey(e: KeyboardEvent): void {
    const mod = e.ctrlKey || e.metaKey;
    if (!mod || isTextField(e.target)) return;
    const k = e.key.toLowerCase();
    if (k === 'z' && !e.shiftKey) {
      e.preventDefault();
      this.undo();
    } else if ((k === 'z' && e.shiftKey) || k === 'y') {
      e.preventDefault();
      this.redo();
    }
  }

  private extendBy(arrow: string): void {
    const focused = this.api.getFocusedCell();
    if (!focused) return;
    const columns = this.displayedColumns();
    let row = focused.rowIndex;
    let col = columns.findIndex((c) => c.getColId() === focused.column.getColId());
    if (arrow === 'ArrowUp') row--;
    if (arrow === 'ArrowDown') row++;
    if (arrow === 'ArrowLeft') col--;
    if (arrow === 'ArrowRight') col++;
    row = Math.max(0, Math.min(this.api.getDisplayedRowCount() - 1, row));
    col = Math.max(1, Math.min(columns.length - 1, col));
    const colId = columns[col]?.getColId();
    const rowId = this.api.getDisplayedRowAtIndex(row)?.data?.id;
    if (colId === undefined || rowId === undefined) return;
    this.selection.extendTo({ rowId, colId });
    this.repaintBlock();
    this.ownFocusMoves.set(key(rowId, colId), Date.now());
    this.focusCell(row, colId);
  }

  private focusCell(rowIndex: number, colId: string): void {
    this.api.ensureIndexVisible(rowIndex);
    this.api.ensureColumnVisible(colId);
    this.api.setFocusedCell(rowIndex, colId);
  }

  /** Selects a block by display indices (columns count the row-number column as 0). */
  private selectBlock(top: number, bottom: number, left: number, right: number): void {
    const columns = this.displayedColumns();
    const at = (r: number, c: number) => {
      const rowId = this.api.getDisplayedRowAtIndex(r)?.data?.id;
      const colId = columns[c]?.getColId();
      return rowId !== undefined && colId !== undefined ? { rowId, colId } : null;
    };
    const a = at(top, left);
    const b = at(bottom, right);
    if (!a || !b) return;
    this.selection.set(a);
    this.selection.extendTo(b);
    this.repaintBlock();
    this.options.onSelection?.();
  }

  /** The focused cell as a one-cell block. */
  private focusBounds(): Bounds | null {
    const focused = this.api.getFocusedCell();
    if (!focused) return null;
    const c = this.displayedColumns().findIndex((x) => x.getColId() === focused.column.getColId());
    if (c < 0) return null;
    if (c === 0) return { top: focused.rowIndex, bottom: focused.rowIndex, left: 1, right: this.displayedColumns().length - 1 };
    return { top: focused.rowIndex, bottom: focused.rowIndex, left: c, right: c };
  }

  /** Recomputes the block's display bounds and repaints its highlight. */
  private repaintBlock(): void {
    const columns = this.displayedColumns();
    this.colIndex = new Map(columns.map((c, i) => [c.getColId(), i]));
    const bounds = this.selection.bounds(
      (rowId) => this.api.getRowNode(rowId)?.rowIndex ?? null,
      (colId) => this.colIndex.get(colId) ?? null,
    );
    // A single cell is shown by the grid's own focus ring; only blocks get our highlight.
    const next = bounds && (bounds.top !== bounds.bottom || bounds.left !== bounds.right) ? bounds : null;
    if (!sameBounds(next, this.block)) {
      this.block = next;
      this.options.container.classList.toggle('has-block', next !== null);
      this.api.refreshCells();
    }
  }

  // ——— clipboard ———

  private onCopy(e: ClipboardEvent, cut: boolean): void {
    if (isInEditor(e.target) || !e.clipboardData) return;
    const text = this.copyText();
    if (text === null) return;
    e.clipboardData.setData('text/plain', text);
    e.preventDefault();
    if (cut) this.clearSelection();
  }

  private onPaste(e: ClipboardEvent): void {
    if (isInEditor(e.target) || !e.clipboardData) return;
    const text = e.clipboardData.getData('text/plain');
    e.preventDefault();
    if (text !== '') this.pasteText(text);
  }

  private listen<K extends keyof DocumentEventMap>(
    target: HTMLElement | Document, type: K, handler: (e: DocumentEventMap[K]) => void, capture = false,
  ): void {
    const listener = handler as EventListener;
    target.addEventListener(type, listener, capture);
    this.cleanup.push(() => target.removeEventListener(type, listener, capture));
  }
}

const key = (rowId: string, colId: string) => `${rowId}\u0000${colId}`;

function sameBounds(a: Bounds | null, b: Bounds | null): boolean {
  return a === b || (a !== null && b !== null && a.top === b.top && a.bottom === b.bottom && a.left === b.left && a.right === b.right);
}

/** True inside a cell editor, where keys and clipboard belong to the text field. */
function isInEditor(target: EventTarget | null): boolean {
  return target instanceof Element && (isTextField(target) || target.closest('.ag-cell-editor, .ag-popup-editor, .popup-editor') !== null);
}

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  return target.matches('input, textarea, select, [contenteditable=""], [contenteditable="true"]');
}
