/**
 * The review panel beside the grid: open flags (or those on my rows, or resolved ones) filtered by
 * reason, coder and sheet; a click jumps to the row and opens the flag's thread, where coder and
 * reviewer answer each other, the reviewer resolves it and approves the row. Everything shown is read
 * live from the document; every action goes through the HTTP API.
 */
import { ApiError, type HistoryEntry, type Me } from '../api';
import { canEdit, hasRole } from '../../model/roles';
import { h, replaceChildren, toast } from '../ui/dom';
import { toText } from '../grid/values';
import { addComment, resolveFlag } from './api';
import { type FlagFilter, type Scope, filterFlags } from './flag-filter';
import { STATUS_LABELS, ago, reasonLabel } from './reasons';
import type { FlagView, ReviewIndex } from './review-index';
import type { RowAuthorCache } from './row-authors';

export interface ApproveResult {
  approved: string[];
  /** `label` says which row, as the user knows it. */
  refused: Array<{ row: string; label: string; message: string }>;
}

/** What the panel needs from the dataset page. */
export interface ReviewPanelHost {
  datasetId: string;
  me: Me;
  index: ReviewIndex;
  authors: RowAuthorCache;
  sheets(): Array<{ id: string; name: string }>;
  /** "2024-02-22 · China and the US agree…", or null when the row is gone. */
  rowLabel(sheetId: string, rowId: string): string | null;
  columnName(sheetId: string, columnId: string): string;
  /** Shows the row (switching sheets if needed) and focuses the cell, or the row's first cell. */
  goTo(sheetId: string, rowId: string, columnId: string | null): void;
  /** The rows selected in the grid. */
  selectedRowIds(): string[];
  /** Approves rows one by one; refusals (four eyes, open flags) come back with the server's message. */
  approve(rowIds: readonly string[]): Promise<ApproveResult>;
}

const SCOPE_LABELS: Record<Scope, string> = { open: 'Open', mine: 'My rows', resolved: 'Resolved' };

export class ReviewPanel {
  readonly element: HTMLElement;
  private readonly filter: FlagFilter;
  private readonly canReview: boolean;
  private readonly body = h('div', { class: 'review-body' });
  private readonly scopeBar = h('div', { class: 'segmented', role: 'tablist', 'aria-label': 'Which flags' });
  private readonly reasonSelect = h('select', { 'aria-label': 'Reason', 'data-testid': 'review-filter-reason' });
  private readonly coderSelect = h('select', { 'aria-label': 'Coder', 'data-testid': 'review-filter-coder' });
  private readonly sheetSelect = h('select', { 'aria-label': 'Sheet', 'data-testid': 'review-filter-sheet' });
  private readonly listHead: HTMLElement;
  private readonly count = h('span', { class: 'review-count', 'data-testid': 'review-open-count' });
  private readonly listError = h('div', { class: 'form-error', role: 'alert', 'data-testid': 'approve-error' });
  private selected: string | null = null;
  private detail: FlagDetail | null = null;
  private scheduled = false;
  private readonly off: Array<() => void> = [];

  constructor(private readonly host: ReviewPanelHost, onClose: () => void) {
    this.canReview = hasRole(host.me.role, 'reviewer');
    this.filter = { scope: host.me.role === 'editor' ? 'mine' : 'open', reason: '', coder: '', sheet: '' };
    for (const [select, key] of [[this.reasonSelect, 'reason'], [this.coderSelect, 'coder'], [this.sheetSelect, 'sheet']] as const) {
      select.addEventListener('change', () => {
        this.filter[key] = select.value;
        this.render();
      });
    }
    const approveSelected = this.canReview
      ? h('button', {
        type: 'button', class: 'button', 'data-testid': 'approve-selected',
        title: 'Approve the rows selected in the grid (select several with Shift+click on row numbers)',
        onclick: () => void this.approveSelected(),
      }, '✓ Approve selected rows')
      : null;
    this.listHead = h('div', { class: 'review-filters' },
      this.scopeBar,
      h('div', { class: 'review-selects' }, this.reasonSelect, this.coderSelect, this.sheetSelect),
      approveSelected,
      this.listError,
    );
    this.listError.hidden = true;
    this.element = h('section', { class: 'panel review-panel', 'aria-label': 'Review', 'data-testid': 'review-panel' },
      h('header', { class: 'panel-head' },
        h('h2', {}, 'Review ', this.count),
        h('button', { type: 'button', class: 'button icon', title: 'Close', onclick: onClose }, '×')),
      this.listHead,
      this.body,
    );
    this.off.push(host.index.onChange(() => this.schedule()), host.authors.onChange(() => this.schedule()));
    this.render();
  }

  destroy(): void {
    for (const off of this.off) off();
    this.detail = null;
  }

  /** Opens a flag's thread (from the grid's menu, say). */
  showFlag(flagId: string): void {
    const flag = this.host.index.flag(flagId);
    if (!flag) return;
    this.selected = flagId;
    this.detail = null;
    this.render();
  }

  /** Lists the flags of one row: the first open one is opened when it is the only one. */
  showRow(rowId: string): void {
    const open = this.host.index.openRowFlags(rowId);
    const flags = open.length > 0 ? open : [...this.host.index.rowFlags(rowId)].reverse();
    if (flags.length > 0) this.showFlag(flags[0]!.id);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      if (this.element.isConnected) this.render();
    });
  }

  private render(): void {
    const { index } = this.host;
    setText(this.count, index.openCount > 0 ? String(index.openCount) : '');
    const flag = this.selected === null ? undefined : index.flag(this.selected);
    if (flag) {
      this.listHead.hidden = true;
      if (!this.detail || this.detail.flagId !== flag.id) {
        this.detail = new FlagDetail(this.host, flag.id, this.canReview, () => {
          this.selected = null;
          this.detail = null;
          this.render();
        });
        replaceChildren(this.body, this.detail.element);
      }
      this.detail.render();
      return;
    }
    this.selected = null;
    this.detail = null;
    this.listHead.hidden = false;
    this.renderFilters();
    const all = index.flags();
    const shown = filterFlags(all, this.filter, this.host.me.name, (row) => this.host.authors.get(row));
    if (this.filter.scope === 'mine' || this.filter.coder) for (const f of all) this.host.authors.get(f.row);
    replaceChildren(this.body,
      shown.length === 0
        ? h('p', { class: 'review-empty muted' }, this.emptyText())
        : h('ul', { class: 'flag-list', 'data-testid': 'flag-list' }, ...shown.map((f) => this.card(f))),
    );
  }

  private emptyText(): string {
    const filtered = this.filter.reason || this.filter.coder || this.filter.sheet;
    if (filtered) return 'No flags match these filters.';
    if (this.filter.scope === 'mine') return 'No open flags on rows you coded. Nice work.';
    if (this.filter.scope === 'resolved') return 'Nothing resolved yet.';
    return this.canReview
      ? 'No open flags. Right-click a cell (or press Ctrl+Shift+F) to flag it.'
      : 'No open flags.';
  }

  private renderFilters(): void {
    const flags = this.host.index.flags();
    // "My rows" only for those who code rows: editors and admins.
    const scopes = canEdit(this.host.me.role) ? (['open', 'mine', 'resolved'] as const) : (['open', 'resolved'] as const);
    replaceChildren(this.scopeBar, ...scopes.map((scope) => {
      const n = filterFlags(flags, { scope, reason: '', coder: '', sheet: '' }, this.host.me.name, (row) => this.host.authors.get(row)).length;
      return h('button', {
        type: 'button', role: 'tab', class: 'segment', 'aria-selected': String(this.filter.scope === scope), 'data-scope': scope,
        onclick: () => {
          this.filter.scope = scope;
          this.render();
        },
      }, SCOPE_LABELS[scope], h('span', { class: 'segment-count' }, String(n)));
    }));
    const reasons = [...new Set(flags.map((f) => f.reason))].sort();
    const coders = [...new Set(flags.map((f) => this.host.authors.get(f.row)?.last).filter((c): c is string => !!c))].sort();
    fillSelect(this.reasonSelect, 'All reasons', reasons.map((r) => [r, reasonLabel(r)]), this.filter.reason);
    fillSelect(this.coderSelect, 'All coders', coders.map((c) => [c, c]), this.filter.coder);
    fillSelect(this.sheetSelect, 'All sheets', this.host.sheets().map((s) => [s.id, s.name]), this.filter.sheet);
  }

  private card(f: FlagView): HTMLElement {
    const { host } = this;
    const sheetName = host.sheets().find((s) => s.id === f.sheet)?.name ?? f.sheet;
    const label = host.rowLabel(f.sheet, f.row);
    const coder = host.authors.get(f.row)?.last;
    const replies = f.comments.length;
    const open = () => {
      host.goTo(f.sheet, f.row, f.column);
      this.showFlag(f.id);
    };
    return h('li', {},
      h('button', { type: 'button', class: `flag-card ${f.status}`, 'data-flag': f.id, 'data-row': f.row, onclick: open },
        h('span', { class: 'flag-card-top' },
          h('span', { class: 'reason-chip' }, reasonLabel(f.reason)),
          h('span', { class: 'flag-where' }, sheetName, f.column ? ` · ${host.columnName(f.sheet, f.column)}` : ' · whole row')),
        h('span', { class: 'flag-row-label' }, label ?? 'deleted row'),
        f.note ? h('span', { class: 'flag-note' }, f.note) : null,
        h('span', { class: 'flag-meta' },
          [`${f.by}, ${ago(f.at)}`, replies > 0 ? `${replies} repl${replies === 1 ? 'y' : 'ies'}` : '', coder ? `coded by ${coder}` : '']
            .filter(Boolean).join(' · ')),
      ));
  }

  private async approveSelected(): Promise<void> {
    const ids = this.host.selectedRowIds();
    if (ids.length === 0) {
      toast('Select rows in the grid first (click a row number, Shift+click another).');
      return;
    }
    this.listError.hidden = true;
    const { refused } = await this.host.approve(ids);
    if (refused.length > 0) {
      replaceChildren(this.listError,
        h('strong', {}, refused.length === 1 ? 'Not approved:' : `${refused.length} rows not approved:`),
        h('ul', {}, ...refused.slice(0, 6).map((r) => h('li', {}, h('span', { class: 'muted' }, r.label), ' — ', r.message))));
      this.listError.hidden = false;
    }
  }
}

/** One flag: what, where, the thread, a reply box, resolving and approving. Inputs survive live updates. */
class FlagDetail {
  readonly element: HTMLElement;
  private readonly head = h('div', { class: 'flag-head' });
  private readonly changes = h('div', { class: 'flag-changes' });
  private readonly thread = h('ol', { class: 'thread', 'data-testid': 'thread' });
  private readonly reply = h('textarea', { rows: 3, placeholder: 'Answer in the thread…', 'aria-label': 'Reply', 'data-testid': 'reply-text', maxlength: 5000 });
  private readonly replyButton = h('button', { type: 'button', class: 'button primary', 'data-testid': 'reply-send' }, 'Reply');
  private readonly resolution = h('input', { type: 'text', placeholder: 'Resolution note (optional)', 'aria-label': 'Resolution note', 'data-testid': 'resolution', maxlength: 5000 });
  private readonly resolveButton = h('button', { type: 'button', class: 'button', 'data-testid': 'resolve' }, 'Resolve');
  private readonly approveButton = h('button', { type: 'button', class: 'button approve', 'data-testid': 'approve-row' }, '✓ Approve row');
  private readonly resolveBox: HTMLElement;
  private readonly approveBox: HTMLElement;
  private readonly replyBox: HTMLElement;
  private readonly actionError = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'review-error' });

  constructor(private readonly host: ReviewPanelHost, readonly flagId: string, canReview: boolean, back: () => void) {
    this.actionError.hidden = true;
    this.replyBox = h('div', { class: 'reply-box' }, this.reply, h('div', { class: 'reply-actions' }, h('span', { class: 'muted small' }, 'Ctrl+Enter to send'), this.replyButton));
    this.resolveBox = h('div', { class: 'resolve-box' }, this.resolution, this.resolveButton);
    this.approveBox = h('div', { class: 'approve-box' }, this.approveButton);
    this.replyBox.hidden = !canReview;
    this.resolveBox.hidden = !canReview;
    this.approveBox.hidden = !canReview;
    this.element = h('div', { class: 'flag-detail', 'data-testid': 'flag-detail', 'data-flag': flagId },
      h('button', { type: 'button', class: 'button subtle back', 'data-testid': 'review-back', onclick: back }, '← All flags'),
      this.head,
      this.thread,
      this.replyBox,
      this.actionError,
      this.resolveBox,
      this.approveBox,
      this.changes,
    );
    this.replyButton.addEventListener('click', () => void this.send());
    this.reply.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void this.send();
      }
    });
    this.resolveButton.addEventListener('click', () => void this.resolve());
    this.resolution.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        void this.resolve();
      }
    });
    this.approveButton.addEventListener('click', () => void this.approve());
  }

  private get flag(): FlagView | undefined {
    return this.host.index.flag(this.flagId);
  }

  render(): void {
    const f = this.flag;
    if (!f) return;
    const { host } = this;
    const sheetName = host.sheets().find((s) => s.id === f.sheet)?.name ?? f.sheet;
    const status = host.index.status(f.row);
    const jump = h('button', { type: 'button', class: 'link-button', onclick: () => host.goTo(f.sheet, f.row, f.column) },
      host.rowLabel(f.sheet, f.row) ?? 'deleted row');
    replaceChildren(this.head,
      h('div', { class: 'flag-card-top' },
        h('span', { class: 'reason-chip' }, reasonLabel(f.reason)),
        h('span', { class: `flag-state ${f.status}`, 'data-testid': 'flag-state' }, f.status === 'open' ? 'Open' : 'Resolved'),
        h('span', { class: `status-pill status-${status}`, title: 'Review status of the row' }, STATUS_LABELS[status])),
      h('div', { class: 'flag-where' }, sheetName, f.column ? ` · ${host.columnName(f.sheet, f.column)}` : ' · whole row'),
      jump,
    );
    const messages = [
      { id: 'note', by: f.by, at: f.at, text: f.note || `Flagged: ${reasonLabel(f.reason)}`, kind: 'flag' },
      ...f.comments.map((c) => ({ ...c, kind: 'comment' })),
      ...(f.status === 'resolved'
        ? [{ id: 'resolution', by: f.resolvedBy ?? '', at: f.resolvedAt ?? '', text: f.resolution ? `Resolved: ${f.resolution}` : 'Resolved.', kind: 'resolution' }]
        : []),
    ];
    replaceChildren(this.thread, ...messages.map((m) =>
      h('li', { class: `message ${m.kind}${m.by === host.me.name ? ' mine' : ''}`, 'data-comment': m.id },
        h('div', { class: 'message-meta' }, h('strong', {}, m.by), ' · ', h('time', { datetime: m.at, title: new Date(m.at).toLocaleString() }, ago(m.at))),
        h('div', { class: 'message-text' }, m.text))));

    const open = f.status === 'open';
    this.replyBox.classList.toggle('closed', !open);
    this.reply.placeholder = open ? 'Answer in the thread…' : 'Add a note to this resolved flag…';
    this.resolveBox.style.display = open ? '' : 'none';
    const openOnRow = host.index.openRowFlags(f.row).length;
    this.approveButton.disabled = status === 'approved';
    this.approveButton.textContent = status === 'approved' ? '✓ Row approved' : '✓ Approve row';
    this.approveButton.title = openOnRow > 0 ? `The row has ${openOnRow} open flag${openOnRow === 1 ? '' : 's'}: resolve first` : 'Approve this row';
    this.renderChanges(f);
  }

  /** What changed in the row since it was flagged: usually the coder's fix. */
  private renderChanges(f: FlagView): void {
    const authors = this.host.authors.get(f.row);
    if (!authors) {
      replaceChildren(this.changes);
      return;
    }
    const since = authors.entries.filter((e) => e.at >= f.at && e.column !== 'review_status');
    replaceChildren(this.changes,
      h('h3', {}, 'Changes since flagged'),
      since.length === 0
        ? h('p', { class: 'muted small' }, 'None yet.')
        : h('ol', { class: 'history-list' }, ...since.slice(-8).reverse().map((e) => change(e, this.host.columnName(f.sheet, e.column)))),
    );
  }

  private async send(): Promise<void> {
    const text = this.reply.value.trim();
    if (text === '') {
      this.reply.focus();
      return;
    }
    await this.act(this.replyButton, async () => {
      await addComment(this.host.datasetId, this.flagId, text);
      this.reply.value = '';
    });
  }

  private async resolve(): Promise<void> {
    await this.act(this.resolveButton, async () => {
      await resolveFlag(this.host.datasetId, this.flagId, this.resolution.value.trim());
      this.resolution.value = '';
      toast('Flag resolved.');
    });
  }

  private async approve(): Promise<void> {
    const f = this.flag;
    if (!f) return;
    await this.act(this.approveButton, async () => {
      const { refused } = await this.host.approve([f.row]);
      if (refused.length > 0) throw new Error(refused[0]!.message);
    });
  }

  private async act(button: HTMLButtonElement, work: () => Promise<void>): Promise<void> {
    this.actionError.hidden = true;
    button.disabled = true;
    try {
      await work();
    } catch (err) {
      const message = err instanceof ApiError ? err.message : (err as Error).message;
      if (message) {
        this.actionError.textContent = message;
        this.actionError.hidden = false;
      }
    } finally {
      button.disabled = false;
      this.render();
    }
  }
}

function change(e: HistoryEntry, columnName: string): HTMLElement {
  const empty = (v: unknown) => v === null || v === undefined || toText(v as never) === '';
  return h('li', { class: 'history-entry' },
    h('div', { class: 'history-meta' }, h('strong', {}, e.by), ' · ', h('time', { datetime: e.at }, ago(e.at))),
    h('div', {}, h('span', { class: 'history-column' }, columnName), ': ',
      empty(e.old) ? null : h('del', {}, toText(e.old)), empty(e.old) ? null : ' → ',
      empty(e.new) ? h('em', { class: 'muted' }, 'cleared') : h('ins', {}, toText(e.new))));
}

function fillSelect(select: HTMLSelectElement, all: string, options: Array<[string, string]>, value: string): void {
  const wanted = [['', all], ...options];
  const same = select.options.length === wanted.length && wanted.every(([v, l], i) => select.options[i]!.value === v && select.options[i]!.text === l);
  if (!same) replaceChildren(select, ...wanted.map(([v, l]) => h('option', { value: v! }, l!)));
  // A chosen value that no flag has any more stays chosen, so the list does not jump.
  if (value && ![...select.options].some((o) => o.value === value)) select.append(h('option', { value }, value));
  select.value = value;
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
