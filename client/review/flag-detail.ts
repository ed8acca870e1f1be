/**
 * One flag in the review panel: what and where, the thread step by step (flagged, answered, marked
 * fixed, resolved: who and when), a reply box, resolving, approving the row, and what changed in the
 * row since it was flagged. The row's coder answers or marks the flag fixed; its author or another
 * reviewer resolves it. The approve button says before it is clicked why it cannot be (the server's
 * answer for this user). Inputs survive live updates. The row's history and review state are read
 * when the thread opens, and again when the row's cells or review change while it is open.
 */
import { api, ApiError, addComment, resolveFlag } from '../api';
import type { HistoryEntry, RowReview } from '../../model/http';
import { hasRole } from '../../model/roles';
import { toText } from '../grid/values';
import { h, patchChildren, replaceChildren, toast } from '../ui/dom';
import type { ReviewPanelContext } from './panel-context';
import { STATUS_LABELS, ago, reasonLabel } from './reasons';
import type { FlagView } from './review-index';
import { coderNote, flagSteps, threadRole, threadStep } from './timeline-text';

/** How often, and how many times, the review state is read again while it disagrees with the live document. */
const RECHECK_MS = 300;
const RECHECKS = 10;

export class FlagDetail {
  readonly element: HTMLElement;
  private readonly head = h('div', { class: 'flag-head' });
  private readonly changes = h('div', { class: 'flag-changes' });
  /** The passages the row is coded from (read again when the row changes). */
  private readonly passages = h('div', { class: 'flag-passages-host' });
  private readonly thread = h('ol', { class: 'thread', 'data-testid': 'thread' });
  private readonly reply = h('textarea', { rows: 3, placeholder: 'Answer in the thread…', 'aria-label': 'Reply', 'data-testid': 'reply-text', maxlength: 5000 });
  private readonly replyButton = h('button', { type: 'button', class: 'button primary', 'data-testid': 'reply-send' }, 'Reply');
  private readonly fixedButton = h('button', {
    type: 'button', class: 'button', 'data-testid': 'mark-fixed',
    title: 'Tell the reviewer the row is fixed (with what you wrote, if anything) and ask them to look again',
  }, '✓ Mark fixed');
  private readonly coderLine = h('p', { class: 'coder-note muted small', 'data-testid': 'coder-note' });
  private readonly approveWhy = h('p', { class: 'approve-why small', 'data-testid': 'approve-why', role: 'note' });
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
  /** The row's review state for me, as last read; undefined until it is (or on a server without it). */
  private review: RowReview | undefined;
  private reviewTicket = 0;
  private rechecks = 0;
  private recheckTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly offRows: () => void;
  private readonly offReviews: () => void;
  /** An approval is on its way. */
  private busy = false;

  constructor(private readonly ctx: ReviewPanelContext, readonly flagId: string, back: () => void) {
    const canReview = hasRole(ctx.role, 'reviewer');
    this.actionError.hidden = true;
    this.replyBox = h('div', { class: 'reply-box' }, this.reply,
      h('div', { class: 'reply-actions' }, h('span', { class: 'muted small' }, 'Ctrl+Enter to send'), this.fixedButton, this.replyButton));
    this.resolveBox = h('div', { class: 'resolve-box' }, this.resolution, this.resolveButton);
    this.approveBox = h('div', { class: 'approve-box' }, this.approveButton, this.approveWhy);
    this.replyBox.hidden = !canReview;
    this.resolveBox.hidden = !canReview;
    this.approveBox.hidden = !canReview;
    this.element = h('div', { class: 'flag-detail', 'data-testid': 'flag-detail', 'data-flag': flagId },
      h('button', { type: 'button', class: 'button subtle back', 'data-testid': 'review-back', onclick: back }, '← All flags'),
      this.head,
      this.thread,
      this.coderLine,
      this.replyBox,
      this.actionError,
      this.resolveBox,
      this.approveBox,
      // The passages can be long: below the buttons, so those show without scrolling.
      this.passages,
      this.changes,
    );
    this.replyButton.addEventListener('click', () => void this.send(false));
    this.fixedButton.addEventListener('click', () => void this.send(true));
    this.reply.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void this.send(false);
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
      if (row === undefined || !rows.has(row)) return;
      this.showPassages();
      this.loadHistory(row);
      this.loadReview(row);
    });
    this.offReviews = ctx.index.onChange((rows) => {
      if (row !== undefined && rows.has(row)) this.loadReview(row);
    });
    this.showPassages();
    if (row !== undefined) {
      this.loadHistory(row);
      this.loadReview(row);
    }
  }

  destroy(): void {
    this.offRows();
    this.offReviews();
    clearTimeout(this.recheckTimer);
    this.historyTicket++;
    this.reviewTicket++;
  }

  private showPassages(): void {
    const f = this.flag;
    const passages = f ? this.ctx.rowPassages?.(f.sheet, f.row) ?? null : null;
    replaceChildren(this.passages, passages);
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
    // Redrawn on every change to the dataset's flags: unchanged parts stay the same nodes, so a click
    // on the row's link or a selection in the thread survives.
    patchChildren(this.head,
      h('div', { class: 'flag-card-top' },
        h('span', { class: 'reason-chip' }, reasonLabel(f.reason)),
        h('span', { class: `flag-state ${f.status}`, 'data-testid': 'flag-state' }, f.status === 'open' ? 'Open' : 'Resolved'),
        h('span', { class: `status-pill status-${status}`, title: 'Review status of the row' }, STATUS_LABELS[status])),
      h('div', { class: 'flag-where' }, sheetName, f.column ? ` · ${ctx.columnName(f.sheet, f.column)}` : ' · whole row'),
      jump,
      f.reason === 'duplicate' ? ctx.duplicates?.flagLink(f.sheet, f.row) : null,
    );
    const columnName = (id: string) => ctx.columnName(f.sheet, id);
    patchChildren(this.thread, ...flagSteps(f).map((step, i) => {
      const { action, body } = threadStep(step, columnName);
      const kind = step.kind === 'flagged' ? 'flag' : step.kind === 'resolved' ? 'resolution' : step.kind;
      return h('li', { class: `message ${kind}${step.by === ctx.me ? ' mine' : ''}`, 'data-step': step.kind, 'data-comment': f.comments[i - 1]?.id ?? step.kind },
        h('div', { class: 'message-meta' },
          h('strong', {}, step.by ?? 'Tessera'), ' ', h('span', { class: 'message-action' }, action), ' · ',
          h('time', { datetime: step.at, title: new Date(step.at).toLocaleString() }, ago(step.at))),
        body ? h('div', { class: 'message-text' }, body) : null);
    }));

    const open = f.status === 'open';
    const coder = open && this.role(f) === 'coder';
    this.replyBox.classList.toggle('closed', !open);
    this.reply.placeholder = !open ? 'Add a note to this resolved flag…' : coder ? 'Answer the reviewer, or say what you fixed…' : 'Answer in the thread…';
    this.replyButton.textContent = coder ? 'Answer' : 'Reply';
    // Marked fixed and nothing said since: the reviewer's turn, so the button goes until they answer.
    this.fixedButton.hidden = !coder || f.comments.at(-1)?.kind === 'fixed';
    this.coderLine.hidden = !coder;
    setText(this.coderLine, coder ? coderNote(f.by) : '');
    this.resolveBox.style.display = open && !coder ? '' : 'none';
    this.renderApprove(f.row, status);
    this.renderChanges(f);
  }

  /** Whether I answer this flag (I coded its row) or may resolve it. */
  private role(f: FlagView): 'coder' | 'reviewer' {
    const review = this.review?.row === f.row ? this.review : undefined;
    return threadRole(f, this.ctx.me, {
      // The row's own review state when it has come, else what the flags list said.
      sinceApproval: review?.sinceApproval ?? this.ctx.coders.sinceApproval(f.row) ?? [],
      changes: (this.history ?? []).filter((e) => e.column !== 'review_status'),
      myLastEdit: this.ctx.coders.myLastEdit(f.row),
    });
  }

  /**
   * The approve button, and why it cannot be used: the server's answer for me, read again as the
   * row changes. Until that answer comes, the button is there and the server decides on a click.
   */
  private renderApprove(rowId: string, status: string): void {
    const review = this.review?.row === rowId ? this.review : undefined;
    const refusal = status === 'approved' ? '' : review && !review.canApprove ? review.approveRefusal ?? 'You cannot approve this row now.' : '';
    this.approveButton.disabled = this.busy || status === 'approved' || refusal !== '';
    setText(this.approveButton, status === 'approved' ? '✓ Row approved' : '✓ Approve row');
    this.approveButton.title = status === 'approved' ? 'This row is approved' : refusal || 'Approve this row';
    setText(this.approveWhy, refusal);
    this.approveWhy.hidden = refusal === '';
  }

  private loadHistory(rowId: string): void {
    const ticket = ++this.historyTicket;
    api.get('/api/datasets/{id}/history', { params: { id: this.ctx.datasetId }, query: { row: rowId } }).then(
      (entries) => {
        if (ticket !== this.historyTicket) return;
        this.history = entries;
        // The history can show that I changed the row since it was flagged: the actions follow it.
        this.render();
      },
      () => undefined, // Without the history the thread still works; the section stays as it was.
    );
  }

  /**
   * Reads the row's review state for me. The server's read model may trail the live document by a
   * moment: while the two disagree on the row's status or open flags, it is read again, a few times.
   */
  private loadReview(rowId: string, recheck = false): void {
    if (!recheck) this.rechecks = 0;
    clearTimeout(this.recheckTimer);
    const ticket = ++this.reviewTicket;
    api.get('/api/datasets/{id}/rows/{rowId}/review', { params: { id: this.ctx.datasetId, rowId } }).then(
      (review) => {
        if (ticket !== this.reviewTicket) return;
        this.review = review;
        this.render();
        const live = { status: this.ctx.index.status(rowId), open: this.ctx.index.openRowFlags(rowId).length };
        if ((review.status !== live.status || review.openFlags !== live.open) && this.rechecks++ < RECHECKS) {
          this.recheckTimer = setTimeout(() => this.loadReview(rowId, true), RECHECK_MS);
        }
      },
      () => undefined, // Without it the button stays usable and the server says no on a click.
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

  /** Sends the reply; `fixed`: marks the flag fixed, with the reply as its note (or a short one). */
  private async send(fixed: boolean): Promise<void> {
    const text = this.reply.value.trim();
    if (text === '' && !fixed) {
      this.reply.focus();
      return;
    }
    await this.act(fixed ? this.fixedButton : this.replyButton, async () => {
      await addComment(this.ctx.datasetId, this.flagId, text || 'Fixed. Please look again.', fixed);
      this.reply.value = '';
      if (fixed) toast('Marked fixed: the reviewer is asked to look again.');
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
    if (button === this.approveButton) this.busy = true;
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
      if (button === this.approveButton) this.busy = false;
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

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
