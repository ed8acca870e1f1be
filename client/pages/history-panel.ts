/**
 * The focused row's story, newest first: cell changes beside the steps of its review (flagged,
 * answered, marked fixed, resolved, approved, set back to unreviewed by an edit), each with who and
 * when, in plain words. Read again when the row's cells or review change while it is shown.
 */
import type * as Y from 'yjs';
import { api } from '../api';
import type { Timeline } from '../../model/http';
import { getReviews, getSheet, getSheets, readColumns } from '../../model/document';
import { storyLines } from '../review/timeline-text';
import { h, replaceChildren } from '../ui/dom';

/**
 * The story is read again this long after the last change seen, so that a burst of changes is one
 * read. The server stores what it has applied before it answers, so the answer has every change seen.
 */
const SETTLE_MS = 250;

export class HistoryPanel {
  readonly element: HTMLElement;
  private readonly body = h('div', { class: 'panel-body', 'data-testid': 'history' });
  private rowId: string | undefined;
  private request = 0;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onSheets = (events: Array<Y.YEvent<any>>) => {
    if (events.some((e) => e.path[0] === this.sheetId && e.path[1] === 'rows' && (e.path[2] === this.rowId || touches(e, this.rowId)))) this.scheduleReload();
  };
  private readonly onReviews = (events: Array<Y.YEvent<any>>) => {
    if (events.some((e) => e.path[0] === this.rowId || (e.path.length === 0 && touches(e, this.rowId)))) this.scheduleReload();
  };

  constructor(private readonly datasetId: string, private readonly doc: Y.Doc, private readonly sheetId: string, onClose: () => void) {
    this.element = h('section', { class: 'panel', 'aria-label': 'Row history' },
      h('header', { class: 'panel-head' },
        h('h2', {}, 'Row history'),
        h('button', { type: 'button', class: 'button icon', title: 'Close', onclick: onClose }, '×')),
      this.body,
    );
    getSheets(doc).observeDeep(this.onSheets);
    getReviews(doc).observeDeep(this.onReviews);
  }

  /** Shows the story of a row. */
  showRow(rowId: string | undefined): void {
    if (rowId === this.rowId) return;
    this.rowId = rowId;
    clearTimeout(this.reloadTimer);
    if (rowId === undefined) {
      this.request++;
      replaceChildren(this.body, h('p', { class: 'muted' }, 'Click a cell to see its row’s story: who changed what, flagged, answered, resolved and approved it, and when.'));
      return;
    }
    replaceChildren(this.body, h('p', { class: 'muted' }, 'Loading…'));
    this.load(rowId);
  }

  destroy(): void {
    this.request++;
    clearTimeout(this.reloadTimer);
    getSheets(this.doc).unobserveDeep(this.onSheets);
    getReviews(this.doc).unobserveDeep(this.onReviews);
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      if (this.rowId !== undefined) this.load(this.rowId);
    }, SETTLE_MS);
  }

  private load(rowId: string): void {
    const ticket = ++this.request;
    api.get('/api/datasets/{id}/rows/{rowId}/timeline', { params: { id: this.datasetId, rowId } }).then(
      (events) => ticket === this.request && this.render(rowId, events),
      (err: Error) => ticket === this.request && replaceChildren(this.body, h('p', { class: 'form-error' }, `Could not load the history: ${err.message}`)),
    );
  }

  private render(rowId: string, events: Timeline): void {
    const sheet = getSheet(this.doc, this.sheetId);
    const names = new Map((sheet ? readColumns(sheet) : []).map((c) => [c.id, c.name]));
    const lines = storyLines(events, (id) => names.get(id) ?? id).reverse();
    replaceChildren(this.body,
      h('p', { class: 'muted small' }, 'Row ', h('code', {}, rowId), ' · newest first'),
      lines.length === 0
        ? h('p', { class: 'muted' }, 'No changes recorded yet.')
        : h('ol', { class: 'history-list' }, ...lines.map((line) =>
          h('li', { class: `history-entry history-${line.kind}`, 'data-kind': line.kind },
            h('div', { class: 'history-meta' }, h('time', { datetime: line.at, title: line.at }, new Date(line.at).toLocaleString())),
            h('div', { class: 'history-text' }, line.text)))),
    );
  }
}

/** Whether a map event on a parent changed the key `rowId` (a row added or removed). */
function touches(event: Y.YEvent<any>, rowId: string | undefined): boolean {
  return rowId !== undefined && 'keysChanged' in event && (event as Y.YMapEvent<unknown>).keysChanged.has(rowId);
}
