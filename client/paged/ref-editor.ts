/**
 * The editor of a `ref` cell in the paged grid (a row of another sheet, docs/large-sheets.md#in-the-browser-the-paged-grid):
 * the referenced sheet is searched on the server as one types (`…/rows?q=`, its first rows, after a pause),
 * each row shown by its label with a hint of its other cells. Arrows move, Enter or a click picks, “(empty)”
 * empties the cell, Escape leaves it as it was. The document grid's pick editor does the same from the rows in
 * the browser; here the sheet may hold a million rows, so the choices are only ever the server's first answers.
 */
import type { ICellEditorParams } from 'ag-grid-community';
import type { CellValue, Column } from '../../model/columns';
import { startText } from '../grid/editor-start';
import { OptionList, keepCaretKey } from '../grid/option-list';
import { SearchPicker } from '../grid/search-picker';
import type { RefRow, RefRows } from './ref-rows';

export type RefEditorParams = ICellEditorParams<unknown, CellValue> & { tesseraColumn: Column; refs: RefRows };

/** Wait after the last key before asking the server (ms): a query per word, not per letter. */
export const SEARCH_DELAY_MS = 300;

/** The empty choice, and rows. */
type Choice = { id: null } | RefRow;

export class RefEditor extends SearchPicker<RefEditorParams> {
  private readonly list = new OptionList('pick-list ref-list', () => {
    this.take();
    this.params.stopEditing();
  });
  private sheetId = '';
  private current: string | null = null;
  private choices: Choice[] = [];
  /** The text the list answers; a newer search is on its way while it differs from what is typed. */
  private answered: string | null = null;
  private failed: string | null = null;

  init(params: RefEditorParams): void {
    this.params = params;
    const column = params.tesseraColumn;
    this.sheetId = column.ref ?? '';
    this.current = typeof params.value === 'string' && params.value !== '' ? params.value : null;
    const { text, typed } = startText(params);
    this.box.className = 'popup-editor pick-editor pick-ref';
    this.box.setAttribute('role', 'dialog');
    this.box.dataset.testid = 'ref-editor';
    this.input.className = 'pick-filter';
    this.input.placeholder = 'Search the rows of the other sheet…';
    this.input.setAttribute('aria-label', `Search rows for ${column.name}`);
    // Enter or F2 on a ref opens the sheet's first rows with the cell's own row first, not its id to search for.
    this.input.value = typed ? text : '';
    const hint = document.createElement('div');
    hint.className = 'editor-hint';
    hint.textContent = 'Type to search the rows · Enter picks · Esc cancels';
    this.box.append(this.input, this.list.element, hint);
    this.input.addEventListener('input', () => this.schedule());
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.paint();
    void this.search();
  }

  private onKey(e: KeyboardEvent): void {
    if (keepCaretKey(e)) return;
    const stop = () => {
      e.preventDefault();
      e.stopPropagation();
    };
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 8, PageUp: -8 };
    if (moves[e.key] !== undefined) {
      stop();
      if (this.list.move(moves[e.key]!)) this.paint();
      return;
    }
    if (e.key !== 'Enter' && e.key !== 'Tab') return;
    // The list may answer an older text: then the pick waits for the answer to what was typed.
    if (this.answered !== this.typed()) {
      stop();
      void this.search().then(() => {
        this.take();
        this.params.stopEditing();
      });
      return;
    }
    // Pick, then let the key reach the grid: it commits (and Tab moves on).
    this.take();
  }

  private typed(): string {
    return this.input.value.trim();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.paint();
    this.timer = setTimeout(() => void this.search(), SEARCH_DELAY_MS);
  }

  /** Asks the server for the rows holding what is typed; an answer to an older text than the last asked is dropped. */
  private async search(): Promise<void> {
    clearTimeout(this.timer);
    const text = this.typed();
    const no = ++this.searchNo;
    this.list.element.classList.add('searching');
    try {
      const found = await this.params.refs.search(this.sheetId, text);
      if (no === this.searchNo) this.show(text, found, null);
    } catch (err) {
      if (no === this.searchNo) this.show(text, [], (err as Error).message);
    }
  }

  private show(text: string, found: RefRow[], failed: string | null): void {
    this.answered = text;
    this.failed = failed;
    this.list.element.classList.remove('searching');
    if (text !== '') {
      this.choices = found;
      this.list.active = 0;
    } else {
      // Nothing typed: the empty choice and the sheet's first rows, the cell's own row highlighted (first when not among them).
      const current = this.current;
      const own = current === null || found.some((r) => r.id === current) ? []
        : [this.params.refs.row(this.sheetId, current) ?? { id: current, label: current, hint: '' }];
      this.choices = [{ id: null }, ...own, ...found];
      this.list.active = Math.max(0, this.choices.findIndex((c) => c.id === current));
    }
    this.paint();
  }

  /** The highlighted choice as the cell's value; with nothing found the cell keeps its value (a ref to no row is noise). */
  private take(): void {
    const choice = this.choices[this.list.active];
    if (choice) this.result = choice.id;
  }

  private paint(): void {
    const items = this.choices.map((choice) => {
      const li = document.createElement('li');
      const label = document.createElement('span');
      label.className = 'pick-label';
      if (choice.id === null) {
        li.className = 'none';
        li.dataset.value = '';
        label.textContent = '(empty)';
        li.append(label);
        return li;
      }
      li.dataset.value = choice.id;
      if (choice.id === this.current) li.className = 'selected';
      li.setAttribute('aria-selected', String(choice.id === this.current));
      label.textContent = choice.label;
      li.append(label);
      if (choice.hint) li.append(Object.assign(document.createElement('span'), { className: 'pick-hint', textContent: choice.hint }));
      return li;
    });
    const typed = this.typed();
    const empty = document.createElement('li');
    empty.className = 'empty';
    empty.textContent = this.failed !== null ? `The rows could not be searched: ${this.failed}`
      : this.answered !== typed ? 'Searching…'
        : typed === '' ? 'The sheet has no rows' : `No row matches “${typed}”`;
    this.list.show(items, empty);
  }
}
