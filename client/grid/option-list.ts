/**
 * What the pick, place and actor editors share (client/grid/editors.ts, place-editor.ts, actor-editor.ts):
 * a list of options under the editor's input with one highlighted, moved by the arrows and picked with a
 * click (which keeps the input's focus); the keys that move the caret and not the grid's focus; and the
 * caret put at the end of what the input starts with.
 */

export class OptionList {
  readonly element = document.createElement('ul');
  /** The highlighted option's index; -1: none (the editors where Enter may keep what was typed). */
  active = 0;
  private count = 0;

  /** `onPick` is told of a click on an option, after it became the highlighted one. */
  constructor(className: string, onPick: (index: number) => void) {
    this.element.className = className;
    this.element.setAttribute('role', 'listbox');
    // A click must not take the focus from the input: the editor would stop.
    this.element.addEventListener('mousedown', (e) => e.preventDefault());
    this.element.addEventListener('click', (e) => {
      const index = Number((e.target as HTMLElement).closest('li')?.dataset.index);
      if (Number.isNaN(index)) return;
      this.active = index;
      onPick(index);
    });
  }

  /** Moves the highlight by `delta` within the options shown; false when none are shown. */
  move(delta: number): boolean {
    if (this.count === 0) return false;
    this.active = Math.max(0, Math.min(this.count - 1, this.active + delta));
    return true;
  }

  /** Shows the options, each marked with its index, its role and the highlight, or `empty` when there are none. */
  show(options: readonly HTMLLIElement[], empty?: HTMLLIElement | null): void {
    options.forEach((li, index) => {
      li.dataset.index = String(index);
      li.setAttribute('role', 'option');
      li.classList.toggle('active', index === this.active);
    });
    this.count = options.length;
    this.element.replaceChildren(...options, ...(options.length === 0 && empty ? [empty] : []));
    this.element.querySelector('.active')?.scrollIntoView({ block: 'nearest' });
  }
}

/** Left, right, Home and End move the caret in an editor's input, not the grid's focus; true when `e` was one. */
export function keepCaretKey(e: KeyboardEvent): boolean {
  if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Home' && e.key !== 'End') return false;
  e.stopPropagation();
  return true;
}

/** Focuses an editor's input with the caret after its text. */
export function focusAtEnd(input: HTMLInputElement | HTMLTextAreaElement): void {
  input.focus();
  const end = input.value.length;
  input.setSelectionRange(end, end);
}
