/**
 * The editor of a text column that names an actor list (docs/actors-and-duplicates.md): the cell's text
 * with the actors whose names or aliases match what is being typed listed under it. Enter takes the
 * highlighted actor and writes its name, whichever of its spellings matched ("Seoul" writes "South
 * Korea"); with nothing matching, Enter keeps the text as typed (and the grid marks it). A compound actor's
 * parts are joined with `;`: the list follows the part after the last one. Admins get "Add … to the
 * actor list" for a name the list lacks.
 */
import type { ICellEditorComp, ICellEditorParams } from 'ag-grid-community';
import type * as Y from 'yjs';
import { ACTOR_COLUMNS, type ActorList, type ActorMatch, readActorList } from '../../model/actors';
import type { CellValue, Column } from '../../model/columns';
import type { RowData } from './binding';
import type { GridContext } from './context';
import { addRow } from './edit';
import { startText } from './editor-start';
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
  private readonly box = document.createElement('div');
  private readonly input = document.createElement('input');
  private readonly list = document.createElement('ul');
  private column!: Column;
  private params!: EditorParams;
  private actors!: ActorList;
  private items: Item[] = [];
  /** The highlighted item; -1: none (Enter keeps the text as typed). */
  private active = -1;

  init(params: EditorParams): void {
    this.params = params;
    this.column = params.tesseraColumn;
    this.actors = params.context.actorList(this.column.actors!);
    const { text, typed } = startText(params);
    this.box.className = 'popup-editor pick-editor actor-editor';
    this.box.setAttribute('role', 'dialog');
    this.input.className = 'pick-filter';
    this.input.value = text;
    this.input.placeholder = 'Type a name or an alias · ; between actors';
    this.input.setAttribute('aria-label', this.column.name);
    this.input.setAttribute('role', 'combobox');
    this.input.setAttribute('aria-autocomplete', 'list');
    this.list.className = 'pick-list';
    this.list.setAttribute('role', 'listbox');
    this.box.append(this.input, this.list);
    this.input.addEventListener('input', () => this.update(true));
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.list.addEventListener('mousedown', (e) => e.preventDefault());
    this.list.addEventListener('click', (e) => {
      const li = (e.target as HTMLElement).closest('li');
      const index = li ? Number(li.dataset.index) : NaN;
      if (Number.isNaN(index)) return;
      this.active = index;
      this.take();
      this.params.stopEditing();
    });
    // Opened on the value as it is (Enter, F2): nothing highlighted, so Enter keeps it.
    this.update(typed);
  }

  getGui(): HTMLElement {
    return this.box;
  }

  isPopup(): boolean {
    return true;
  }

  getPopupPosition(): 'under' {
    return 'under';
  }

  afterGuiAttached(): void {
    this.input.focus();
    const end = this.input.value.length;
    this.input.setSelectionRange(end, end);
  }

  getValue(): CellValue {
    return fromText(this.column, this.input.value);
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
    const stop = () => {
      e.preventDefault();
      e.stopPropagation();
    };
    switch (e.key) {
      case 'ArrowDown':
        stop();
        this.move(1);
        break;
      case 'ArrowUp':
        stop();
        this.move(-1);
        break;
      case 'Enter':
      case 'Tab':
        // Take the highlighted item, then let the key reach the grid: it commits (and moves on).
        this.take();
        break;
      case 'ArrowLeft':
      case 'ArrowRight':
      case 'Home':
      case 'End':
        e.stopPropagation();
        break;
    }
  }

  private move(delta: number): void {
    if (this.items.length === 0) return;
    this.active = Math.max(0, Math.min(this.items.length - 1, this.active + delta));
    this.paint();
  }

  /** Writes the highlighted actor's name (or the name just added to the list) in place of the part being typed. */
  private take(): void {
    const item = this.items[this.active];
    if (!item) return;
    if (item.kind === 'add') this.params.context.addActor?.(this.column.actors!, item.name);
    this.input.value = this.head() + (item.kind === 'add' ? item.name : item.match.actor.name);
  }

  private update(highlight: boolean): void {
    const part = this.part();
    const matches = part === '' && !highlight ? [] : this.actors.suggest(part, SHOWN);
    this.items = matches.map((match) => ({ kind: 'actor', match }));
    const canAdd = this.params.context.addActor !== undefined;
    if (canAdd && part !== '' && this.actors.find(part) === undefined) this.items.push({ kind: 'add', name: part });
    this.active = highlight && matches.length > 0 ? 0 : -1;
    this.paint();
  }

  private paint(): void {
    const items = this.items.map((item, index) => {
      const li = document.createElement('li');
      li.dataset.index = String(index);
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', String(index === this.active));
      li.className = index === this.active ? 'active' : '';
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
    if (items.length === 0 && this.part() !== '') {
      const li = document.createElement('li');
      li.className = 'empty';
      li.textContent = `No actor matches: Enter keeps “${this.part()}” (not in the list)`;
      items.push(li);
    }
    this.list.replaceChildren(...items);
    this.list.hidden = items.length === 0;
    this.list.querySelector('.active')?.scrollIntoView({ block: 'nearest' });
  }
}
