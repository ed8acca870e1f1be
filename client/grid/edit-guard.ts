/**
 * An open cell editor and other people's changes: when someone else changes the cell I am editing,
 * a note under it shows their new value, and committing mine asks first ("Ben changed this to “Y”
 * while you were editing. Keep yours?"). Leaving the page while an editor is open asks too.
 */
import type { GridApi } from 'ag-grid-community';
import type * as Y from 'yjs';
import type { CellValue } from '../../model/columns';
import { getSheet, sheetRows } from '../../model/document';
import { quote } from '../conflicts/grid-conflicts';
import { confirmDialog, h } from '../ui/dom';
import type { RowData } from './binding';

interface Editing {
  rowId: string;
  columnId: string;
  /** The cell's value when editing began. */
  start: CellValue;
  /** Who changed the cell meanwhile (null: someone we cannot name), if anyone did. */
  changedBy?: string | null;
  note: HTMLElement | null;
  stop: () => void;
}

export interface EditGuardOptions {
  api: GridApi<RowData>;
  doc: Y.Doc;
  sheetId: string;
  /** The origin of this user's own changes. */
  origin: unknown;
  /** The name of whoever is present with a Yjs client id (each tab's document has its own), if known. */
  nameOf(clientId: number): string | null;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export class EditGuard {
  private editing: Editing | null = null;
  private readonly onBeforeUnload = (e: BeforeUnloadEvent) => {
    if (this.options.api.isDestroyed() || this.options.api.getEditingCells().length === 0) return;
    e.preventDefault();
    e.returnValue = '';
  };

  constructor(private readonly options: EditGuardOptions) {
    window.addEventListener('beforeunload', this.onBeforeUnload);
  }

  destroy(): void {
    window.removeEventListener('beforeunload', this.onBeforeUnload);
    this.editing?.stop();
    this.editing = null;
  }

  /** An editor opened on a cell: remember its value, and watch it for other people's changes. */
  started(rowId: string, columnId: string): void {
    this.editing?.stop();
    const row = this.row(rowId);
    const editing: Editing = { rowId, columnId, start: this.value(rowId, columnId), note: null, stop: () => {} };
    if (row) {
      const observer = (event: Y.YMapEvent<CellValue>) => {
        if (event.transaction.origin === this.options.origin || !event.keysChanged.has(columnId)) return;
        // The new value's item carries the writer's client id, which is also their presence id.
        const item = (row as Y.Map<CellValue>)._map.get(columnId);
        editing.changedBy = item ? this.options.nameOf(item.id.client) : null;
        this.showNote(editing);
      };
      row.observe(observer);
      // Stopped when the editor closes and again when the next one opens (or the grid goes): Yjs must be
      // told to unobserve only once.
      editing.stop = () => {
        row.unobserve(observer);
        editing.note?.remove();
        editing.note = null;
        editing.stop = () => {};
      };
    }
    this.editing = editing;
  }

  /** The editor closed; what it saw is kept for `confirm`, which may come after. */
  stopped(): void {
    this.editing?.stop();
  }

  /**
   * Whether to write `mine` into the cell: true at once unless someone else changed it since the
   * editor opened (and to something else than mine); then the user is asked.
   */
  confirm(rowId: string, columnId: string, mine: CellValue): boolean | Promise<boolean> {
    const editing = this.editing;
    if (!editing || editing.rowId !== rowId || editing.columnId !== columnId) return true;
    this.editing = null;
    editing.stop();
    const now = this.value(rowId, columnId);
    if (editing.changedBy === undefined || same(now, editing.start) || same(now, mine)) return true;
    const who = editing.changedBy ?? 'Someone';
    return confirmDialog(
      `${who} changed this to ${quote(now)} while you were editing. Keep yours?`,
      'Keep mine',
      `Yours: ${quote(mine)}. Cancel leaves ${quote(now)}.`,
    );
  }

  private showNote(editing: Editing): void {
    const cell = document.querySelector<HTMLElement>(
      `.ag-row[row-id="${CSS.escape(editing.rowId)}"] .ag-cell[col-id="${CSS.escape(editing.columnId)}"]`,
    );
    const text = `${editing.changedBy ?? 'Someone'} changed this to ${quote(this.value(editing.rowId, editing.columnId))} while you were editing`;
    if (!editing.note) {
      editing.note = h('div', { class: 'edit-changed-note', role: 'status', 'data-testid': 'edit-changed-note' });
      document.body.append(editing.note);
    }
    editing.note.textContent = text;
    const rect = cell?.getBoundingClientRect();
    if (rect) {
      editing.note.style.left = `${Math.round(rect.left)}px`;
      editing.note.style.top = `${Math.round(rect.bottom + 2)}px`;
    }
  }

  private row(rowId: string) {
    const sheet = getSheet(this.options.doc, this.options.sheetId);
    return sheet ? sheetRows(sheet).get(rowId) : undefined;
  }

  private value(rowId: string, columnId: string): CellValue {
    return this.row(rowId)?.get(columnId) ?? null;
  }
}
