/**
 * The selected block of cells in the paged grid, as in the document grid (`GridSelection` keeps it, by row
 * and column ids): a click starts it, Shift+click, Shift+arrows and dragging grow it, a click on a row number
 * takes the whole row, Escape drops it. A copy puts it on the clipboard as tab-separated text (and its values,
 * as the document grid does: client/grid/clipboard.ts); Delete (Backspace on a block of more than one cell)
 * empties its cells, each row in its own room, as one step of this user's undo however many rows it spans;
 * a cut does both. A paste (paste.ts) starts at its top-left cell.
 *
 * A block covers rows the grid has read: one whose rows are not all read (longer than the pages the tab
 * keeps) is neither copied nor cleared, and says so.
 */
import type { CellClassParams, ColDef, GridApi } from 'ag-grid-community';
import type { CellValue, Column } from '../../model/columns';
import type { RowsPage } from '../api';
import { CELLS_TYPE } from '../grid/clipboard';
import { ROW_NUMBER_COL } from '../grid/columns';
import { isInEditor } from '../grid/keys';
import { GridSelection } from '../grid/selection';
import { toTsv } from '../grid/tsv';
import { toText } from '../grid/values';
import { toast } from '../ui/dom';
import { type RowWrite, writePaste } from './paste';
import type { RowDocs } from './row-docs';
import type { RowUndo } from './undo';

type Row = RowsPage['rows'][number];

export interface BlockHooks {
  rows: RowDocs;
  undo: RowUndo;
  readOnly: boolean;
  sheetId(): string;
  /** The shown sheet's columns. */
  columns(): readonly Column[];
  /** Whether the server closed a row's room (deleted, or refused to this tab): it takes no writes. */
  closed(rowId: string): boolean;
  /** Shows a row's new values at once, before its delta comes back. */
  showCells(sheetId: string, rowId: string, cells: Record<string, CellValue | undefined>): void;
}

export class PagedBlock {
  private selection: GridSelection<Row> | null = null;
  private grid: GridApi<Row> | null = null;
  private cleanup: Array<() => void> = [];

  constructor(private readonly hooks: BlockHooks) {}

  /** A new grid (a sheet shown): the block starts afresh on it, `host` being the element the grid is in. */
  attach(grid: GridApi<Row>, host: HTMLElement): void {
    for (const off of this.cleanup) off();
    const selection = new GridSelection<Row>(grid, host, () => undefined, (row) => row.row_id);
    this.selection = selection;
    this.grid = grid;
    host.classList.remove('has-block');
    // Before the grid: the block's keys are handled, and stopped, before AG Grid sees them.
    const before = (e: KeyboardEvent) => this.onKey(e, grid, selection);
    // After the grid handled a key in this same event (arrows, Tab, Enter moved its focus): the block follows.
    const after = (e: KeyboardEvent) => {
      if (!isInEditor(e.target)) selection.refresh();
    };
    const copy = (e: ClipboardEvent) => this.onCopy(e, false);
    const cut = (e: ClipboardEvent) => this.onCopy(e, true);
    const refresh = () => selection.refresh();
    host.addEventListener('keydown', before, true);
    host.addEventListener('keydown', after);
    host.addEventListener('copy', copy);
    host.addEventListener('cut', cut);
    // The grid tells of focus moves later: by then the pointer or key that moved it has set the block.
    grid.addEventListener('cellFocused', refresh);
    grid.addEventListener('modelUpdated', refresh);
    this.cleanup = [
      selection.listenPointer(host),
      () => {
        host.removeEventListener('keydown', before, true);
        host.removeEventListener('keydown', after);
        host.removeEventListener('copy', copy);
        host.removeEventListener('cut', cut);
        if (grid.isDestroyed()) return;
        grid.removeEventListener('cellFocused', refresh);
        grid.removeEventListener('modelUpdated', refresh);
      },
    ];
  }

  /** Column definitions with the block's highlight (a data cell in it, a row number beside it). */
  withHighlight<T extends ColDef>(defs: T[]): T[] {
    return defs.map((def) => {
      const id = def.colId;
      if (id === undefined) return def;
      const name = id === ROW_NUMBER_COL ? 'row-in-block' : 'cell-in-block';
      const rule = (p: CellClassParams) => this.selection?.highlights(p.node.rowIndex, id) ?? false;
      return { ...def, cellClassRules: { ...def.cellClassRules, [name]: rule } };
    });
  }

  /** Where a paste starts: the block's top-left cell, or the focused cell; null when neither is a data cell. */
  pasteStart(): { rowIndex: number; colId: string } | null {
    const selection = this.selection;
    const b = selection?.bounds();
    const colId = b ? selection!.displayedColumns()[Math.max(1, b.left)]?.getColId() : undefined;
    return b && colId !== undefined ? { rowIndex: b.top, colId } : null;
  }

  private onKey(e: KeyboardEvent, grid: GridApi<Row>, selection: GridSelection<Row>): void {
    if (isInEditor(e.target)) return;
    const mod = e.ctrlKey || e.metaKey;
    const stop = () => {
      e.preventDefault();
      e.stopPropagation();
    };
    if (e.shiftKey && !mod && !e.altKey && e.key.startsWith('Arrow')) {
      stop();
      const next = selection.extendBy(e.key);
      if (!next) return;
      grid.ensureIndexVisible(next.rowIndex);
      grid.ensureColumnVisible(next.colId);
      grid.setFocusedCell(next.rowIndex, next.colId);
    } else if (!mod && (e.key === 'Delete' || (e.key === 'Backspace' && selection.multiCellBlock() !== null))) {
      stop();
      void this.clear();
    } else if (e.key === 'Escape' && selection.multiCellBlock() !== null) {
      selection.collapse();
    }
  }

  /**
   * The block's rows (ids, in display order) and data columns, or null when there is none; a block whose rows
   * are not all read says so and is null.
   */
  private block(): { rows: Array<{ id: string; data: Row }>; columns: Column[] } | null {
    const selection = this.selection;
    const b = selection?.bounds();
    if (!selection || !b) return null;
    const byId = new Map(this.hooks.columns().map((c) => [c.id, c]));
    const shown = selection.displayedColumns();
    const columns: Column[] = [];
    for (let c = Math.max(1, b.left); c <= b.right; c++) {
      const column = byId.get(shown[c]?.getColId() ?? '');
      if (column) columns.push(column);
    }
    const rows: Array<{ id: string; data: Row }> = [];
    for (let r = b.top; r <= b.bottom; r++) {
      const id = selection.rowIdAt(r);
      const data = this.grid?.getDisplayedRowAtIndex(r)?.data;
      if (id === undefined || !data) {
        toast(`The block spans rows not read yet (${(b.bottom - b.top + 1).toLocaleString('en')} rows): select fewer rows.`, 'error');
        return null;
      }
      rows.push({ id, data });
    }
    return { rows, columns };
  }

  private onCopy(e: ClipboardEvent, cut: boolean): void {
    if (isInEditor(e.target) || !e.clipboardData) return;
    e.preventDefault();
    const block = this.block();
    if (!block) return;
    const values = block.rows.map(({ data }) => block.columns.map((c) => data[c.id] ?? null));
    const text = toTsv(values.map((line) => line.map((value) => toText(value))));
    e.clipboardData.setData('text/plain', text);
    e.clipboardData.setData(CELLS_TYPE, JSON.stringify({ text, values }));
    if (cut) void this.clear();
  }

  /** Empties the block's cells that hold something (evidence is anchored in sources, not typed: left), as one undo step. */
  private async clear(): Promise<void> {
    if (this.hooks.readOnly) return;
    const block = this.block();
    if (!block) return;
    const sheetId = this.hooks.sheetId();
    const writes: RowWrite[] = [];
    for (const { id, data } of block.rows) {
      if (this.hooks.closed(id)) continue;
      const cells: Record<string, CellValue> = {};
      for (const column of block.columns) {
        const value = data[column.id];
        if (column.type !== 'evidence' && value !== null && value !== undefined && value !== '') cells[column.id] = null;
      }
      if (Object.keys(cells).length > 0) writes.push({ row: id, cells });
    }
    for (const { row, cells } of writes) this.hooks.showCells(sheetId, row, cells);
    try {
      this.hooks.undo.record(await writePaste(this.hooks.rows, sheetId, writes));
    } catch (err) {
      toast(`Could not clear the cells: ${(err as Error).message}`, 'error');
    }
  }
}
