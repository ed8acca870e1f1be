/**
 * The review panel beside the grid: open flags (or those on my rows, or resolved ones) filtered by
 * reason, coder and sheet; a click jumps to the row and opens the flag's thread. Flags are read live
 * from the document, their rows' coders from the server's flags list; every action goes through the
 * HTTP API.
 */
import { canEdit, hasRole } from '../../model/roles';
import { h, patchChildren, replaceChildren, toast } from '../ui/dom';
import { FlagDetail } from './flag-detail';
import { type FlagFilter, type Scope, filterFlags } from './flag-filter';
import type { ReviewPanelContext } from './panel-context';
import { ago, reasonLabel } from './reasons';
import { codedByText } from './row-coders';
import type { FlagView } from './review-index';

const SCOPE_LABELS: Record<Scope, string> = { open: 'Open', mine: 'My rows', resolved: 'Resolved' };

export class ReviewPanel {
  readonly element: HTMLElement;
  private readonly filter: FlagFilter;
  private readonly canReview: boolean;
  private readonly body = h('div', { class: 'review-body' });
  private readonly list = h('ul', { class: 'flag-list', 'data-testid': 'flag-list' });
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

  constructor(private readonly ctx: ReviewPanelContext, onClose: () => void) {
    this.canReview = hasRole(ctx.role, 'reviewer');
    this.filter = { scope: ctx.role === 'editor' ? 'mine' : 'open', reason: '', coder: '', sheet: '' };
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
    this.off.push(ctx.index.onChange(() => this.schedule()), ctx.coders.onChange(() => this.schedule()));
    if (ctx.duplicates) this.off.push(ctx.duplicates.onChange(() => this.schedule()));
    ctx.duplicates?.ensureLoaded();
    this.render();
  }

  destroy(): void {
    for (const off of this.off) off();
    this.setDetail(null);
  }

  /** Opens a flag's thread (from the grid's menu, say). */
  showFlag(flagId: string): void {
    const flag = this.ctx.index.flag(flagId);
    if (!flag) return;
    this.selected = flagId;
    this.setDetail(null);
    this.render();
  }

  /** Lists the flags of one row: the first open one is opened when it is the only one. */
  showRow(rowId: string): void {
    const open = this.ctx.index.openRowFlags(rowId);
    const flags = open.length > 0 ? open : [...this.ctx.index.rowFlags(rowId)].reverse();
    if (flags.length > 0) this.showFlag(flags[0]!.id);
  }

  /** Swaps the open thread, letting the old one stop listening. */
  private setDetail(detail: FlagDetail | null): void {
    if (this.detail === detail) return;
    this.detail?.destroy();
    this.detail = detail;
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
    const { index } = this.ctx;
    setText(this.count, index.openCount > 0 ? String(index.openCount) : '');
    const flag = this.selected === null ? undefined : index.flag(this.selected);
    if (flag) {
      this.listHead.hidden = true;
      let detail = this.detail;
      if (!detail || detail.flagId !== flag.id) {
        detail = new FlagDetail(this.ctx, flag.id, () => {
          this.selected = null;
          this.setDetail(null);
          this.render();
        });
        this.setDetail(detail);
        replaceChildren(this.body, detail.element);
      }
      detail.render();
      return;
    }
    this.selected = null;
    this.setDetail(null);
    this.listHead.hidden = false;
    this.renderFilters();
    const all = index.flags();
    const shown = filterFlags(all, this.filter, this.ctx.me, (row) => this.ctx.coders.get(row));
    // Redrawn on every change to a flag or a row's coders anywhere: cards that did not change stay
    // the same nodes, so a click or the focus on one survives.
    patchChildren(this.list, ...shown.map((f) => this.card(f)));
    patchChildren(this.body,
      shown.length === 0 ? h('p', { class: 'review-empty muted' }, this.emptyText()) : this.list,
      this.canReview && this.filter.scope === 'open' ? this.ctx.duplicates?.section() : null,
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
    const flags = this.ctx.index.flags();
    // "My rows" only for those who code rows: editors and admins.
    const scopes = canEdit(this.ctx.role) ? (['open', 'mine', 'resolved'] as const) : (['open', 'resolved'] as const);
    replaceChildren(this.scopeBar, ...scopes.map((scope) => {
      const n = filterFlags(flags, { scope, reason: '', coder: '', sheet: '' }, this.ctx.me, (row) => this.ctx.coders.get(row)).length;
      return h('button', {
        type: 'button', role: 'tab', class: 'segment', 'aria-selected': String(this.filter.scope === scope), 'data-scope': scope,
        onclick: () => {
          this.filter.scope = scope;
          this.render();
        },
      }, SCOPE_LABELS[scope], h('span', { class: 'segment-count' }, String(n)));
    }));
    const reasons = [...new Set(flags.map((f) => f.reason))].sort();
    const coders = [...new Set(flags.flatMap((f) => [...(this.ctx.coders.get(f.row)?.everyone ?? [])]))].sort();
    fillSelect(this.reasonSelect, 'All reasons', reasons.map((r) => [r, reasonLabel(r)]), this.filter.reason);
    fillSelect(this.coderSelect, 'All coders', coders.map((c) => [c, c]), this.filter.coder);
    fillSelect(this.sheetSelect, 'All sheets', this.ctx.sheets().map((s) => [s.id, s.name]), this.filter.sheet);
  }

  private card(f: FlagView): HTMLElement {
    const { ctx } = this;
    const sheetName = ctx.sheets().find((s) => s.id === f.sheet)?.name ?? f.sheet;
    const label = ctx.rowLabel(f.sheet, f.row);
    const codedBy = codedByText(ctx.coders.get(f.row));
    const replies = f.comments.length;
    const open = () => {
      ctx.goTo(f.sheet, f.row, f.column);
      this.showFlag(f.id);
    };
    return h('li', {},
      h('button', { type: 'button', class: `flag-card ${f.status}`, 'data-flag': f.id, 'data-row': f.row, onclick: open },
        h('span', { class: 'flag-card-top' },
          h('span', { class: 'reason-chip' }, reasonLabel(f.reason)),
          h('span', { class: 'flag-where' }, sheetName, f.column ? ` · ${ctx.columnName(f.sheet, f.column)}` : ' · whole row')),
        h('span', { class: 'flag-row-label' }, label ?? 'deleted row'),
        f.note ? h('span', { class: 'flag-note' }, f.note) : null,
        h('span', { class: 'flag-meta' },
          [`${f.by}, ${ago(f.at)}`, replies > 0 ? `${replies} repl${replies === 1 ? 'y' : 'ies'}` : '', codedBy ?? '']
            .filter(Boolean).join(' · ')),
      ),
      f.reason === 'duplicate' ? ctx.duplicates?.flagLink(f.sheet, f.row) : null);
  }

  private async approveSelected(): Promise<void> {
    const ids = this.ctx.selectedRowIds();
    if (ids.length === 0) {
      toast('Select rows in the grid first (click a row number, Shift+click another).');
      return;
    }
    this.listError.hidden = true;
    const { approved, refused } = await this.ctx.approve(ids);
    if (refused.length > 0) {
      // Every refused row with its reason; a click shows the row.
      replaceChildren(this.listError,
        h('strong', {}, approved.length > 0
          ? `${approved.length} approved; ${refused.length} not:`
          : refused.length === 1 ? 'Not approved:' : `${refused.length} rows not approved:`),
        h('ul', { 'data-testid': 'refused-rows' }, ...refused.map((r) => h('li', { 'data-row': r.row },
          h('button', { type: 'button', class: 'link-button refused-row', onclick: () => this.ctx.goTo(r.sheet, r.row, null) }, r.label),
          ' — ', h('span', { class: 'refusal' }, r.message)))));
      this.listError.hidden = false;
    }
  }
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
