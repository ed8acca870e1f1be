/**
 * Likely duplicates in the reviewers' queue (docs/actors-and-duplicates.md#in-the-review-queue): the review
 * panel lists the candidate groups of every sheet that has them, and a flag with the reason `duplicate` links
 * to the group its row is in. A group opens in the Duplicates view, to merge or dismiss there. Groups are asked
 * of the server when the review panel opens and again after a merge or a dismissal, or on *Check again*.
 */
import type { Column } from '../../model/columns';
import type { DuplicateGroups } from '../../model/http';
import { api } from '../api';
import { h } from '../ui/dom';
import './duplicates.css';

export type DuplicateGroup = DuplicateGroups[number] & { sheet: string };

export interface DuplicateQueueOptions {
  datasetId: string;
  /** The sheets with their columns: only those with a date column can have duplicates. */
  sheets(): Array<{ id: string; name: string; columns: readonly Column[] }>;
  /** "2024-02-22 · China and the US agree…", or null when the row is gone. */
  rowLabel(sheetId: string, rowId: string): string | null;
  /** Opens the Duplicates view of the sheet on this group. */
  openGroup(sheetId: string, rows: readonly string[]): void;
}

/** Days apart two dates of one event may be: the Duplicates view's default. */
const DAYS = 1;
/** Groups listed in the queue at most; the Duplicates view has them all. */
const SHOWN = 20;

export class DuplicateQueue {
  private groups: DuplicateGroup[] = [];
  private byRow = new Map<string, DuplicateGroup>();
  private state: 'idle' | 'loading' | 'loaded' | 'failed' = 'idle';
  private ticket = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: DuplicateQueueOptions) {}

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The candidate group a row is in, if the server listed one. */
  groupOf(rowId: string): DuplicateGroup | undefined {
    return this.byRow.get(rowId);
  }

  /** Asks the server again for every sheet's groups. */
  async load(): Promise<void> {
    const ticket = ++this.ticket;
    this.state = 'loading';
    this.emit();
    const sheets = this.options.sheets().filter((s) => s.columns.some((c) => c.type === 'date'));
    try {
      const lists = await Promise.all(sheets.map(async (s) => {
        const groups = await api.get('/api/datasets/{id}/sheets/{sheetId}/duplicates', { params: { id: this.options.datasetId, sheetId: s.id }, query: { days: String(DAYS) } });
        return groups.map((g) => ({ ...g, sheet: s.id }));
      }));
      if (ticket !== this.ticket) return;
      this.groups = lists.flat().sort((a, b) => b.score - a.score);
      this.byRow = new Map(this.groups.flatMap((g) => g.rows.map((row) => [row, g] as const)));
      this.state = 'loaded';
    } catch {
      if (ticket !== this.ticket) return;
      this.state = 'failed';
    }
    this.emit();
  }

  /** Loads once; later calls keep what was loaded until `load` is called again. */
  ensureLoaded(): void {
    if (this.state === 'idle') void this.load();
  }

  /** The queue's section of the review panel: the groups, best first, each to open in the Duplicates view. */
  section(): HTMLElement {
    this.ensureLoaded();
    const head = h('div', { class: 'duplicate-queue-head' },
      h('h3', {}, 'Likely duplicates', this.state === 'loaded' ? ` (${this.groups.length})` : ''),
      h('button', { type: 'button', class: 'link-button small', 'data-testid': 'duplicate-queue-refresh', onclick: () => void this.load() }, 'Check again'));
    const body = this.state === 'loading' || this.state === 'idle' ? h('p', { class: 'muted small' }, 'Looking for duplicates…')
      : this.state === 'failed' ? h('p', { class: 'form-error' }, 'Could not look for duplicates.')
      : this.groups.length === 0 ? h('p', { class: 'muted small', 'data-testid': 'duplicate-queue-empty' }, 'No likely duplicates.')
      : h('ul', { class: 'flag-list' }, ...this.groups.slice(0, SHOWN).map((g) => h('li', {}, this.card(g))));
    return h('section', { class: 'duplicate-queue', 'data-testid': 'duplicate-queue', 'aria-label': 'Likely duplicates' }, head, body,
      this.groups.length > SHOWN ? h('p', { class: 'muted small' }, `${this.groups.length - SHOWN} more in the Duplicates view.`) : null);
  }

  /** A `duplicate` flag's link to its row's group, or null when the row is in none. */
  flagLink(sheetId: string, rowId: string): HTMLElement | null {
    const group = this.byRow.get(rowId);
    if (!group || group.sheet !== sheetId) return null;
    const others = group.rows.length - 1;
    return h('button', {
      type: 'button', class: 'link-button small duplicate-link', 'data-testid': 'duplicate-flag-link', 'data-rows': group.rows.join(' '),
      title: 'Open the group in the Duplicates view, to merge or dismiss it',
      onclick: () => this.options.openGroup(group.sheet, group.rows),
    }, `Likely duplicate of ${others} other row${others === 1 ? '' : 's'} (${Math.round(group.score * 100)}%): compare`);
  }

  private card(group: DuplicateGroup): HTMLElement {
    const name = this.options.sheets().find((s) => s.id === group.sheet)?.name ?? group.sheet;
    return h('button', {
      type: 'button', class: 'flag-card open duplicate-card', 'data-testid': 'duplicate-queue-group', 'data-rows': group.rows.join(' '),
      onclick: () => this.options.openGroup(group.sheet, group.rows),
    },
    h('span', { class: 'flag-card-top' },
      h('span', { class: 'reason-chip' }, `${Math.round(group.score * 100)}% alike`),
      h('span', { class: 'flag-where' }, `${name} · ${group.rows.length} rows · ${group.reasons.join(', ')}`)),
    ...group.rows.map((row) => h('span', { class: 'flag-row-label' }, this.options.rowLabel(group.sheet, row) ?? 'deleted row')));
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
