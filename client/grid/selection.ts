/**
 * The selected block of cells: AG Grid community has no range selection, so we keep our own, as
 * two corners by row id and column id (ids survive remote inserts and sorting; indices do not).
 *
 * A block belongs to the focused cell it was made with. The pointer and keys set it in the very
 * event the user made (pointerdown, keydown); the grid moves its focus in that same event. Whenever
 * the block is read, the grid's focus is read too, synchronously: if the focus is no longer the cell
 * the block was made with (arrows, Tab, Enter after an edit, a focus moved by code), the block starts
 * afresh at the focused cell. So Delete, copy and paste always act where the user last put the
 * focus, however soon they follow a click or a key.
 */
import type { Column as AgColumn, GridApi } from 'ag-grid-community';
import type { RowData } from './binding';
import { ROW_NUMBER_COL } from './columns';
import { REVIEW_STATUS_COL } from '../review/grid-review';

export interface CellPos {
  rowId: string;
  colId: string;
}

/** A block in display coordinates, inclusive. Columns count the row-number column as 0. */
export interface Bounds {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export class BlockSelection {
  anchor: CellPos | null = null;
  extent: CellPos | null = null;

  /** Starts a new block at one cell. */
  set(pos: CellPos | null): void {
    this.anchor = pos;
    this.extent = pos;
  }

  /** Moves the far corner, keeping the anchor (Shift+arrow, Shift+click, drag). */
  extendTo(pos: CellPos): void {
    if (this.anchor === null) this.anchor = pos;
    this.extent = pos;
  }

  /** The block in display indices, or null if a corner is not displayed. */
  bounds(rowIndexOf: (rowId: string) => number | null, colIndexOf: (colId: string) => number | null): Bounds | null {
    const { anchor, extent } = this;
    if (!anchor || !extent) return null;
    const r1 = rowIndexOf(anchor.rowId);
    const r2 = rowIndexOf(extent.rowId);
    const c1 = colIndexOf(anchor.colId);
    const c2 = colIndexOf(extent.colId);
    if (r1 === null || r2 === null || c1 === null || c2 === null) return null;
    return { top: Math.min(r1, r2), bottom: Math.max(r1, r2), left: Math.min(c1, c2), right: Math.max(c1, c2) };
  }
}

export function boundsSize(b: Bounds): { rows: number; columns: number } {
  return { rows: b.bottom - b.top + 1, columns: b.right - b.left + 1 };
}

export function inBounds(b: Bounds | null, rowIndex: number, colIndex: number): boolean {
  return b !== null && rowIndex >= b.top && rowIndex <= b.bottom && colIndex >= b.left && colIndex <= b.right;
}

export const samePos = (a: CellPos | null, b: CellPos | null): boolean =>
  a === b || (a !== null && b !== null && a.rowId === b.rowId && a.colId === b.colId);

function sameBounds(a: Bounds | null, b: Bounds | null): boolean {
  return a === b || (a !== null && b !== null && a.top === b.top && a.bottom === b.bottom && a.left === b.left && a.right === b.right);
}

/** The cell an event happened in, by the ids the grid puts in the page. */
function cellAt(target: EventTarget | null): CellPos | null {
  if (!(target instanceof Element)) return null;
  const cell = target.closest<HTMLElement>('.ag-cell[col-id]');
  const rowId = cell?.closest('.ag-row[row-id]')?.getAttribute('row-id');
  const colId = cell?.getAttribute('col-id');
  return rowId && colId && colId !== REVIEW_STATUS_COL ? { rowId, colId } : null;
}

const ARROWS: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

/**
 * The block on one grid, kept consistent with the grid's focus. Both grids have one: the document grid's
 * rows (`RowData`) and the paged grid's, whose ids `rowIdOf` reads.
 */
export class GridSelection<T = RowData> {
  private readonly block = new BlockSelection();
  /** The focused cell the block was made with; the block holds while the focus stays there. */
  private madeAt: CellPos | null = null;
  /** The highlighted block (more than one cell), in display indices. */
  private shown: Bounds | null = null;
  private colIndex = new Map<string, number>();

  constructor(
    private readonly api: GridApi<T>,
    private readonly container: HTMLElement,
    /** Called when the block changes. */
    private readonly onChange: () => void,
    /** A row's id from its data. */
    private readonly rowIdOf: (data: T) => string = (data) => (data as unknown as RowData).id,
  ) {}

  /** The id of the row shown at `index`, if it is loaded. */
  rowIdAt(index: number): string | undefined {
    const data = this.api.getDisplayedRowAtIndex(index)?.data;
    return data === undefined ? undefined : this.rowIdOf(data);
  }

  /** The row number and the data columns: the review status column takes no part in blocks, copy and paste. */
  displayedColumns(): AgColumn[] {
    return this.api.getAllDisplayedColumns().filter((c) => c.getColId() !== REVIEW_STATUS_COL);
  }

  dataColumns(): AgColumn[] {
    return this.displayedColumns().filter((c) => c.getColId() !== ROW_NUMBER_COL);
  }

  /** The grid's focused cell by ids, read now. */
  focused(): CellPos | null {
    const focused = this.api.getFocusedCell();
    if (!focused) return null;
    const rowId = this.rowIdAt(focused.rowIndex);
    return rowId === undefined ? null : { rowId, colId: focused.column.getColId() };
  }

  /**
   * A new block at `pos`, where the focus is or goes in this same event (a click, code that moves
   * the focus). A row number selects its whole row.
   */
  startAt(pos: CellPos): void {
    if (pos.colId === ROW_NUMBER_COL) this.selectRows(pos.rowId, pos.rowId);
    else this.block.set(pos);
    this.madeAt = pos;
    this.changed();
  }

  /** Grows the block from its anchor to `pos`, where the focus is or goes in this same event (Shift+click). */
  extendTo(pos: CellPos): void {
    this.sync();
    const anchor = this.block.anchor;
    if (anchor === null) {
      this.startAt(pos);
      return;
    }
    if (pos.colId === ROW_NUMBER_COL) this.selectRows(anchor.rowId, pos.rowId);
    else this.block.extendTo(pos);
    this.madeAt = pos;
    this.changed();
  }

  /**
   * A right press, which moves the grid's focus too: inside the block it keeps the block (its menu
   * is about the block), elsewhere a new block starts there.
   */
  private pointTo(pos: CellPos): void {
    this.sync();
    const b = this.boundsNow();
    const row = this.api.getRowNode(pos.rowId)?.rowIndex ?? null;
    const col = pos.colId === ROW_NUMBER_COL ? b?.left : this.colIndex.get(pos.colId);
    if (b && row !== null && col !== undefined && inBounds(b, row, col)) this.madeAt = pos;
    else this.startAt(pos);
  }

  /** Grows the block to `pos` while the focus stays where it is (dragging from the anchor). */
  dragTo(pos: CellPos): void {
    if (this.block.anchor === null || pos.colId === ROW_NUMBER_COL || samePos(this.block.extent, pos)) return;
    this.block.extendTo(pos);
    this.changed();
  }

  /**
   * Shift+arrow: grows the block by one cell from the focused cell, and returns the cell the focus
   * must move to (the caller moves it in the same event), or null at the edge or without a focus.
   */
  extendBy(arrow: string): { rowIndex: number; colId: string } | null {
    const step = ARROWS[arrow];
    const focused = this.api.getFocusedCell();
    if (!step || !focused) return null;
    this.sync();
    const columns = this.displayedColumns();
    const row = Math.max(0, Math.min(this.api.getDisplayedRowCount() - 1, focused.rowIndex + step[0]));
    const col = Math.max(1, Math.min(columns.length - 1, columns.findIndex((c) => c.getColId() === focused.column.getColId()) + step[1]));
    const colId = columns[col]?.getColId();
    const rowId = this.rowIdAt(row);
    if (colId === undefined || rowId === undefined) return null;
    this.block.extendTo({ rowId, colId });
    this.madeAt = { rowId, colId };
    this.changed();
    return { rowIndex: row, colId };
  }

  /** Selects a block by display indices; the focus stays where it is. */
  selectIndices(top: number, bottom: number, left: number, right: number): void {
    const columns = this.displayedColumns();
    const at = (r: number, c: number) => {
      const rowId = this.rowIdAt(r);
      const colId = columns[c]?.getColId();
      return rowId !== undefined && colId !== undefined ? { rowId, colId } : null;
    };
    const a = at(top, left);
    const b = at(bottom, right);
    if (!a || !b) return;
    this.block.set(a);
    this.block.extendTo(b);
    this.madeAt = this.focused();
    this.changed();
  }

  /** Drops the block (rows deleted, Escape): what is selected is the focused cell alone. */
  collapse(): void {
    const focus = this.focused();
    if (focus) this.startAt(focus);
    else {
      this.block.set(null);
      this.madeAt = null;
      this.changed();
    }
  }

  /** The selected block, or the focused cell as a one-cell block (a row number: its row). */
  bounds(): Bounds | null {
    this.sync();
    return this.boundsNow();
  }

  /** The selected block only when it has more than one cell. */
  multiCellBlock(): Bounds | null {
    const b = this.bounds();
    return b && (b.top !== b.bottom || b.left !== b.right) ? b : null;
  }

  /** The block as last highlighted (more than one cell), without bringing it in line with the focus first. */
  highlighted(): Bounds | null {
    return this.shown;
  }

  /** Ids of the rows in the block (or the focused row). */
  rowIds(): string[] {
    const b = this.bounds();
    if (!b) return [];
    const ids: string[] = [];
    for (let r = b.top; r <= b.bottom; r++) {
      const id = this.rowIdAt(r);
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }

  /**
   * The pointer: a press on a cell starts a block there, with Shift it grows the block, and moving
   * over cells with the button held grows it from the pressed cell. Set in the pointer event itself,
   * before the grid moves its focus to the pressed cell in that same event. Returns how to stop.
   */
  listenPointer(container: HTMLElement): () => void {
    let dragging = false;
    const down = (e: PointerEvent) => {
      const pos = cellAt(e.target);
      if (!pos) return;
      if (e.button === 2) this.pointTo(pos);
      if (e.button !== 0) return;
      dragging = !e.shiftKey;
      if (e.shiftKey) this.extendTo(pos);
      else this.startAt(pos);
    };
    const over = (e: PointerEvent) => {
      if (!dragging) return;
      if ((e.buttons & 1) === 0) {
        dragging = false;
        return;
      }
      const pos = cellAt(e.target);
      if (pos) this.dragTo(pos);
    };
    const up = () => {
      dragging = false;
    };
    container.addEventListener('pointerdown', down, true);
    container.addEventListener('pointerover', over);
    document.addEventListener('pointerup', up);
    return () => {
      container.removeEventListener('pointerdown', down, true);
      container.removeEventListener('pointerover', over);
      document.removeEventListener('pointerup', up);
    };
  }

  /** Whether a cell is in the highlighted block (for the cell class rules). */
  highlights(rowIndex: number | null, colId: string): boolean {
    const b = this.shown;
    if (rowIndex === null || b === null) return false;
    return inBounds(b, rowIndex, colId === ROW_NUMBER_COL ? b.left : (this.colIndex.get(colId) ?? -1));
  }

  /**
   * Brings the block in line with the focus and repaints it: after the grid handled a key, when its
   * focus event arrives, and after rows or columns changed.
   */
  refresh(): void {
    if (this.sync()) return;
    this.repaint();
  }

  /** Starts a new block at the focused cell if the focus has left the cell the block was made with. */
  private sync(): boolean {
    const focus = this.focused();
    if (samePos(focus, this.madeAt)) return false;
    if (focus) this.startAt(focus);
    else {
      // Nothing focused (the header, say): no block either.
      this.block.set(null);
      this.madeAt = null;
      this.changed();
    }
    return true;
  }

  private boundsNow(): Bounds | null {
    this.colIndex = new Map(this.displayedColumns().map((c, i) => [c.getColId(), i]));
    return this.block.bounds((rowId) => this.api.getRowNode(rowId)?.rowIndex ?? null, (colId) => this.colIndex.get(colId) ?? null);
  }

  /** The row number selects whole rows: from `fromRowId` to `toRowId`, all data columns. */
  private selectRows(fromRowId: string, toRowId: string): void {
    const data = this.dataColumns();
    const first = data[0]?.getColId();
    const last = data[data.length - 1]?.getColId();
    if (!first || !last) return;
    this.block.set({ rowId: fromRowId, colId: first });
    this.block.extendTo({ rowId: toRowId, colId: last });
  }

  private changed(): void {
    this.repaint();
    this.onChange();
  }

  private repaint(): void {
    const bounds = this.boundsNow();
    // A single cell is shown by the grid's own focus ring; only blocks get our highlight.
    const next = bounds && (bounds.top !== bounds.bottom || bounds.left !== bounds.right) ? bounds : null;
    if (sameBounds(next, this.shown)) return;
    this.shown = next;
    this.container.classList.toggle('has-block', next !== null);
    this.api.refreshCells();
  }
}
