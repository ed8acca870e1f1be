/**
 * One sheet in AG Grid, bound to the document: Yjs changes arrive as row transactions, edits go to
 * the document (readOnlyEdit), and the spreadsheet habits AG Grid community lacks are composed here:
 * the selected block (selection.ts), copy, paste and clearing (clipboard.ts), keys and undo of one's
 * own changes (keys.ts), and other people's cells outlined in their colour (presence-cells.ts).
 */
import {
  ModuleRegistry, createGrid, themeQuartz,
  type CellEditRequestEvent, type ColDef, type GridApi,
} from 'ag-grid-community';
import type * as Y from 'yjs';
import type { Column } from '../../model/columns';
import type { Presence } from '../sync/presence';
import { type RowData, type RowsChange, type SheetBinding, hasProblems } from './binding';
import { GridClipboard } from './clipboard';
import { type ColumnDefHooks, ROW_NUMBER_COL, dataColumnDef, rowNumberColumnDef } from './columns';
import { actorContext } from './actor-editor';
import { type GridContext, refLabeller } from './context';
import { addRow, deleteRows, writeCells } from './edit';
import { EditGuard } from './edit-guard';
import { listenKeys, tabTarget } from './keys';
import { PresenceCells } from './presence-cells';
import type { GridReview } from '../review/grid-review';
import type { GridConflicts } from '../conflicts/grid-conflicts';
import { GRID_MODULES } from './modules';
import { GridSelection } from './selection';
import { toCellValue } from './values';
import type { WidePasteHandler } from './wide-paste';

ModuleRegistry.registerModules(GRID_MODULES);

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
  /** This user's undo: the undo manager, or the page's stack of its steps and the server's (undo-stack.ts). */
  undo: { undo(): unknown; redo(): unknown };
  /** The origin of this user's changes (tracked by `undo`). */
  origin: unknown;
  binding: SheetBinding;
  presence: Presence;
  readOnly: boolean;
  /** Called when the selected block or focused row changes. */
  onSelection?: () => void;
  /** Review marks and the status column (client/review); none without it. */
  review?: GridReview;
  /** Decides what to do with a pasted block wider than the columns to its right (see wide-paste.ts). */
  widePaste?: WidePasteHandler;
  /** Marks on cells with concurrent-edit conflicts (client/conflicts); none without it. */
  conflicts?: GridConflicts;
  /**
   * The only columns that take edits, and the rows are fixed (none added or deleted): a double-coding
   * round's copy. Every column, and rows come and go, without it.
   */
  writableColumns?: ReadonlySet<string>;
  /** Whether the actor editor offers to add a name to the actor list (admins). */
  canAddActors?: boolean;
}

export class SheetGrid {
  readonly api: GridApi<RowData>;
  private readonly binding: SheetBinding;
  private readonly sheetId: string;
  private readonly selection: GridSelection;
  private readonly clipboard: GridClipboard;
  private problemsOnly = false;
  private readonly presenceCells: PresenceCells;
  private readonly editGuard: EditGuard;
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
      ...actorContext(doc, options.origin, options.canAddActors ?? false),
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
      // rendered, so that every cell of a visible row is in the page.
      suppressColumnVirtualisation: binding.columns().length <= 60,
      enableBrowserTooltips: true,
      stopEditingWhenCellsLoseFocus: true,
      // Tab, Shift+Tab, Enter and Shift+Enter commit and leave the next cell selected, not editing,
      // as in a spreadsheet: typing there then replaces its value. An editor the grid opened on Tab
      // started with the cell's value and the caret at its end, so whatever was typed was appended.
      enterNavigatesVerticallyAfterEdit: true,
      suppressStartEditOnTab: true,
      tabToNextCell: (p) => tabTarget(p, this.selection.dataColumns(), this.api.getDisplayedRowCount()),
      suppressMovableColumns: true,
      suppressDragLeaveHidesColumns: true,
      undoRedoCellEditing: false,
      isExternalFilterPresent: () => this.problemsOnly,
      doesExternalFilterPass: (node) => node.data !== undefined && hasProblems(node.data),
      // AG Grid tells of focus moves later (asynchronously): by then the block has been set by the
      // pointer or key that moved the focus; here only what others see and the highlight follow.
      onCellFocused: () => this.onFocused(),
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
    this.selection = new GridSelection(this.api, container, () => this.options.onSelection?.());
    this.clipboard = new GridClipboard({
      api: this.api, selection: this.selection, binding, doc, origin: options.origin, readOnly: options.readOnly,
      widePaste: options.widePaste, writableColumns: options.writableColumns,
    });

    this.cleanup.push(
      binding.on('rows', (change) => this.applyRows(change)),
      binding.on('columns', (columns) => this.api.setGridOption('columnDefs', this.columnDefs(columns))),
      binding.on('reset', () => {
        this.api.setGridOption('columnDefs', this.columnDefs(binding.columns()));
        this.api.setGridOption('rowData', binding.rows());
      }),
      options.presence.onChange(() => this.presenceCells.update()),
      this.selection.listenPointer(container),
      listenKeys(container, {
        api: this.api,
        selection: this.selection,
        clear: () => this.clearSelection(),
        undo: () => this.undo(),
        redo: () => this.redo(),
        focusCell: (rowIndex, colId) => this.focusCell(rowIndex, colId),
      }),
      this.clipboard.listen(container),
    );
    this.presenceCells.attach(this.api);
    this.editGuard = new EditGuard({
      api: this.api, doc, sheetId: this.sheetId, origin: options.origin,
      nameOf: (clientId) => options.presence.users().find((u) => u.clientId === clientId && !u.self)?.name ?? null,
    });
  }

  destroy(): void {
    this.editGuard.destroy();
    this.clipboard.destroy();
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
    if (this.options.readOnly || this.options.writableColumns) return null;
    const id = addRow(this.options.doc, this.sheetId, this.options.origin);
    const node = this.api.getRowNode(id);
    const first = this.selection.dataColumns()[0];
    if (node?.rowIndex != null && first) this.focusCell(node.rowIndex, first.getColId());
    return id;
  }

  /** Deletes rows (the caller has asked for confirmation). */
  deleteRows(rowIds: readonly string[]): void {
    if (this.options.readOnly || this.options.writableColumns) return;
    deleteRows(this.options.doc, this.sheetId, rowIds, this.options.origin);
    this.selection.collapse();
  }

  /** Ids of the rows in the selected block (or the focused row). */
  selectedRowIds(): string[] {
    return this.selection.rowIds();
  }

  /** The row of the focused cell. */
  focusedRowId(): string | undefined {
    return this.selection.focused()?.rowId;
  }

  undo(): void {
    if (!this.options.readOnly) this.options.undo.undo();
  }

  redo(): void {
    if (!this.options.readOnly) this.options.undo.redo();
  }

  /** Pastes a tab-separated block at the selected block's top-left cell, adding rows past the last. */
  pasteText(text: string): void {
    this.clipboard.pasteText(text);
  }

  /** The selected block (or focused cell) as a tab-separated block. */
  copyText(): string | null {
    return this.clipboard.copyText();
  }

  /** Empties the cells of the selected block (or the focused cell). */
  clearSelection(): void {
    this.clipboard.clear();
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

  /**
   * Rows added or removed above mine must not move my focus to another row. The focus stays on the
   * same cell by ids, so the block made with it stays too.
   */
  private keepFocus(before: { rowId: string; colId: string; rowIndex: number }): void {
    const index = this.api.getRowNode(before.rowId)?.rowIndex;
    if (index === null || index === undefined || index === before.rowIndex) return;
    if (this.api.getEditingCells().length > 0) return;
    this.api.setFocusedCell(index, before.colId);
  }

  private onModelUpdated(): void {
    // Row numbers are positions: refresh the visible ones, and the block's display bounds.
    this.api.refreshCells({ columns: [ROW_NUMBER_COL], force: true });
    this.selection.refresh();
  }

  private onFocused(): void {
    const focus = this.selection.focused();
    if (focus && focus.colId !== ROW_NUMBER_COL) this.options.presence.setCell({ sheet: this.sheetId, row: focus.rowId, column: focus.colId });
    this.selection.refresh();
    this.options.onSelection?.();
  }

  // ——— columns ———

  private columnDefs(columns: Column[]): ColDef<RowData>[] {
    const { review, conflicts } = this.options;
    const hooks: ColumnDefHooks = {
      readOnly: this.options.readOnly,
      writableColumns: this.options.writableColumns,
      // Column defs are made before the selection exists (in the grid's constructor).
      inBlock: (rowIndex, colId) => this.selection?.highlights(rowIndex, colId) ?? false,
      flagAt: review ? (rowId, colId) => review.cellFlag(rowId, colId) : undefined,
      conflictAt: conflicts ? (rowId, colId) => conflicts.conflictAt(rowId, colId) : undefined,
    };
    return [rowNumberColumnDef(hooks), ...columns.map((c) => dataColumnDef(c, hooks)), ...(review?.columnDefs() ?? [])];
  }

  // ——— editing ———

  private onEditRequest(e: CellEditRequestEvent<RowData>): void {
    if (this.options.readOnly || !e.data) return;
    const column = this.binding.columns().find((c) => c.id === e.column.getColId());
    if (!column || (this.options.writableColumns && !this.options.writableColumns.has(column.id))) return;
    const write = { row: e.data.id, column: column.id, value: toCellValue(column, e.newValue) };
    // Someone else may have changed the cell while it was being edited: then the user decides.
    const ok = this.editGuard.confirm(write.row, write.column, write.value);
    if (ok === true) writeCells(this.options.doc, this.sheetId, [write], this.options.origin);
    else if (ok !== false) void ok.then((keep) => keep && writeCells(this.options.doc, this.sheetId, [write], this.options.origin));
  }

  private focusCell(rowIndex: number, colId: string): void {
    this.api.ensureIndexVisible(rowIndex);
    this.api.ensureColumnVisible(colId);
    this.api.setFocusedCell(rowIndex, colId);
  }
}
