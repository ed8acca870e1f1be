/**
 * The reading pane beside the grid: the dataset's sources (searchable by title and text), one source's
 * text with every anchored passage highlighted, and coding from a selected passage (a new event or
 * statement, or evidence for the focused row). Clicking a highlight shows its row in the grid; focusing
 * a row in the grid shows its passage here. Its width and whether it is open are kept in this browser.
 * Which rows anchor where, and where coding goes, are the dataset's document unless the grid gives its
 * own (an `AnchorIndex` and a `Coder`: the paged grid's, client/paged/sources.ts).
 */
import type * as Y from 'yjs';
import { type Anchor, type IndexedText, indexText } from '../../model/anchors';
import { isHttpUrl } from '../../model/columns';
import type { SourceDetail, SourceSummary } from '../../model/http';
import { api, listSources } from '../api';
import { h, patchChildren, replaceChildren, toast } from '../ui/dom';
import { showContextMenu } from '../review/context-menu';
import { AddSourceForm } from './add-source';
import type { ActorOffer } from './actor-offers';
import { anchorFromOffsets, rangeOffsets } from './anchoring';
import { type Coder, type NewRowKind, documentCoder } from './coding';
import { type AnchorIndex, EvidenceIndex } from './evidence-index';
import { type PaneState, readPaneState, resizable, storePaneState } from './pane-size';
import { renderHighlights, selectOffsets } from './text-view';

/** Code points of text shown on either side of a passage in a row's review. */
const CONTEXT = 160;
/** Actors offered for one selected passage at most. */
const MAX_ACTOR_OFFERS = 8;

/** The toggle's shortcut, as shown and as tested on a key event. */
export const TOGGLE_KEYS = 'Ctrl+Shift+E';
const isToggle = (e: KeyboardEvent) => (e.ctrlKey || e.metaKey) && e.shiftKey && !e.altKey && e.key.toLowerCase() === 'e';

/** The keys that code from a selected passage (plain letters, taken only while the selection is in the pane's text). */
const CODING_KEYS: Record<string, 'event' | 'statement' | 'evidence'> = { e: 'event', s: 'statement', a: 'evidence' };

export interface ReadingPaneOptions {
  datasetId: string;
  doc: Y.Doc;
  /** The origin of this user's changes (their undo steps). */
  origin: unknown;
  /** Whether this user may add sources and rows. */
  canEdit: boolean;
  /** Shows a row in the grid (switching sheets if needed) and focuses its cell `column`, or its first. */
  goToRow(sheet: string, row: string, column: string | null): void;
  /** A row's label as the grid's users know it ("row 3 · 2024-02-22 · …"), or null when it is gone. */
  rowLabel(sheet: string, row: string): string | null;
  /** Which rows anchor where; the document's (`EvidenceIndex` on `doc`) unless given. */
  index?: AnchorIndex;
  /** Where coding from a passage goes; into `doc` as `origin` unless given. */
  coder?: Coder;
}

export class ReadingPane {
  readonly element: HTMLElement;
  readonly index: AnchorIndex;
  private readonly coder: Coder;
  private readonly body = h('div', { class: 'reading-body' });
  private readonly handle = h('div', {
    class: 'reading-resize', role: 'separator', 'aria-orientation': 'vertical', 'aria-label': 'Resize the reading pane',
    tabindex: 0, 'data-testid': 'reading-resize', title: 'Drag to resize (or arrow keys)',
  });
  private readonly search = h('input', {
    type: 'search', class: 'search', placeholder: 'Search titles and texts', 'aria-label': 'Search sources', 'data-testid': 'source-search',
  });
  private readonly list = h('ul', { class: 'source-list', 'data-testid': 'source-list' });
  private readonly listView: HTMLElement;
  private readonly textEl = h('div', { class: 'source-text', 'data-testid': 'source-text' });
  private readonly readerHead = h('div', { class: 'reader-head' });
  /** Says when the highlights shown are not all of the source's (the index knows its first ones only). */
  private readonly partialNote = h('p', { class: 'reader-note', role: 'status', 'data-testid': 'highlights-partial', hidden: true });
  private readonly codingBar: HTMLElement;
  /** The actors the selected passage names, offered for the focused row's actor columns. */
  private readonly actorBar = h('div', { class: 'actor-offers', 'data-testid': 'actor-offers', hidden: true });
  private actorFrame = 0;
  /** Set while the mouse button pressed in the text is down (a selection being dragged). */
  private selecting = false;
  private readonly readerView: HTMLElement;
  private readonly toggleButton: HTMLButtonElement;
  private sources: SourceSummary[] = [];
  private listTicket = 0;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly texts = new Map<string, Promise<SourceDetail>>();
  private readonly indexed = new Map<string, Promise<{ source: SourceDetail; indexed: IndexedText }>>();
  /** The source on show, once its text has come. */
  private current: SourceDetail | null = null;
  private openTicket = 0;
  /** The grid's focused row: "Add as evidence" goes there, and its passages are emphasised. */
  private focused: { sheet: string; row: string } | null = null;
  private state: PaneState;
  private readonly off: Array<() => void> = [];

  constructor(private readonly options: ReadingPaneOptions) {
    this.state = readPaneState();
    this.index = options.index ?? new EvidenceIndex(options.doc);
    this.coder = options.coder ?? documentCoder(options.doc, options.origin);
    this.toggleButton = h('button', {
      type: 'button', class: 'button', 'data-testid': 'reading-toggle', title: `Show or hide the sources beside the grid (${TOGGLE_KEYS})`,
      'aria-pressed': String(this.state.open), onclick: () => this.toggle(),
    }, 'Sources');

    const button = (label: string, testId: string, keys: string, title: string, run: () => void) => {
      const b = h('button', { type: 'button', class: 'button', 'data-testid': testId, title: `${title} (${keys})` }, label);
      // Keep the text selection: a press on the button must not move the focus or collapse it.
      b.addEventListener('mousedown', (e) => e.preventDefault());
      b.addEventListener('click', run);
      return b;
    };
    this.codingBar = h('div', { class: 'coding-bar', 'data-testid': 'coding-bar' },
      button('+ Event', 'new-event', 'E', 'New event from the selected passage', () => void this.code('event')),
      button('+ Statement', 'new-statement', 'S', 'New statement from the selected passage, its quote verbatim', () => void this.code('statement')),
      button('Add as evidence', 'add-evidence', 'A', 'Add the selected passage to the focused row’s evidence', () => void this.code('evidence')),
    );
    this.codingBar.hidden = !options.canEdit;
    this.readerView = h('div', { class: 'reader', 'data-testid': 'reader' },
      h('div', { class: 'reader-nav' },
        h('button', { type: 'button', class: 'button subtle', 'data-testid': 'sources-back', onclick: () => this.showList() }, '← Sources')),
      this.readerHead, this.partialNote, this.codingBar, this.actorBar, this.textEl);
    const addButton = options.canEdit
      ? h('button', { type: 'button', class: 'button', 'data-testid': 'add-source', onclick: () => this.showAddForm() }, '+ Add source')
      : null;
    this.listView = h('div', { class: 'source-list-view' }, h('div', { class: 'source-search' }, this.search, addButton), this.list);
    this.element = h('aside', { class: 'reading-pane', 'data-testid': 'reading-pane', 'aria-label': 'Sources' },
      h('header', { class: 'panel-head' },
        h('h2', {}, 'Sources'),
        h('button', { type: 'button', class: 'button icon', title: `Hide (${TOGGLE_KEYS})`, 'data-testid': 'reading-close', onclick: () => this.toggle(false) }, '×')),
      this.body,
      this.handle,
    );
    this.element.style.width = `${this.state.width}px`;
    this.element.hidden = !this.state.open;
    replaceChildren(this.body, this.listView);

    this.search.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => void this.loadList(), 200);
    });
    this.textEl.addEventListener('click', (e) => this.onTextClick(e));
    this.textEl.addEventListener('contextmenu', (e) => this.onTextMenu(e));
    this.off.push(resizable(this.element, this.handle, (width) => this.store({ width })));
    const onKey = (e: KeyboardEvent) => this.onKey(e);
    document.addEventListener('keydown', onKey);
    this.off.push(() => document.removeEventListener('keydown', onKey));
    // Once per frame at most, and not while the mouse is still selecting: the bar opens above the text and
    // would move it under the pointer, so that the drag ended on other words than the coder meant.
    const onSelection = () => {
      cancelAnimationFrame(this.actorFrame);
      if (this.selecting) return;
      this.actorFrame = requestAnimationFrame(() => this.renderActorOffers());
    };
    const onPress = (e: MouseEvent) => {
      if (e.button === 0) this.selecting = true;
    };
    const onRelease = () => {
      if (!this.selecting) return;
      this.selecting = false;
      onSelection();
    };
    this.textEl.addEventListener('mousedown', onPress);
    document.addEventListener('mouseup', onRelease);
    document.addEventListener('selectionchange', onSelection);
    this.off.push(() => {
      document.removeEventListener('selectionchange', onSelection);
      document.removeEventListener('mouseup', onRelease);
      cancelAnimationFrame(this.actorFrame);
    });
    this.off.push(this.index.onChange((changed) => {
      if (this.current && changed.has(this.current.id)) this.renderText();
      if (!this.current && !this.element.hidden) this.renderList();
    }));
    if (this.state.open) void this.loadList();
  }

  /** The toolbar's Sources button. */
  get toolbarButton(): HTMLButtonElement {
    return this.toggleButton;
  }

  destroy(): void {
    for (const off of this.off) off();
    clearTimeout(this.searchTimer);
    this.index.destroy();
  }

  /** Shows or hides the pane (flips it without `open`); remembered in this browser. */
  toggle(open = this.element.hidden !== false): void {
    this.element.hidden = !open;
    this.toggleButton.setAttribute('aria-pressed', String(open));
    this.store({ open });
    if (open && this.sources.length === 0) void this.loadList();
    if (open && this.focused) this.rowFocused(this.focused.sheet, this.focused.row, true);
  }

  /**
   * The grid's focus moved to a row: its passages are emphasised, and the pane shows the first of
   * them (opening its source) when the source on show has none.
   */
  rowFocused(sheet: string, row: string, again = false): void {
    const same = this.focused?.sheet === sheet && this.focused.row === row;
    if (same && !again) return;
    this.focused = { sheet, row };
    this.renderActorOffers();
    if (this.element.hidden) return;
    const anchors = this.index.anchorsOf(sheet, row).map((a) => a.anchor);
    if (this.current && anchors.some((a) => a.source === this.current!.id)) {
      this.renderText();
      this.scrollToFocused();
    } else if (anchors.length > 0) {
      void this.openSource(anchors[0]!.source, true);
    } else if (this.current) {
      this.renderText();
    }
  }

  /**
   * The passages a row is coded from, each with some of the text around it (for a reviewer's view of
   * the row), or null when the row has no anchors. Texts not fetched yet fill in when they come.
   */
  passagesOf(sheet: string, row: string): HTMLElement | null {
    const anchors = this.index.anchorsOf(sheet, row).map((a) => a.anchor);
    if (anchors.length === 0) return null;
    const element = h('div', { class: 'passages', 'data-testid': 'row-passages' },
      h('h3', { class: 'small muted' }, anchors.length === 1 ? 'Coded from' : `Coded from ${anchors.length} passages`));
    for (const anchor of anchors) {
      const item = h('figure', { class: 'passage', 'data-source': anchor.source },
        h('blockquote', {}, h('mark', { class: 'evidence' }, anchor.exact)));
      element.append(item);
      this.text(anchor.source).then(({ source, indexed }) => {
        const before = indexed.slice(Math.max(0, anchor.start - CONTEXT), anchor.start);
        const after = indexed.slice(anchor.end, Math.min(indexed.length, anchor.end + CONTEXT));
        replaceChildren(item,
          h('blockquote', {}, anchor.start > CONTEXT ? '…' : '', before, h('mark', { class: 'evidence' }, anchor.exact), after,
            anchor.end + CONTEXT < indexed.length ? '…' : ''),
          h('figcaption', { class: 'muted small' },
            h('button', { type: 'button', class: 'link-button', onclick: () => this.showPassage(sheet, row, source.id) }, source.title),
            source.outlet ? ` · ${source.outlet}` : ''));
      }, () => undefined);
    }
    return element;
  }

  /** Opens the pane on a row's passage in a source. */
  private showPassage(sheet: string, row: string, sourceId: string): void {
    this.focused = { sheet, row };
    if (this.element.hidden) this.toggle(true);
    void this.openSource(sourceId, true);
  }

  /** A source with its text indexed by code point, fetched once. */
  private text(sourceId: string): Promise<{ source: SourceDetail; indexed: IndexedText }> {
    let found = this.indexed.get(sourceId);
    if (!found) {
      found = this.fetchSource(sourceId).then((source) => ({ source, indexed: indexText(source.text) }));
      this.indexed.set(sourceId, found);
      found.catch(() => this.indexed.delete(sourceId));
    }
    return found;
  }

  private fetchSource(sourceId: string): Promise<SourceDetail> {
    let text = this.texts.get(sourceId);
    if (!text) {
      text = api.get('/api/datasets/{id}/sources/{sourceId}', { params: { id: this.options.datasetId, sourceId } });
      this.texts.set(sourceId, text);
      text.catch(() => this.texts.delete(sourceId));
    }
    return text;
  }

  // ——— the list ———

  private async loadList(): Promise<void> {
    const ticket = ++this.listTicket;
    try {
      const sources = await listSources(this.options.datasetId, this.search.value);
      if (ticket !== this.listTicket) return;
      this.sources = sources;
      this.renderList();
    } catch (err) {
      if (ticket === this.listTicket) replaceChildren(this.list, h('li', { class: 'form-error' }, `Could not list the sources: ${(err as Error).message}`));
    }
  }

  private renderList(): void {
    if (this.sources.length === 0) {
      replaceChildren(this.list, h('li', { class: 'muted source-empty' },
        this.search.value.trim() ? 'No source has this in its title or text.' : 'No sources yet.'));
      return;
    }
    // Redrawn as anyone's evidence changes the row counts: unchanged items stay the same nodes, so a
    // click on one survives.
    patchChildren(this.list, ...this.sources.map((s) => {
      const rows = this.index.rowCount(s.id);
      return h('li', {},
        h('button', { type: 'button', class: 'source-item', 'data-source': s.id, onclick: () => void this.openSource(s.id) },
          h('span', { class: 'source-title' }, s.title),
          h('span', { class: 'source-meta muted small' }, [s.outlet, s.publishedAt].filter(Boolean).join(' · ') || ' '),
          rows === null ? null : h('span', { class: 'source-rows muted small' }, rows === 0 ? 'no rows yet' : `${rows} row${rows === 1 ? '' : 's'} coded`)));
    }));
  }

  private showList(): void {
    this.current = null;
    this.openTicket++;
    replaceChildren(this.body, this.listView);
    void this.loadList();
  }

  private showAddForm(): void {
    this.current = null;
    this.openTicket++;
    const form = new AddSourceForm(this.options.datasetId, {
      added: (source) => {
        this.sources = [...this.sources, source];
        void this.openSource(source.id);
      },
      cancel: () => this.showList(),
    });
    replaceChildren(this.body, form.element);
    form.focus();
  }

  // ——— one source ———

  /** Opens a source (its text fetched once, then kept); `toFocused`: scrolls to the focused row's passage. */
  private async openSource(sourceId: string, toFocused = false): Promise<void> {
    const ticket = ++this.openTicket;
    const text = this.fetchSource(sourceId);
    if (this.current?.id !== sourceId) {
      replaceChildren(this.readerHead, h('p', { class: 'muted' }, 'Opening…'));
      this.textEl.replaceChildren();
      replaceChildren(this.body, this.readerView);
    }
    let source: SourceDetail;
    try {
      source = await text;
    } catch (err) {
      if (ticket === this.openTicket) replaceChildren(this.readerHead, h('p', { class: 'form-error' }, `Could not open the source: ${(err as Error).message}`));
      return;
    }
    if (ticket !== this.openTicket) return;
    const opened = this.current?.id !== source.id;
    this.current = source;
    if (opened) {
      // Only a web address is a link: a source stored before links were checked may hold javascript: or data:.
      const link = source.url && isHttpUrl(source.url) ? h('a', { href: source.url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'source-link' }, 'link') : null;
      replaceChildren(this.readerHead,
        h('h3', { class: 'reader-title', 'data-testid': 'source-title' }, source.title),
        h('p', { class: 'muted small' }, [source.outlet, source.publishedAt].filter(Boolean).join(' · '), link ? ' · ' : '', link));
      this.textEl.scrollTop = 0;
    }
    this.renderText();
    if (toFocused) this.scrollToFocused();
  }

  /** Draws the text with its highlights again, keeping the scroll position and a selection made in it. */
  private renderText(): void {
    const source = this.current;
    if (!source) return;
    const selection = this.selectionOffsets();
    const scroll = this.textEl.scrollTop;
    const focused = this.focused ? `${this.focused.sheet}/${this.focused.row}` : null;
    const anchors = this.index.anchorsIn(source.id);
    renderHighlights(this.textEl, source.text, anchors, focused, this.options.rowLabel);
    const partial = this.index.truncated?.(source.id) === true;
    this.partialNote.hidden = !partial;
    this.partialNote.textContent = partial
      ? `Showing the first ${anchors.length.toLocaleString('en')} highlights of this source: more passages of it are coded, and are not highlighted here.`
      : '';
    this.textEl.scrollTop = scroll;
    if (selection) selectOffsets(this.textEl, selection.from, selection.to);
  }

  /** Scrolls the focused row's first passage into the middle of the pane. */
  private scrollToFocused(): void {
    this.textEl.querySelector<HTMLElement>('mark.current')?.scrollIntoView({ block: 'center' });
  }

  // ——— coding from a selection ———

  private selectionOffsets(): { from: number; to: number } | null {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    return rangeOffsets(this.textEl, selection.getRangeAt(0));
  }

  /** The selected passage as an anchor, or null when nothing of the source's text is selected. */
  private selectedAnchor(): Anchor | null {
    const source = this.current;
    const offsets = this.selectionOffsets();
    if (!source || !offsets) return null;
    return anchorFromOffsets(source.id, source.text, offsets.from, offsets.to);
  }

  private async code(what: NewRowKind | 'evidence', anchor = this.selectedAnchor()): Promise<void> {
    if (!this.options.canEdit) return;
    if (!anchor) {
      toast('Select a passage of the source first.');
      return;
    }
    if (what === 'evidence') {
      const row = this.focused;
      if (!row) {
        toast('Focus a row in the grid first: the passage is added to its evidence.');
        return;
      }
      if (!(await this.coder.addEvidence(row.sheet, row.row, anchor))) toast('That row has no evidence column, or it was deleted.', 'error');
      else this.renderText();
      return;
    }
    const made = await this.coder.newRow(what, anchor);
    if (!made) {
      toast(`This dataset has no ${what === 'event' ? 'events' : 'statements'} sheet with an evidence column.`, 'error');
      return;
    }
    document.getSelection()?.removeAllRanges();
    this.focused = made;
    this.renderText();
    this.options.goToRow(made.sheet, made.row, what === 'statement' ? 'speaker' : null);
  }

  private onKey(e: KeyboardEvent): void {
    if (isToggle(e)) {
      e.preventDefault();
      this.toggle();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat || this.element.hidden) return;
    const what = CODING_KEYS[e.key.toLowerCase()];
    if (!what || !this.options.canEdit) return;
    const target = e.target as HTMLElement | null;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.closest('.ag-root'))) return;
    const anchor = this.selectedAnchor();
    if (!anchor) return;
    e.preventDefault();
    void this.code(what, anchor);
  }

  private onTextMenu(e: MouseEvent): void {
    const anchor = this.selectedAnchor();
    if (!anchor || !this.options.canEdit) return;
    e.preventDefault();
    const row = this.focused;
    const actors = row ? this.offers(anchor.exact, row.sheet) : [];
    showContextMenu(e.clientX, e.clientY, [
      { label: 'New event from selection', keys: 'E', action: 'new-event', run: () => void this.code('event', anchor) },
      { label: 'New statement from selection', keys: 'S', action: 'new-statement', run: () => void this.code('statement', anchor) },
      { label: 'Add as evidence to the focused row', keys: 'A', action: 'add-evidence', disabled: this.focused === null, run: () => void this.code('evidence', anchor) },
      ...(actors.length > 0 ? ['separator' as const] : []),
      ...actors.flatMap((offer) => offer.columns.map((column) => ({
        label: `${column.name}: ${offer.actor.name}`, action: 'offer-actor', run: () => void this.takeActor(row!, column.id, offer.actor.name),
      }))),
    ]);
  }

  // ——— actors named in the selected passage ———

  /** The actors the passage names for a row of `sheet`, at most a handful (a whole article names dozens). */
  private offers(passage: string, sheet: string): ActorOffer[] {
    return this.coder.actorOffers(sheet, passage).slice(0, MAX_ACTOR_OFFERS);
  }

  /** Offers the actors of the selected passage for the focused row's actor columns (nothing without both). */
  private renderActorOffers(): void {
    const row = this.focused;
    const offsets = this.current && this.options.canEdit && row ? this.selectionOffsets() : null;
    const offers = offsets && row ? this.offers(this.current!.text.slice(offsets.from, offsets.to), row.sheet) : [];
    this.actorBar.hidden = offers.length === 0;
    if (offers.length === 0) {
      this.actorBar.replaceChildren();
      return;
    }
    const value = (column: string) => this.coder.cell(row!.sheet, row!.row, column);
    replaceChildren(this.actorBar, h('span', { class: 'muted small' }, 'Actors here:'), ...offers.map((offer) => h('span', {
      class: 'actor-offer', 'data-actor': offer.actor.name,
      title: offer.named === offer.actor.name ? offer.actor.name : `Named here as “${offer.named}”`,
    }, h('span', { class: 'actor-name' }, offer.actor.name), ...offer.columns.map((column) => {
      const set = value(column.id) === offer.actor.name;
      const b = h('button', {
        type: 'button', class: 'button small', 'data-testid': 'offer-actor', 'data-column': column.id, 'aria-pressed': String(set),
        title: set ? `${column.name} is ${offer.actor.name}` : `Set ${column.name} of the focused row to ${offer.actor.name}`,
      }, column.name);
      // Keep the text selection: a press on the button must not move the focus or collapse it.
      b.addEventListener('mousedown', (e) => e.preventDefault());
      b.addEventListener('click', () => void this.takeActor(row!, column.id, offer.actor.name));
      return b;
    }))));
  }

  private async takeActor(row: { sheet: string; row: string }, column: string, name: string): Promise<void> {
    if (!(await this.coder.takeActor(row.sheet, row.row, column, name))) toast('That row was deleted.', 'error');
    this.renderActorOffers();
  }

  /**
   * A click on a highlight shows its row in the grid; on a passage several rows share, each click
   * shows the next of them.
   */
  private onTextClick(e: MouseEvent): void {
    if (!document.getSelection()?.isCollapsed) return; // the end of a selection, not a click
    const mark = (e.target as Element).closest<HTMLElement>('mark[data-rows]');
    if (!mark) return;
    const rows = mark.dataset.rows!.split(' ');
    const at = this.focused ? rows.indexOf(`${this.focused.sheet}/${this.focused.row}`) : -1;
    const next = rows[(at + 1) % rows.length]!;
    const slash = next.indexOf('/');
    const sheet = next.slice(0, slash);
    const row = next.slice(slash + 1);
    this.focused = { sheet, row };
    this.renderText();
    this.options.goToRow(sheet, row, null);
  }

  private store(change: Partial<PaneState>): void {
    this.state = { ...this.state, ...change };
    storePaneState(this.state);
  }
}
