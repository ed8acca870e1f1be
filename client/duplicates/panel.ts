/**
 * The sheet's likely duplicates (docs/actors-and-duplicates.md#duplicates): each group with what its rows
 * share and the rows side by side (date, type, actors, place, summary and the passages they are coded from),
 * to merge into one of them or to mark as not the same event. The rows' cells come from the live document,
 * or from the server where rows are documents of their own (`readRows`); the groups from the server, asked
 * again after each decision and when the user asks.
 */
import type * as Y from 'yjs';
import { anchorsOf } from '../../model/anchors';
import type { CellValue, Column } from '../../model/columns';
import { getSheet, readColumns, readRow, sheetRows } from '../../model/document';
import type { DuplicateGroups } from '../../model/http';
import { api } from '../api';
import { toText } from '../grid/values';
import { h, replaceChildren, toast } from '../ui/dom';

export interface DuplicatesPanelOptions {
  datasetId: string;
  doc: Y.Doc;
  sheetId: string;
  /** Whether the user may merge and dismiss (editors). */
  canEdit: boolean;
  /** Shows a row in the grid. */
  goToRow(rowId: string): void;
  onClose(): void;
  /** Rows of a group to show first (from the review queue or a `duplicate` flag): their group is scrolled to and marked. */
  focus?: readonly string[];
  /** After a merge or a dismissal: others listing groups ask again. */
  onChanged?(): void;
  /** Where rows are not in the document (the `rows` layout): their cells, by row id, from the server. */
  readRows?(rows: readonly string[]): Promise<Record<string, Record<string, CellValue>>>;
  /** After this user's merge: the page records it as one step of their undo. */
  onMerged?(keep: string, merged: readonly string[]): void;
}

/** Groups whose rows' cells are read from the server at once, and rows per request. */
const READ_GROUPS = 100;
const READ_ROWS = 200;

const REASONS: Record<DuplicateGroups[number]['reasons'][number], string> = {
  date: 'date', event_type: 'event type', actors: 'actors', place: 'place', evidence: 'same passage',
};

/** The cells shown for each row, by column id, when the sheet has them; then the first date and summary-like ones. */
const SHOWN = ['event_date', 'event_type', 'actor1', 'actor2', 'location', 'summary'];

export class DuplicatesPanel {
  readonly element: HTMLElement;
  private readonly body = h('div', { class: 'panel-body duplicates', 'data-testid': 'duplicates' });
  private readonly days = h('select', { 'aria-label': 'Days apart', 'data-testid': 'duplicate-days' },
    ...[0, 1, 3, 7].map((d) => h('option', { value: String(d), selected: d === 1 }, d === 0 ? 'same day' : `within ${d} day${d === 1 ? '' : 's'}`)));
  private ticket = 0;

  constructor(private readonly options: DuplicatesPanelOptions) {
    this.days.addEventListener('change', () => void this.load());
    this.element = h('section', { class: 'panel duplicates-panel', 'aria-label': 'Duplicates' },
      h('header', { class: 'panel-head' },
        h('h2', {}, 'Duplicates'),
        h('button', { type: 'button', class: 'button icon', title: 'Close', onclick: options.onClose }, '×')),
      h('div', { class: 'duplicates-bar' }, 'Dates ', this.days,
        h('button', { type: 'button', class: 'button small', 'data-testid': 'duplicates-refresh', onclick: () => void this.load() }, 'Check again')),
      this.body,
    );
    void this.load();
  }

  destroy(): void {
    this.ticket++;
  }

  /** Asks the server again for the groups (after a merge was taken back, say). */
  refresh(): void {
    void this.load();
  }

  private async load(): Promise<void> {
    const ticket = ++this.ticket;
    replaceChildren(this.body, h('p', { class: 'muted' }, 'Looking for duplicates…'));
    try {
      const groups = await api.get('/api/datasets/{id}/sheets/{sheetId}/duplicates', { params: { id: this.options.datasetId, sheetId: this.options.sheetId }, query: { days: String(Number(this.days.value)) } });
      const cells = await this.readCells(groups);
      if (ticket === this.ticket) this.render(groups, cells);
    } catch (err) {
      if (ticket === this.ticket) replaceChildren(this.body, h('p', { class: 'form-error' }, `Could not look for duplicates: ${(err as Error).message}`));
    }
  }

  /** The cells of the first groups' rows, when they are read from the server; null when the document has them. */
  private async readCells(groups: DuplicateGroups): Promise<Map<string, Record<string, CellValue>> | null> {
    const read = this.options.readRows;
    if (!read) return null;
    const ids = groups.slice(0, READ_GROUPS).flatMap((g) => g.rows);
    const found = new Map<string, Record<string, CellValue>>();
    for (let i = 0; i < ids.length; i += READ_ROWS) {
      for (const [id, cells] of Object.entries(await read(ids.slice(i, i + READ_ROWS)))) found.set(id, cells);
    }
    return found;
  }

  private render(groups: DuplicateGroups, read: Map<string, Record<string, CellValue>> | null = null): void {
    if (groups.length === 0) {
      replaceChildren(this.body, h('p', { class: 'muted', 'data-testid': 'no-duplicates' }, 'No likely duplicates on this sheet.'));
      return;
    }
    const sheet = getSheet(this.options.doc, this.options.sheetId);
    const columns = sheet ? readColumns(sheet) : [];
    const shown = SHOWN.map((id) => columns.find((c) => c.id === id)).filter((c): c is Column => c !== undefined);
    const cards = groups.map((group) => this.groupCard(group, shown, read));
    replaceChildren(this.body, h('p', { class: 'muted small' }, `${groups.length} group${groups.length === 1 ? '' : 's'}, most likely first.`), ...cards);
    const focus = this.options.focus;
    const focused = focus ? cards.find((card, i) => focus.some((row) => groups[i]!.rows.includes(row))) : undefined;
    if (focused) {
      focused.classList.add('focused');
      focused.setAttribute('aria-current', 'true');
      focused.scrollIntoView({ block: 'nearest' });
    }
  }

  private groupCard(group: DuplicateGroups[number], columns: readonly Column[], read: Map<string, Record<string, CellValue>> | null): HTMLElement {
    const sheet = getSheet(this.options.doc, this.options.sheetId);
    const cells = (row: string): Record<string, CellValue> => {
      if (read) return read.get(row) ?? {};
      const yrow = sheet ? sheetRows(sheet).get(row) : undefined;
      return yrow ? readRow(yrow) : {};
    };
    const rows = group.rows.map((row) => ({ row, cells: cells(row) }));
    const evidence = sheet ? readColumns(sheet).find((c) => c.type === 'evidence') : undefined;
    const card = h('article', { class: 'duplicate-group', 'data-testid': 'duplicate-group', 'data-rows': group.rows.join(' ') },
      h('header', {},
        h('strong', {}, `${Math.round(group.score * 100)}%`),
        h('span', { class: 'reasons' }, ...group.reasons.map((r) => h('span', { class: 'chip', 'data-reason': r }, REASONS[r])))),
      h('div', { class: 'duplicate-rows' }, ...rows.map(({ row, cells: values }) => h('div', { class: 'duplicate-row', 'data-row': row },
        h('button', { type: 'button', class: 'link-button small', title: 'Show this row in the grid', onclick: () => this.options.goToRow(row) }, `Row …${row.slice(-6)}`),
        h('dl', {}, ...columns.flatMap((c) => [h('dt', {}, c.name), h('dd', {}, toText(values[c.id]) || '—')])),
        evidence ? h('div', { class: 'passages' }, ...anchorsOf(values[evidence.id]).map((a) => h('blockquote', { 'data-testid': 'duplicate-passage' }, a.exact))) : null,
        this.options.canEdit
          ? h('button', {
            type: 'button', class: 'button small primary', 'data-testid': 'merge-into',
            title: 'Keep this row: it takes the other rows’ passages and fills its empty cells from them; the others are deleted',
            onclick: () => void this.merge(row, group.rows.filter((r) => r !== row)),
          }, 'Merge into this row')
          : null))),
      this.options.canEdit
        ? h('footer', {}, h('button', {
          type: 'button', class: 'button small', 'data-testid': 'not-the-same', onclick: () => void this.dismiss(group.rows),
        }, 'Not the same'))
        : null,
    );
    return card;
  }

  private async merge(keep: string, merge: string[]): Promise<void> {
    try {
      const done = await api.post('/api/datasets/{id}/sheets/{sheetId}/duplicates/merge', { params: { id: this.options.datasetId, sheetId: this.options.sheetId }, body: { keep, merge: [...merge] } });
      toast(`Merged ${done.merged.length} row${done.merged.length === 1 ? '' : 's'} into one${done.anchors > 0 ? `, with ${done.anchors} more passage${done.anchors === 1 ? '' : 's'}` : ''}.`);
      this.options.onMerged?.(keep, done.merged);
      this.options.goToRow(keep);
      this.options.onChanged?.();
    } catch (err) {
      toast(`Could not merge: ${(err as Error).message}`, 'error');
    }
    await this.load();
  }

  private async dismiss(rows: string[]): Promise<void> {
    try {
      await api.post('/api/datasets/{id}/sheets/{sheetId}/duplicates/dismiss', { params: { id: this.options.datasetId, sheetId: this.options.sheetId }, body: { rows: [...rows] } });
      this.options.onChanged?.();
    } catch (err) {
      toast(`Could not mark them: ${(err as Error).message}`, 'error');
    }
    await this.load();
  }
}
