/**
 * The editor of a text column that names an actor list (docs/actors-and-duplicates.md): the cell's text,
 * typed in the cell as in any text column, with the actors whose names or aliases match what is being
 * typed listed under the cell. Enter takes the highlighted actor and writes its name, whichever of its
 * spellings matched ("Seoul" writes "South Korea"); with nothing matching, Enter keeps the text as typed
 * (and the grid marks it). A compound actor's parts are joined with `;`: the list follows the part after
 * the last one. Admins get "Add … to the actor list" for a name the list lacks.
 */
import type { ICellEditorComp, ICellEditorParams } from 'ag-grid-community';
import type * as Y from 'yjs';
import { ACTOR_COLUMNS, type ActorList, type ActorMatch, readActorList } from '../../model/actors';
import type { CellValue, Column } from '../../model/columns';
import type { RowData } from './binding';
import type { GridContext } from './context';
import { addRow } from './edit';
import { startText } from './editor-start';
import { OptionList, focusAtEnd, keepCaretKey } from './option-list';
import { fromText } from './values';

type EditorParams = ICellEditorParams<RowData, CellValue, GridContext> & { tesseraColumn: Column };

/** What the grid's context offers actor editors. */
export interface ActorContext {
  /** The actor list a column names, read from the document now. */
  actorList(sheetId: string): ActorList;
  /** Adds an actor of this name to a list (one undo step of the user's); absent for those who may not. */
  addActor?(sheetId: string, name: string): void;
}

/** The actor lists of a document, and adding to them when `canAdd` (admins). */
export function actorContext(doc: Y.Doc, origin: unknown, canAdd: boolean): ActorContext {
  return {
    actorList: (sheetId) => readActorList(doc, sheetId),
    ...(canAdd && { addActor: (sheetId: string, name: string) => void addRow(doc, sheetId, origin, { [ACTOR_COLUMNS.name]: name }) }),
  };
}

/** Suggestions shown at most: the list scrolls, and a longer one would only be typed down further. */
const SHOWN = 50;

type Item = { kind: 'actor'; match: ActorMatch } | { kind: 'add'; name: string };

export class ActorEditor implements ICellEditorComp<RowData> {
  private readonly input = document.createElement('input');
  /** The suggestions, in the page's body under the cell (a cell clips what overflows it). */
  private readonly box = document.createElement('div');
  private readonly list = new OptionList('pick-list', () => {
    this.take();
    this.params.stopEditing();
  });
  private column!: Column;
  private params!: EditorParams;
  private actors!: ActorList;
  private items: Item[] = [];
  /** Whether anything was typed since the editor opened (only then are actors listed). */
  private typed = false;
  private readonly place = () => this.position();

  init(params: EditorParams): void {
    this.params = params;
    this.column = params.tesseraColumn;
    this.actors = params.context.actorList(this.column.actors!);
    const { text, typed } = startText(params);
    this.input.className = 'cell-input cell-input-text';
    this.input.value = text;
    this.input.placeholder = 'A name or an alias (; between actors)';
    this.input.setAttribute('aria-label', this.column.name);
    this.input.setAttribute('role', 'combobox');
    this.input.setAttribute('aria-autocomplete', 'list');
    this.input.setAttribute('aria-expanded', 'false');
    this.box.className = 'actor-suggestions';
    this.box.hidden = true;
    this.box.append(this.list.element);
    this.input.addEventListener('input', () => this.update(true));
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.box.addEventListener('mousedown', (e) => e.preventDefault());
    // Opened on the value as it is (Enter, F2): nothing listed, so Enter keeps it.
    this.update(typed);
  }

  getGui(): HTMLElement {
    return this.input;
  }

  afterGuiAttached(): void {
    document.body.append(this.box);
    window.addEventListener('scroll', this.place, true);
    this.position();
    focusAtEnd(this.input);
  }

  destroy(): void {
    window.removeEventListener('scroll', this.place, true);
    this.box.remove();
  }

  getValue(): CellValue {
    return fromText(this.column, this.input.value);
  }

  /** Under the cell, or above it when the window has no room below. */
  private position(): void {
    const cell = this.input.getBoundingClientRect();
    this.box.style.left = `${Math.max(0, cell.left)}px`;
    this.box.style.minWidth = `${cell.width}px`;
    const below = window.innerHeight - cell.bottom;
    if (below < 200 && cell.top > below) {
      this.box.style.top = '';
      this.box.style.bottom = `${window.innerHeight - cell.top}px`;
    } else {
      this.box.style.bottom = '';
      this.box.style.top = `${cell.bottom}px`;
    }
  }

  /** The text before the part being typed (the parts before the last `;`, each kept as typed). */
  private head(): string {
    const at = this.input.value.lastIndexOf(';');
    return at < 0 ? '' : `${this.input.value.slice(0, at + 1).trimEnd()} `;
  }

  /** The part being typed: after the last `;`. */
  private part(): string {
    const value = this.input.value;
    return value.slice(value.lastIndexOf(';') + 1).trim();
  }

  private onKey(e: KeyboardEvent): void {
    if (keepCaretKey(e)) return;
    const listed = this.items.length > 0;
    const stop = () => {
      e.preventDefault();
      e.stopPropagation();
    };
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        // With nothing listed the keys are the grid's, as in any text cell.
        if (!listed) return;
        stop();
        if (this.list.move(e.key === 'ArrowDown' ? 1 : -1)) this.paint();
        break;
      case 'Enter':
      case 'Tab':
        // Take the highlighted item, then let the key reach the grid: it commits (and moves on).
        this.take();
        break;
    }
  }

  /** Writes the highlighted actor's name (or the name just added to the list) in place of the part being typed. */
  private take(): void {
    const item = this.items[this.list.active];
    if (!item) return;
    if (item.kind === 'add') this.params.context.addActor?.(this.column.actors!, item.name);
    this.input.value = this.head() + (item.kind === 'add' ? item.name : item.match.actor.name);
  }

  private update(typed: boolean): void {
    this.typed = typed;
    const part = this.part();
    const matches = typed && part !== '' ? this.actors.suggest(part, SHOWN) : [];
    this.items = matches.map((match) => ({ kind: 'actor', match }));
    if (typed && part !== '' && this.params.context.addActor !== undefined && this.actors.find(part) === undefined) {
      this.items.push({ kind: 'add', name: part });
    }
    // None highlighted when no actor matches: Enter keeps the text as typed.
    this.list.active = matches.length > 0 ? 0 : -1;
    this.paint();
  }

  private paint(): void {
    const items = this.items.map((item, index) => {
      const li = document.createElement('li');
      li.setAttribute('aria-selected', String(index === this.list.active));
      const label = document.createElement('span');
      label.className = 'pick-label';
      if (item.kind === 'add') {
        li.dataset.testid = 'add-actor';
        li.classList.add('add-actor');
        label.textContent = `Add “${item.name}” to the actor list`;
        li.append(label);
        return li;
      }
      const { actor, matched, alias } = item.match;
      li.dataset.value = actor.name;
      label.textContent = actor.name;
      const hint = document.createElement('span');
      hint.className = 'pick-hint muted small';
      hint.textContent = [alias ? `“${matched}”` : '', actor.code ?? '', actor.country ?? ''].filter(Boolean).join(' · ');
      li.append(label, hint);
      return li;
    });
    let empty: HTMLLIElement | null = null;
    if (this.items.length === 0 && this.typed && this.part() !== '') {
      empty = document.createElement('li');
      empty.className = 'empty';
      empty.textContent = `No actor matches: Enter keeps “${this.part()}” (not in the list)`;
    }
    this.list.show(items, empty);
    this.box.hidden = this.list.element.childElementCount === 0;
    this.input.setAttribute('aria-expanded', String(!this.box.hidden));
  }
}
