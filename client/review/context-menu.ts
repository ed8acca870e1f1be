/**
 * A small right-click menu (AG Grid community has none): a list of actions at the pointer, closed by
 * Escape, a click elsewhere, the mouse wheel or choosing. Arrow keys move between the entries.
 */
import { h } from '../ui/dom';

export interface MenuItem {
  label: string;
  /** A shortcut shown on the right, e.g. "Ctrl+Shift+F". */
  keys?: string;
  /** For tests and styling: `data-action`. */
  action: string;
  disabled?: boolean;
  run(): void;
}

export type MenuEntry = MenuItem | 'separator';

let openMenu: { close(): void } | null = null;

/** Shows a menu at viewport coordinates; the previous one (if any) closes. */
export function showContextMenu(x: number, y: number, entries: readonly MenuEntry[]): void {
  openMenu?.close();
  const buttons: HTMLButtonElement[] = [];
  const menu = h('div', { class: 'context-menu', role: 'menu', 'data-testid': 'context-menu' });
  for (const entry of entries) {
    if (entry === 'separator') {
      menu.append(h('div', { class: 'context-separator', role: 'separator' }));
      continue;
    }
    const button = h('button', {
      type: 'button', class: 'context-item', role: 'menuitem', 'data-action': entry.action, disabled: entry.disabled === true,
    }, h('span', {}, entry.label), entry.keys ? h('kbd', {}, entry.keys) : null);
    button.addEventListener('click', () => {
      close();
      entry.run();
    });
    buttons.push(button);
    menu.append(button);
  }

  const onDown = (e: Event) => {
    if (!menu.contains(e.target as Node)) close();
  };
  const onKey = (e: KeyboardEvent) => {
    const enabled = buttons.filter((b) => !b.disabled);
    const at = enabled.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = e.key === 'ArrowDown' ? (at + 1) % enabled.length : (at - 1 + enabled.length) % enabled.length;
      enabled[next]?.focus();
    }
  };
  const previousFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  function close(): void {
    if (openMenu !== handle) return;
    openMenu = null;
    menu.remove();
    document.removeEventListener('pointerdown', onDown, true);
    document.removeEventListener('keydown', onKey, true);
    window.removeEventListener('blur', close);
    window.removeEventListener('resize', close);
    document.removeEventListener('wheel', close, true);
    if (document.activeElement === document.body || menu.contains(document.activeElement)) previousFocus?.focus();
  }
  const handle = { close };
  openMenu = handle;

  document.body.append(menu);
  // Keep it on screen.
  const rect = menu.getBoundingClientRect();
  menu.style.left = `${Math.max(4, Math.min(x, window.innerWidth - rect.width - 4))}px`;
  menu.style.top = `${Math.max(4, Math.min(y, window.innerHeight - rect.height - 4))}px`;
  document.addEventListener('pointerdown', onDown, true);
  document.addEventListener('keydown', onKey, true);
  window.addEventListener('blur', close);
  window.addEventListener('resize', close);
  // Not 'scroll': focusing the cell under the pointer may scroll the grid as the menu opens.
  document.addEventListener('wheel', close, true);
  buttons.find((b) => !b.disabled)?.focus();
}
