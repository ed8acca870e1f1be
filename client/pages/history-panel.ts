/** Who changed the focused row's cells, and when. */
import type * as Y from 'yjs';
import { rowHistory } from '../api';
import type { HistoryEntry } from '../../model/http';
import { getSheet, readColumns } from '../../model/document';
import { h, replaceChildren } from '../ui/dom';
import { toText } from '../grid/values';

export class HistoryPanel {
  readonly element: HTMLElement;
  private readonly body = h('div', { class: 'panel-body', 'data-testid': 'history' });
  private rowId: string | undefined;
  private request = 0;

  constructor(private readonly datasetId: string, private readonly doc: Y.Doc, private readonly sheetId: string, onClose: () => void) {
    this.element = h('section', { class: 'panel', 'aria-label': 'Row history' },
      h('header', { class: 'panel-head' },
        h('h2', {}, 'Row history'),
        h('button', { type: 'button', class: 'button icon', title: 'Close', onclick: onClose }, '×')),
      this.body,
    );
  }

  /** Shows the history of a row (reloaded when the row changes). */
  showRow(rowId: string | undefined): void {
    if (rowId === this.rowId) return;
    this.rowId = rowId;
    if (rowId === undefined) {
      replaceChildren(this.body, h('p', { class: 'muted' }, 'Click a cell to see who changed its row, and when.'));
      return;
    }
    const ticket = ++this.request;
    replaceChildren(this.body, h('p', { class: 'muted' }, 'Loading…'));
    rowHistory(this.datasetId, rowId).then(
      (entries) => ticket === this.request && this.render(rowId, entries),
      (err: Error) => ticket === this.request && replaceChildren(this.body, h('p', { class: 'form-error' }, `Could not load the history: ${err.message}`)),
    );
  }

  destroy(): void {
    this.request++;
  }

  private render(rowId: string, entries: HistoryEntry[]): void {
    const sheet = getSheet(this.doc, this.sheetId);
    const names = new Map((sheet ? readColumns(sheet) : []).map((c) => [c.id, c.name]));
    const list = [...entries].reverse().map((e) =>
      h('li', { class: 'history-entry' },
        h('div', { class: 'history-meta' }, h('strong', {}, e.by), ' · ', h('time', { datetime: e.at }, new Date(e.at).toLocaleString())),
        h('div', {}, h('span', { class: 'history-column' }, names.get(e.column) ?? e.column), ': ',
          e.old === null || e.old === undefined || toText(e.old) === '' ? null : h('del', {}, toText(e.old)),
          e.old === null || e.old === undefined || toText(e.old) === '' ? null : ' → ',
          e.new === null || e.new === undefined || toText(e.new) === '' ? h('em', { class: 'muted' }, 'cleared') : h('ins', {}, toText(e.new))),
      ));
    replaceChildren(this.body,
      h('p', { class: 'muted small' }, 'Row ', h('code', {}, rowId)),
      list.length === 0 ? h('p', { class: 'muted' }, 'No changes recorded yet.') : h('ol', { class: 'history-list' }, ...list),
    );
  }
}
