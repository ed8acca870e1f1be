/**
 * Review on the dataset page: the toolbar items (status filter, Flag, Review, Progress), the grid's
 * right-click menu and Ctrl+Shift+F, the flag dialog, approving, and jumping to a flagged row. The
 * page gives it each new grid (`attachGrid`) and owns the side panels: what the controller wants of
 * the page (another sheet, a panel) it asks for with events.
 */
import { ObservableV2 } from 'lib0/observable';
import type * as Y from 'yjs';
import { api, ApiError } from '../api';
import { type ReviewStatus, getSheet, getSheets, readColumns, sheetName } from '../../model/document';
import { MAX_BULK_APPROVE } from '../../model/reviews';
import { type Role, hasRole } from '../../model/roles';
import type { SheetGrid } from '../grid/grid';
import { ROW_NUMBER_COL } from '../grid/columns';
import { refLabeller } from '../grid/context';
import { h, toast } from '../ui/dom';
import { type MenuEntry, showContextMenu } from './context-menu';
import { flagDialog } from './flag-dialog';
import { type GridReview, REVIEW_STATUS_COL, ReviewMarks, gridReview, setStatusFilter } from './grid-review';
import { STATUS_LABELS } from './reasons';
import type { DuplicateQueue } from '../duplicates/queue';
import type { ApproveResult } from './panel-context';
import { ReviewPanel } from './review-panel';
import { ReviewIndex } from './review-index';
import { RowCoders } from './row-coders';

export interface ReviewControllerOptions {
  datasetId: string;
  /** The signed-in user's name. */
  me: string;
  /** The signed-in user's role on this dataset. */
  role: Role;
  doc: Y.Doc;
  /** The document whose `reviews` root is read, when it is not `doc` (the paged grid's `ReviewMirror`). */
  reviews?: Y.Doc;
  /** The origin of this user's own edits (to know at once that a row became theirs). */
  localOrigin: unknown;
}

/**
 * What the controller asks of the page. Listeners run synchronously: after `show-sheet` the page has
 * shown the sheet and attached its grid.
 */
export interface ReviewEvents {
  'show-sheet': (sheetId: string) => void;
  /** Open the review panel (if it is not) on a row's flags. */
  'open-thread': (rowId: string) => void;
  /** Open the row history panel (if it is not). */
  'open-history': () => void;
  'toggle-review-panel': () => void;
}

export class ReviewController {
  /** What the controller asks of the page. */
  readonly events = new ObservableV2<ReviewEvents>();
  private readonly index: ReviewIndex;
  private readonly coders: RowCoders;
  private readonly canReview: boolean;
  private readonly review: GridReview;
  private grid: SheetGrid | null = null;
  private sheetId = '';
  private marks: ReviewMarks | null = null;
  private statusFilter: ReviewStatus | null = null;
  private readonly filterSelect = h('select', { class: 'status-filter', 'aria-label': 'Show rows by review status', 'data-testid': 'status-filter' },
    h('option', { value: '' }, 'All statuses'),
    ...(['unreviewed', 'flagged', 'approved'] as const).map((s) => h('option', { value: s }, STATUS_LABELS[s])));
  private reasons: Promise<string[]> | null = null;
  private readonly labels: ReturnType<typeof refLabeller>;
  private readonly badge = h('span', { class: 'button-badge', 'data-testid': 'open-flags' });
  private readonly off: Array<() => void> = [];
  /** Further entries of the right-click menu on a cell, from other parts of the page. */
  private readonly menuProviders: Array<(rowId: string, columnId: string) => MenuEntry[]> = [];

  /** The passages a row is coded from, for a flag's detail (the reading pane gives them). */
  private rowPassages: ((sheetId: string, rowId: string) => HTMLElement | null) | null = null;
  private duplicates: DuplicateQueue | undefined;

  constructor(private readonly options: ReviewControllerOptions) {
    const { doc, datasetId, me, role, localOrigin } = options;
    this.canReview = hasRole(role, 'reviewer');
    this.index = new ReviewIndex(options.reviews ?? doc);
    this.coders = new RowCoders(datasetId, doc, this.index, me, localOrigin);
    this.review = gridReview(this.index);
    this.labels = refLabeller(doc);
    this.off.push(this.index.onChange(() => this.renderBadge()));
    this.renderBadge();
  }

  destroy(): void {
    for (const off of this.off) off();
    this.marks?.destroy();
    this.coders.destroy();
    this.index.destroy();
    this.events.destroy();
  }

  /** For SheetGridOptions.review: the status column and the flagged-cell marks. */
  get gridReview(): GridReview {
    return this.review;
  }

  /** Call after each new grid (a sheet shown). */
  attachGrid(grid: SheetGrid, sheetId: string): void {
    this.grid = grid;
    this.sheetId = sheetId;
    this.marks?.destroy();
    this.marks = new ReviewMarks(grid.api, this.index, sheetId);
    if (this.statusFilter !== null) void setStatusFilter(grid.api, this.statusFilter);
  }

  /** Right-click menu and Ctrl+Shift+F on the grid's host element (it outlives the grids in it). */
  bindGridHost(host: HTMLElement): void {
    const onMenu = (e: MouseEvent) => this.onContextMenu(e);
    const onKey = (e: KeyboardEvent) => this.onKeyDown(e);
    host.addEventListener('contextmenu', onMenu);
    host.addEventListener('keydown', onKey, true);
    this.off.push(() => host.removeEventListener('contextmenu', onMenu), () => host.removeEventListener('keydown', onKey, true));
  }

  /** Adds entries to the right-click menu of the grid's cells (after the review's own). */
  addMenuEntries(provider: (rowId: string, columnId: string) => MenuEntry[]): void {
    this.menuProviders.push(provider);
  }

  /** Toolbar items: the status filter, Flag, Review (with the open-flag count) and Progress. */
  toolbarItems(): HTMLElement[] {
    const filter = this.filterSelect;
    filter.addEventListener('change', () => {
      this.statusFilter = (filter.value || null) as ReviewStatus | null;
      if (this.grid) void setStatusFilter(this.grid.api, this.statusFilter);
    });
    const flag = this.canReview
      ? h('button', {
        type: 'button', class: 'button', 'data-testid': 'flag-button', title: 'Flag the focused cell, or the row from its number (Ctrl+Shift+F)',
        onclick: () => this.flagFocused(),
      }, '⚑ Flag')
      : null;
    const review = h('button', {
      type: 'button', class: 'button', 'data-testid': 'review-button', title: 'Open flags, threads and approval',
      onclick: () => this.events.emit('toggle-review-panel', []),
    }, 'Review', this.badge);
    return [filter, ...(flag ? [flag] : []), review];
  }

  /** A new review side panel; the page owns it, puts it in its side area and destroys it. */
  createPanel(onClose: () => void): ReviewPanel {
    return new ReviewPanel({
      datasetId: this.options.datasetId,
      me: this.options.me,
      role: this.options.role,
      index: this.index,
      coders: this.coders,
      sheets: () => [...getSheets(this.options.doc).entries()].map(([id, s]) => ({ id, name: sheetName(s) || id })),
      rowLabel: (sheetId, rowId) => this.rowLabel(sheetId, rowId),
      columnName: (sheetId, columnId) => this.columnName(sheetId, columnId),
      goTo: (sheetId, rowId, columnId) => void this.goTo(sheetId, rowId, columnId),
      selectedRowIds: () => this.grid?.selectedRowIds() ?? [],
      approve: (rowIds) => this.approve(rowIds),
      rowPassages: (sheetId, rowId) => this.rowPassages?.(sheetId, rowId) ?? null,
      duplicates: this.duplicates,
    }, onClose);
  }

  /** Sets the likely duplicates the review panel lists and links `duplicate` flags to. */
  setDuplicates(queue: DuplicateQueue): void {
    this.duplicates = queue;
  }

  /** Sets where a flag's detail gets the row's passages from. */
  setRowPassages(passages: (sheetId: string, rowId: string) => HTMLElement | null): void {
    this.rowPassages = passages;
  }

  /** Opens the flag dialog for a cell (or the row when `columnId` is null). */
  async flag(rowId: string, columnId: string | null): Promise<void> {
    if (!this.canReview) return;
    const { sheetId } = this;
    this.reasons ??= api.get('/api/datasets/{id}/settings', { params: { id: this.options.datasetId } }).then((s) => s.flagReasons, (err: unknown) => {
      this.reasons = null;
      throw err;
    });
    let reasons: string[];
    try {
      reasons = await this.reasons;
    } catch (err) {
      toast(`Could not load the flag reasons: ${(err as Error).message}`, 'error');
      return;
    }
    const sheet = getSheet(this.options.doc, sheetId);
    const where = [
      sheet ? sheetName(sheet) || sheetId : sheetId,
      this.rowNumber(rowId),
      columnId === null ? 'whole row' : this.columnName(sheetId, columnId),
    ].filter(Boolean).join(' · ');
    const label = this.labels.refLabel(sheetId, rowId);
    const flagId = await flagDialog(this.options.datasetId, { sheet: sheetId, row: rowId, column: columnId, label: label ? `${where} — ${label}` : where }, reasons);
    if (flagId) toast(columnId === null ? 'Row flagged.' : 'Cell flagged.');
  }

  /**
   * Approves rows (those approved already are left out) and tells the user what the server said: one
   * row through its own endpoint, several in bulk requests.
   */
  async approve(rowIds: readonly string[]): Promise<ApproveResult> {
    const result: ApproveResult = { approved: [], refused: [] };
    const { sheetId } = this;
    const label = (row: string) => [this.rowNumber(row), this.labels.refLabel(sheetId, row)].filter(Boolean).join(' · ') || row;
    const rows = rowIds.filter((row) => this.index.status(row) !== 'approved');
    try {
      if (rows.length === 1) {
        const row = rows[0]!;
        try {
          await api.post('/api/datasets/{id}/rows/{rowId}/approve', { params: { id: this.options.datasetId, rowId: row } });
          result.approved.push(row);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          result.refused.push({ row, sheet: sheetId, label: label(row), message: err.message });
        }
      }
      for (let i = 0; rows.length > 1 && i < rows.length; i += MAX_BULK_APPROVE) {
        const answer = await api.post('/api/datasets/{id}/approve', { params: { id: this.options.datasetId }, body: { rows: [...rows.slice(i, i + MAX_BULK_APPROVE)] } });
        result.approved.push(...answer.approved);
        result.refused.push(...answer.refused.map((r) => ({ row: r.row, sheet: sheetId, label: label(r.row), message: r.message })));
      }
    } catch (err) {
      const message = err instanceof ApiError && err.status === 404 && rows.length > 1
        ? 'This server cannot approve several rows at once yet: approve the rows one at a time.'
        : `Could not approve: ${(err as Error).message}`;
      const done = new Set(result.approved);
      const refused = new Set(result.refused.map((r) => r.row));
      for (const row of rows) if (!done.has(row) && !refused.has(row)) result.refused.push({ row, sheet: sheetId, label: label(row), message });
    }
    const n = result.approved.length;
    if (result.refused.length === 0) {
      toast(n === 0 ? 'Already approved.' : n === 1 ? 'Row approved.' : `${n} rows approved.`);
    } else {
      const first = result.refused[0]!.message;
      toast(n > 0
        ? `${n} approved; ${result.refused.length} not: ${first}`
        : result.refused.length === 1 ? `Not approved: ${first}` : `${result.refused.length} rows not approved: ${first}`, 'error');
    }
    return result;
  }

  /** Shows a row: its sheet, scrolled into view, the cell focused. A status filter hiding it is lifted. */
  async goTo(sheetId: string, rowId: string, columnId: string | null): Promise<void> {
    if (this.sheetId !== sheetId) this.events.emit('show-sheet', [sheetId]);
    const { grid } = this;
    if (!grid || this.sheetId !== sheetId) return;
    const api = grid.api;
    let node = api.getRowNode(rowId);
    if (!node) {
      toast('That row has been deleted.');
      return;
    }
    if (node.rowIndex === null && this.statusFilter !== null) {
      this.statusFilter = null;
      this.filterSelect.value = '';
      await setStatusFilter(api, null);
      node = api.getRowNode(rowId) ?? node;
    }
    if (node.rowIndex === null) {
      toast('That row is hidden by a filter or the search.');
      return;
    }
    const column = columnId ?? api.getAllDisplayedColumns().find((c) => c.getColId() !== ROW_NUMBER_COL)?.getColId();
    api.ensureNodeVisible(node, 'middle');
    if (column) {
      api.ensureColumnVisible(column, 'auto');
      api.setFocusedCell(node.rowIndex, column);
    }
  }

  private flagFocused(): void {
    const { grid } = this;
    const focused = grid?.api.getFocusedCell();
    const rowId = grid?.focusedRowId();
    if (!focused || !rowId) {
      toast('Click the cell to flag first, or a row number to flag the row.');
      return;
    }
    const colId = focused.column.getColId();
    void this.flag(rowId, colId === ROW_NUMBER_COL || colId === REVIEW_STATUS_COL ? null : colId);
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (!(e.ctrlKey || e.metaKey) || !e.shiftKey || e.key.toLowerCase() !== 'f') return;
    const target = e.target as Element | null;
    if (target?.closest('input, textarea, select, .ag-cell-inline-editing, .popup-editor')) return;
    e.preventDefault();
    e.stopPropagation();
    this.flagFocused();
  }

  private onContextMenu(e: MouseEvent): void {
    const target = e.target as Element | null;
    if (!target || target.closest('input, textarea, .ag-cell-inline-editing, .popup-editor')) return;
    const cell = target.closest<HTMLElement>('.ag-cell[col-id]');
    const rowId = cell?.closest('.ag-row[row-id]')?.getAttribute('row-id');
    const colId = cell?.getAttribute('col-id');
    const { grid } = this;
    if (!cell || !rowId || !colId || !grid) return;
    e.preventDefault();
    const selected = grid.selectedRowIds();
    const rows = selected.includes(rowId) && selected.length > 1 ? selected : [rowId];
    // The menu is about the cell under the pointer: focus it, unless it is in the selected block.
    const node = grid.api.getRowNode(rowId);
    if (rows.length === 1 && node?.rowIndex != null) grid.api.setFocusedCell(node.rowIndex, colId);
    const isCell = colId !== ROW_NUMBER_COL && colId !== REVIEW_STATUS_COL;
    const flags = this.index.rowFlags(rowId);
    const open = flags.filter((f) => f.status === 'open').length;
    const entries: MenuEntry[] = [];
    if (this.canReview) {
      if (isCell) entries.push({ label: 'Flag this cell…', keys: 'Ctrl+Shift+F', action: 'flag-cell', run: () => void this.flag(rowId, colId) });
      entries.push({ label: 'Flag this row…', keys: isCell ? undefined : 'Ctrl+Shift+F', action: 'flag-row', run: () => void this.flag(rowId, null) });
    }
    if (flags.length > 0) {
      entries.push({
        label: open > 0 ? `Open flag thread${open > 1 ? `s (${open})` : ''}` : 'Show resolved flags',
        action: 'open-thread', run: () => this.events.emit('open-thread', [rowId]),
      });
    }
    if (this.canReview) {
      entries.push('separator', {
        label: rows.length > 1 ? `Approve ${rows.length} rows` : 'Approve row',
        action: 'approve', disabled: rows.length === 1 && (open > 0 || this.index.status(rowId) === 'approved'),
        run: () => void this.approve(rows),
      });
    }
    if (isCell) for (const provider of this.menuProviders) entries.push(...provider(rowId, colId));
    entries.push('separator', { label: 'Row history', action: 'history', run: () => this.events.emit('open-history', []) });
    showContextMenu(e.clientX, e.clientY, entries.filter((x, i, all) => x !== 'separator' || (i > 0 && all[i - 1] !== 'separator')));
  }

  private renderBadge(): void {
    const n = this.index.openCount;
    const text = n > 0 ? String(n) : '';
    if (this.badge.textContent !== text) this.badge.textContent = text;
    this.badge.hidden = n === 0;
    this.badge.title = `${n} open flag${n === 1 ? '' : 's'}`;
  }

  private rowLabel(sheetId: string, rowId: string): string | null {
    const label = this.labels.refLabel(sheetId, rowId);
    if (label === null) return null;
    const number = sheetId === this.sheetId ? this.rowNumber(rowId) : '';
    return number ? `${number} · ${label}` : label;
  }

  /** "row 3": the row's place in the grid as shown now, if it is shown. */
  private rowNumber(rowId: string): string {
    const index = this.grid?.api.getRowNode(rowId)?.rowIndex;
    return index === null || index === undefined ? '' : `row ${index + 1}`;
  }

  private columnName(sheetId: string, columnId: string): string {
    const sheet = getSheet(this.options.doc, sheetId);
    return (sheet ? readColumns(sheet) : []).find((c) => c.id === columnId)?.name ?? columnId;
  }
}
