/**
 * The rows `ref` cells name, for the paged grid, where the referenced sheet's rows are not in the browser
 * (docs/large-sheets.md#in-the-browser-the-paged-grid). A ref cell shows its row's label as the document grid does (its
 * date and summary, `refLabelColumns`). The refs on each page read are asked of the server in one batch per
 * referenced sheet (`…/rows?id=…`, at most 200 ids a request), and a cell drawn with a ref not known yet asks
 * for it too; what was read is kept in a small cache, and kept current by the row deltas, which carry the
 * changed row's cells (its label is made again from them, nothing read). The ref picker (`ref-editor.ts`)
 * searches the referenced sheet on the server (`…/rows?q=`, its first rows only).
 */
import type { GridApi } from 'ag-grid-community';
import type { RowDelta } from '../../model/codes';
import type { CellValue, Column } from '../../model/columns';
import { rowsPage } from '../api';
import { refLabelColumns, refLabelOf } from '../grid/context';
import { toText } from '../grid/values';
import { h } from '../ui/dom';

/** A row a ref may name: its label, and a hint of its other cells. */
export interface RefRow {
  id: string;
  label: string;
  hint: string;
}

/** Ids one request reads (the rows route's most). */
const IDS_AT_ONCE = 200;
/** Rows kept in the cache; the longest unused go first. */
const KEPT = 5000;
/** Refs asked for within this wait go in one request. */
const BATCH_WAIT_MS = 20;
/** Rows a search of the picker shows (the first of the server's answer). */
export const CHOICES = 50;
/** Longest hint of a row's other cells. */
const HINT_CHARS = 160;

type Cells = Record<string, unknown>;

export class RefRows {
  /** By `sheet\u0000row`: the row, or null when the sheet holds no such row. */
  private readonly known = new Map<string, RefRow | null>();
  /** Ids to read, by sheet, and those being read. */
  private readonly wanted = new Map<string, Set<string>>();
  private readonly reading = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Ref cells are redrawn once the editor open now closes. */
  private redrawAfterEdit = false;

  constructor(
    private readonly datasetId: string,
    /** The dataset's sheets with their columns (a row's label is made from its sheet's). */
    private readonly sheets: () => ReadonlyArray<{ id: string; columns: readonly Column[] }>,
    /** The grid shown now and its sheet's columns: its ref cells are redrawn when labels were read. */
    private readonly grid: () => GridApi | null,
    private readonly shownColumns: () => readonly Column[],
    /** Told when rows were read or changed: what the checks said of ref cells (a missing row) may differ now. */
    private readonly onKnown: () => void = () => undefined,
  ) {}

  /** The row a ref names as last read: undefined until read (it is asked for), null when its sheet holds no such row. */
  row(sheetId: string, rowId: string): RefRow | null | undefined {
    const key = keyOf(sheetId, rowId);
    const row = this.known.get(key);
    if (row === undefined) this.want(sheetId, [rowId]);
    else this.keep(key, row);
    return row;
  }

  /** What a ref cell shows: its row's label, the row as missing, or its id until the row is read. */
  cell(column: Column, value: unknown): HTMLElement | null {
    if (column.type !== 'ref' || !column.ref || typeof value !== 'string' || value === '') return null;
    const row = this.row(column.ref, value);
    if (row === undefined) return h('span', { class: 'ref-loading' }, value);
    return row === null ? h('span', { class: 'ref-missing' }, `missing row ${value}`) : h('span', { class: 'ref-label', title: row.hint }, row.label);
  }

  /** Rows just read (a page): the rows their ref cells name that are not known are asked for, in one batch. */
  pageRows(columns: readonly Column[], rows: readonly Cells[]): void {
    for (const column of columns) {
      const sheet = column.type === 'ref' ? column.ref : undefined;
      if (!sheet) continue;
      const ids = rows.map((r) => r[column.id]).filter((v): v is string => typeof v === 'string' && v !== '');
      this.want(sheet, ids.filter((id) => !this.known.has(keyOf(sheet, id))));
    }
  }

  /** Rows changed in their rooms: a known row's label is made again from its cells; a deleted row is missing. */
  deltas(deltas: readonly RowDelta[]): void {
    let changed = false;
    for (const delta of deltas) {
      const key = keyOf(delta.sheet, delta.row);
      const before = this.known.get(key);
      if (before === undefined) continue;
      const now = delta.cells === null ? null : this.rowOf(delta.sheet, delta.row, delta.cells);
      if (JSON.stringify(now) === JSON.stringify(before)) continue;
      this.keep(key, now);
      changed = true;
    }
    if (changed) this.redraw();
  }

  /**
   * The rows of `sheetId` whose cells hold `text`, as the server searches a sheet (its first `CHOICES`), or
   * the sheet's first rows when `text` is empty. What is found is kept: a pick shows its label at once.
   */
  async search(sheetId: string, text: string): Promise<RefRow[]> {
    const query = new URLSearchParams({ limit: String(CHOICES) });
    if (text !== '') query.set('q', text);
    const page = await rowsPage(this.datasetId, sheetId, query);
    return page.rows.map((cells) => {
      const row = this.rowOf(sheetId, cells.row_id, cells);
      this.keep(keyOf(sheetId, row.id), row);
      return row;
    });
  }

  /** A row's label and hint from its cells. */
  private rowOf(sheetId: string, rowId: string, cells: Cells): RefRow {
    const columns = this.sheets().find((s) => s.id === sheetId)?.columns ?? [];
    const labelled = refLabelColumns(columns);
    const cell = (id: string) => cells[id] as CellValue | undefined;
    const hint = columns.filter((c) => !labelled.includes(c) && c.type !== 'evidence')
      .map((c) => toText(cell(c.id) ?? null).replace(/\s+/g, ' ').trim()).filter((t) => t !== '').join(' · ');
    return { id: rowId, label: refLabelOf(cell, labelled) || rowId, hint: hint.length > HINT_CHARS ? `${hint.slice(0, HINT_CHARS - 1)}…` : hint };
  }

  private want(sheetId: string, ids: readonly string[]): void {
    const fresh = ids.filter((id) => !this.reading.has(keyOf(sheetId, id)));
    if (fresh.length === 0) return;
    const set = this.wanted.get(sheetId) ?? new Set<string>();
    for (const id of fresh) set.add(id);
    this.wanted.set(sheetId, set);
    this.timer ??= setTimeout(() => void this.readWanted(), BATCH_WAIT_MS);
  }

  /** Reads the rows asked for, a request per sheet and 200 ids; ids the server does not answer are missing rows. */
  private async readWanted(): Promise<void> {
    this.timer = undefined;
    const batches = [...this.wanted].flatMap(([sheetId, set]) => {
      const ids = [...set];
      return Array.from({ length: Math.ceil(ids.length / IDS_AT_ONCE) }, (_, i) => ({ sheetId, ids: ids.slice(i * IDS_AT_ONCE, (i + 1) * IDS_AT_ONCE) }));
    });
    this.wanted.clear();
    const read = await Promise.all(batches.map(async ({ sheetId, ids }) => {
      const keys = ids.map((id) => keyOf(sheetId, id));
      for (const key of keys) this.reading.add(key);
      try {
        const query = new URLSearchParams([...ids.map((id) => ['id', id]), ['limit', String(IDS_AT_ONCE)]]);
        const page = await rowsPage(this.datasetId, sheetId, query);
        const found = new Map(page.rows.map((cells) => [cells.row_id, this.rowOf(sheetId, cells.row_id, cells)]));
        for (const id of ids) this.keep(keyOf(sheetId, id), found.get(id) ?? null);
        return true;
      } catch (err) {
        // Left unknown: asked for again when next drawn.
        console.warn(`The rows named by references to ${sheetId} could not be read`, err);
        return false;
      } finally {
        for (const key of keys) this.reading.delete(key);
      }
    }));
    if (read.some(Boolean)) this.redraw();
  }

  private keep(key: string, row: RefRow | null): void {
    this.known.delete(key);
    this.known.set(key, row);
    if (this.known.size > KEPT) this.known.delete(this.known.keys().next().value!);
  }

  /** Redraws the shown sheet's ref cells; not under an open editor (a redraw would close it), but once it closes. */
  private redraw(): void {
    this.onKnown();
    const grid = this.grid();
    const columns = this.shownColumns().filter((c) => c.type === 'ref').map((c) => c.id);
    if (!grid || columns.length === 0) return;
    if (grid.getEditingCells().length === 0) {
      grid.refreshCells({ columns, force: true });
      return;
    }
    if (this.redrawAfterEdit) return;
    this.redrawAfterEdit = true;
    const after = () => {
      grid.removeEventListener('cellEditingStopped', after);
      this.redrawAfterEdit = false;
      if (!grid.isDestroyed()) this.redraw();
    };
    grid.addEventListener('cellEditingStopped', after);
  }
}

const keyOf = (sheetId: string, rowId: string) => `${sheetId}\u0000${rowId}`;
