/**
 * One flag in the review panel: what and where, the thread, a reply box, resolving, approving the
 * row, and what changed in the row since it was flagged. Inputs survive live updates. The row's
 * history is read when the thread opens, and again when the row's cells change while it is open.
 */
import { ApiError, addComment, resolveFlag, rowHistory } from '../api';
import type { HistoryEntry } from '../../model/http';
import { hasRole } from '../../model/roles';
import { toText } from '../grid/values';
import { h, replaceChildren, toast } from '../ui/dom';
import type { ReviewPanelContext } from './panel-context';
import { STATUS_LABELS, ago, reasonLabel } from './reasons';
import type { FlagView } from './review-index';

export class FlagDetail {
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
  /** The row's history as last read; undefined until it is. */
  private history: readonly HistoryEntry[] | undefined;
  private historyTicket = 0;
  private readonly offRows: () => void;

  constructor(private readonly ctx: ReviewPanelContext, readonly flagId: string, back: () => void) {
    const canReview = hasRole(ctx.role, 'reviewer');
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
    const row = this.flag?.row;
    this.offRows = ctx.coders.onRowsChanged((rows) => {
      if (row !== undefined && rows.has(row)) this.loadHistory(row);
    });
    if (row !== undefined) this.loadHistory(row);
  }

  destroy(): void {
    this.offRows();
    this.historyTicket++;
  }

  private get flag(): FlagView | undefined {
    return this.ctx.index.flag(this.flagId);
  }

  render(): void {
    const f = this.flag;
    if (!f) return;
    const { ctx } = this;
    const sheetName = ctx.sheets().find((s) => s.id === f.sheet)?.name ?? f.sheet;
    const status = ctx.index.status(f.row);
    const jump = h('button', { type: 'button', class: 'link-button', onclick: () => ctx.goTo(f.sheet, f.row, f.column) },
      ctx.rowLabel(f.sheet, f.row) ?? 'deleted row');
    replaceChildren(this.head,
      h('div', { class: 'flag-card-top' },
        h('span', { class: 'reason-chip' }, reasonLabel(f.reason)),
        h('span', { class: `flag-state ${f.status}`, 'data-testid': 'flag-state' }, f.status === 'open' ? 'Open' : 'Resolved'),
        h('span', { class: `status-pill status-${status}`, title: 'Review status of the row' }, STATUS_LABELS[status])),
      h('div', { class: 'flag-where' }, sheetName, f.column ? ` · ${ctx.columnName(f.sheet, f.column)}` : ' · whole row'),
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
      h('li', { class: `message ${m.kind}${m.by === ctx.me ? ' mine' : ''}`, 'data-comment': m.id },
        h('div', { class: 'message-meta' }, h('strong', {}, m.by), ' · ', h('time', { datetime: m.at, title: new Date(m.at).toLocaleString() }, ago(m.at))),
        h('div', { class: 'message-text' }, m.text))));

    const open = f.status === 'open';
    this.replyBox.classList.toggle('closed', !open);
    this.reply.placeholder = open ? 'Answer in the thread…' : 'Add a note to this resolved flag…';
    this.resolveBox.style.display = open ? '' : 'none';
    const openOnRow = ctx.index.openRowFlags(f.row).length;
    this.approveButton.disabled = status === 'approved';
    this.approveButton.textContent = status === 'approved' ? '✓ Row approved' : '✓ Approve row';
    this.approveButton.title = openOnRow > 0 ? `The row has ${openOnRow} open flag${openOnRow === 1 ? '' : 's'}: resolve first` : 'Approve this row';
    this.renderChanges(f);
  }

  private loadHistory(rowId: string): void {
    const ticket = ++this.historyTicket;
    rowHistory(this.ctx.datasetId, rowId).then(
      (entries) => {
        if (ticket !== this.historyTicket) return;
        this.history = entries;
        const f = this.flag;
        if (f) this.renderChanges(f);
      },
      () => undefined, // Without the history the thread still works; the section stays as it was.
    );
  }

  /** What changed in the row since it was flagged: usually the coder's fix. */
  private renderChanges(f: FlagView): void {
    if (!this.history) {
      replaceChildren(this.changes);
      return;
    }
    const since = this.history.filter((e) => e.at >= f.at && e.column !== 'review_status');
    replaceChildren(this.changes,
      h('h3', {}, 'Changes since flagged'),
      since.length === 0
        ? h('p', { class: 'muted small' }, 'None yet.')
        : h('ol', { class: 'history-list' }, ...since.slice(-8).reverse().map((e) => change(e, this.ctx.columnName(f.sheet, e.column)))),
    );
  }

  private async send(): Promise<void> {
    const text = this.reply.value.trim();
    if (text === '') {
      this.reply.focus();
      return;
    }
    await this.act(this.replyButton, async () => {
      await addComment(this.ctx.datasetId, this.flagId, text);
      this.reply.value = '';
    });
  }

  private async resolve(): Promise<void> {
    await this.act(this.resolveButton, async () => {
      await resolveFlag(this.ctx.datasetId, this.flagId, this.resolution.value.trim());
      this.resolution.value = '';
      toast('Flag resolved.');
    });
  }

  private async approve(): Promise<void> {
    const f = this.flag;
    if (!f) return;
    await this.act(this.approveButton, async () => {
      const { refused } = await this.ctx.approve([f.row]);
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
