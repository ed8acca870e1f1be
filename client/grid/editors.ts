/**
 * Cell editors by column type. Spreadsheet habits: typing a character starts the editor with that
 * character in place of the value, Enter/F2 open it with the current value, Backspace/Delete open it
 * empty; Enter commits, Escape cancels, Tab commits and moves on (the grid does those three when the
 * key reaches it, and leaves the next cell selected, not editing).
 */
import type { ICellEditorComp, ICellEditorParams } from 'ag-grid-community';
import type { CellValue, Column } from '../../model/columns';
import type { RowData } from './binding';
import { ActorEditor } from './actor-editor';
import type { GridContext } from './context';
import { startText } from './editor-start';
import { OptionList, focusAtEnd, keepCaretKey } from './option-list';
import { PlaceEditor } from './place-editor';
import { fromText, toText } from './values';

type EditorParams = ICellEditorParams<RowData, CellValue, GridContext> & { tesseraColumn: Column };

const PLACEHOLDERS: Partial<Record<Column['type'], string>> = {
  date: 'YYYY-MM-DD, YYYY-MM or YYYY',
  url: 'https://…',
  number: 'a number',
  integer: 'a whole number',
  ref: 'row id',
};

/** One-line text: text, url, number, integer, date. */
export class TextEditor implements ICellEditorComp<RowData> {
  private input = document.createElement('input');
  private column!: Column;
  private typed = false;

  init(params: EditorParams): void {
    this.column = params.tesseraColumn;
    const { text, typed } = startText(params);
    this.typed = typed;
    this.input.className = `cell-input cell-input-${this.column.type}`;
    this.input.value = text;
    this.input.spellcheck = this.column.type === 'text';
    this.input.placeholder = PLACEHOLDERS[this.column.type] ?? '';
    this.input.setAttribute('aria-label', this.column.name);
    if (this.column.type === 'number' || this.column.type === 'integer') this.input.inputMode = 'decimal';
    // Left/right move the caret, not the grid's focus.
    this.input.addEventListener('keydown', (e) => void keepCaretKey(e));
  }

  getGui(): HTMLElement {
    return this.input;
  }

  afterGuiAttached(): void {
    focusAtEnd(this.input);
    if (!this.typed) this.input.scrollLeft = this.input.scrollWidth;
  }

  getValue(): CellValue {
    return fromText(this.column, this.input.value);
  }
}

/** Long text in a popup: Enter commits, Shift+Enter or Alt+Enter adds a line. */
export class LongTextEditor implements ICellEditorComp<RowData> {
  private box = document.createElement('div');
  private area = document.createElement('textarea');
  private column!: Column;

  init(params: EditorParams): void {
    this.column = params.tesseraColumn;
    this.box.className = 'popup-editor longtext-editor';
    this.area.value = startText(params).text;
    this.area.rows = 6;
    this.area.setAttribute('aria-label', this.column.name);
    const hint = document.createElement('div');
    hint.className = 'editor-hint';
    hint.textContent = 'Enter to save · Shift+Enter for a new line · Esc to cancel';
    this.box.append(this.area, hint);
    this.area.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.shiftKey || e.altKey)) {
        e.stopPropagation();
        if (e.altKey) {
          e.preventDefault();
          this.area.setRangeText('\n', this.area.selectionStart, this.area.selectionEnd, 'end');
        }
        return;
      }
      if (e.key.startsWith('Arrow') || e.key === 'Home' || e.key === 'End' || e.key === 'PageUp' || e.key === 'PageDown') {
        e.stopPropagation();
      }
    });
  }

  getGui(): HTMLElement {
    return this.box;
  }

  isPopup(): boolean {
    return true;
  }

  afterGuiAttached(): void {
    focusAtEnd(this.area);
  }

  getValue(): CellValue {
    return fromText(this.column, this.area.value);
  }
}

interface Choice {
  value: string;
  label: string;
  /** More text the filter matches (a ref row's other cells). */
  hint?: string;
}

/**
 * A filtered list in a popup, for `enum` (one code), `multi` (several), `boolean` and `ref` (a row
 * of another sheet, shown by date and summary). Type to filter, arrows to move, Enter to take,
 * Space to tick in a multi-pick.
 */
export class PickEditor implements ICellEditorComp<RowData> {
  private box = document.createElement('div');
  private filter = document.createElement('input');
  private list = new OptionList('pick-list', () => {
    this.take();
    this.tickedSinceTyping = true;
    if (this.single) this.params.stopEditing();
    else this.update(false);
  });
  private column!: Column;
  private params!: EditorParams;
  private choices: Choice[] = [];
  private shown: Choice[] = [];
  private picked: string[] = [];
  private single = true;
  /** The value the editor hands back; undefined until the user picks (then the old value stays). */
  private result: CellValue | undefined;
  /** A multi-pick's choice was ticked or unticked since the filter text last changed. */
  private tickedSinceTyping = false;

  init(params: EditorParams): void {
    this.params = params;
    this.column = params.tesseraColumn;
    this.single = this.column.type !== 'multi';
    this.choices = this.makeChoices(params.context);
    const value = params.value ?? null;
    const { text, typed } = startText(params);
    // Typing replaces the cell's codes, as in a spreadsheet; Enter and F2 edit the codes already there.
    this.picked = (typed && !this.single) || value === null ? [] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? [...value] : [toText(value)];

    this.box.className = `popup-editor pick-editor pick-${this.column.type}`;
    this.box.setAttribute('role', 'dialog');
    this.filter.className = 'pick-filter';
    this.filter.placeholder = this.single ? 'Type to filter…' : 'Type to filter · Space ticks · Enter saves';
    this.filter.setAttribute('aria-label', `Filter ${this.column.name}`);
    if (typed) this.filter.value = text;
    if (!this.single) this.list.element.setAttribute('aria-multiselectable', 'true');
    this.box.append(this.filter, this.list.element);

    this.filter.addEventListener('input', () => {
      this.tickedSinceTyping = false;
      this.update(true);
    });
    this.filter.addEventListener('keydown', (e) => this.onKey(e));
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
    this.filter.focus();
  }

  getValue(): CellValue {
    if (this.result !== undefined) return this.result;
    if (!this.single) return this.picked.length === 0 ? null : this.picked;
    return this.params.value ?? null;
  }

  private makeChoices(ctx: GridContext): Choice[] {
    const column = this.column;
    const none: Choice = { value: '', label: '(empty)' };
    switch (column.type) {
      case 'boolean':
        return [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }, none];
      case 'ref':
        return [none, ...(column.ref ? ctx.refChoices(column.ref) : []).map((c) => ({ value: c.id, label: c.label, hint: `${c.id} ${c.search}` }))];
      case 'multi':
        return (column.options ?? []).map((o) => ({ value: o, label: o }));
      default:
        return [...(column.options ?? []).map((o) => ({ value: o, label: o })), none];
    }
  }

  private onKey(e: KeyboardEvent): void {
    if (keepCaretKey(e)) return;
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
      case 'PageDown':
        stop();
        this.move(8);
        break;
      case 'PageUp':
        stop();
        this.move(-8);
        break;
      case ' ':
        if (!this.single) {
          stop();
          this.take();
          this.tickedSinceTyping = true;
          this.update(false);
        }
        break;
      case 'Enter':
      case 'Tab':
        // Take the highlighted choice, then let the key reach the grid: it commits (and moves on).
        if (this.single) this.take();
        else this.takeTyped();
        break;
    }
  }

  /**
   * A multi-pick's Enter or Tab: text typed and not followed by a tick names a code too (else typing
   * a code and Enter would store nothing): the highlighted choice is ticked unless it already is,
   * or with nothing matching, the typed text is kept as a code not in the list.
   */
  private takeTyped(): void {
    const typed = this.tickedSinceTyping ? '' : this.filter.value.trim();
    const choice = this.shown[this.list.active];
    if (typed !== '' && choice && !this.picked.includes(choice.value)) this.take();
    else if (typed !== '' && !choice) {
      const codes = fromText(this.column, typed);
      if (Array.isArray(codes)) this.picked = [...new Set([...this.picked, ...codes.map(String)])];
    }
    this.result = this.picked.length === 0 ? null : this.picked;
  }

  private move(delta: number): void {
    if (this.list.move(delta)) this.paint();
  }

  /** Applies the highlighted choice (or, with nothing matching, the typed text). */
  private take(): void {
    const choice = this.shown[this.list.active];
    const typed = this.filter.value.trim();
    if (this.single) {
      if (choice) this.result = this.column.type === 'boolean' ? fromText(this.column, choice.value) : choice.value === '' ? null : choice.value;
      // A code not in the list is kept (and marked); a reference to no row would only be noise.
      else if (typed !== '' && this.column.type !== 'ref') this.result = fromText(this.column, typed);
      return;
    }
    if (!choice) return;
    const ticked = new Set(this.picked);
    if (ticked.has(choice.value)) ticked.delete(choice.value);
    else ticked.add(choice.value);
    // Codes keep the codebook's order; codes not in the list (kept from before) stay at the end.
    const known = this.choices.map((c) => c.value).filter((v) => ticked.has(v));
    this.picked = [...known, ...[...ticked].filter((v) => !known.includes(v))];
    this.result = this.picked.length === 0 ? null : this.picked;
  }

  private update(filtering: boolean): void {
    const needle = this.filter.value.trim().toLowerCase();
    const matches = needle === ''
      ? this.choices
      : this.choices.filter((c) => c.value !== '' && `${c.label} ${c.hint ?? ''}`.toLowerCase().includes(needle));
    // Codes that start with what was typed come first.
    if (needle !== '') matches.sort((a, b) => Number(!a.label.toLowerCase().startsWith(needle)) - Number(!b.label.toLowerCase().startsWith(needle)));
    this.shown = matches.slice(0, 300);
    if (filtering || this.list.active >= this.shown.length) {
      const current = this.single ? this.picked[0] : undefined;
      const at = needle === '' && current !== undefined ? this.shown.findIndex((c) => c.value === current) : 0;
      this.list.active = Math.max(0, at);
    }
    this.paint();
  }

  private paint(): void {
    const items = this.shown.map((choice) => {
      const li = document.createElement('li');
      li.dataset.value = choice.value;
      const selected = this.picked.includes(choice.value) || (choice.value === '' && this.picked.length === 0 && this.single);
      li.setAttribute('aria-selected', String(selected));
      li.className = [selected ? 'selected' : '', choice.value === '' ? 'none' : ''].join(' ').trim();
      if (!this.single) {
        const box = document.createElement('span');
        box.className = 'tick';
        box.textContent = selected ? '✓' : '';
        li.append(box);
      }
      const label = document.createElement('span');
      label.className = 'pick-label';
      label.textContent = choice.label;
      li.append(label);
      return li;
    });
    const empty = document.createElement('li');
    empty.className = 'empty';
    const typed = this.filter.value.trim();
    empty.textContent = typed === '' ? 'Nothing to pick' : this.column.type === 'ref' ? `No row matches “${typed}”` : `Enter keeps “${typed}” (not in the list)`;
    this.list.show(items, empty);
  }
}

/** The editor for a column's type. */
export function editorFor(column: Column): { cellEditor: unknown; cellEditorPopup: boolean } {
  if (column.type === 'text' && column.actors !== undefined) return { cellEditor: ActorEditor, cellEditorPopup: false };
  switch (column.type) {
    case 'longtext':
      return { cellEditor: LongTextEditor, cellEditorPopup: true };
    case 'place':
      return { cellEditor: PlaceEditor, cellEditorPopup: true };
    case 'enum':
    case 'multi':
    case 'boolean':
    case 'ref':
      return { cellEditor: PickEditor, cellEditorPopup: true };
    default:
      return { cellEditor: TextEditor, cellEditorPopup: false };
  }
}
