/**
 * A sheet of a dataset whose rows are documents of their own (layout `rows`), of any size: AG Grid's
 * infinite row model reads pages of rows from the server (sorted, searched and counted there), so the
 * first rows and the memory of the tab do not grow with the sheet. The dataset's own document (sheets
 * and columns, small) is synced as usual; rows changed by anyone reach the grid as row deltas on it;
 * an edit is written into the row's own document (`row-docs.ts`). Besides: review (`review.ts`), who is
 * where (`presence.ts`), undo across rows and pasting many rows (`undo.ts`, `paste.ts`), the selected
 * block (`block.ts`), ref cells and their picker (`ref-rows.ts`, `ref-editor.ts`), the checks of loaded
 * rows (`problems.ts`), the rows kept offline (`offline-rows.ts`), and concurrent-edit conflicts
 * (`client/conflicts/`; the server says where a row not read yet stands, to go to it).
 */
import {
  type CellEditRequestEvent, type CellFocusedEvent, type ColDef, type GridApi, type ICellEditorParams, type ICellRendererParams, type IDatasource,
  type IGetRowsParams, type ITooltipParams, type Module,
  CellStyleModule, ColumnApiModule, createGrid, CustomEditorModule, EventApiModule, InfiniteRowModelModule, ModuleRegistry, NumberEditorModule,
  RenderApiModule, RowApiModule, RowStyleModule, ScrollApiModule, SelectEditorModule, TextEditorModule, TextFilterModule, themeQuartz, TooltipModule,
} from 'ag-grid-community';
import * as decoding from 'lib0/decoding';
import { type RowDelta, StoreMessage } from '../../model/codes';
import type { CellValue, Column } from '../../model/columns';
import { getSheets, orderedSheetIds, readColumns, sheetName } from '../../model/document';
import type { DatasetDetail, User as Me } from '../../model/http';
import { newRowId } from '../../model/ids';
import { canEdit } from '../../model/roles';
import { duplicateRowCells, rowPositions, rowsPage, type RowsPage } from '../api';
import { ConflictController } from '../conflicts/controller';
import { quote } from '../conflicts/grid-conflicts';
import { DuplicatesPanel } from '../duplicates/panel';
import { DuplicateQueue } from '../duplicates/queue';
import { mergeStep } from '../duplicates/undo-step';
import { ROW_NUMBER_COL } from '../grid/columns';
import { isInEditor } from '../grid/keys';
import type { ActorContext } from '../grid/actor-editor';
import { editorFor } from '../grid/editors';
import { PlaceEditor } from '../grid/place-editor';
import { toCellValue, toText } from '../grid/values';
import { whosHere } from '../pages/whos-here';
import { HistoryPanel } from '../pages/history-panel';
import { ReviewPanel } from '../review/review-panel';
import { MapPanel } from '../map/panel';
import { serverSource } from '../map/source';
import { Connection, statusText, type SyncStatus } from '../sync/connection';
import { Presence, colorFor } from '../sync/presence';
import { confirmDialog, h, replaceChildren, toast } from '../ui/dom';
import { topBar } from '../pages/layout';
import { datasetPath } from '../router';
import { PagedActorLists } from './actor-lists';
import { PagedBlock } from './block';
import { WRITE_ROWS_MAX } from './limits';
import { type KeptRow, OfflineRows } from './offline-rows';
import { blockLines, planPaste, writePaste } from './paste';
import { PagedPresence } from './presence';
import { LoadedProblems } from './problems';
import { RefEditor } from './ref-editor';
import { RefRows } from './ref-rows';
import { PagedReview, statusFilter } from './review';
import { ReviewMirror } from './review-mirror';
import { ConflictMirror } from './conflict-mirror';
import { bindEndKeys, type ReadAheadSource, readEndAhead, rowsInView } from './ends';
import { sendLegacyChanges } from './legacy-changes';
import { type ClosedRow, RowClosedError, RowDocs } from './row-docs';
import { PagedSources, cellText } from './sources';
import { RowUndo, changesOf } from './undo';

const MODULES: Module[] = [
  InfiniteRowModelModule, RowApiModule, ScrollApiModule, ColumnApiModule, RenderApiModule, EventApiModule,
  TextEditorModule, NumberEditorModule, SelectEditorModule, CellStyleModule, RowStyleModule, TooltipModule, TextFilterModule,
  // The code, actor, place and ref pickers (editors of our own).
  CustomEditorModule,
];
ModuleRegistry.registerModules(MODULES);

/** Rows per page read from the server, and pages kept in the tab (the rest are read again when scrolled to). */
const PAGE_ROWS = 100;
const PAGES_KEPT = 40;
/** Rows drawn above and below the screen (AG Grid's default), once the first rows are painted. */
const ROW_BUFFER = 10;
/** Rows one question of where rows stand may name (the route's limit). */
const POSITIONS_ASKED = 200;
/** How long going to a row waits for its page to come before it gives up focusing it. */
const ROW_LOAD_WAIT_MS = 10_000;
/** Typing in the search box waits this long before the sheet is searched again. */
const SEARCH_DELAY_MS = 250;
/**
 * A row not read here changed: looked into at most this often. Every tab gets every row's delta, and a tab
 * that re-read its pages for each one made every edit cost the server a page query per tab (at a million rows,
 * seconds of queries for each keystroke of ten editors).
 */
const UNREAD_CHECK_MS = 2000;

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
  /** The name of this dataset's offline copy when its rows were in its document. */
  private readonly wholeDocumentCache: string;
  private readonly offline: OfflineRows;
  private readonly review: PagedReview;
  private readonly reviews: ReviewMirror;
  /** Likely duplicates in the review panel, as in the document grid (docs/actors-and-duplicates.md#in-the-review-queue). */
  private readonly duplicateQueue: DuplicateQueue;
  private readonly presence: PagedPresence;
  /** Concurrent-edit conflicts: recorded in the rows' documents, marked on the rows read, stepped through in the footer. */
  private readonly conflicts: ConflictController;
  /** What this tab was told of the rows' conflicts (the list, the rows it opened, the row deltas). */
  private readonly conflictMirror: ConflictMirror;
  private readonly undo: RowUndo;
  private readonly block: PagedBlock;
  private readonly refs: RefRows;
  /** The reading pane: sources, evidence and highlights (sources.ts). */
  private readonly sources: PagedSources;
  /** The checks of loaded rows; a ref to a row its sheet does not hold is one (as far as the rows read tell). */
  private readonly problems = new LoadedProblems({
    actorNamed: (sheetId, text) => this.actorLists.names(sheetId, text),
    rowExists: (sheetId, rowId) => this.refs.row(sheetId, rowId) !== null,
  });
  /** The side panel open, if any: the review panel or a row's history. */
  private panel: ReviewPanel | HistoryPanel | MapPanel | DuplicatesPanel | null = null;
  /** The map's source, told when rows or the search change (client/map/source.ts). */
  private readonly mapListeners = new Set<() => void>();
  private readonly readOnly: boolean;
  private grid: GridApi<PagedRow> | null = null;
  /** The grid's datasource: it also reads pages before the grid asks for them (ends.ts). */
  private source: ReadAheadSource | null = null;
  private sheetId = '';
  private columns: Column[] = [];
  private readonly actorLists: PagedActorLists;
  private query = '';
  private total = 0;
  private refreshTimer: number | null = null;
  private unreadTimer: number | null = null;
  /**
   * Pages the grid holds were read while the dataset's socket was not synced: rows stored meanwhile sent their
   * deltas to no socket of this tab. They are read again once it is (`checkPagesRead`), meanwhile shown as connecting.
   */
  private pagesUnsynced = false;
  private checkingPages: Promise<void> | null = null;
  private lastUnreadCheck = Number.NEGATIVE_INFINITY;
  private connState: SyncStatus = { state: 'connecting', pending: 0 };

  private readonly tabs = h('nav', { class: 'tabs', 'aria-label': 'Sheets' });
  private readonly gridHost = h('div', { class: 'grid-host', 'data-testid': 'grid' });
  private readonly status = h('span', { class: 'sync-status', 'data-testid': 'sync-status', role: 'status' });
  private readonly rowCount = h('span', { 'data-testid': 'row-count' });
  private readonly search = h('input', { type: 'search', class: 'search', placeholder: 'Search this sheet', 'aria-label': 'Search this sheet' });
  private readonly addButton = h('button', { type: 'button', class: 'button', 'data-testid': 'add-row' }, 'Add row');
  private readonly problemCount = h('span', { 'data-testid': 'problem-count' });
  private readonly side = h('aside', { class: 'side-panel' });

  constructor(
    private readonly app: HTMLElement, private readonly me: Me, private readonly dataset: DatasetDetail,
    private firstRows?: Promise<RowsPage | undefined>,
  ) {
    const role = dataset.role ?? me.role;
    this.readOnly = !canEdit(role);
    // A dataset converted from the whole-document layout keeps offline copies of its own: the earlier copy
    // held the whole document, and may hold changes never stored (sent by `sendLegacyChanges`).
    this.wholeDocumentCache = `tessera:${location.host}:${me.id}:${dataset.id}:${dataset.createdAt}`;
    const cacheName = dataset.convertedAt ? `${this.wholeDocumentCache}:converted:${dataset.convertedAt}` : this.wholeDocumentCache;
    this.conn = new Connection({ datasetId: dataset.id, cacheName, small: true, onFatal: (_code, reason) => this.fatal(reason) });
    this.conn.provider.messageHandlers[StoreMessage.RowsChanged] = (_encoder, decoder) => {
      this.applyDeltas(JSON.parse(decoding.readVarString(decoder)) as RowDelta[]);
    };
    this.offline = new OfflineRows(`${cacheName}:rows`);
    this.rows = new RowDocs(dataset.id, this.offline);
    this.actorLists = new PagedActorLists(dataset.id, () => this.recheckProblems());
    this.undo = new RowUndo(this.rows, (sheet, row, cells) => this.showCells(sheet, row, cells));
    this.block = new PagedBlock({
      rows: this.rows, undo: this.undo, readOnly: this.readOnly, sheetId: () => this.sheetId, columns: () => this.columns,
      closed: (row) => this.rows.closedRow(this.sheetId, row) !== undefined, showCells: (sheet, row, cells) => this.showCells(sheet, row, cells),
      total: () => this.total,
      order: () => (this.grid ? this.orderQuery(this.grid).toString() : ''),
      readPage: (offset, limit) => {
        const search = this.grid ? this.orderQuery(this.grid) : new URLSearchParams();
        search.set('offset', String(offset));
        search.set('limit', String(limit));
        return rowsPage(this.dataset.id, this.sheetId, search);
      },
    });
    this.refs = new RefRows(dataset.id, () => this.sheetList(), () => this.grid, () => this.columns, () => this.refsRead());
    this.reviews = new ReviewMirror(dataset.id);
    this.conflictMirror = new ConflictMirror(dataset.id);
    // Deltas flow once the room is synced: the flags and conflicts lists read then miss nothing (again after a reconnect).
    this.conn.provider.on('sync', (synced: boolean) => {
      if (!synced) {
        this.pagesUnsynced = true;
        return;
      }
      this.reviews.load().catch(() => undefined);
      this.conflictMirror.load().catch(() => undefined);
      this.checkPagesRead();
    });
    this.review = new PagedReview({ datasetId: dataset.id, me: me.name, role, doc: this.conn.doc, reviews: this.reviews.doc });
    this.review.controller.events.on('show-sheet', (id) => this.showSheet(id));
    this.review.controller.events.on('open-thread', (rowId) => this.openReviewPanel().showRow(rowId));
    this.review.controller.events.on('toggle-review-panel', () => (this.panel instanceof ReviewPanel ? this.closePanel() : this.openReviewPanel()));
    this.review.controller.events.on('open-history', () => this.openHistoryPanel());
    this.review.controller.bindGridHost(this.gridHost);
    this.duplicateQueue = new DuplicateQueue({
      datasetId: dataset.id,
      sheets: () => this.sheetList(),
      rowLabel: (sheet, row) => this.rowLabel(sheet, row),
      openGroup: (sheet, rows) => {
        this.showSheet(sheet);
        this.openDuplicates(rows);
      },
    });
    this.review.controller.setDuplicates(this.duplicateQueue);
    this.conflicts = new ConflictController({
      datasetId: dataset.id, role, doc: this.conflictMirror.doc,
      goTo: (sheetId, rowId, columnId) => void this.goToRow(sheetId, rowId, columnId),
      locate: (sheetId, rowIds) => this.locate(sheetId, rowIds),
    });
    this.review.controller.addMenuEntries((rowId, columnId) => this.conflicts.menuEntries(rowId, columnId));
    this.sources = new PagedSources({
      datasetId: dataset.id, doc: this.conn.doc, rows: this.rows, undo: this.undo, canEdit: !this.readOnly,
      grid: () => this.grid, sheetId: () => this.sheetId, showSheet: (id) => this.showSheet(id),
      goToRow: (sheet, row, column) => this.goToRow(sheet, row, column),
      columns: (id) => this.sheetList().find((s) => s.id === id)?.columns ?? [],
      sheetName: (id) => this.sheetList().find((s) => s.id === id)?.name ?? null,
      showCells: (sheet, row, cells) => this.showCells(sheet, row, cells),
      rowLabel: (sheet, row) => this.rowLabel(sheet, row), actorList: (id) => this.actorLists.lastRead(id),
    });
    this.review.controller.setRowPassages((sheet, row) => this.sources.pane.passagesOf(sheet, row));
    this.presence = new PagedPresence(new Presence(this.conn.provider.awareness, { name: me.name, color: colorFor(me.id) }));
    this.gridHost.addEventListener('paste', (event) => this.onPaste(event));
    bindEndKeys(this.gridHost, () => this.grid);
    document.addEventListener('keydown', (event) => this.onUndoKey(event));
    this.side.hidden = true;
    this.conn.onStatus((status) => this.showStatus(status));
    this.rows.onChange(() => this.showStatus());
    this.rows.onClosed((closed) => this.onRowClosed(closed));
    // An open row shows what its document holds once the server's changes are merged in.
    this.rows.onArrived((sheet, row, cells, doc) => {
      this.conflictMirror.fromRow(doc);
      if (cells) this.showRowDocument(sheet, row, cells);
    });
    let searchTimer: number | null = null;
    this.search.addEventListener('input', () => {
      if (searchTimer !== null) clearTimeout(searchTimer);
      searchTimer = window.setTimeout(() => {
        this.query = this.search.value.trim();
        this.grid?.setGridOption('datasource', this.datasource());
        this.tellMap();
      }, SEARCH_DELAY_MS);
    });
    this.addButton.addEventListener('click', () => void this.addRow());
    this.addButton.hidden = this.readOnly;
    window.addEventListener('beforeunload', (event) => {
      if (this.rows.unsaved) event.preventDefault();
    });
  }

  /** Changes this browser made to the dataset's whole document before it was converted, never stored: sent now. */
  private async sendLegacyChanges(): Promise<void> {
    try {
      const { sent, refused } = await sendLegacyChanges(this.dataset.id, this.wholeDocumentCache, this.rows);
      if (sent > 0) {
        // Stored now. The pages shown were read before, and their deltas reach only a dataset's socket that
        // had joined by then; rows were added or deleted too: the pages are read again.
        this.refreshSoon();
        toast(`Sent your changes to ${sent === 1 ? '1 row' : `${sent} rows`} made before this dataset was converted to rows by page.`);
      }
      if (refused > 0) toast(`Changes to ${refused === 1 ? '1 row' : `${refused} rows`} made before the conversion could not be sent: ${refused === 1 ? 'it is' : 'they are'} gone or closed to you.`, 'error');
    } catch (err) {
      toast(`Could not send the changes made before this dataset was converted (they are kept in this browser): ${(err as Error).message}`, 'error');
    }
  }

  async open(sheetId?: string): Promise<void> {
    performance.mark('tessera:page-code-loaded');
    document.title = `${this.dataset.name} · Tessera`;
    replaceChildren(this.app,
      topBar(this.me, [h('a', { href: '/' }, 'Datasets'), this.dataset.name], whosHere(this.presence.presence).element),
      h('main', { class: 'dataset', 'data-layout': 'rows' },
        h('div', { class: 'toolbar' }, this.tabs, this.search, this.addButton, this.sources.toolbarButton, ...this.review.controller.toolbarItems(),
          h('button', { type: 'button', class: 'button', 'data-testid': 'map-button', title: 'The rows on a map, and per week or month', onclick: () => this.toggleMap() }, 'Map'),
          h('button', {
            type: 'button', class: 'button subtle', 'data-testid': 'duplicates-button', title: 'Rows of this sheet that likely code the same event: merge them, or mark them as not the same',
            onclick: () => (this.panel instanceof DuplicatesPanel ? this.closePanel() : this.openDuplicates()),
          }, 'Duplicates')),
        h('div', { class: 'workspace' }, this.sources.element, this.gridHost, this.side),
        h('footer', { class: 'sheet-footer', 'data-testid': 'sheet-footer' }, this.rowCount, this.block.sizeElement, this.problemCount, this.conflicts.footerElement, this.status),
      ),
    );
    // Rows changed in this browser that the server has not stored (before a reload, say) are sent now.
    void this.rows.resume();
    if (this.dataset.convertedAt && !this.readOnly) void this.sendLegacyChanges();
    // The sheets and their columns come from the dataset's document; the first page needs only them.
    const sheets = this.dataset.sheets;
    const first = sheets.find((s) => s.id === sheetId) ?? sheets[0];
    if (first) {
      // The address names the sheet shown, as the document grid's does (`/d/DATASET` opens its first sheet).
      const path = datasetPath(this.dataset.id, first.id);
      if (location.pathname !== path) history.replaceState(null, '', path);
      this.show(first.id, first.columns);
    }
    await this.conn.ready;
    getSheets(this.conn.doc).observeDeep(() => this.onSheetsChanged());
    // The document may differ from the dataset read when the page began (a change since, or one of the
    // offline copy's): its columns win.
    this.onSheetsChanged();
    // Back and Forward go between the sheets shown, as their addresses say (while this page is the one shown).
    window.addEventListener('popstate', () => {
      if (!this.app.contains(this.gridHost)) return;
      const wanted = location.pathname.split('/').filter(Boolean)[2];
      const sheet = wanted ? decodeURIComponent(wanted) : this.sheetList()[0]?.id;
      if (sheet && sheet !== this.sheetId) this.showSheet(sheet, false);
    });
  }

  private show(sheetId: string, columns: Column[]): void {
    this.sheetId = sheetId;
    this.columns = columns;
    this.problems.setColumns(columns);
    void this.actorLists.readFor(columns);
    this.grid?.destroy();
    this.conflicts.setSheet(sheetId);
    const host = h('div', { class: 'grid sheet-grid' });
    this.gridHost.replaceChildren(host);
    this.grid = createGrid<PagedRow>(host, {
      theme: themeQuartz.withParams({ fontFamily: 'inherit', fontSize: 13, spacing: 6 }),
      rowModelType: 'infinite',
      datasource: this.datasource(),
      cacheBlockSize: PAGE_ROWS,
      // The first rows drawn are those on screen only; the rows AG Grid keeps drawn below the screen (ROW_BUFFER,
      // a third of the rows drawn at first) follow once those are painted (AG Grid tells of its first rows with
      // data in the frame that paints them) and the page is idle, after the dataset's document is synced; a
      // change of the buffer draws the rows it adds.
      rowBuffer: 0,
      onFirstDataRendered: (event) => whenIdle(() => {
        if (!event.api.isDestroyed()) event.api.setGridOption('rowBuffer', ROW_BUFFER);
      }),
      maxBlocksInCache: PAGES_KEPT,
      // One placeholder row until the first page comes: AG Grid renders every placeholder row's cells, then
      // renders the rows again with their data (two renders of a screen of rows in the first frame).
      infiniteInitialRowCount: 1,
      // A row whose page has not come is one empty element, not a cell per column: after a jump AG Grid draws
      // a screen of them before it asks for their page, and draws the rows again once it comes.
      isFullWidthRow: (p) => p.rowNode.data === undefined,
      fullWidthCellRenderer: () => h('div', { class: 'row-loading', 'aria-busy': 'true' }),
      getRowId: (p) => p.data.row_id,
      columnDefs: this.columnDefs(columns),
      defaultColDef: { resizable: true, sortable: true, minWidth: 90 },
      readOnlyEdit: true,
      context: { actorList: (listId: string) => this.actorLists.list(listId) } satisfies ActorContext,
      onCellEditRequest: (event) => void this.onEdit(event),
      // A row whose room the server closed (docs/sync.md#the-rows-socket): gone, or refused to this tab.
      rowClassRules: {
        'row-gone': (p) => this.closedRow(p.data)?.gone === true,
        'row-refused': (p) => this.closedRow(p.data)?.gone === false,
      },
      getRowStyle: (p) => (this.closedRow(p.data) ? { opacity: '0.55' } : undefined),
      onCellFocused: (event) => this.onFocus(event),
      onModelUpdated: () => this.countProblems(),
      onFilterChanged: () => this.tellMap(),
      suppressStartEditOnTab: true,
      // Tooltips as the cells' and headers' titles, as in the document grid: AG Grid's own popup tooltips give every
      // cell it draws a tooltip of its own, with listeners of its own (a tenth of drawing a screen of rows).
      enableBrowserTooltips: true,
      // A sheet has tens of columns, not thousands: all are rendered, only rows are paged.
      suppressColumnVirtualisation: true,
    });
    performance.mark('tessera:grid-created');
    this.review.attach(this.grid, sheetId);
    this.conflicts.attachGrid(this.grid, sheetId, (data) => (data as PagedRow | undefined)?.row_id);
    this.block.attach(this.grid, host);
    // A jump by the scrollbar reads the pages it lands on at once, not after the grid has drawn their rows empty.
    host.addEventListener('scroll', (event) => this.readAtScroll(event), { capture: true, passive: true });
    if (this.panel instanceof MapPanel) this.openMap();
    this.presence.attach(this.grid, sheetId);
    this.renderTabs();
  }

  private columnDefs(columns: readonly Column[]): ColDef<PagedRow>[] {
    return this.block.withHighlight([this.rowNumberDef(), ...columns.map((c) => this.columnDef(c)), this.review.statusColumn() as ColDef<PagedRow>]);
  }

  private rowNumberDef(): ColDef<PagedRow> {
    return {
      headerName: '#', colId: ROW_NUMBER_COL, width: 80, sortable: false, pinned: 'left',
      valueGetter: (p) => (p.node?.rowIndex ?? 0) + 1,
      cellClass: 'row-number-cell',
      cellRenderer: (p: ICellRendererParams<PagedRow>) => {
        const el = h('span', { class: 'row-number' }, p.node.rowIndex === null ? '' : String(p.node.rowIndex + 1));
        if (!p.data) return el;
        const status = this.review.status(p.data.row_id);
        if (Object.keys(this.problems.of(p.data)).length > 0) el.append(h('span', { class: 'row-marker problem' }, '●'));
        if (status === 'approved') el.append(h('span', { class: 'row-marker approved' }, '✓'));
        if (status === 'flagged') el.append(h('span', { class: 'row-marker flagged' }, '⚑'));
        const closed = this.closedRow(p.data);
        if (closed) el.append(h('span', { class: 'row-marker closed', title: closedText(closed), 'aria-label': closedText(closed) }, '⊘'));
        return el;
      },
    };
  }

  private columnDef(column: Column): ColDef<PagedRow> {
    const editable = !this.readOnly && column.type !== 'evidence';
    const renderCell = (p: ICellRendererParams<PagedRow>) => {
      const el = h('span', { class: 'cell-value' }, this.refs.cell(column, p.value) ?? cellText(column, p.value as CellValue | undefined));
      const tag = this.presence.decorate(p.eGridCell, p.data?.row_id, column.id);
      if (tag) el.append(tag);
      return el;
    };
    const def: ColDef<PagedRow> = {
      colId: column.id, field: column.id, headerName: column.name, headerTooltip: column.description ?? column.name,
      editable: editable && ((p) => !this.closedRow(p.data)),
      valueFormatter: (p) => toText(p.value as CellValue | undefined),
      // A cell whose text is its value's is AG Grid's own text; a renderer (a component per cell, the larger part
      // of drawing a page of rows) only for what shows more: a ref's row, evidence, an empty cell's "required",
      // and the others here.
      cellRendererSelector: (p: ICellRendererParams<PagedRow>) => (
        column.type === 'ref' || column.type === 'evidence' || toText(p.value as CellValue | undefined) === ''
        || (p.data !== undefined && this.presence.at(p.data.row_id, column.id).length > 0)
        // Once more after someone left the cell, to take their outline off it.
        || p.eGridCell?.classList.contains('has-presence') === true
          ? { component: renderCell } : undefined
      ),
      cellClassRules: {
        'cell-problem': (p) => this.problems.of(p.data)[column.id] !== undefined,
        'cell-missing': (p) => this.problems.of(p.data)[column.id]?.some((x) => x.code === 'required') === true,
        'cell-flagged': (p) => p.data !== undefined && this.review.cellFlag(p.data.row_id, column.id) !== null,
        'cell-conflict': (p) => p.data !== undefined && this.conflicts.gridConflicts.conflictAt(p.data.row_id, column.id) !== null,
      },
      tooltipValueGetter: (p: ITooltipParams<PagedRow>) => {
        if (!p.data) return undefined;
        const notes = [this.conflicts.gridConflicts.conflictAt(p.data.row_id, column.id), this.review.cellFlag(p.data.row_id, column.id), ...(this.problems.of(p.data)[column.id] ?? []).map((x) => x.message)];
        return notes.filter((x) => x !== null).join('\n') || undefined;
      },
    };
    if (column.type === 'text' && column.actors !== undefined) {
      // The actor list's names and aliases as one types (the list read from the server: actor-lists.ts).
      const { cellEditor } = editorFor(column);
      Object.assign(def, { cellEditor, cellEditorParams: { tesseraColumn: column } });
    } else if (column.type === 'enum' || column.type === 'multi' || column.type === 'boolean') {
      // The code pickers of the whole-document grid: type to filter, Enter picks, several for `multi`.
      const { cellEditor, cellEditorPopup } = editorFor(column);
      Object.assign(def, { cellEditor, cellEditorPopup, cellEditorParams: { tesseraColumn: column } });
    } else if (column.type === 'longtext') {
      def.cellEditor = 'agTextCellEditor';
    } else if (column.type === 'place') {
      // The gazetteer's picker, as in the whole-document grid; the row's `country` cell narrows it.
      def.cellEditor = PlaceEditor;
      def.cellEditorPopup = true;
      def.cellEditorParams = (p: ICellEditorParams<PagedRow>) => ({ tesseraColumn: column, rowCell: (id: string) => p.data?.[id] });
    } else if (column.type === 'ref' && column.ref) {
      // The referenced sheet searched on the server as one types (ref-editor.ts).
      Object.assign(def, { cellEditor: RefEditor, cellEditorPopup: true, cellEditorParams: { tesseraColumn: column, refs: this.refs } });
    }
    return def;
  }

  /** The pages of the rows a scroll of the grid shows, read if the grid has not read them (ends.ts). */
  private readAtScroll(event: Event): void {
    const scroller = event.target;
    const grid = this.grid;
    if (!grid || !(scroller instanceof HTMLElement) || !scroller.matches('.ag-grid-viewport, .ag-body-vertical-scroll-viewport')) return;
    const rows = rowsInView(scroller, grid.getDisplayedRowCount(), grid.getSizesForCurrentTheme().rowHeight, grid.getGridOption('rowBuffer') ?? ROW_BUFFER);
    if (!rows) return;
    const blocks = Object.values(grid.getCacheBlockState() as Record<string, { startRow: number; pageStatus: string }>);
    const has = (startRow: number) => blocks.some((b) => b.startRow === startRow && (b.pageStatus === 'loaded' || b.pageStatus === 'loading'));
    this.source?.readRows(rows.first, rows.last, has);
  }

  private datasource(): IDatasource {
    const { id } = this.dataset;
    const sheetId = this.sheetId;
    const q = this.query;
    // Ctrl+End finds the last page read already, a jump by the scrollbar the pages it lands on (ends.ts).
    this.source = readEndAhead({
      getRows: (params: IGetRowsParams) => {
        const search = orderSearch(params.sortModel[0], q, params.filterModel);
        // The first page may have been asked for before this code loaded: it is the same question.
        const early = this.firstRows;
        this.firstRows = undefined;
        const asked = early && params.startRow === 0 && params.endRow === PAGE_ROWS && search.size === 0 ? early : undefined;
        search.set('offset', String(params.startRow));
        search.set('limit', String(params.endRow - params.startRow));
        // A page read before the socket synced (the one in the page's HTML, say) may miss rows stored meanwhile.
        const unsynced = asked !== undefined || !this.conn.provider.synced;
        (asked ?? Promise.resolve(undefined))
          .then((page) => page ?? rowsPage(id, sheetId, search))
          .then((body) => {
            this.total = body.total;
            this.reviews.pageRows(body.rows);
            this.refs.pageRows(this.columns, body.rows);
            this.rowCount.textContent = `${body.total.toLocaleString('en')} row${body.total === 1 ? '' : 's'}`;
            if (params.startRow === 0) performance.mark('tessera:first-page');
            params.successCallback(body.rows, body.total);
            if (unsynced) this.pagesUnsynced = true;
            if (this.conn.provider.synced) this.checkPagesRead();
          })
          .catch(async () => {
            // The server cannot be reached: the rows kept in this browser, if any (see offline-rows.ts).
            const kept = params.startRow === 0 ? await this.keptRows(sheetId) : [];
            if (kept.length === 0) return params.failCallback();
            this.total = kept.length;
            this.rowCount.textContent = `${kept.length.toLocaleString('en')} row${kept.length === 1 ? '' : 's'} kept offline`;
            params.successCallback(kept, kept.length);
          });
      },
    }, PAGE_ROWS);
    return this.source;
  }

  private async onEdit(event: CellEditRequestEvent<PagedRow>): Promise<void> {
    const column = this.columns.find((c) => c.id === event.colDef.colId);
    const data = event.data;
    if (!column || !data) return;
    const value = toCellValue(column, event.newValue === '' ? null : event.newValue);
    // Shown at once; the row's delta confirms it once the server applied it.
    event.node.setData({ ...data, [column.id]: value });
    const sheetId = this.sheetId;
    try {
      // A row not open before is read from the server first: if someone changed the cell since this grid
      // showed it, their value is not replaced unseen.
      const now = (await this.rows.cellsWhenReady(sheetId, data.row_id))[column.id] ?? null;
      const seen = data[column.id] ?? null;
      if (!sameValue(now, seen) && !sameValue(now, value)) {
        const keep = await confirmDialog(
          `Someone changed this to ${quote(now)} before your change reached it. Keep yours?`,
          'Keep mine',
          `Yours: ${quote(value)}. Cancel leaves ${quote(now)}.`,
        );
        if (!keep) {
          this.showCells(sheetId, data.row_id, { [column.id]: now });
          return;
        }
      }
      const before = await this.rows.write(sheetId, data.row_id, { [column.id]: value });
      this.undo.record(changesOf(sheetId, data.row_id, before, { [column.id]: value }));
    } catch (err) {
      if (!(err instanceof RowClosedError)) throw err;
      // Nothing was written: the row shows what it held.
      if (event.node.data?.row_id === data.row_id) event.node.setData(data);
    }
  }

  /** The focused cell: where others see this tab, and its row opened (ready to edit, kept offline). */
  private onFocus(event: CellFocusedEvent<PagedRow>): void {
    const column = typeof event.column === 'string' ? event.column : event.column?.getColId();
    const rowId = event.rowIndex === null ? undefined : this.grid?.getDisplayedRowAtIndex(event.rowIndex)?.data?.row_id;
    const isData = column !== undefined && this.columns.some((c) => c.id === column);
    this.presence.setCell(rowId && isData ? { sheet: this.sheetId, row: rowId, column } : null);
    if (rowId && isData && !this.readOnly) {
      const refused = this.rows.closedRow(this.sheetId, rowId);
      this.rows.touch(this.sheetId, rowId);
      // A row refused before is asked for again: editable until the server says otherwise.
      if (refused && !this.rows.closedRow(this.sheetId, rowId)) this.redrawRow(rowId);
    }
    if (rowId && this.panel instanceof HistoryPanel) this.panel.showRow(rowId);
    if (rowId) this.sources.rowFocused(this.sheetId, rowId);
  }

  /** A block from the clipboard, from the focused cell on: every row it covers written, one undo step. */
  private onPaste(event: ClipboardEvent): void {
    if (this.readOnly || isInEditor(event.target)) return;
    const start = this.block.pasteStart();
    const text = event.clipboardData?.getData('text/plain');
    if (!this.grid || !start || !text) return;
    event.preventDefault();
    void this.paste(text, start.rowIndex, start.colId);
  }

  private async paste(text: string, start: number, column: string): Promise<void> {
    const grid = this.grid;
    if (!grid) return;
    const sheetId = this.sheetId;
    const shown = grid.getAllDisplayedColumns().map((c) => this.columns.find((col) => col.id === c.getColId()))
      .filter((c): c is Column => c !== undefined);
    let ids: Array<string | undefined>;
    try {
      ids = await this.rowIdsFrom(start, blockLines(text));
    } catch (err) {
      toast(`Could not paste: ${(err as Error).message}`, 'error');
      return;
    }
    if (this.grid !== grid) return;
    const plan = planPaste(text, start, column, shown, (c) => c.type !== 'evidence' && c.type !== 'place', (i) => ids[i - start]);
    for (const { row, cells } of plan.writes) this.showCells(sheetId, row, cells);
    if (plan.linesLeft > 0) toast(`${plan.linesLeft} line${plan.linesLeft === 1 ? '' : 's'} past the sheet's last row were not pasted.`);
    this.undo.record(await writePaste(this.rows, sheetId, plan.writes));
  }

  /**
   * The ids of the rows shown at `start` to `start + count` (fewer past the sheet's end): those on pages
   * read already, the rest asked of the server in the grid's order (sort, search and status filter).
   */
  private async rowIdsFrom(start: number, count: number): Promise<Array<string | undefined>> {
    const grid = this.grid!;
    const ids = Array.from({ length: count }, (_, i) => grid.getDisplayedRowAtIndex(start + i)?.data?.row_id);
    const first = ids.findIndex((id) => id === undefined);
    if (first < 0 || start + first >= this.total) return ids;
    const search = this.orderQuery(grid);
    search.set('offset', String(start + first));
    search.set('limit', String(Math.min(count - first, WRITE_ROWS_MAX)));
    const body = await rowsPage(this.dataset.id, this.sheetId, search);
    body.rows.forEach((row, j) => {
      ids[first + j] ??= row.row_id;
    });
    return ids;
  }

  /** The grid's order as the rows route asks for it: its sort, the search and the status filter. */
  private orderQuery(grid: GridApi<PagedRow>): URLSearchParams {
    return orderSearch(grid.getColumnState().find((c) => c.sort), this.query, grid.getFilterModel());
  }

  /** Where rows of the shown sheet stand in the grid's order, asked of the server; rows the order leaves out are absent. */
  private async locate(sheetId: string, rowIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const found = new Map<string, number>();
    const grid = this.grid;
    if (!grid || sheetId !== this.sheetId) return found;
    const query = this.orderQuery(grid);
    for (let i = 0; i < rowIds.length; i += POSITIONS_ASKED) {
      const { positions } = await rowPositions(this.dataset.id, sheetId, query, rowIds.slice(i, i + POSITIONS_ASKED));
      for (const [row, index] of Object.entries(positions)) if (index !== null) found.set(row, index);
    }
    return found;
  }

  /**
   * Shows a row, its cell in `columnId` (else the first column) focused: on a page read already, or wherever the
   * server says it stands in the grid's order, once its page has come.
   */
  private async goToRow(sheetId: string, rowId: string, columnId?: string): Promise<void> {
    if (sheetId !== this.sheetId) this.showSheet(sheetId);
    const grid = this.grid;
    const column = columnId ?? this.columns[0]?.id;
    if (!grid || !column || sheetId !== this.sheetId) return;
    let index = grid.getRowNode(rowId)?.rowIndex ?? undefined;
    if (index === undefined) {
      let found: ReadonlyMap<string, number> | undefined;
      try {
        found = await this.locate(sheetId, [rowId]);
      } catch (err) {
        toast(`Could not find the row: ${(err as Error).message}`, 'error');
        return;
      }
      if (this.grid !== grid) return;
      index = found.get(rowId);
      if (index === undefined) {
        toast('That row is not shown: the search or a filter leaves it out, or it was deleted.');
        return;
      }
    }
    grid.ensureIndexVisible(index, 'middle');
    grid.setFocusedCell(index, column);
    if (grid.getDisplayedRowAtIndex(index)?.data) return;
    // Its page is being read: focused again once it is there, so that the row opens for editing. The grid may be
    // reading the sheet again meanwhile (rows came in bulk), with fewer rows than the index: it is scrolled there
    // again as the rows come.
    const at = index;
    const left = grid.getFocusedCell();
    const loaded = await new Promise<boolean>((resolve) => {
      const check = () => {
        if (grid.isDestroyed() || grid.getDisplayedRowAtIndex(at)?.data) done();
        else if (grid.getDisplayedRowCount() > at) grid.ensureIndexVisible(at, 'middle');
      };
      const done = () => {
        clearTimeout(timer);
        if (!grid.isDestroyed()) grid.removeEventListener('modelUpdated', check);
        resolve(!grid.isDestroyed() && grid.getDisplayedRowAtIndex(at)?.data !== undefined);
      };
      const timer = window.setTimeout(done, ROW_LOAD_WAIT_MS);
      grid.addEventListener('modelUpdated', check);
    });
    // Unless the user went elsewhere meanwhile.
    const focused = grid.isDestroyed() ? null : grid.getFocusedCell();
    const moved = focused !== null && !(focused.rowIndex === left?.rowIndex && focused.column.getColId() === left.column.getColId());
    if (loaded && !moved) grid.setFocusedCell(at, column);
  }

  /** Ctrl/Cmd+Z and Ctrl/Cmd+Y (or Shift+Z): this user's last change, in whatever row it was. */
  private onUndoKey(event: KeyboardEvent): void {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || this.readOnly) return;
    const key = event.key.toLowerCase();
    const redo = key === 'y' || (key === 'z' && event.shiftKey);
    if (key !== 'z' && !redo) return;
    const target = event.target as Element | null;
    if (isInEditor(target) || target?.closest('input, textarea, select, dialog')) return;
    event.preventDefault();
    void (redo ? this.undo.redo() : this.undo.undo());
  }

  /** Shows a row's new values at once (if it is on a page read), before its delta comes back. */
  private showCells(sheetId: string, rowId: string, cells: Record<string, CellValue | undefined>): void {
    const node = sheetId === this.sheetId ? this.grid?.getRowNode(rowId) : undefined;
    if (node?.data) node.setData({ ...node.data, ...Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, v ?? null])) });
  }

  /** An open row's cells as its document holds them, where they differ from what the grid shows. */
  private showRowDocument(sheetId: string, rowId: string, cells: Record<string, CellValue>): void {
    const node = sheetId === this.sheetId ? this.grid?.getRowNode(rowId) : undefined;
    if (!node?.data) return;
    const shown = node.data;
    const differ = this.columns.filter((c) => !sameValue(shown[c.id], cells[c.id]));
    if (differ.length > 0) this.showCells(sheetId, rowId, Object.fromEntries(differ.map((c) => [c.id, cells[c.id]])));
  }

  /** The rows of a sheet kept in this browser, in row id order, for when the server cannot be reached. */
  private async keptRows(sheetId: string): Promise<PagedRow[]> {
    const kept = (await this.offline.all()).filter((r: KeptRow) => r.sheet === sheetId && r.cells !== null);
    return kept.sort((a, b) => (a.row < b.row ? -1 : 1)).map((r) => ({ ...r.cells!, row_id: r.row }));
  }

  /**
   * Rows named by ref cells were read: a ref to a row that is not there is a problem. The ref cells are redrawn by
   * `refs` (after an open editor closes); the row numbers' marks and the count follow here.
   */
  private refsRead(): void {
    this.problems.forget();
    if (this.grid && this.grid.getEditingCells().length === 0) this.grid.refreshCells({ columns: [ROW_NUMBER_COL], force: true });
    this.countProblems();
  }

  /** Checks the loaded rows again (an actor list was read) and marks what changed. */
  private recheckProblems(): void {
    this.problems.forget();
    // Not under an open editor (a refresh would close it): the marks follow with the next change shown.
    if (this.grid && this.grid.getEditingCells().length === 0) this.grid.refreshCells({ force: true });
    this.countProblems();
  }

  private countProblems(): void {
    let n = 0;
    this.grid?.forEachNode((node) => {
      if (node.data && Object.keys(this.problems.of(node.data)).length > 0) n += 1;
    });
    this.problemCount.textContent = n > 0 ? `${n.toLocaleString('en')} loaded with problems` : '';
    this.problemCount.className = n > 0 ? 'problems' : 'muted';
  }

  private openReviewPanel(): ReviewPanel {
    if (this.panel instanceof ReviewPanel) return this.panel;
    return this.showPanel(this.review.controller.createPanel(() => this.closePanel()));
  }

  /** The focused row's story (read from the server, again as another row is focused). */
  private openHistoryPanel(): void {
    const panel = this.panel instanceof HistoryPanel ? this.panel : this.showPanel(new HistoryPanel(this.dataset.id, this.conn.doc, this.sheetId, () => this.closePanel()));
    const focused = this.grid?.getFocusedCell();
    panel.showRow(focused ? this.grid?.getDisplayedRowAtIndex(focused.rowIndex)?.data?.row_id : undefined);
  }

  private toggleMap(): void {
    if (this.panel instanceof MapPanel) this.closePanel();
    else this.openMap();
  }

  /** The sheet's map, from the server's points (the rows are not all in the browser), searched and filtered as the grid is. */
  private openMap(): void {
    const sheetId = this.sheetId;
    const source = serverSource({
      datasetId: this.dataset.id, sheetId, columns: () => this.columns, sheetTotal: () => this.total,
      query: () => {
        const params = new URLSearchParams();
        if (this.query) params.set('q', this.query);
        const status = this.grid ? statusFilter(this.grid.getFilterModel()) : null;
        if (status) params.set('filter[review_status]', status);
        return params;
      },
      listen: (changed) => {
        this.mapListeners.add(changed);
        return () => this.mapListeners.delete(changed);
      },
    });
    this.showPanel(new MapPanel({
      source, onClose: () => this.closePanel(),
      goToRow: (row) => void this.goToRow(sheetId, row),
    }, `${this.dataset.id}/${sheetId}`));
  }

  /**
   * The sheet's likely duplicates, `focus` the rows of the group to show first (from the review panel); a
   * merge is one step of this user's undo.
   */
  private openDuplicates(focus?: readonly string[]): void {
    const { id } = this.dataset;
    const sheetId = this.sheetId;
    this.showPanel(new DuplicatesPanel({
      datasetId: id, doc: this.conn.doc, sheetId, canEdit: !this.readOnly, onClose: () => this.closePanel(),
      focus, onChanged: () => void this.duplicateQueue.load(),
      readRows: (rows) => duplicateRowCells(id, sheetId, rows),
      onMerged: (keep, merged) => this.undo.record(mergeStep(id, sheetId, keep, merged)),
      goToRow: (row) => void this.goToRow(sheetId, row),
    }));
  }

  private tellMap(): void {
    for (const changed of this.mapListeners) changed();
  }

  private showPanel<T extends ReviewPanel | HistoryPanel | MapPanel | DuplicatesPanel>(panel: T): T {
    this.panel?.destroy();
    this.panel = panel;
    replaceChildren(this.side, panel.element);
    this.side.hidden = false;
    return panel;
  }

  private closePanel(): void {
    this.panel?.destroy();
    this.panel = null;
    replaceChildren(this.side);
    this.side.hidden = true;
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

  /** The server closed a row's room: the row shows it; a row that is gone is read again with its page. */
  private onRowClosed(closed: ClosedRow): void {
    if (closed.sheet !== this.sheetId) return;
    this.redrawRow(closed.row);
    if (closed.gone && getSheets(this.conn.doc).has(closed.sheet)) this.refreshSoon();
  }

  private closedRow(data: PagedRow | undefined): ClosedRow | undefined {
    return data ? this.rows.closedRow(this.sheetId, data.row_id) : undefined;
  }

  private redrawRow(rowId: string): void {
    const node = this.grid?.getRowNode(rowId);
    if (node) this.grid?.redrawRows({ rowNodes: [node] });
  }

  /** Rows changed in their own rooms: shown in place; rows that came or went read the pages again. */
  private applyDeltas(deltas: readonly RowDelta[]): void {
    this.reviews.deltas(deltas);
    this.conflictMirror.deltas(deltas);
    this.refs.deltas(deltas);
    this.sources.rowsChanged(deltas);
    let reread = false;
    let unread = false;
    const mine = deltas.filter((d) => d.sheet === this.sheetId);
    // A page read ahead holding a changed row, or read before a row came or went, is read again when asked for.
    if (mine.length > 0) this.source?.forget(mine.some((d) => d.cells === null) ? undefined : mine.map((d) => d.row));
    for (const delta of deltas) {
      if (delta.sheet !== this.sheetId) continue;
      const node = this.grid?.getRowNode(delta.row);
      if (delta.cells === null) reread = true;
      else if (!node?.data) unread = true;
      else {
        // A delta holds the row's cells as they now are: a column it lacks was emptied.
        const emptied = this.columns.filter((c) => !(c.id in delta.cells!)).map((c) => [c.id, null]);
        node.setData({ ...node.data, ...Object.fromEntries(emptied), ...(delta.cells as Record<string, CellValue>), row_id: delta.row });
      }
    }
    this.countProblems();
    if (reread) this.refreshSoon();
    else if (unread) this.unreadRowChanged();
    if (deltas.some((d) => d.sheet === this.sheetId)) this.tellMap();
  }

  /**
   * A row this tab has not read changed (or was added). In the grid's plain order (by row id, nothing searched,
   * sorted or filtered) a row stays where it was and a new one comes last: unless the tab shows the sheet's end,
   * the pages are read again only when the sheet's count says rows were added, which a one-row page tells cheaply.
   * Otherwise the row may have moved into view: the pages are read again. Either at most once per UNREAD_CHECK_MS.
   */
  private unreadRowChanged(): void {
    if (this.unreadTimer !== null) return;
    const wait = Math.max(100, this.lastUnreadCheck + UNREAD_CHECK_MS - performance.now());
    this.unreadTimer = window.setTimeout(() => {
      this.unreadTimer = null;
      this.lastUnreadCheck = performance.now();
      const grid = this.grid;
      if (!grid) return;
      const plain = this.orderQuery(grid).size === 0;
      // A tab at the sheet's end shows where a new row comes: it reads its pages again (the count alone may have
      // been read already, by a page of its own, while the page it shows was read before the row came).
      // Told by the grid's pages, not by its last row: asking the grid for a row it has not read has it read its page.
      const last = grid.getDisplayedRowCount() - 1;
      const pages = Object.values(grid.getCacheBlockState() as Record<string, { startRow: number; endRow: number; pageStatus: string }>);
      const atEnd = last >= 0 && pages.some((p) => p.startRow <= last && last < p.endRow && p.pageStatus === 'loaded');
      if (!plain || atEnd) return grid.refreshInfiniteCache();
      const sheetId = this.sheetId;
      rowsPage(this.dataset.id, sheetId, new URLSearchParams({ offset: '0', limit: '1' })).then((body) => {
        if (sheetId === this.sheetId && body.total !== this.total) this.grid?.refreshInfiniteCache();
      }, () => undefined);
    }, wait);
  }

  /**
   * Reads again the pages the grid holds, once the dataset's socket synced after they were read (`pagesUnsynced`):
   * rows changed meanwhile are shown as deltas would have shown them (not rows open here: their documents show
   * them), and rows that came, went or moved in the grid's order have the pages read again.
   */
  private checkPagesRead(): void {
    if (!this.pagesUnsynced || this.checkingPages) return;
    this.pagesUnsynced = false;
    let failed = false;
    this.checkingPages = this.readPagesAgain()
      .catch(() => {
        // Tried again at the next sync or page read; the tab is not held as connecting meanwhile.
        failed = true;
        this.pagesUnsynced = true;
      })
      .finally(() => {
        this.checkingPages = null;
        this.showStatus();
        // The socket was lost and synced again while the pages were read: read them again.
        if (!failed && this.pagesUnsynced && this.conn.provider.synced) this.checkPagesRead();
      });
    this.showStatus();
  }

  private async readPagesAgain(): Promise<void> {
    const grid = this.grid;
    if (!grid || grid.isDestroyed()) return;
    const sheetId = this.sheetId;
    const order = this.orderQuery(grid);
    const blocks = Object.values(grid.getCacheBlockState() as Record<string, { startRow: number; endRow: number; pageStatus: string }>)
      .filter((b) => b.pageStatus === 'loaded');
    const pages = await Promise.all(blocks.map(async ({ startRow, endRow }) => {
      const search = new URLSearchParams(order);
      search.set('offset', String(startRow));
      search.set('limit', String(endRow - startRow));
      return { startRow, body: await rowsPage(this.dataset.id, sheetId, search) };
    }));
    if (grid.isDestroyed() || grid !== this.grid || sheetId !== this.sheetId || this.orderQuery(grid).toString() !== order.toString()) return;
    let moved = false;
    const deltas: RowDelta[] = [];
    for (const { startRow, body } of pages) {
      if (body.total !== this.total) moved = true;
      this.reviews.pageRows(body.rows);
      for (const [i, { row_id: rowId, review_status: _status, ...cells }] of body.rows.entries()) {
        const shown = grid.getDisplayedRowAtIndex(startRow + i)?.data;
        if (shown?.row_id !== rowId) moved = true;
        else if (!this.rows.isOpen(sheetId, rowId) && this.columns.some((c) => !sameValue(shown[c.id], cells[c.id]))) {
          deltas.push({ sheet: sheetId, row: rowId, cells });
        }
      }
    }
    if (deltas.length > 0) this.applyDeltas(deltas);
    if (moved) this.refreshSoon();
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
    this.problems.setColumns(columns);
    void this.actorLists.readFor(columns);
    this.grid?.setGridOption('columnDefs', this.columnDefs(columns));
  }

  /** Shows another sheet of the dataset, with its address (`push`: a new entry in the browser's history). */
  private showSheet(sheetId: string, push = true): void {
    if (sheetId === this.sheetId) return;
    const sheet = getSheets(this.conn.doc).get(sheetId);
    const columns = sheet ? readColumns(sheet) : this.dataset.sheets.find((s) => s.id === sheetId)?.columns;
    if (!columns) return;
    if (push) history.pushState(null, '', datasetPath(this.dataset.id, sheetId));
    this.show(sheetId, columns);
  }

  /** The dataset's sheets with their columns, from its document once synced. */
  private sheetList(): Array<{ id: string; name: string; columns: readonly Column[] }> {
    const doc = this.conn.doc;
    const ids = orderedSheetIds(doc);
    return ids.length > 0
      ? ids.map((id) => ({ id, name: sheetName(getSheets(doc).get(id)!), columns: readColumns(getSheets(doc).get(id)!) }))
      : this.dataset.sheets;
  }

  /** A row's label in the review panel: its date and summary when its page is loaded, else the end of its id. */
  private rowLabel(sheetId: string, rowId: string): string {
    const row = sheetId === this.sheetId ? this.grid?.getRowNode(rowId)?.data : undefined;
    const columns = this.sheetList().find((s) => s.id === sheetId)?.columns ?? [];
    const date = columns.find((c) => c.type === 'date');
    const text = columns.find((c) => c.id === 'summary') ?? columns.find((c) => c.type === 'text' || c.type === 'longtext');
    const label = row ? [date, text].map((c) => (c ? toText(row[c.id] ?? null) : '')).filter((t) => t !== '').join(' · ') : '';
    return label || `Row …${rowId.slice(-6)}`;
  }

  private renderTabs(): void {
    const sheets = this.sheetList();
    this.tabs.replaceChildren(...sheets.map((s) => h('button', {
      type: 'button', class: `tab${s.id === this.sheetId ? ' active' : ''}`, 'aria-current': s.id === this.sheetId ? 'page' : undefined,
      onclick: () => {
        if (s.id === this.sheetId) return;
        this.showSheet(s.id);
      },
    }, s.name)));
  }

  /** The dataset's connection state, unless a row's write is not stored yet. */
  private showStatus(status?: SyncStatus): void {
    if (status) this.connState = status;
    // Saved and synced, but the rows shown are still being read again: not live yet.
    const saved = this.connState.state === 'saved';
    const state = saved && this.checkingPages ? 'connecting' as const : this.rows.unsaved && saved ? 'not-saved' as const : this.connState.state;
    // Offline, what waits is the rows changed here (a row's changes count once).
    const shown = { ...this.connState, state, pending: this.connState.pending + this.rows.pendingRows };
    // Told after every change of the rows' state (many per second in a paste): the page is touched only when it differs.
    const text = statusText(shown);
    if (this.status.textContent !== text) this.status.textContent = text;
    if (this.status.dataset.state !== shown.state) this.status.dataset.state = shown.state;
  }

  private fatal(reason: string): void {
    this.rows.destroy();
    this.offline.destroy();
    this.review.destroy();
    this.conflicts.destroy();
    this.conflictMirror.destroy();
    this.reviews.destroy();
    this.presence.destroy();
    this.sources.destroy();
    replaceChildren(this.app, topBar(this.me, [h('a', { href: '/' }, 'Datasets')]), h('main', { class: 'page-error' }, reason));
  }
}

/** What a row whose room the server closed says, on its marker. */
/**
 * An order as the rows route asks for it: a sorted column (AG Grid's sort model or column state), the search and
 * the review-status filter; empty for the plain order (row id).
 */
function orderSearch(sort: { colId: string; sort?: 'asc' | 'desc' | null } | undefined, q: string, filterModel: unknown): URLSearchParams {
  const search = new URLSearchParams();
  if (sort?.sort) search.set('sort', `${sort.sort === 'desc' ? '-' : ''}${sort.colId}`);
  if (q) search.set('q', q);
  const status = statusFilter(filterModel);
  if (status) search.set('filter[review_status]', status);
  return search;
}

/** Runs `task` once the page is idle (within a second), or after this task where the browser cannot tell. */
function whenIdle(task: () => void): void {
  if ('requestIdleCallback' in window) requestIdleCallback(task, { timeout: 1000 });
  else setTimeout(task, 0);
}

function closedText(closed: ClosedRow): string {
  return closed.gone ? 'This row was deleted: it cannot be edited' : `This row cannot be edited here: ${closed.reason}`;
}

/** Whether two cell values are the same (lists and anchors by content). */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
