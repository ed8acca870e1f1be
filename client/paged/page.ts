/**
 * A sheet of a dataset whose rows are documents of their own (layout `rows`), of any size: AG Grid's
 * infinite row model reads pages of rows from the server (sorted, searched and counted there), so the
 * first rows and the memory of the tab do not grow with the sheet. The dataset's own document (sheets
 * and columns, small) is synced as usual; rows changed by anyone reach the grid as row deltas on it;
 * an edit is written into the row's own document (`row-docs.ts`).
 */
import {
  type CellEditRequestEvent, type ColDef, type GridApi, type IDatasource, type IGetRowsParams, type Module,
  ColumnApiModule, createGrid, EventApiModule, InfiniteRowModelModule, ModuleRegistry, NumberEditorModule, RenderApiModule,
  RowApiModule, ScrollApiModule, SelectEditorModule, TextEditorModule, themeQuartz,
} from 'ag-grid-community';
import * as decoding from 'lib0/decoding';
import { type RowDelta, StoreMessage } from '../../model/codes';
import type { CellValue, Column } from '../../model/columns';
import { getSheets, orderedSheetIds, readColumns, sheetName } from '../../model/document';
import type { DatasetDetail, User as Me } from '../../model/http';
import { newRowId } from '../../model/ids';
import { canEdit } from '../../model/roles';
import { rowsPage, type RowsPage } from '../api';
import { toCellValue, toText } from '../grid/values';
import { Connection, statusText, type SyncStatus } from '../sync/connection';
import { h, replaceChildren } from '../ui/dom';
import { topBar } from '../pages/layout';
import { datasetPath } from '../router';
import { RowDocs } from './row-docs';

const MODULES: Module[] = [
  InfiniteRowModelModule, RowApiModule, ScrollApiModule, ColumnApiModule, RenderApiModule, EventApiModule,
  TextEditorModule, NumberEditorModule, SelectEditorModule,
];
ModuleRegistry.registerModules(MODULES);

/** Rows per page read from the server, and pages kept in the tab (the rest are read again when scrolled to). */
const PAGE_ROWS = 100;
const PAGES_KEPT = 40;
/** Typing in the search box waits this long before the sheet is searched again. */
const SEARCH_DELAY_MS = 250;

type PagedRow = RowsPage['rows'][number];

/**
 * Shows a dataset in the `rows` layout. `firstRows`: the first page of `sheetId` (rows 0–99 in row id order),
 * when the caller asked for it already.
 */
export async function renderPagedDataset(
  app: HTMLElement, me: Me, dataset: DatasetDetail, sheetId?: string, firstRows?: Promise<RowsPage | undefined>,
): Promise<void> {
  const page = new PagedDataset(app, me, dataset, firstRows);
  await page.open(sheetId);
}

class PagedDataset {
  private readonly conn: Connection;
  private readonly rows: RowDocs;
  private readonly readOnly: boolean;
  private grid: GridApi<PagedRow> | null = null;
  private sheetId = '';
  private columns: Column[] = [];
  private query = '';
  private total = 0;
  private refreshTimer: number | null = null;
  private connState: SyncStatus = { state: 'connecting', pending: 0 };

  private readonly tabs = h('nav', { class: 'tabs', 'aria-label': 'Sheets' });
  private readonly gridHost = h('div', { class: 'grid-host', 'data-testid': 'grid' });
  private readonly status = h('span', { class: 'sync-status', 'data-testid': 'sync-status', role: 'status' });
  private readonly rowCount = h('span', { 'data-testid': 'row-count' });
  private readonly search = h('input', { type: 'search', class: 'search', placeholder: 'Search this sheet', 'aria-label': 'Search this sheet' });
  private readonly addButton = h('button', { type: 'button', class: 'button', 'data-testid': 'add-row' }, 'Add row');

  constructor(
    private readonly app: HTMLElement, private readonly me: Me, private readonly dataset: DatasetDetail,
    private firstRows?: Promise<RowsPage | undefined>,
  ) {
    const role = dataset.role ?? me.role;
    this.readOnly = !canEdit(role);
    const cacheName = `tessera:${location.host}:${me.id}:${dataset.id}:${dataset.createdAt}`;
    this.conn = new Connection({ datasetId: dataset.id, cacheName, onFatal: (_code, reason) => this.fatal(reason) });
    this.conn.provider.messageHandlers[StoreMessage.RowsChanged] = (_encoder, decoder) => {
      this.applyDeltas(JSON.parse(decoding.readVarString(decoder)) as RowDelta[]);
    };
    this.rows = new RowDocs(dataset.id);
    this.conn.onStatus((status) => this.showStatus(status));
    this.rows.onChange(() => this.showStatus());
    let searchTimer: number | null = null;
    this.search.addEventListener('input', () => {
      if (searchTimer !== null) clearTimeout(searchTimer);
      searchTimer = window.setTimeout(() => {
        this.query = this.search.value.trim();
        this.grid?.setGridOption('datasource', this.datasource());
      }, SEARCH_DELAY_MS);
    });
    this.addButton.addEventListener('click', () => void this.addRow());
    this.addButton.hidden = this.readOnly;
    window.addEventListener('beforeunload', (event) => {
      if (this.rows.unsaved) event.preventDefault();
    });
  }

  async open(sheetId?: string): Promise<void> {
    document.title = `${this.dataset.name} · Tessera`;
    replaceChildren(this.app,
      topBar(this.me, [h('a', { href: '/' }, 'Datasets'), this.dataset.name]),
      h('main', { class: 'dataset' },
        h('div', { class: 'toolbar' }, this.tabs, this.search, this.addButton),
        h('div', { class: 'workspace' }, this.gridHost),
        h('footer', { class: 'sheet-footer', 'data-testid': 'sheet-footer' }, this.rowCount, this.status),
      ),
    );
    // The sheets and their columns come from the dataset's document; the first page needs only them.
    const sheets = this.dataset.sheets;
    const first = sheets.find((s) => s.id === sheetId) ?? sheets[0];
    if (first) this.show(first.id, first.columns);
    await this.conn.ready;
    this.renderTabs();
    getSheets(this.conn.doc).observeDeep(() => this.onSheetsChanged());
  }

  private show(sheetId: string, columns: Column[]): void {
    this.sheetId = sheetId;
    this.columns = columns;
    this.grid?.destroy();
    const host = h('div', { class: 'grid sheet-grid' });
    this.gridHost.replaceChildren(host);
    this.grid = createGrid<PagedRow>(host, {
      theme: themeQuartz.withParams({ fontFamily: 'inherit', fontSize: 13, spacing: 6 }),
      rowModelType: 'infinite',
      datasource: this.datasource(),
      cacheBlockSize: PAGE_ROWS,
      maxBlocksInCache: PAGES_KEPT,
      infiniteInitialRowCount: PAGE_ROWS,
      getRowId: (p) => p.data.row_id,
      columnDefs: [this.rowNumberDef(), ...columns.map((c) => this.columnDef(c))],
      defaultColDef: { resizable: true, sortable: true, minWidth: 90 },
      readOnlyEdit: true,
      onCellEditRequest: (event) => void this.onEdit(event),
      suppressStartEditOnTab: true,
      // A sheet has tens of columns, not thousands: all are rendered, only rows are paged.
      suppressColumnVirtualisation: true,
    });
    this.renderTabs();
  }

  private rowNumberDef(): ColDef<PagedRow> {
    return {
      headerName: '#', colId: '__row_number', width: 80, sortable: false, pinned: 'left',
      valueGetter: (p) => (p.node?.rowIndex ?? 0) + 1,
    };
  }

  private columnDef(column: Column): ColDef<PagedRow> {
    const editable = !this.readOnly && column.type !== 'evidence' && column.type !== 'place';
    const def: ColDef<PagedRow> = {
      colId: column.id, field: column.id, headerName: column.name, headerTooltip: column.description ?? column.name, editable,
      valueFormatter: (p) => toText(p.value as CellValue | undefined),
    };
    if (column.type === 'enum' && column.options) {
      def.cellEditor = 'agSelectCellEditor';
      def.cellEditorParams = { values: ['', ...column.options] };
    } else if (column.type === 'longtext') {
      def.cellEditor = 'agTextCellEditor';
    }
    return def;
  }

  private datasource(): IDatasource {
    const { id } = this.dataset;
    const sheetId = this.sheetId;
    const q = this.query;
    return {
      getRows: (params: IGetRowsParams) => {
        const search = new URLSearchParams({ offset: String(params.startRow), limit: String(params.endRow - params.startRow) });
        const sort = params.sortModel[0];
        if (sort) search.set('sort', `${sort.sort === 'desc' ? '-' : ''}${sort.colId}`);
        if (q) search.set('q', q);
        // The first page may have been asked for before this code loaded: it is the same question.
        const early = this.firstRows;
        this.firstRows = undefined;
        const asked = early && params.startRow === 0 && params.endRow === PAGE_ROWS && !sort && !q ? early : undefined;
        (asked ?? Promise.resolve(undefined))
          .then((page) => page ?? rowsPage(id, sheetId, search))
          .then((body) => {
            this.total = body.total;
            this.rowCount.textContent = `${body.total.toLocaleString('en')} row${body.total === 1 ? '' : 's'}`;
            params.successCallback(body.rows, body.total);
          })
          .catch(() => params.failCallback());
      },
    };
  }

  private async onEdit(event: CellEditRequestEvent<PagedRow>): Promise<void> {
    const column = this.columns.find((c) => c.id === event.colDef.colId);
    const data = event.data;
    if (!column || !data) return;
    const value = toCellValue(column, event.newValue === '' ? null : event.newValue);
    // Shown at once; the row's delta confirms it once the server applied it.
    event.node.setData({ ...data, [column.id]: value });
    await this.rows.write(this.sheetId, data.row_id, { [column.id]: value });
  }

  private async addRow(): Promise<void> {
    const rowId = newRowId();
    const first = this.columns[0];
    if (!first) return;
    await this.rows.write(this.sheetId, rowId, { [first.id]: null });
    // New rows come last in row id order: go there once the server has it.
    this.grid?.applyColumnState({ defaultState: { sort: null } });
    this.refreshSoon(() => this.grid?.ensureIndexVisible(this.total - 1, 'bottom'));
  }

  /** Rows changed in their own rooms: shown in place; rows that came or went read the pages again. */
  private applyDeltas(deltas: readonly RowDelta[]): void {
    let reread = false;
    for (const delta of deltas) {
      if (delta.sheet !== this.sheetId) continue;
      const node = this.grid?.getRowNode(delta.row);
      if (delta.cells === null || !node?.data) {
        reread = true;
        continue;
      }
      node.setData({ ...node.data, ...(delta.cells as Record<string, CellValue>), row_id: delta.row });
    }
    if (reread) this.refreshSoon();
  }

  private refreshSoon(then?: () => void): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => {
      this.refreshTimer = null;
      this.grid?.refreshInfiniteCache();
      if (then) setTimeout(then, 100);
    }, 100);
  }

  private onSheetsChanged(): void {
    this.renderTabs();
    const sheet = getSheets(this.conn.doc).get(this.sheetId);
    if (!sheet) return;
    const columns = readColumns(sheet);
    if (JSON.stringify(columns) === JSON.stringify(this.columns)) return;
    this.columns = columns;
    this.grid?.setGridOption('columnDefs', [this.rowNumberDef(), ...columns.map((c) => this.columnDef(c))]);
  }

  private renderTabs(): void {
    const doc = this.conn.doc;
    const ids = orderedSheetIds(doc);
    const sheets = ids.length > 0
      ? ids.map((id) => ({ id, name: sheetName(getSheets(doc).get(id)!), columns: readColumns(getSheets(doc).get(id)!) }))
      : this.dataset.sheets;
    this.tabs.replaceChildren(...sheets.map((s) => h('button', {
      type: 'button', class: `tab${s.id === this.sheetId ? ' active' : ''}`, 'aria-current': s.id === this.sheetId ? 'page' : undefined,
      onclick: () => {
        if (s.id === this.sheetId) return;
        history.pushState(null, '', datasetPath(this.dataset.id, s.id));
        this.show(s.id, s.columns);
      },
    }, s.name)));
  }

  /** The dataset's connection state, unless a row's write is not stored yet. */
  private showStatus(status?: SyncStatus): void {
    if (status) this.connState = status;
    const shown = this.rows.unsaved && this.connState.state === 'saved' ? { ...this.connState, state: 'not-saved' as const } : this.connState;
    this.status.textContent = statusText(shown);
    this.status.dataset.state = shown.state;
  }

  private fatal(reason: string): void {
    this.rows.destroy();
    replaceChildren(this.app, topBar(this.me, [h('a', { href: '/' }, 'Datasets')]), h('main', { class: 'page-error' }, reason));
  }
}
