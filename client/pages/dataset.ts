/**
 * A dataset's page: one tab per sheet, the grid, the toolbar, who is here and the save status.
 */
import { ApiError, api } from '../api';
import type { DatasetAccess, DatasetDetail, SheetPatch, User as Me } from '../../model/http';
import { type Role, canEdit } from '../../model/roles';
import { getMeta, getSheet, getSheets, orderedSheetIds, readColumns, sheetName } from '../../model/document';
import { MembersPanel } from '../access/members-panel';
import { CloseCode } from '../../model/codes';
import { conversionBanner, SUGGEST_CONVERSION_ROWS } from './convert';
import { rememberRoleChange, renderAccessEnded, renderConverting, roleChangeBanner, takeRoleChange } from '../access/notices';
import { ColumnPanel } from '../columns/panel';
import { SheetBinding } from '../grid/binding';
import { SheetGrid } from '../grid/grid';
import { widePasteHandler } from '../grid/wide-paste';
import { codebookPath, datasetPath, progressPath, releasesPath, roundsPath } from '../router';
import { startRoundDialog } from '../rounds/start-dialog';
import { Connection, LOCAL_ORIGIN, statusText } from '../sync/connection';
import { Presence, colorFor } from '../sync/presence';
import { confirmDialog, h, replaceChildren, toast } from '../ui/dom';
import { closesLikeAMenu } from '../ui/menu';
import { promptDialog } from '../ui/prompt';
import { openImportDialog } from '../import/dialog';
import { exportMenu } from './export-menu';
import { HistoryPanel } from './history-panel';
import { DuplicatesPanel } from '../duplicates/panel';
import { DuplicateQueue } from '../duplicates/queue';
import { mergeStep } from '../duplicates/undo-step';
import { MapPanel } from '../map/panel';
import { gridSource } from '../map/source';
import { ReviewController } from '../review/controller';
import { ConflictController } from '../conflicts/controller';
import { ReviewPanel } from '../review/review-panel';
import { ReadingPane } from '../sources/pane';
import { refLabeller } from '../grid/context';
import { UndoStack } from '../grid/undo-stack';
import type { ServerStep } from '../paged/undo';
import { renderNotFound, topBar } from './layout';
import { footerKeys, rowCountText } from './sheet-footer';
import { renderWho } from './whos-here';

export async function renderDataset(app: HTMLElement, me: Me, datasetId: string, sheetId?: string): Promise<void> {
  document.title = 'Tessera';
  replaceChildren(app, topBar(me, [h('a', { href: '/' }, 'Datasets'), datasetId]), h('main', { class: 'loading' }, 'Opening…'));
  let dataset: DatasetDetail;
  try {
    dataset = await api.get('/api/datasets/{id}', { params: { id: datasetId } });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      renderNotFound(app, me, `There is no dataset “${datasetId}”, or you may not open it.`);
    } else {
      replaceChildren(app, topBar(me, []), h('main', { class: 'page-error' }, `Could not load the dataset: ${(err as Error).message}`));
    }
    return;
  }
  // Opened here only when it was not known before (the app start picks the paged grid for one).
  if (dataset.layout === 'rows') {
    const { renderPagedDataset } = await import('../paged/page');
    return renderPagedDataset(app, me, dataset, sheetId);
  }
  // The role on this dataset decides; a server that does not say falls back to the global role.
  const page = new DatasetPage(app, me, dataset.role ?? me.role, datasetId, dataset.name, dataset.createdAt, dataset.archivedAt ?? null, dataset.access ?? 'everyone');
  // A sheet grown large in one document: its admins are told how to keep it fast.
  const largest = Math.max(0, ...dataset.sheets.map((s) => s.rowCount));
  if (largest >= SUGGEST_CONVERSION_ROWS && dataset.role === 'admin') page.suggestConversion(largest);
  await page.open(sheetId);
}

class DatasetPage {
  private readonly conn: Connection;
  /** Over the tabs for admins of a large dataset (`suggestConversion`). */
  private conversion: HTMLElement | null = null;
  private readonly presence: Presence;
  private readonly readOnly: boolean;
  private readonly bindings = new Map<string, SheetBinding>();
  private grid: SheetGrid | null = null;
  private sheetId = '';
  /** Set once the first sheet was shown: later, a sheet that appears on an empty dataset is shown. */
  private opened = false;
  /** A sheet this user added, to show as soon as the document has it. */
  private showWhenAdded: string | null = null;
  private panel: ColumnPanel | HistoryPanel | ReviewPanel | MembersPanel | DuplicatesPanel | MapPanel | null = null;
  private readonly review: ReviewController;
  private readonly conflicts: ConflictController;
  /** The sources beside the grid (client/sources). */
  private readonly reading: ReadingPane;
  /** Likely duplicates for the review panel (client/duplicates/queue.ts). */
  private readonly duplicateQueue: DuplicateQueue;

  /** The sheet tabs (a tablist of tabs only), then the current sheet's menu, the add button and the dataset's pages. */
  private readonly tabs = h('nav', { class: 'tabs', 'aria-label': 'Sheets and dataset pages' });
  private readonly gridHost = h('div', { class: 'grid-host', 'data-testid': 'grid' });
  private readonly side = h('aside', { class: 'side-panel' });
  private readonly title: HTMLElement;
  private readonly status = h('span', { class: 'sync-status', 'data-testid': 'sync-status', role: 'status' });
  private readonly who = h('div', { class: 'whos-here', 'data-testid': 'whos-here', 'aria-label': 'Who is here' });
  private readonly rowCount = h('span', { 'data-testid': 'row-count' });
  private readonly problemCount = h('span', { 'data-testid': 'problem-count' });
  private readonly keys = h('span', { class: 'keys muted', 'data-testid': 'footer-keys' });
  private readonly footer = h('footer', { class: 'sheet-footer', 'data-testid': 'sheet-footer' },
    this.rowCount,
    this.problemCount,
    this.keys,
  );
  private readonly problemsToggle = h('input', { type: 'checkbox', 'data-testid': 'problems-only' });
  private readonly problemsCount = h('span', { class: 'count' });
  private readonly search = h('input', { type: 'search', class: 'search', placeholder: 'Search this sheet', 'aria-label': 'Search this sheet' });
  private readonly exportHost = h('div', { class: 'export-host' });
  /** This user's undo: their edits and their merges of duplicates, in order. */
  private readonly undo: UndoStack;
  private readonly undoButton: HTMLButtonElement;
  private readonly redoButton: HTMLButtonElement;
  /** At the right end of the tabs (the toolbar is full at 1280 px). */
  /** The dataset's own pages (progress, codebook, releases, rounds), at the end of the sheet tabs. */
  private readonly datasetPages: HTMLElement;

  constructor(
    private readonly app: HTMLElement, private readonly me: Me, private readonly role: Role,
    private readonly datasetId: string, private readonly name: string, createdAt: string,
    private readonly archivedAt: string | null = null,
    private access: DatasetAccess = 'everyone',
  ) {
    this.readOnly = !canEdit(role);
    this.keys.textContent = footerKeys(role);
    this.title = h('span', { class: 'dataset-title', 'data-testid': 'dataset-title' }, name);
    // One offline copy per server, user and dataset: a dataset made again under the same id starts clean.
    const cacheName = `tessera:${location.host}:${me.id}:${datasetId}:${createdAt}`;
    this.conn = new Connection({
      datasetId, cacheName, layout: 'document', onFatal: (code, reason) => this.onFatal(code, reason), onRoleChange: (next) => this.onRoleChange(next),
    });
    this.presence = new Presence(this.conn.provider.awareness, { name: me.name, color: colorFor(me.id) });
    this.review = new ReviewController({ datasetId, me: me.name, role, doc: this.conn.doc, localOrigin: LOCAL_ORIGIN });
    this.review.events.on('show-sheet', (id) => this.showSheet(id, 'push'));
    this.review.events.on('open-thread', (rowId) => {
      if (!(this.panel instanceof ReviewPanel)) this.openPanel('review');
      if (this.panel instanceof ReviewPanel) this.panel.showRow(rowId);
    });
    this.review.events.on('open-history', () => {
      if (!(this.panel instanceof HistoryPanel)) this.openPanel('history');
    });
    this.review.events.on('toggle-review-panel', () => this.togglePanel('review'));
    this.review.bindGridHost(this.gridHost);
    this.conflicts = new ConflictController({
      datasetId, role, doc: this.conn.doc, goTo: (sheet, row, column) => void this.review.goTo(sheet, row, column),
    });
    this.footer.insertBefore(this.conflicts.footerElement, this.keys);
    this.review.addMenuEntries((rowId, columnId) => this.conflicts.menuEntries(rowId, columnId));
    const labels = refLabeller(this.conn.doc);
    this.reading = new ReadingPane({
      datasetId, doc: this.conn.doc, origin: LOCAL_ORIGIN, canEdit: !this.readOnly,
      goToRow: (sheet, row, column) => void this.review.goTo(sheet, row, column),
      rowLabel: (sheet, row) => {
        const label = labels.refLabel(sheet, row);
        return label === null ? null : `${this.bindings.get(sheet)?.name ?? sheet}: ${label.length > 80 ? `${label.slice(0, 79)}…` : label}`;
      },
    });
    this.review.setRowPassages((sheet, row) => this.reading.passagesOf(sheet, row));
    this.duplicateQueue = new DuplicateQueue({
      datasetId,
      sheets: () => [...this.bindings.values()].map((b) => ({ id: b.sheetId, name: b.name, columns: b.columns() })),
      rowLabel: (sheet, row) => labels.refLabel(sheet, row),
      openGroup: (sheet, rows) => {
        if (sheet !== this.sheetId) this.showSheet(sheet, 'push');
        this.openPanel('duplicates', rows);
      },
    });
    this.review.setDuplicates(this.duplicateQueue);
    this.undo = new UndoStack(this.conn.undo);
    this.undoButton = h('button', { type: 'button', class: 'button icon', title: 'Undo my last change (Ctrl+Z)', 'data-testid': 'undo', onclick: () => this.grid?.undo() }, '↶');
    this.redoButton = h('button', { type: 'button', class: 'button icon', title: 'Redo (Ctrl+Shift+Z)', 'data-testid': 'redo', onclick: () => this.grid?.redo() }, '↷');
    this.datasetPages = h('span', { class: 'dataset-pages' },
      h('a', { class: 'button subtle', href: progressPath(datasetId), 'data-testid': 'progress-link', title: 'How much is coded, approved and flagged, and who coded what' }, 'Progress'),
      h('a', { class: 'button subtle', href: codebookPath(datasetId), 'data-testid': 'codebook-link', title: 'Every column: type, codes with labels and counts' }, 'Codebook'),
      h('a', { class: 'button subtle', href: releasesPath(datasetId), 'data-testid': 'releases-link', title: 'Numbered, frozen copies of the dataset' }, 'Releases'),
      // Beside the grid, for the sheet on show (the toolbar has no room left at 1280 px).
      h('button', {
        type: 'button', class: 'button subtle', 'data-testid': 'duplicates-button', title: 'Rows of this sheet that likely code the same event: merge them, or mark them as not the same',
        onclick: () => this.togglePanel('duplicates'),
      }, 'Duplicates'),
      h('button', {
        type: 'button', class: 'button subtle', 'data-testid': 'map-button', title: 'The rows shown on a map, and per week or month',
        onclick: () => this.togglePanel('map'),
      }, 'Map'),
      this.roundsMenu());
  }

  async open(sheetId?: string): Promise<void> {
    document.title = `${this.name} · Tessera`;
    this.renderFrame();
    this.conn.onStatus((s) => {
      this.status.textContent = statusText(s);
      this.status.dataset.state = s.state;
    });
    this.presence.onChange(() => this.renderWho());
    this.renderWho();
    const updateUndo = () => {
      this.undoButton.disabled = this.readOnly || !this.undo.canUndo();
      this.redoButton.disabled = this.readOnly || !this.undo.canRedo();
    };
    this.undo.onChange(updateUndo);
    updateUndo();

    await this.conn.ready;
    const sheets = getSheets(this.conn.doc);
    // Sheets come and go, and are renamed and moved (keys of the sheets map and of each sheet's map).
    sheets.observeDeep((events) => {
      if (events.some((e) => e.path.length <= 1)) this.syncSheets();
    });
    getMeta(this.conn.doc).observe(() => this.renderTitle());
    this.syncSheets();
    performance.mark('tessera:sheets-bound');
    const first = orderedSheetIds(this.conn.doc)[0];
    const target = sheetId !== undefined && sheets.has(sheetId) ? sheetId : first;
    if (sheetId !== undefined && !sheets.has(sheetId)) toast(`There is no sheet “${sheetId}” here; showing the first one.`);
    if (target === undefined) this.showNoSheets();
    else this.showSheet(target, sheetId === undefined || sheetId !== target ? 'replace' : 'none');
    this.opened = true;
    window.addEventListener('popstate', () => {
      const parts = location.pathname.split('/').filter(Boolean);
      const wanted = parts[2] ? decodeURIComponent(parts[2]) : orderedSheetIds(this.conn.doc)[0];
      if (wanted && wanted !== this.sheetId && sheets.has(wanted)) this.showSheet(wanted, 'none');
    });
  }

  private renderFrame(): void {
    const editTools = this.readOnly
      ? [h('span', {
        class: 'read-only-badge', 'data-testid': 'read-only',
        // An archive makes the dataset read-only for everyone, whatever their role: the title says which it is.
        title: this.archivedAt ? 'Archived: read-only for everyone, admins too, until an admin restores it.' : 'Your role can read and export, not change rows.',
      }, 'Read only')]
      : [
        h('button', { type: 'button', class: 'button primary', 'data-testid': 'add-row', onclick: () => this.grid?.addRow() }, '+ Add row'),
        h('button', { type: 'button', class: 'button', 'data-testid': 'delete-rows', onclick: () => void this.deleteRows() }, 'Delete rows'),
        h('button', { type: 'button', class: 'button', 'data-testid': 'import-button', title: 'Import rows from a CSV or XLSX file', onclick: () => this.openImport() }, 'Import'),
        h('span', { class: 'divider' }),
        this.undoButton,
        this.redoButton,
      ];
    this.problemsToggle.addEventListener('change', () => this.grid?.setProblemsOnly(this.problemsToggle.checked));
    this.search.addEventListener('input', () => this.grid?.setSearch(this.search.value));
    const admin = this.role === 'admin'
      ? h('button', { type: 'button', class: 'button', 'data-testid': 'columns-button', onclick: () => this.togglePanel('columns') }, 'Columns')
      : null;
    // Members belong to the dataset, not the sheet: the button sits in the top bar, beside who is here.
    const members = this.role === 'admin'
      ? h('button', {
        type: 'button', class: 'button', 'data-testid': 'members-button', title: 'Who may open this dataset, and each member’s role',
        onclick: () => this.togglePanel('members'),
      }, 'Members')
      : null;
    const toolbar = h('div', { class: 'toolbar' },
      ...editTools,
      h('span', { class: 'divider' }),
      h('label', { class: 'toggle', title: 'Show only rows with problems: a required cell left empty, a code not in the list, a bad date or link, a direct quote that is not its evidence' },
        this.problemsToggle, h('span', {}, 'Problems only'), this.problemsCount),
      this.search,
      h('span', { class: 'spacer' }),
      ...this.review.toolbarItems(),
      this.reading.toolbarButton,
      h('button', {
        type: 'button', class: 'button', 'data-testid': 'history-button', title: 'Row history: who changed, flagged and approved the focused row, and when',
        onclick: () => this.togglePanel('history'),
      }, 'History'),
      admin,
      this.exportHost,
    );
    this.side.hidden = true;
    // The page started again because the server changed this user's role here: say so, and what it means.
    const roleChanged = takeRoleChange(this.datasetId) !== null;
    replaceChildren(this.app,
      topBar(this.me, [h('a', { href: '/' }, 'Datasets'), this.title], ...(members ? [members] : []), this.who, this.status),
      h('main', { class: 'dataset', 'data-layout': 'document' },
        this.archivedAt
          ? h('p', { class: 'archived-banner', 'data-testid': 'archived-banner' },
            `Archived on ${new Date(this.archivedAt).toLocaleDateString()}: read-only for everyone until an admin restores it.`)
          : null,
        roleChanged ? roleChangeBanner(this.role) : null,
        this.conversion,
        this.tabs,
        toolbar,
        h('div', { class: 'workspace' }, this.reading.element, this.gridHost, this.side),
        this.footer,
      ),
    );
  }

  /** Shows admins, over the tabs, that this dataset is large enough to convert to rows by page. */
  suggestConversion(rows: number): void {
    this.conversion = conversionBanner(this.datasetId, this.name, rows);
  }

  /** Double coding: the dataset's rounds for everyone (coders find theirs there); admins start one from the selected rows. */
  private roundsMenu(): HTMLElement {
    const list = h('a', { class: 'button subtle rounds-link', href: roundsPath(this.datasetId), 'data-testid': 'rounds-link' }, 'Rounds');
    if (this.role !== 'admin') return list;
    const menu = h('details', { class: 'menu rounds-menu', 'data-testid': 'rounds-menu' });
    menu.append(
      h('summary', { class: 'button subtle', title: 'Double coding: rounds, agreement, adjudication' }, 'Rounds '),
      h('div', { class: 'menu-body' },
        h('button', {
          type: 'button', class: 'button subtle', 'data-testid': 'start-round', title: 'Each coder codes the selected rows (or a sample) blind',
          onclick: () => { menu.open = false; void this.startRound(); },
        }, 'Double-code the selected rows…'),
        h('a', { class: 'button subtle', href: roundsPath(this.datasetId), 'data-testid': 'rounds-link' }, 'All rounds')),
    );
    closesLikeAMenu(menu);
    return menu;
  }

  private async startRound(): Promise<void> {
    const binding = this.bindings.get(this.sheetId);
    if (!binding) return;
    const round = await startRoundDialog({
      datasetId: this.datasetId, me: this.me,
      sheet: { id: binding.sheetId, name: binding.name, columns: binding.columns() },
      selectedRows: this.grid?.selectedRowIds() ?? [],
    });
    if (round) location.href = roundsPath(this.datasetId);
  }

  private renderTitle(): void {
    const name = getMeta(this.conn.doc).get('name');
    if (typeof name === 'string' && name !== '') {
      this.title.textContent = name;
      document.title = `${name} · Tessera`;
    }
  }

  /** Keeps one binding per sheet (for the tab counts) as sheets come and go. */
  private syncSheets(): void {
    const sheets = getSheets(this.conn.doc);
    for (const [id, binding] of this.bindings) {
      if (!sheets.has(id)) {
        binding.destroy();
        this.bindings.delete(id);
      }
    }
    for (const id of sheets.keys()) {
      if (this.bindings.has(id)) continue;
      const binding = new SheetBinding(this.conn.doc, id);
      binding.on('rows', () => this.renderCounts());
      binding.on('columns', () => this.renderCounts());
      binding.on('reset', () => this.renderTabs());
      this.bindings.set(id, binding);
    }
    this.renderTabs();
    if (this.showWhenAdded !== null && this.bindings.has(this.showWhenAdded)) {
      const id = this.showWhenAdded;
      this.showWhenAdded = null;
      this.showSheet(id, 'push');
      return;
    }
    // The sheet on show was deleted: show the first one left.
    if (this.sheetId !== '' && !this.bindings.has(this.sheetId)) {
      const next = orderedSheetIds(this.conn.doc)[0];
      if (next === undefined) this.showNoSheets();
      else this.showSheet(next, 'replace');
    } else if (this.opened && this.sheetId === '' && this.bindings.size > 0) {
      this.showSheet(orderedSheetIds(this.conn.doc)[0]!, 'replace');
    }
  }

  /** Tabs in the document's order; admins also add (+), rename (double-click or ⋯), move and delete sheets. */
  private renderTabs(): void {
    const order = orderedSheetIds(this.conn.doc).filter((id) => this.bindings.has(id));
    const admin = this.role === 'admin';
    let menu: HTMLElement | null = null;
    const tabs = order.map((id, index) => {
      const b = this.bindings.get(id)!;
      const tab = h('a', {
        class: 'tab', role: 'tab', href: datasetPath(this.datasetId, b.sheetId), 'data-sheet': b.sheetId,
        'aria-selected': String(b.sheetId === this.sheetId),
        title: admin ? 'Double-click to rename' : null,
      }, h('span', { class: 'tab-name' }, b.name), h('span', { class: 'tab-count', 'data-testid': `problems-${b.sheetId}` }));
      tab.addEventListener('click', (e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        if (b.sheetId !== this.sheetId) this.showSheet(b.sheetId, 'push');
      });
      if (!admin) return tab;
      tab.addEventListener('dblclick', (e) => {
        e.preventDefault();
        void this.renameSheet(b.sheetId);
      });
      if (b.sheetId === this.sheetId) menu = this.sheetMenu(b.sheetId, b.name, index, order.length);
      return tab;
    });
    replaceChildren(this.tabs, h('div', { class: 'tab-list', role: 'tablist', 'aria-label': 'Sheets' }, ...tabs), menu, admin
      ? h('button', { type: 'button', class: 'tab-add', title: 'Add a sheet', 'aria-label': 'Add a sheet', 'data-testid': 'add-sheet', onclick: () => void this.addSheet() }, '+')
      : null, this.datasetPages);
    this.renderCounts();
  }

  /** The ⋯ menu of the sheet on show: rename, move left or right, delete. */
  private sheetMenu(sheetId: string, name: string, index: number, count: number): HTMLElement {
    const menu = h('details', { class: 'menu tab-menu', 'data-testid': 'sheet-menu' });
    const item = (label: string, testId: string, run: () => Promise<void>, disabled = false) =>
      h('button', { type: 'button', class: 'button subtle', 'data-testid': testId, disabled, onclick: () => { menu.open = false; void run(); } }, label);
    menu.append(
      h('summary', { title: 'Sheet actions', 'aria-label': `Actions for the sheet ${name}` }, '⋯'),
      h('div', { class: 'menu-body' },
        item('Rename…', 'rename-sheet', () => this.renameSheet(sheetId)),
        item('Move left', 'move-sheet-left', () => this.sheetCall(this.patchSheet(sheetId, { position: index - 1 })), index === 0),
        item('Move right', 'move-sheet-right', () => this.sheetCall(this.patchSheet(sheetId, { position: index + 1 })), index === count - 1),
        item('Delete…', 'delete-sheet', () => this.deleteSheet(sheetId)),
      ),
    );
    menu.addEventListener('keydown', (e) => { if (e.key === 'Escape') menu.open = false; });
    return menu;
  }

  /** Runs a sheet change on the server; the document brings the result to every open tab. */
  private async sheetCall(call: Promise<unknown>): Promise<void> {
    try {
      await call;
    } catch (err) {
      toast((err as Error).message, 'error');
    }
  }

  /** Renames a sheet or moves it to `position` (0 is the first tab). */
  private patchSheet(sheetId: string, patch: SheetPatch) {
    return api.patch('/api/datasets/{id}/sheets/{sheetId}', { params: { id: this.datasetId, sheetId }, body: patch });
  }

  private async addSheet(): Promise<void> {
    const name = await promptDialog('Add a sheet', { detail: 'It starts with no columns; add them under Columns.', confirmLabel: 'Add sheet' });
    if (name === null) return;
    try {
      const sheet = await api.post('/api/datasets/{id}/sheets', { params: { id: this.datasetId }, body: { name } });
      // Shown once the document has it (it arrives over the socket).
      if (this.bindings.has(sheet.id)) this.showSheet(sheet.id, 'push');
      else this.showWhenAdded = sheet.id;
    } catch (err) {
      toast((err as Error).message, 'error');
    }
  }

  private async renameSheet(sheetId: string): Promise<void> {
    const binding = this.bindings.get(sheetId);
    if (!binding) return;
    const name = await promptDialog('Rename the sheet', { value: binding.name, confirmLabel: 'Rename' });
    if (name !== null && name !== binding.name) await this.sheetCall(this.patchSheet(sheetId, { name }));
  }

  private async deleteSheet(sheetId: string): Promise<void> {
    const binding = this.bindings.get(sheetId);
    if (!binding) return;
    const rows = binding.rowCount;
    const ok = await confirmDialog(
      `Delete the sheet “${binding.name}” and its ${NUMBER.format(rows)} row${rows === 1 ? '' : 's'}?`, 'Delete sheet',
      'It leaves everyone’s tabs at once and cannot be undone here. Its rows stay in the history, with who deleted them and when.',
    );
    if (ok) await this.sheetCall(api.delete('/api/datasets/{id}/sheets/{sheetId}', { params: { id: this.datasetId, sheetId } }));
  }

  private showNoSheets(): void {
    this.grid?.destroy();
    this.grid = null;
    this.sheetId = '';
    replaceChildren(this.gridHost, h('p', { class: 'grid-message' },
      this.role === 'admin' ? 'This dataset has no sheets yet: add one with +.' : 'This dataset has no sheets yet.'));
  }

  /** Problem counts on the tabs and in the footer; touches the page only where a number changed. */
  private renderCounts(): void {
    for (const binding of this.bindings.values()) {
      const badge = this.tabs.querySelector<HTMLElement>(`[data-testid="problems-${CSS.escape(binding.sheetId)}"]`);
      if (!badge) continue;
      const n = binding.problemRowCount;
      setText(badge, n > 0 ? String(n) : '');
      badge.title = n > 0 ? `${n} row${n === 1 ? '' : 's'} with problems` : 'No problems';
      badge.hidden = n === 0;
    }
    const active = this.bindings.get(this.sheetId);
    if (!active) return;
    const n = active.problemRowCount;
    setText(this.problemsCount, `(${n})`);
    setText(this.rowCount, rowCountText(this.grid?.api.getDisplayedRowCount() ?? active.rowCount, active.rowCount));
    setText(this.problemCount, n > 0 ? `${NUMBER.format(n)} with problems` : 'no problems');
    this.problemCount.className = n > 0 ? 'problems' : 'muted';
  }

  private showSheet(sheetId: string, history: 'push' | 'replace' | 'none'): void {
    const binding = this.bindings.get(sheetId);
    if (!binding) return;
    this.grid?.destroy();
    this.sheetId = sheetId;
    const path = datasetPath(this.datasetId, sheetId);
    if (history === 'push') window.history.pushState(null, '', path);
    if (history === 'replace') window.history.replaceState(null, '', path);
    replaceChildren(this.gridHost);
    const host = h('div', { class: 'grid' });
    this.gridHost.append(host);
    this.conflicts.setSheet(sheetId);
    this.grid = new SheetGrid({
      container: host,
      doc: this.conn.doc,
      undo: this.undo,
      origin: LOCAL_ORIGIN,
      binding,
      presence: this.presence,
      readOnly: this.readOnly,
      review: this.review.gridReview,
      widePaste: widePasteHandler(this.role === 'admin'),
      canAddActors: this.role === 'admin',
      conflicts: this.conflicts.gridConflicts,
      onSelection: () => {
        const row = this.grid?.focusedRowId();
        if (this.panel instanceof HistoryPanel) this.panel.showRow(row);
        if (row !== undefined) this.reading.rowFocused(sheetId, row);
      },
    });
    performance.mark('tessera:grid-created');
    // A search or a filter changes the rows shown: the footer counts them ("12 of 40 rows").
    this.grid.api.addEventListener('modelUpdated', () => this.renderCounts());
    this.review.attachGrid(this.grid, sheetId);
    this.conflicts.attachGrid(this.grid.api, sheetId);
    this.grid.setProblemsOnly(this.problemsToggle.checked);
    if (this.search.value) this.grid.setSearch(this.search.value);
    replaceChildren(this.exportHost, exportMenu(this.datasetId, sheetId));
    if (this.panel instanceof ColumnPanel) this.openPanel('columns');
    else if (this.panel instanceof HistoryPanel) this.openPanel('history');
    else if (this.panel instanceof DuplicatesPanel) this.openPanel('duplicates');
    else if (this.panel instanceof MapPanel) this.openPanel('map');
    // An admin's ⋯ menu belongs to the sheet on show: draw the tabs again to move it there.
    if (this.role === 'admin') this.renderTabs();
    for (const tab of this.tabs.querySelectorAll<HTMLElement>('.tab')) {
      tab.setAttribute('aria-selected', String(tab.dataset.sheet === sheetId));
    }
    this.renderCounts();
  }

  /** The import dialog for the sheet on screen. */
  private openImport(): void {
    const sheet = getSheet(this.conn.doc, this.sheetId);
    if (!sheet) return;
    openImportDialog({ datasetId: this.datasetId, sheetId: this.sheetId, sheetName: sheetName(sheet), columns: readColumns(sheet) });
  }

  private togglePanel(kind: PanelKind): void {
    const open = kind === 'columns' ? this.panel instanceof ColumnPanel
      : kind === 'duplicates' ? this.panel instanceof DuplicatesPanel
      : kind === 'map' ? this.panel instanceof MapPanel
      : kind === 'members' ? this.panel instanceof MembersPanel
        : kind === 'review' ? this.panel instanceof ReviewPanel : this.panel instanceof HistoryPanel;
    if (open) this.closePanel();
    else this.openPanel(kind);
  }

  private openPanel(kind: PanelKind, focus?: readonly string[]): void {
    this.panel?.destroy();
    const close = () => this.closePanel();
    if (kind === 'members') {
      this.panel = new MembersPanel({
        datasetId: this.datasetId, me: this.me, access: this.access, onClose: close,
        onAccessChange: (access) => { this.access = access; },
      });
    } else if (kind === 'columns') {
      this.panel = new ColumnPanel(this.conn.doc, this.sheetId, LOCAL_ORIGIN, close);
    } else if (kind === 'duplicates') {
      const sheetId = this.sheetId;
      this.panel = new DuplicatesPanel({
        datasetId: this.datasetId, doc: this.conn.doc, sheetId, canEdit: !this.readOnly, onClose: close,
        goToRow: (row) => void this.review.goTo(sheetId, row, null), focus, onChanged: () => void this.duplicateQueue.load(),
        onMerged: (keep, merged) => this.undo.record(this.afterStep(mergeStep(this.datasetId, sheetId, keep, merged))),
      });
    } else if (kind === 'map') {
      const sheetId = this.sheetId;
      const binding = this.bindings.get(sheetId);
      if (!this.grid || !binding) return;
      this.panel = new MapPanel({
        source: gridSource(this.grid, binding), onClose: close, goToRow: (row) => void this.review.goTo(sheetId, row, null),
      }, `${this.datasetId}/${sheetId}`);
    } else if (kind === 'review') {
      this.panel = this.review.createPanel(close);
    } else {
      const panel = new HistoryPanel(this.datasetId, this.conn.doc, this.sheetId, close);
      panel.showRow(this.grid?.focusedRowId());
      this.panel = panel;
    }
    replaceChildren(this.side, this.panel.element);
    this.side.hidden = false;
  }

  /** A step of the server's that, taken back or made again, has the duplicates listed again. */
  private afterStep(step: ServerStep): ServerStep {
    const listAgain = (written: number) => {
      void this.duplicateQueue.load();
      if (this.panel instanceof DuplicatesPanel) this.panel.refresh();
      return written;
    };
    return { back: async () => listAgain(await step.back()), again: async () => listAgain(await step.again()) };
  }

  private closePanel(): void {
    this.panel?.destroy();
    this.panel = null;
    replaceChildren(this.side);
    this.side.hidden = true;
  }

  private async deleteRows(): Promise<void> {
    const grid = this.grid;
    if (!grid) return;
    const ids = grid.selectedRowIds();
    if (ids.length === 0) {
      toast('Select a cell or rows first.');
      return;
    }
    const what = ids.length === 1 ? 'this row' : `these ${ids.length} rows`;
    const ok = await confirmDialog(`Delete ${what}?`, ids.length === 1 ? 'Delete row' : `Delete ${ids.length} rows`,
      'Everyone sees the rows go at once. You can undo it with Ctrl+Z.');
    if (ok) grid.deleteRows(ids);
  }

  private renderWho(): void {
    renderWho(this.who, this.presence);
  }

  /**
   * The server changed what this user may do here: the page starts again with the new role (read-only,
   * say), and a banner then says why the grid changed.
   */
  private onRoleChange(next: string): void {
    if (next === this.role) return;
    replaceChildren(this.gridHost, h('p', { class: 'grid-message', 'data-testid': 'role-changed' }, `Your role on this dataset is now ${next}. Reloading…`));
    rememberRoleChange(this.datasetId, next);
    location.reload();
  }

  /** The server closed the dataset for this user for good (signed out, no longer allowed, deleted): a page says why. */
  private onFatal(code: number, reason: string): void {
    const unsaved = this.conn.saves.state !== 'saved' || this.conn.status.pending > 0;
    this.panel?.destroy();
    this.panel = null;
    this.grid?.destroy();
    this.grid = null;
    if (code === CloseCode.Converted) return renderConverting(this.app, this.me, this.datasetId, unsaved);
    renderAccessEnded(this.app, this.me, code, unsaved, reason);
  }
}

type PanelKind = 'columns' | 'history' | 'review' | 'members' | 'duplicates' | 'map';

const NUMBER = new Intl.NumberFormat();

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
