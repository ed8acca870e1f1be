/**
 * Concurrent-edit conflicts on the dataset page: the marks in each grid (for everyone), the sheet's
 * count in the footer with buttons that step from one conflict to the next, and for editors the
 * right-click entries that keep the cell's value or use the other one.
 */
import type { GridApi } from 'ag-grid-community';
import type * as Y from 'yjs';
import { api, ApiError } from '../api';
import { type Role, canEdit } from '../../model/roles';
import type { MenuEntry } from '../review/context-menu';
import { h, toast } from '../ui/dom';
import { count } from '../ui/plural';
import { ConflictIndex } from './conflict-index';
import { ConflictMarks, type GridConflicts, gridConflicts, quote } from './grid-conflicts';

export interface ConflictControllerOptions {
  datasetId: string;
  role: Role;
  /** The document whose `conflicts` root is read: the dataset's, or the paged grid's `ConflictMirror`. */
  doc: Y.Doc;
  /** Shows a cell: its row scrolled into view, the cell focused. */
  goTo(sheetId: string, rowId: string, columnId: string): void;
  /**
   * Where rows the grid has not read stand in its order (a grid that reads pages); without it, a row the
   * grid does not hold is taken as hidden by its filter.
   */
  locate?(sheetId: string, rowIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
}

/** The grid the marks are drawn in, and how its rows' data name them. */
interface AttachedGrid {
  api: GridApi;
  rowIdOf(data: unknown): string | undefined;
}

export class ConflictController {
  private readonly index: ConflictIndex;
  private readonly conflicts: GridConflicts;
  private marks: ConflictMarks | null = null;
  private grid: AttachedGrid | null = null;
  private sheetId = '';
  private readonly countText = h('span', { 'data-testid': 'conflict-count' });
  private readonly previousButton = h('button', {
    type: 'button', class: 'button subtle small', 'data-testid': 'conflict-previous', title: 'Go to the previous conflict', 'aria-label': 'Previous conflict',
    onclick: () => void this.step(-1),
  }, '‹');
  private readonly nextButton = h('button', {
    type: 'button', class: 'button subtle small', 'data-testid': 'conflict-next', title: 'Go to the next conflict', 'aria-label': 'Next conflict',
    onclick: () => void this.step(1),
  }, '›');
  /** For the sheet footer: how many open conflicts the sheet has, and ‹ › to step through them; hidden when none. */
  readonly footerElement = h('span', { class: 'conflict-stepper', 'data-testid': 'conflicts-footer', hidden: true },
    this.countText, this.previousButton, this.nextButton);

  constructor(private readonly options: ConflictControllerOptions) {
    this.index = new ConflictIndex(options.doc);
    this.conflicts = gridConflicts(this.index, () => this.sheetId);
    this.index.onChange(() => this.renderCount());
  }

  destroy(): void {
    this.marks?.destroy();
    this.index.destroy();
  }

  private renderCount(): void {
    const n = this.index.openIn(this.sheetId).length;
    this.countText.textContent = count(n, 'conflict');
    this.footerElement.hidden = n === 0;
  }

  /**
   * Focuses the next (1) or previous (-1) cell with an open conflict after the focused cell, in the
   * grid's order (rows as shown, then columns left to right), going round at the end.
   */
  async step(direction: 1 | -1): Promise<void> {
    const api = this.grid?.api;
    if (!api || api.isDestroyed()) return;
    const sheetId = this.sheetId;
    const open = this.index.openIn(sheetId);
    const rows = new Map<string, number>();
    for (const c of open) {
      const rowIndex = api.getRowNode(c.row)?.rowIndex;
      if (rowIndex !== null && rowIndex !== undefined) rows.set(c.row, rowIndex);
    }
    const unread = [...new Set(open.map((c) => c.row).filter((row) => !rows.has(row)))];
    if (unread.length > 0 && this.options.locate) {
      try {
        for (const [row, index] of await this.options.locate(sheetId, unread)) rows.set(row, index);
      } catch (err) {
        toast(`Could not find the conflicts' rows: ${(err as Error).message}`, 'error');
        return;
      }
      if (this.grid?.api !== api || this.sheetId !== sheetId || api.isDestroyed()) return;
    }
    const columns = api.getAllDisplayedColumns().map((c) => c.getColId());
    const position = (c: { row: string; column: string }) => {
      const rowIndex = rows.get(c.row);
      const column = columns.indexOf(c.column);
      return rowIndex === undefined || column < 0 ? null : rowIndex * (columns.length + 1) + column;
    };
    const cells = open
      .map((c) => ({ conflict: c, at: position(c) }))
      .filter((c): c is { conflict: typeof c.conflict; at: number } => c.at !== null)
      .sort((a, b) => a.at - b.at);
    if (cells.length === 0) {
      toast(open.length > 0 ? 'The conflicts are on rows hidden by a filter or the search.' : 'No conflicts on this sheet.');
      return;
    }
    const focused = api.getFocusedCell();
    const here = focused ? focused.rowIndex * (columns.length + 1) + columns.indexOf(focused.column.getColId()) : null;
    const target = here === null
      ? cells[direction === 1 ? 0 : cells.length - 1]!
      : direction === 1
        ? cells.find((c) => c.at > here) ?? cells[0]!
        : [...cells].reverse().find((c) => c.at < here) ?? cells[cells.length - 1]!;
    this.options.goTo(this.sheetId, target.conflict.row, target.conflict.column);
  }

  /** For SheetGridOptions.conflicts: the marks on cells with open conflicts. */
  get gridConflicts(): GridConflicts {
    return this.conflicts;
  }

  /** Call with each new grid (a sheet shown), before it draws: the marks follow the sheet. */
  setSheet(sheetId: string): void {
    this.sheetId = sheetId;
    this.renderCount();
  }

  /** `rowIdOf`: a row's id from its data (the whole-document grid's rows keep it as `id`). */
  attachGrid(api: GridApi, sheetId: string, rowIdOf: (data: unknown) => string | undefined = (data) => (data as { id?: string } | undefined)?.id): void {
    this.sheetId = sheetId;
    this.grid = { api, rowIdOf };
    this.renderCount();
    this.marks?.destroy();
    this.marks = new ConflictMarks(api, this.index, rowIdOf);
  }

  /** Right-click entries for a cell with an open conflict: keep its value, or use the other one (editors). */
  menuEntries(rowId: string, columnId: string): MenuEntry[] {
    const open = this.index.openAt(this.sheetId, rowId, columnId);
    const latest = open.at(-1);
    if (!latest || !canEdit(this.options.role)) return [];
    const by = (name: string | null) => (name ? `${name}'s ` : '');
    return [
      'separator',
      {
        label: `Keep ${by(latest.keptBy)}value ${quote(latest.kept)}`, action: 'conflict-keep',
        run: () => void this.resolve(latest.id, 'kept'),
      },
      {
        label: `Use the other value: ${by(latest.lostBy)}${quote(latest.lost)}`, action: 'conflict-use-other',
        run: () => void this.resolve(latest.id, 'lost'),
      },
    ];
  }

  private async resolve(conflictId: string, value: 'kept' | 'lost'): Promise<void> {
    try {
      await api.post('/api/datasets/{id}/conflicts/{conflictId}/resolve', { params: { id: this.options.datasetId, conflictId }, body: { value } });
      toast(value === 'kept' ? 'Value kept.' : 'The other value is in the cell now.');
    } catch (err) {
      toast(err instanceof ApiError ? err.message : `Could not resolve: ${(err as Error).message}`, 'error');
    }
  }
}
