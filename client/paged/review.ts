/**
 * Review in the paged grid: the same controller as the document grid (toolbar, right-click menu,
 * Ctrl+Shift+F, flag dialog, approve, the review panel with its threads and resolve), given the paged
 * grid through a small adapter. A row's review is kept in the row's own document; this tab reads what it
 * knows of them from its `ReviewMirror` (flags, the statuses of pages read, reviews sent with row deltas),
 * and filtering by status asks the server (`filter[review_status]=`).
 */
import type { CellClassParams, ColDef, GridApi, ICellRendererParams, ITooltipParams } from 'ag-grid-community';
import type * as Y from 'yjs';
import type { ReviewStatus } from '../../model/document';
import type { Role } from '../../model/roles';
import type { SheetGrid } from '../grid/grid';
import { ReviewController } from '../review/controller';
import { REVIEW_STATUS_COL, statusPill } from '../review/grid-review';
import { type FlagView, ReviewIndex } from '../review/review-index';
import { STATUS_LABELS, reasonLabel } from '../review/reasons';
import { ROW_ORIGIN } from './row-docs';

type Row = { row_id: string };

const STATUS_ORDER: Record<ReviewStatus, number> = { flagged: 0, unreviewed: 1, approved: 2 };

export class PagedReview {
  readonly controller: ReviewController;
  private readonly index: ReviewIndex;
  private api: GridApi<Row> | null = null;
  private readonly off: Array<() => void> = [];

  constructor(options: { datasetId: string; me: string; role: Role; doc: Y.Doc; reviews: Y.Doc }) {
    this.controller = new ReviewController({ ...options, localOrigin: ROW_ORIGIN });
    this.index = new ReviewIndex(options.reviews);
    this.off.push(this.index.onChange((rows) => this.redraw(rows)));
  }

  /** Call with each new grid. */
  attach(api: GridApi<Row>, sheetId: string): void {
    this.api = api;
    // What the controller uses of a grid: its api, the focused row and the selected rows (here, the focused one).
    const focusedRowId = () => {
      const focused = api.getFocusedCell();
      return focused ? api.getDisplayedRowAtIndex(focused.rowIndex)?.data?.row_id : undefined;
    };
    const grid = { api, focusedRowId, selectedRowIds: () => [focusedRowId()].filter((id): id is string => id !== undefined) };
    this.controller.attachGrid(grid as unknown as SheetGrid, sheetId);
  }

  status(rowId: string): ReviewStatus {
    return this.index.status(rowId);
  }

  /** A cell's open flags as tooltip text, or null. */
  cellFlag(rowId: string, columnId: string): string | null {
    const flags = this.index.openCellFlags(rowId, columnId);
    return flags.length === 0 ? null : flagSummary(flags);
  }

  /** The status column, filtered through the server: see `filterParam`. */
  statusColumn(): ColDef<Row> {
    return {
      colId: REVIEW_STATUS_COL,
      headerName: 'Review',
      headerTooltip: 'Review status of the row: unreviewed, flagged (open flags) or approved. Set by reviewers, not typed.',
      width: 132,
      pinned: 'right',
      editable: false,
      sortable: true,
      suppressHeaderMenuButton: true,
      suppressHeaderFilterButton: true,
      filter: 'agTextColumnFilter',
      valueGetter: (p) => (p.data ? this.index.status(p.data.row_id) : null),
      comparator: (a: ReviewStatus | null, b: ReviewStatus | null) => STATUS_ORDER[a ?? 'unreviewed'] - STATUS_ORDER[b ?? 'unreviewed'],
      cellClass: 'review-status-cell',
      cellClassRules: {
        'status-flagged': (p: CellClassParams<Row>) => p.value === 'flagged',
        'status-approved': (p: CellClassParams<Row>) => p.value === 'approved',
      },
      cellRenderer: (p: ICellRendererParams<Row>) => {
        if (!p.data) return '';
        const status = this.index.status(p.data.row_id);
        const open = this.index.openRowFlags(p.data.row_id).length;
        return statusPill(status, open);
      },
      tooltipValueGetter: (p: ITooltipParams<Row>) => {
        if (!p.data) return undefined;
        const open = this.index.openRowFlags(p.data.row_id);
        return open.length > 0 ? flagSummary(open) : STATUS_LABELS[this.index.status(p.data.row_id)];
      },
    };
  }

  destroy(): void {
    for (const off of this.off) off();
    this.index.destroy();
    this.controller.destroy();
  }

  /** Redraws the rows whose review changed: their status, row number and flagged cells. */
  private redraw(rowIds: ReadonlySet<string>): void {
    const api = this.api;
    if (!api || api.isDestroyed()) return;
    const nodes = [...rowIds].map((id) => api.getRowNode(id)).filter((n) => n !== undefined);
    if (nodes.length > 0) api.refreshCells({ rowNodes: nodes, force: true });
  }
}

/** The status the grid's status filter asks for (the controller sets it as the column's filter model). */
export function statusFilter(filterModel: unknown): ReviewStatus | null {
  const model = (filterModel as Record<string, { filter?: unknown } | undefined> | null)?.[REVIEW_STATUS_COL];
  const value = model?.filter;
  return value === 'flagged' || value === 'approved' || value === 'unreviewed' ? value : null;
}

/** Flags for a tooltip: "⚑ Wrong event type (Rita) — MEET?". */
function flagSummary(flags: readonly FlagView[]): string {
  return flags.map((f) => `⚑ ${reasonLabel(f.reason)} (${f.by})${f.note ? ` — ${f.note}` : ''}`).join('\n');
}
