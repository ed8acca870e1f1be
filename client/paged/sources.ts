/**
 * The reading pane of a dataset in the `rows` layout (docs/sources.md): the same pane as the document
 * grid's (client/sources/pane.ts), its sources listed, searched, added and read, its coding written into
 * the rows' own documents (`RowDocs`) as the grid's edits are (each one step of this user's undo, kept
 * offline, seen by others as any edit), and its highlights read from the server and kept live from the row
 * deltas (`source-anchors.ts`). A highlight's row is shown in the grid wherever it stands (the server says
 * where, when its page is not loaded); a row coded from a passage is new, so last in row id order: the grid
 * goes to the sheet's end to show it.
 */
import type { GridApi } from 'ag-grid-community';
import type * as Y from 'yjs';
import type { ActorList } from '../../model/actors';
import { type Anchor, anchorsOf } from '../../model/anchors';
import type { RowDelta } from '../../model/codes';
import type { CellValue, Column } from '../../model/columns';
import { newRowId } from '../../model/ids';
import { evidenceText } from '../grid/renderer';
import { toText } from '../grid/values';
import { offersIn } from '../sources/actor-offers';
import { type Coder, EVENTS_SHEET, STATEMENTS_SHEET, rowFromPassage } from '../sources/coding';
import { ReadingPane } from '../sources/pane';
import type { RowsPage } from '../api';
import { toast } from '../ui/dom';
import { RowClosedError, type RowDocs } from './row-docs';
import { ServerAnchors } from './source-anchors';
import { changesOf, type RowUndo } from './undo';

/** How long the grid waits for a new row's page before saying it is not there yet. */
const FIND_ROW_MS = 5000;

type Row = RowsPage['rows'][number];

/** What the pane needs of the paged grid. */
export interface PagedSourcesHost {
  datasetId: string;
  /** The dataset's own document (its sheets and columns). */
  doc: Y.Doc;
  rows: RowDocs;
  undo: RowUndo;
  canEdit: boolean;
  grid(): GridApi<Row> | null;
  sheetId(): string;
  /** A sheet's columns. */
  columns(sheetId: string): readonly Column[];
  /** Shows a row and focuses its cell in `column` (else the first), wherever it stands in the grid's order. */
  goToRow(sheetId: string, rowId: string, column?: string): Promise<void>;
  /** Shows another sheet (a new grid, its first page not read yet). */
  showSheet(sheetId: string): void;
  /** Shows a row's new values at once, when its page is loaded. */
  showCells(sheetId: string, rowId: string, cells: Record<string, CellValue | undefined>): void;
  rowLabel(sheetId: string, rowId: string): string;
  /** A sheet's name, or null when there is no such sheet. */
  sheetName(sheetId: string): string | null;
  /** An actor list as last read from the server (the lists the shown sheet names are read when it is shown). */
  actorList(listId: string): ActorList;
}

export class PagedSources {
  readonly pane: ReadingPane;
  private readonly anchors: ServerAnchors;
  /** Rows this tab coded from a passage: new, so last in row id order. */
  private readonly newRows = new Set<string>();
  private finding: (() => void) | null = null;
  /** The new row being found (`goToNewRow`), and how its pages are read again once the server has it. */
  private findingRow: { row: string; reread: () => void } | null = null;

  constructor(private readonly host: PagedSourcesHost) {
    this.anchors = new ServerAnchors(host.datasetId, (sheet, row) => this.loaded(sheet, row));
    this.pane = new ReadingPane({
      datasetId: host.datasetId, doc: host.doc, origin: null, canEdit: host.canEdit,
      index: this.anchors, coder: this.coder(),
      goToRow: (sheet, row, column) => this.goToRow(sheet, row, column),
      rowLabel: (sheet, row) => {
        const name = host.sheetName(sheet);
        return name === null ? null : `${name}: ${host.rowLabel(sheet, row)}`;
      },
    });
  }

  get toolbarButton(): HTMLButtonElement {
    return this.pane.toolbarButton;
  }

  get element(): HTMLElement {
    return this.pane.element;
  }

  /** The grid's focus moved to a row. */
  rowFocused(sheet: string, row: string): void {
    this.pane.rowFocused(sheet, row);
  }

  /** Rows changed in their own rooms (the dataset room's deltas). */
  rowsChanged(deltas: readonly RowDelta[]): void {
    this.anchors.rowsChanged(deltas);
    // The new row being found is stored: its page is read now (a page read before it came did not hold it).
    const finding = this.findingRow;
    if (finding && deltas.some((d) => d.row === finding.row && d.cells !== null)) finding.reread();
  }

  destroy(): void {
    this.finding?.();
    this.pane.destroy();
  }

  /** A row's cells when its page is loaded in the grid. */
  private loaded(sheet: string, row: string): Row | undefined {
    return sheet === this.host.sheetId() ? this.host.grid()?.getRowNode(row)?.data : undefined;
  }

  private coder(): Coder {
    const { host } = this;
    const evidenceColumn = (sheet: string) => host.columns(sheet).find((c) => c.type === 'evidence') ?? null;
    /** Writes cells of a row as this user's step; false when the row's room is closed (deleted, or refused). */
    const write = async (sheet: string, row: string, fn: (cells: Y.Map<CellValue>) => Record<string, CellValue> | null): Promise<boolean> => {
      let written: { before: Record<string, CellValue | undefined>; after: Record<string, CellValue> } | null;
      try {
        written = await host.rows.change(sheet, row, (cells) => {
          const after = fn(cells);
          if (!after) return null;
          const before = Object.fromEntries(Object.keys(after).map((k) => [k, cells.get(k)]));
          for (const [k, v] of Object.entries(after)) cells.set(k, v);
          return { before, after };
        });
      } catch (err) {
        if (err instanceof RowClosedError) return false;
        throw err;
      }
      if (!written) return true;
      host.undo.record(changesOf(sheet, row, written.before, written.after));
      host.showCells(sheet, row, written.after);
      const cells = this.loaded(sheet, row);
      this.anchors.rowsChanged([{ sheet, row, cells: { ...(cells ?? {}), ...written.after } }]);
      return true;
    };
    return {
      addEvidence: async (sheet, row, anchor) => {
        const column = evidenceColumn(sheet);
        if (!column) return false;
        return write(sheet, row, (cells) => {
          const current = anchorsOf(cells.get(column.id));
          if (current.some((a) => sameSpan(a, anchor))) return null;
          return { [column.id]: [...current, anchor] };
        });
      },
      newRow: async (kind, anchor) => {
        const sheet = kind === 'event' ? EVENTS_SHEET : STATEMENTS_SHEET;
        const values = host.columns(sheet).length > 0 ? rowFromPassage(host.columns(sheet), kind, anchor) : null;
        if (!values) return null;
        const row = newRowId();
        if (!(await write(sheet, row, () => values))) return null;
        this.newRows.add(row);
        return { sheet, row };
      },
      actorOffers: (sheet, passage) => offersIn(host.columns(sheet), (list) => host.actorList(list), passage),
      cell: (sheet, row, column) => this.loaded(sheet, row)?.[column] as CellValue | undefined,
      takeActor: (sheet, row, column, name) => write(sheet, row, () => ({ [column]: name })),
    };
  }

  /** Shows a row in the grid and focuses it (the grid finds rows not loaded); a new row once the server has it. */
  private goToRow(sheet: string, row: string, column: string | null): void {
    this.finding?.();
    this.finding = null;
    if (this.newRows.has(row)) this.goToNewRow(sheet, row, column);
    else void this.host.goToRow(sheet, row, column ?? undefined);
  }

  /**
   * A row coded from a passage is new, so last in row id order: the grid, unsorted, goes to the sheet's end
   * and focuses the row once a page read has it (the grid reads its pages again as the row's delta comes).
   */
  private goToNewRow(sheet: string, row: string, column: string | null): void {
    if (sheet !== this.host.sheetId()) this.host.showSheet(sheet);
    const grid = this.host.grid();
    if (!grid || sheet !== this.host.sheetId()) return;
    const focus = (): boolean => {
      const index = grid.getRowNode(row)?.rowIndex;
      const col = column && this.host.columns(sheet).some((c) => c.id === column) ? column : this.host.columns(sheet)[0]?.id;
      if (index === null || index === undefined || !col) return false;
      grid.ensureIndexVisible(index, 'middle');
      grid.setFocusedCell(index, col);
      return true;
    };
    if (focus()) return;
    grid.applyColumnState({ defaultState: { sort: null } });
    grid.refreshInfiniteCache();
    const onModel = () => {
      if (focus()) return stop();
      const count = grid.getDisplayedRowCount();
      if (count > 0) grid.ensureIndexVisible(count - 1, 'bottom');
    };
    const timer = setTimeout(() => {
      stop();
      toast('The new row is not shown yet: it is at the end of the sheet.');
    }, FIND_ROW_MS);
    const stop = () => {
      clearTimeout(timer);
      if (!grid.isDestroyed()) grid.removeEventListener('modelUpdated', onModel);
      if (this.finding === stop) this.finding = this.findingRow = null;
    };
    grid.addEventListener('modelUpdated', onModel);
    this.finding = stop;
    this.findingRow = { row, reread: () => void (grid.isDestroyed() || grid.refreshInfiniteCache()) };
  }
}

/** A cell as the paged grid shows it: evidence as its first passage's start (as the document grid does), the rest as text. */
export function cellText(column: Column, value: CellValue | undefined): string {
  const anchors = column.type === 'evidence' ? anchorsOf(value) : [];
  return anchors.length > 0 ? evidenceText(anchors.map((a) => a.exact)) : toText(value);
}

const sameSpan = (a: Anchor, b: Anchor) => a.source === b.source && a.start === b.start && a.end === b.end;
