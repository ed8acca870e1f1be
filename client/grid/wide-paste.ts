/**
 * A pasted block wider than the columns left to the right of where it lands. The grid says so ("3
 * columns pasted, 1 fits"); an admin may add the missing columns (text, named from the block's first
 * line when it looks like a header, else "Column N") and paste all of it; anyone else gets what fits
 * and is told how many columns were left out. Nothing is dropped without the user knowing.
 */
import type { Column } from '../../model/columns';
import { columnIdFromName } from '../columns/edit';
import { append, h, toast } from '../ui/dom';

/** How to paste a wide block: the rows to paste, and the columns to add first (at the end of the sheet). */
export interface WidePasteChoice {
  block: string[][];
  columns: Column[];
}

/** Asks (or tells) what to do with a wide block; null cancels the paste. */
export type WidePasteHandler = (block: string[][], fits: number, existing: readonly Column[]) => Promise<WidePasteChoice | null>;

/** The block's width: its widest line. */
export function blockWidth(block: readonly (readonly string[])[]): number {
  return block.reduce((max, row) => Math.max(max, row.length), 0);
}

const NUMBER_OR_DATE = /^[-+]?[\d.,]+%?$|^\d{4}(-\d{2}){0,2}$/;

/**
 * Whether the block's first line looks like a header: there is a line after it, and its cells are
 * all filled, distinct, short, and neither numbers nor dates.
 */
export function looksLikeHeader(block: readonly (readonly string[])[]): boolean {
  const first = block[0];
  if (!first || block.length < 2) return false;
  const cells = first.map((c) => c.trim());
  return cells.every((c) => c !== '' && c.length <= 60 && !NUMBER_OR_DATE.test(c))
    && new Set(cells.map((c) => c.toLowerCase())).size === cells.length;
}

/** The text columns to add for the block's cells past `fits`, named from the header line if `header`. */
export function columnsToAdd(block: readonly (readonly string[])[], fits: number, existing: readonly Column[], header: boolean): Column[] {
  const taken = new Set(existing.map((c) => c.id));
  const names = new Set(existing.map((c) => c.name));
  const added: Column[] = [];
  for (let i = fits; i < blockWidth(block); i++) {
    let name = header ? (block[0]![i] ?? '').trim() : '';
    if (name === '' || names.has(name)) name = `Column ${existing.length + added.length + 1}`;
    const id = columnIdFromName(name, taken);
    taken.add(id);
    names.add(name);
    added.push({ id, name, type: 'text' });
  }
  return added;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** What the grid says of a wide block: "3 columns pasted, 1 fits". */
export function widthMessage(pasted: number, fits: number): string {
  return `${plural(pasted, 'column')} pasted, ${fits} ${fits === 1 ? 'fits' : 'fit'}`;
}

/** The handler for a user: admins are asked whether to add the columns; others get what fits, and are told. */
export function widePasteHandler(isAdmin: boolean): WidePasteHandler {
  if (!isAdmin) {
    return async (block, fits) => {
      const left = blockWidth(block) - fits;
      toast(`${widthMessage(blockWidth(block), fits)}: ${plural(left, 'column')} left out. An admin can add columns.`);
      return { block, columns: [] };
    };
  }
  return (block, fits, existing) => askAdmin(block, fits, existing);
}

function askAdmin(block: string[][], fits: number, existing: readonly Column[]): Promise<WidePasteChoice | null> {
  const pasted = blockWidth(block);
  const missing = pasted - fits;
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'dialog', 'data-testid': 'wide-paste-dialog' });
    const header = h('input', { type: 'checkbox', 'data-testid': 'wide-paste-header' });
    header.checked = looksLikeHeader(block);
    const names = h('p', { class: 'dialog-detail', 'data-testid': 'wide-paste-names' });
    const showNames = () => {
      names.textContent = `New text columns: ${columnsToAdd(block, fits, existing, header.checked).map((c) => c.name).join(', ')}.`;
    };
    header.addEventListener('change', showNames);
    showNames();
    const close = (choice: WidePasteChoice | null) => {
      dialog.close();
      dialog.remove();
      resolve(choice);
    };
    append(dialog,
      h('p', { class: 'dialog-message', 'data-testid': 'wide-paste-message' }, `${widthMessage(pasted, fits)}.`),
      h('p', { class: 'dialog-detail' }, `Add ${plural(missing, 'column')} at the end of the sheet and paste all of it, or paste only what fits and leave ${missing === 1 ? 'it' : 'them'} out.`),
      names,
      h('label', { class: 'toggle' }, header, h('span', {}, ' The first line is a header: name the new columns from it, and do not paste it as a row')),
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'button', onclick: () => close(null) }, 'Cancel'),
        h('button', { type: 'button', class: 'button', 'data-testid': 'wide-paste-fit', onclick: () => close({ block, columns: [] }) }, 'Paste what fits'),
        h('button', {
          type: 'button', class: 'button primary', 'data-testid': 'wide-paste-add',
          onclick: () => close({ block: header.checked ? block.slice(1) : block, columns: columnsToAdd(block, fits, existing, header.checked) }),
        }, `Add ${plural(missing, 'column')} and paste`),
      ),
    );
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(null);
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector<HTMLButtonElement>('[data-testid=wide-paste-add]')?.focus();
  });
}
