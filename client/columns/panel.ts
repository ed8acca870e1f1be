/**
 * The columns of a sheet, for admins: add, rename, describe, reorder, change type, edit codes, mark
 * required, delete (with a confirm). Changes go straight into the document, so every open grid
 * follows at once, and they can be undone like any other change.
 */
import * as Y from 'yjs';
import { COLUMN_TYPES, type Column, type ColumnType } from '../../model/columns';
import { getSheet, getSheets, readColumns, sheetColumns, sheetName } from '../../model/document';
import { confirmDialog, h, replaceChildren, toast } from '../ui/dom';
import { addColumn, changeColumnType, checkNewColumn, columnIdFromName, deleteColumn, moveColumn, updateColumn } from './edit';

const TYPE_LABELS: Record<ColumnType, string> = {
  text: 'Text', longtext: 'Long text', number: 'Number', integer: 'Whole number', date: 'Date',
  enum: 'One code', multi: 'Several codes', boolean: 'Yes / no', url: 'Link', ref: 'Row of another sheet',
  evidence: 'Passages of sources', place: 'Place',
};

export class ColumnPanel {
  readonly element: HTMLElement;
  private readonly list = h('ol', { class: 'column-list', 'data-testid': 'column-list' });
  private readonly open = new Set<string>();
  private renderWhenIdle = false;
  private readonly columns: Y.Array<Y.Map<unknown>> | undefined;
  private readonly observer = () => this.scheduleRender();

  constructor(private readonly doc: Y.Doc, private readonly sheetId: string, private readonly origin: unknown, onClose: () => void) {
    const sheet = getSheet(doc, sheetId);
    this.columns = sheet ? sheetColumns(sheet) : undefined;
    this.element = h('section', { class: 'panel column-panel', 'aria-label': 'Columns' },
      h('header', { class: 'panel-head' },
        h('h2', {}, `Columns of ${sheet ? sheetName(sheet) : sheetId}`),
        h('button', { type: 'button', class: 'button icon', title: 'Close', onclick: onClose }, '×')),
      h('div', { class: 'panel-body' }, this.list, this.newColumnForm()),
    );
    this.columns?.observeDeep(this.observer);
    this.element.addEventListener('focusout', () => {
      queueMicrotask(() => {
        if (this.renderWhenIdle && !this.editingText()) this.render();
      });
    });
    this.render();
  }

  destroy(): void {
    this.columns?.unobserveDeep(this.observer);
  }

  private current(): Column[] {
    const sheet = getSheet(this.doc, this.sheetId);
    return sheet ? readColumns(sheet) : [];
  }

  private editingText(): boolean {
    const active = document.activeElement;
    return active instanceof HTMLElement && this.element.contains(active) && active.matches('input[type=text], input:not([type]), textarea');
  }

  /** A remote change while the admin types into a field waits until they leave it. */
  private scheduleRender(): void {
    if (this.editingText()) this.renderWhenIdle = true;
    else this.render();
  }

  private render(): void {
    this.renderWhenIdle = false;
    const columns = this.current();
    replaceChildren(this.list, ...columns.map((c, i) => this.item(c, i, columns.length)));
  }

  private item(column: Column, index: number, count: number): HTMLElement {
    const set = (patch: Parameters<typeof updateColumn>[3]) => updateColumn(this.doc, this.sheetId, column.id, patch, this.origin);
    const name = h('input', { class: 'column-name', value: column.name, 'aria-label': 'Column name', 'data-field': 'name' });
    name.addEventListener('change', () => {
      if (name.value.trim() === '') name.value = column.name;
      else set({ name: name.value.trim() });
    });
    const type = h('select', { 'aria-label': 'Type', 'data-field': 'type' },
      ...COLUMN_TYPES.map((t) => h('option', { value: t, selected: t === column.type }, TYPE_LABELS[t])));
    type.addEventListener('change', () => {
      const next = type.value as ColumnType;
      const ref = next === 'ref' ? [...getSheets(this.doc).keys()].find((id) => id !== this.sheetId) : undefined;
      // Open the details first: the change re-renders the panel at once, and the codes are the next step.
      if (next === 'enum' || next === 'multi' || next === 'ref') this.open.add(column.id);
      changeColumnType(this.doc, this.sheetId, column.id, next, this.origin, ref);
    });
    const required = h('input', { type: 'checkbox', checked: column.required === true, 'data-field': 'required' });
    required.addEventListener('change', () => set({ required: required.checked }));

    const description = h('textarea', { rows: 2, placeholder: 'What coders should enter here', 'data-field': 'description' });
    description.value = column.description ?? '';
    description.addEventListener('change', () => set({ description: description.value.trim() }));

    const details = h('details', { class: 'column-details' },
      h('summary', {}, 'Description', column.type === 'enum' || column.type === 'multi' ? ' and codes' : column.type === 'ref' ? ' and sheet' : column.type === 'text' ? ' and actor list' : ''),
      h('label', {}, h('span', {}, 'Description'), description),
      column.type === 'enum' || column.type === 'multi' ? this.codesField(column, set) : null,
      column.type === 'ref' ? this.refField(column, set) : null,
      column.type === 'text' ? this.actorsField(column, set) : null,
    );
    details.open = this.open.has(column.id);
    details.addEventListener('toggle', () => (details.open ? this.open.add(column.id) : this.open.delete(column.id)));

    const move = (delta: number) => moveColumn(this.doc, this.sheetId, column.id, delta, this.origin);
    return h('li', { class: 'column-item', 'data-column': column.id },
      h('div', { class: 'column-row' },
        h('div', { class: 'column-order' },
          h('button', { type: 'button', class: 'button icon small', title: 'Move left', disabled: index === 0, onclick: () => move(-1) }, '↑'),
          h('button', { type: 'button', class: 'button icon small', title: 'Move right', disabled: index === count - 1, onclick: () => move(1) }, '↓')),
        h('div', { class: 'column-main' },
          name,
          h('code', { class: 'column-id', title: 'Column id: never changes; used in exports' }, column.id),
          h('div', { class: 'column-props' },
            type,
            h('label', { class: 'check' }, required, h('span', {}, 'required')))),
        h('button', {
          type: 'button', class: 'button icon danger-text', title: `Delete column ${column.name}`, 'data-testid': 'delete-column',
          onclick: async () => {
            const ok = await confirmDialog(`Delete the column “${column.name}”?`, 'Delete column',
              'It disappears for everyone and from exports. The values stay in the document, so undo brings it back.');
            if (ok) deleteColumn(this.doc, this.sheetId, column.id, this.origin);
          },
        }, trashIcon())),
      details,
    );
  }

  private codesField(column: Column, set: (patch: Partial<Column>) => void): HTMLElement {
    const codes = h('textarea', { rows: 5, placeholder: 'One code per line', 'data-field': 'options' });
    codes.value = (column.options ?? []).join('\n');
    codes.addEventListener('change', () => {
      const options = [...new Set(codes.value.split('\n').map((c) => c.trim()).filter(Boolean))];
      // Labels of codes no longer in the list go with them.
      set({ options, optionLabels: labelsFor(options, column.optionLabels ?? {}) });
    });
    return h('div', {},
      h('label', {}, h('span', {}, 'Codes, one per line'), codes),
      (column.options ?? []).length > 0 ? this.labelsField(column, set) : null);
  }

  /** A label for each code, for the codebook: what the code means, in words. */
  private labelsField(column: Column, set: (patch: Partial<Column>) => void): HTMLElement {
    const options = column.options ?? [];
    const inputs = options.map((code) => {
      const input = h('input', { value: column.optionLabels?.[code] ?? '', 'aria-label': `Label of ${code}`, 'data-code': code, placeholder: 'label' });
      input.addEventListener('change', () => {
        const labels: Record<string, string> = {};
        for (const other of inputs) labels[other.dataset.code!] = other.value.trim();
        set({ optionLabels: labelsFor(options, labels) });
      });
      return input;
    });
    return h('fieldset', { class: 'code-labels', 'data-field': 'optionLabels' },
      h('legend', {}, 'Labels of the codes'),
      ...options.map((code, i) => h('label', { class: 'code-label' }, h('code', {}, code), inputs[i]!)));
  }

  private refField(column: Column, set: (patch: Partial<Column>) => void): HTMLElement {
    const select = h('select', { 'data-field': 'ref' },
      ...[...getSheets(this.doc).entries()].map(([id, sheet]) => h('option', { value: id, selected: id === column.ref }, sheetName(sheet) || id)));
    select.addEventListener('change', () => set({ ref: select.value }));
    return h('label', {}, h('span', {}, 'Rows of sheet'), select);
  }

  /** A text column may name an actor list: its editor then offers the actors, and a name not in it is marked. */
  private actorsField(column: Column, set: (patch: Partial<Column>) => void): HTMLElement {
    const select = h('select', { 'data-field': 'actors' },
      h('option', { value: '', selected: column.actors === undefined }, '(none: free text)'),
      ...[...getSheets(this.doc).entries()].filter(([id]) => id !== this.sheetId)
        .map(([id, sheet]) => h('option', { value: id, selected: id === column.actors }, sheetName(sheet) || id)));
    select.addEventListener('change', () => set({ actors: select.value || undefined }));
    return h('label', {}, h('span', {}, 'Actor list'), select);
  }

  private newColumnForm(): HTMLElement {
    const name = h('input', { placeholder: 'Name of the new column', 'aria-label': 'New column name', required: true, 'data-testid': 'new-column-name' });
    const type = h('select', { 'aria-label': 'New column type', 'data-testid': 'new-column-type' },
      ...COLUMN_TYPES.map((t) => h('option', { value: t }, TYPE_LABELS[t])));
    const required = h('input', { type: 'checkbox' });
    const form = h('form', { class: 'new-column' },
      h('h3', {}, 'Add a column'),
      name,
      h('div', { class: 'column-props' }, type, h('label', { class: 'check' }, required, h('span', {}, 'required'))),
      h('button', { type: 'submit', class: 'button primary', 'data-testid': 'add-column' }, 'Add column'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const existing = this.current();
      const columnType = type.value as ColumnType;
      const column: Column = {
        id: columnIdFromName(name.value, new Set(existing.map((c) => c.id))),
        name: name.value.trim(),
        type: columnType,
      };
      if (required.checked) column.required = true;
      if (columnType === 'ref') {
        const other = [...getSheets(this.doc).keys()].find((id) => id !== this.sheetId);
        if (other) column.ref = other;
      }
      const problem = checkNewColumn(column, existing);
      if (problem) {
        toast(problem, 'error');
        return;
      }
      if (columnType === 'enum' || columnType === 'multi') this.open.add(column.id);
      addColumn(this.doc, this.sheetId, column, this.origin);
      form.reset();
      this.render();
    });
    return form;
  }
}

/** The non-empty labels of these codes; undefined when none is left, so the field is removed. */
function labelsFor(options: readonly string[], labels: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const kept = options.filter((code) => labels[code]?.trim()).map((code) => [code, labels[code]!.trim()] as const);
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

function trashIcon(): SVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '15');
  svg.setAttribute('height', '15');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', 'M6 2h4m-7 2h10m-8.5 0 .6 9.2a1 1 0 0 0 1 .8h3.8a1 1 0 0 0 1-.8L11.5 4M6.8 6.5v5m2.4-5v5');
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', 'currentColor');
  path.setAttribute('stroke-width', '1.3');
  path.setAttribute('stroke-linecap', 'round');
  svg.append(path);
  return svg;
}
