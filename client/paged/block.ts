/**
 * The selected block of cells in the paged grid, as in the document grid (`GridSelection` keeps it, by row
 * and column ids): a click starts it, Shift+click, Shift+arrows and dragging grow it, a click on a row number
 * takes the whole row, Escape drops it. A copy puts it on the clipboard as tab-separated text (and its values,
 * as the document grid does: client/grid/clipboard.ts); Delete (Backspace on a block of more than one cell)
 * empties its cells, each row in its own room, as one step of this user's undo however many rows it spans;
 * a cut does both. A paste (paste.ts) starts at its top-left cell.
 *
 * A block made with the pointer or keys covers rows the grid has read: one whose rows are not all read
 * (longer than the pages the tab keeps) is neither copied nor cleared, and says so.
 *
 * Ctrl/Cmd+A selects the whole sheet, as the document grid does (client/grid/keys.ts): every row in the
 * grid's order (its sort, search and status filter), all data columns, whether read or not. A copy of it
 * reads the rows not read from the server, page by page, and puts them on the clipboard once read (at most
 * COPY_ROWS_MAX rows; past that it says how many it left out); Delete and a cut empty at most
 * WRITE_ROWS_MAX rows (each row is opened in its own room) and refuse a larger sheet whole, saying so. It
 * holds while the focus stays on the cell it was made at and the grid's order stays the same: Escape, a
 * click, a move of the focus or another sort, search or filter drops it. The footer tells the size of the
 * selection.
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
import { h, toast } from '../ui/dom';
import { COPY_ROWS_MAX, WRITE_ROWS_MAX } from './limits';
import { type RowWrite, writePaste } from './paste';
import type { RowDocs } from './row-docs';
import { type PageReader, type RowsRead, partialCopyNote, readRows } from './sheet-rows';
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
  /** How many rows the grid's order holds (its search and status filter), as the server last said. */
  total(): number;
  /** The grid's order (sort, search, status filter), as a key that differs when it does. */
  order(): string;
  /** A page of the shown sheet's rows in the grid's order. */
  readPage: PageReader;
}

/** The whole sheet selected (Ctrl/Cmd+A). */
interface WholeSheet {
  /** The grid's order it was made in: it covers the rows of that order. */
  order: string;
  /** The focused cell it was made at: it holds while the focus stays there. */
  at: { rowIndex: number; colId: string } | null;
}

const count = (n: number, one: string) => `${n.toLocaleString('en')} ${one}${n === 1 ? '' : 's'}`;

export class PagedBlock {
  /** The selection's size, for the footer ("1,000,000 rows × 14 columns selected"), or what a copy is doing. */
  readonly sizeElement = h('span', { class: 'selection-size', 'data-testid': 'selection-size' });
  private selection: GridSelection<Row> | null = null;
  private grid: GridApi<Row> | null = null;
  private host: HTMLElement | null = null;
  private whole: WholeSheet | null = null;
  /** What a copy or clear of the whole sheet is doing, shown in place of the size meanwhile. */
  private busy: string | null = null;
  private cleanup: Array<() => void> = [];

  constructor(private readonly hooks: BlockHooks) {}

  /** A new grid (a sheet shown): the block starts afresh on it, `host` being the element the grid is in. */
  attach(grid: GridApi<Row>, host: HTMLElement): void {
    for (const off of this.cleanup) off();
    const selection = new GridSelection<Row>(grid, host, () => this.showSize(), (row) => row.row_id);
    this.selection = selection;
    this.grid = grid;
    this.host = host;
    this.whole = null;
    host.classList.remove('has-block');
    this.showSize();
    // Before the grid: the block's keys are handled, and stopped, before AG Grid sees them.
    const before = (e: KeyboardEvent) => this.onKey(e, grid, selection);
    // After the grid handled a key in this same event (arrows, Tab, Enter moved its focus): the block follows.
    const after = (e: KeyboardEvent) => {
      if (!isInEditor(e.target)) this.refresh(selection);
    };
    // A press on a cell starts a block there (the selection's own listener): the whole sheet is no longer selected.
    const press = (e: PointerEvent) => {
      if (e.button === 0 && e.target instanceof Element && e.target.closest('.ag-cell')) this.dropWhole();
    };
    const copy = (e: ClipboardEvent) => this.onCopy(e, false);
    const cut = (e: ClipboardEvent) => this.onCopy(e, true);
    const refresh = () => this.refresh(selection);
    host.addEventListener('keydown', before, true);
    host.addEventListener('keydown', after);
    host.addEventListener('pointerdown', press, true);
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
        host.removeEventListener('pointerdown', press, true);
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
      const rule = (p: CellClassParams) => (this.whole !== null
        ? id === ROW_NUMBER_COL || this.hooks.columns().some((c) => c.id === id)
        : this.selection?.highlights(p.node.rowIndex, id) ?? false);
      return { ...def, cellClassRules: { ...def.cellClassRules, [name]: rule } };
    });
  }

  /**
   * Where a paste starts: the block's top-left cell (the sheet's first data cell when it is all selected), or the
   * focused cell; null when neither is a data cell.
   */
  pasteStart(): { rowIndex: number; colId: string } | null {
    const first = this.whole ? this.dataColumns()[0] : undefined;
    if (first) return { rowIndex: 0, colId: first.id };
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
    if (mod && !e.altKey && e.key.toLowerCase() === 'a') {
      stop();
      this.selectWhole(grid, selection);
    } else if (e.shiftKey && !mod && !e.altKey && e.key.startsWith('Arrow')) {
      stop();
      // A block grows from the focused cell, as after a click.
      this.dropWhole();
      const next = selection.extendBy(e.key);
      if (!next) return;
      grid.ensureIndexVisible(next.rowIndex);
      grid.ensureColumnVisible(next.colId);
      grid.setFocusedCell(next.rowIndex, next.colId);
    } else if (!mod && (e.key === 'Delete' || (e.key === 'Backspace' && (this.whole !== null || selection.multiCellBlock() !== null)))) {
      stop();
      void (this.whole ? this.clearWhole() : this.clear());
    } else if (e.key === 'Escape' && this.whole !== null) {
      this.dropWhole();
    } else if (e.key === 'Escape' && selection.multiCellBlock() !== null) {
      selection.collapse();
    }
  }

  /** Ctrl/Cmd+A: every row in the grid's order, all data columns; the block under it is the focused cell. */
  private selectWhole(grid: GridApi<Row>, selection: GridSelection<Row>): void {
    if (this.hooks.total() === 0 || this.dataColumns().length === 0) return;
    selection.collapse();
    const focused = grid.getFocusedCell();
    this.whole = { order: this.hooks.order(), at: focused ? { rowIndex: focused.rowIndex, colId: focused.column.getColId() } : null };
    this.host?.classList.add('has-block');
    grid.refreshCells();
    this.showSize();
  }

  /** The whole sheet is no longer selected: the block is the selection's again. */
  private dropWhole(): void {
    if (this.whole === null) return;
    this.whole = null;
    this.host?.classList.toggle('has-block', (this.selection?.highlighted() ?? null) !== null);
    if (this.grid && !this.grid.isDestroyed()) this.grid.refreshCells();
    this.showSize();
  }

  /** After a key, a focus move or rows read: the block follows the focus, the whole sheet holds while it stays. */
  private refresh(selection: GridSelection<Row>): void {
    selection.refresh();
    const whole = this.whole;
    if (whole) {
      const focused = this.grid?.getFocusedCell();
      const at = focused ? { rowIndex: focused.rowIndex, colId: focused.column.getColId() } : null;
      const moved = at?.rowIndex !== whole.at?.rowIndex || at?.colId !== whole.at?.colId;
      if (moved || this.hooks.order() !== whole.order) this.dropWhole();
    }
    this.showSize();
  }

  /**
   * The footer's words for the selection: its size when more than one cell, or what a copy is doing. The block
   * is read as highlighted: reading it afresh would bring it in line with a focus that the key or pointer
   * making it has not moved yet.
   */
  private showSize(): void {
    let text = this.busy ?? '';
    if (this.busy === null && this.whole) {
      text = `${count(this.hooks.total(), 'row')} × ${count(this.dataColumns().length, 'column')} selected`;
    } else if (this.busy === null) {
      const b = this.selection?.highlighted();
      if (b) text = `${count(b.bottom - b.top + 1, 'row')} × ${count(b.right - Math.max(1, b.left) + 1, 'column')} selected`;
    }
    this.sizeElement.textContent = text;
  }

  private setBusy(text: string | null): void {
    this.busy = text;
    this.showSize();
  }

  /** The shown sheet's data columns in display order (not the row number, nor the review status). */
  private dataColumns(): Column[] {
    const byId = new Map(this.hooks.columns().map((c) => [c.id, c]));
    return (this.selection?.dataColumns() ?? []).map((c) => byId.get(c.getColId())).filter((c): c is Column => c !== undefined);
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
    if (this.whole) {
      this.copyWhole(e.clipboardData, cut);
      return;
    }
    const block = this.block();
    if (!block) return;
    putOn(e.clipboardData, block.rows.map(({ data }) => data), block.columns);
    if (cut) void this.clear();
  }

  /**
   * A copy (or cut) of the whole sheet: at once when the grid has read every row, else once the rows are
   * read from the server, its first COPY_ROWS_MAX at most.
   */
  private copyWhole(clipboard: DataTransfer, cut: boolean): void {
    const columns = this.dataColumns();
    if (cut && !this.mayClear(this.hooks.total())) return;
    const loaded = this.loadedRows();
    if (loaded) {
      putOn(clipboard, loaded, columns);
      if (cut) void this.clearWhole(loaded);
      return;
    }
    const read = this.readWhole(cut ? WRITE_ROWS_MAX + 1 : COPY_ROWS_MAX, 'Copying');
    const text = read.then(({ rows }) => {
      // The sheet grew past what a cut empties since it was selected: nothing is cut.
      if (cut && rows.length > WRITE_ROWS_MAX) throw new Error(`it now holds more than ${WRITE_ROWS_MAX.toLocaleString('en')} rows, the most a cut empties`);
      return tsvOf(rows, columns);
    });
    writeClipboardLater(text).then(async () => {
      const { rows, total } = await read;
      const partial = partialCopyNote(rows.length, total);
      if (partial) toast(partial, 'error');
      else toast(`Copied ${count(rows.length, 'row')} × ${count(columns.length, 'column')}.`);
      if (cut) await this.clearWhole(rows);
    }, (err: unknown) => toast(`Could not copy the sheet: ${(err as Error).message}`, 'error'));
  }

  /** Every row of the grid's order, when the grid has read them all; null when it has not. */
  private loadedRows(): Row[] | null {
    const grid = this.grid;
    const total = this.hooks.total();
    if (!grid || grid.getDisplayedRowCount() !== total) return null;
    const rows: Row[] = [];
    for (let i = 0; i < total; i++) {
      const data = grid.getDisplayedRowAtIndex(i)?.data;
      if (!data) return null;
      rows.push(data);
    }
    return rows;
  }

  /** The first `max` rows of the grid's order, read from the server; the footer tells how far it got. */
  private async readWhole(max: number, doing: string): Promise<RowsRead> {
    this.setBusy(`${doing}…`);
    try {
      return await readRows(this.hooks.readPage, max, (read, total) => {
        this.setBusy(`${doing}: ${read.toLocaleString('en')} of ${count(Math.min(total, max), 'row')}…`);
      });
    } finally {
      this.setBusy(null);
    }
  }

  /** Whether Delete or a cut may empty `rows` rows; says why not when it may not. */
  private mayClear(rows: number): boolean {
    if (rows <= WRITE_ROWS_MAX) return true;
    toast(`Nothing was emptied: the selection is ${count(rows, 'row')}, and Delete or cut empties at most `
      + `${WRITE_ROWS_MAX.toLocaleString('en')} rows at once (each row is written in its own room). Search or filter the sheet to fewer rows.`, 'error');
    return false;
  }

  /**
   * Empties the whole sheet's cells that hold something (evidence left, as for a block), as one undo step:
   * `rows` when read already, else read from the server; refused whole past WRITE_ROWS_MAX rows.
   */
  private async clearWhole(rows?: readonly Row[]): Promise<void> {
    if (this.hooks.readOnly || !this.mayClear(rows?.length ?? this.hooks.total())) return;
    let read = rows;
    if (!read) {
      try {
        const answer = await this.readWhole(WRITE_ROWS_MAX + 1, 'Reading the rows to empty');
        if (!this.mayClear(Math.max(answer.total, answer.rows.length))) return;
        read = answer.rows;
      } catch (err) {
        toast(`Could not clear the cells: ${(err as Error).message}`, 'error');
        return;
      }
    }
    const columns = this.dataColumns();
    this.setBusy(`Emptying ${count(read.length, 'row')}…`);
    try {
      await this.write(read.map((data) => ({ id: data.row_id, data })), columns);
    } finally {
      this.setBusy(null);
    }
  }

  /** Empties the block's cells that hold something (evidence is anchored in sources, not typed: left), as one undo step. */
  private async clear(): Promise<void> {
    if (this.hooks.readOnly) return;
    const block = this.block();
    if (!block) return;
    await this.write(block.rows, block.columns);
  }

  /** Empties `columns` of `rows` where they hold something, evidence left, as one undo step. */
  private async write(rows: ReadonlyArray<{ id: string; data: Row }>, columns: readonly Column[]): Promise<void> {
    const sheetId = this.hooks.sheetId();
    const writes: RowWrite[] = [];
    for (const { id, data } of rows) {
      if (this.hooks.closed(id)) continue;
      const cells: Record<string, CellValue> = {};
      for (const column of columns) {
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

/** Rows' cells in `columns` as a block of tab-separated text. */
function tsvOf(rows: readonly Row[], columns: readonly Column[]): string {
  return toTsv(rows.map((data) => columns.map((c) => toText(data[c.id] ?? null))));
}

/** Puts rows on the clipboard of a copy event: their text, and their values for a paste into Tessera. */
function putOn(clipboard: DataTransfer, rows: readonly Row[], columns: readonly Column[]): void {
  const values = rows.map((data) => columns.map((c) => data[c.id] ?? null));
  const text = toTsv(values.map((line) => line.map((value) => toText(value))));
  clipboard.setData('text/plain', text);
  clipboard.setData(CELLS_TYPE, JSON.stringify({ text, values }));
}

/**
 * Puts text that is still being read on the clipboard, called from the copy event itself: browsers let a page
 * write the clipboard then. A ClipboardItem takes the text's promise (Safari requires that); a browser that
 * takes no promise in one is given the text once it is there.
 */
function writeClipboardLater(text: Promise<string>): Promise<void> {
  const clipboard = navigator.clipboard as Clipboard | undefined;
  if (!clipboard) return Promise.reject(new Error('this page may not write the clipboard (it needs https)'));
  if (typeof ClipboardItem === 'undefined' || typeof clipboard.write !== 'function') return text.then((t) => clipboard.writeText(t));
  const blob = text.then((t) => new Blob([t], { type: 'text/plain' }));
  blob.catch(() => undefined);
  return clipboard.write([new ClipboardItem({ 'text/plain': blob })]).catch(async () => clipboard.writeText(await text));
}
