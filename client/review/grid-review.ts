/**
 * Review in the grid: the read-only status column (`review_status`), the mark on cells with an open
 * flag, and redrawing just the rows whose review changed, live for everyone.
 */
import type { CellClassParams, ColDef, GridApi, ICellRendererParams, ITooltipParams } from 'ag-grid-community';
import type { ReviewStatus } from '../../model/document';
import type { RowData } from '../grid/binding';
import { ROW_NUMBER_COL } from '../grid/columns';
import { type FlagView, ReviewIndex } from './review-index';
import { STATUS_LABELS, reasonLabel } from './reasons';

/** The status column's id: the export's name for the same thing (a data column of that id would clash there too). */
export const REVIEW_STATUS_COL = 'review_status';

/** What the grid asks of review (see SheetGridOptions.review). */
export interface GridReview {
  /** Columns after the data columns: the status column. */
  columnDefs(): ColDef<RowData>[];
  /** A cell's open flags as tooltip text, or null when it has none. */
  cellFlag(rowId: string, columnId: string): string | null;
}

const STATUS_ORDER: Record<ReviewStatus, number> = { flagged: 0, unreviewed: 1, approved: 2 };

/** Describes flags for a tooltip: "Flagged by Rita: Wrong event type — MEET?". */
function flagSummary(flags: readonly FlagView[]): string {
  return flags.map((f) => `⚑ ${reasonLabel(f.reason)} (${f.by})${f.note ? ` — ${f.note}` : ''}`).join('\n');
}

export function gridReview(index: ReviewIndex): GridReview {
  return {
    columnDefs: () => [statusColumnDef(index)],
    cellFlag(rowId, columnId) {
      const flags = index.openCellFlags(rowId, columnId);
      return flags.length === 0 ? null : flagSummary(flags);
    },
  };
}

function statusColumnDef(index: ReviewIndex): ColDef<RowData> {
  return {
    colId: REVIEW_STATUS_COL,
    headerName: 'Review',
    headerTooltip: 'Review status of the row: unreviewed, flagged (open flags) or approved. Set by reviewers, not typed.',
    width: 132,
    minWidth: 110,
    pinned: 'right',
    lockPinned: true,
    suppressMovable: true,
    editable: false,
    sortable: true,
    resizable: true,
    suppressHeaderMenuButton: true,
    suppressHeaderFilterButton: true,
    // Filtered from the toolbar (setStatusFilter); the built-in text filter does the matching.
    filter: 'agTextColumnFilter',
    valueGetter: (p) => p.data?.status ?? null,
    comparator: (a: ReviewStatus | null, b: ReviewStatus | null) => STATUS_ORDER[a ?? 'unreviewed'] - STATUS_ORDER[b ?? 'unreviewed'],
    getQuickFilterText: () => '',
    cellClass: 'review-status-cell',
    cellClassRules: {
      'status-flagged': (p: CellClassParams<RowData>) => p.data?.status === 'flagged',
      'status-approved': (p: CellClassParams<RowData>) => p.data?.status === 'approved',
    },
    cellRenderer: (p: ICellRendererParams<RowData>) => {
      const status = p.data?.status ?? 'unreviewed';
      const open = p.data ? index.openRowFlags(p.data.id).length : 0;
      return statusPill(status, open);
    },
    tooltipValueGetter: (p: ITooltipParams<RowData>) => {
      if (!p.data) return undefined;
      const open = index.openRowFlags(p.data.id);
      return open.length > 0 ? flagSummary(open) : STATUS_LABELS[p.data.status];
    },
  };
}

/** Shows only rows of one status (null: all rows). */
export async function setStatusFilter(api: GridApi<RowData>, status: ReviewStatus | null): Promise<void> {
  await api.setColumnFilterModel(REVIEW_STATUS_COL, status === null ? null : { filterType: 'text', type: 'equals', filter: status });
  api.onFilterChanged();
}

/**
 * Redraws the cells whose flags changed: the flagged cells, the row number (its ⚑) and the status
 * column of each touched row. A cell being edited is redrawn when its edit ends, so the editor stays.
 */
export class ReviewMarks {
  private readonly deferred = new Set<string>();
  private readonly off: Array<() => void> = [];
  /** Open-flag columns per row as last drawn, to find the cells whose mark went away. */
  private drawn = new Map<string, Set<string>>();
  private pending: Set<string> | null = null;

  constructor(private readonly api: GridApi<RowData>, private readonly index: ReviewIndex, private readonly sheetId: string) {
    // After the transaction: the sheet binding must have put the rows' new status into the grid first.
    this.off.push(index.onChange((rows) => {
      if (this.pending) {
        for (const id of rows) this.pending.add(id);
        return;
      }
      this.pending = new Set(rows);
      queueMicrotask(() => {
        const batch = this.pending!;
        this.pending = null;
        this.refresh(batch);
      });
    }));
    const onStopped = () => this.flush();
    api.addEventListener('cellEditingStopped', onStopped);
    this.off.push(() => {
      if (!api.isDestroyed()) api.removeEventListener('cellEditingStopped', onStopped);
    });
    for (const f of index.flags()) if (f.sheet === sheetId && f.status === 'open' && f.column) this.columnsOf(f.row).add(f.column);
  }

  destroy(): void {
    for (const off of this.off) off();
  }

  private columnsOf(rowId: string): Set<string> {
    let set = this.drawn.get(rowId);
    if (!set) this.drawn.set(rowId, (set = new Set()));
    return set;
  }

  private refresh(rowIds: ReadonlySet<string>): void {
    if (this.api.isDestroyed()) return;
    const editing = new Set(this.api.getEditingCells().map((c) =>
      `${this.api.getDisplayedRowAtIndex(c.rowIndex)?.data?.id ?? ''}\u0000${c.column?.getColId() ?? ''}`));
    for (const rowId of rowIds) {
      const node = this.api.getRowNode(rowId);
      const now = new Set(this.index.openRowFlags(rowId).filter((f) => f.sheet === this.sheetId && f.column).map((f) => f.column!));
      const columns = new Set([...(this.drawn.get(rowId) ?? []), ...now, REVIEW_STATUS_COL, ROW_NUMBER_COL]);
      if (now.size > 0) this.drawn.set(rowId, now);
      else this.drawn.delete(rowId);
      if (!node) continue;
      const ready = [...columns].filter((c) => {
        if (!editing.has(`${rowId}\u0000${c}`)) return true;
        this.deferred.add(`${rowId}\u0000${c}`);
        return false;
      });
      this.api.refreshCells({ rowNodes: [node], columns: ready, force: true });
    }
  }

  private flush(): void {
    const keys = [...this.deferred];
    this.deferred.clear();
    for (const k of keys) {
      const [rowId, columnId] = k.split('\u0000') as [string, string];
      const node = this.api.getRowNode(rowId);
      if (node) this.api.refreshCells({ rowNodes: [node], columns: [columnId], force: true });
    }
  }
}

/** A row's review status as the grids show it: a pill, with the count of open flags past one. */
export function statusPill(status: ReviewStatus, open: number): HTMLElement {
  const pill = document.createElement('span');
  pill.className = `status-pill status-${status}`;
  pill.dataset.status = status;
  pill.textContent = status === 'flagged' ? `⚑ ${STATUS_LABELS.flagged}` : status === 'approved' ? `✓ ${STATUS_LABELS.approved}` : STATUS_LABELS.unreviewed;
  if (open > 1) {
    const count = document.createElement('span');
    count.className = 'status-count';
    count.textContent = String(open);
    pill.append(count);
  }
  return pill;
}
