/** Behaviour shared by the toolbar's drop-down menus (a `<details>` with a summary button). */

/** Closes the menu on a click elsewhere and on Escape (focus back on its button); the listeners go with the menu. */
export function closesLikeAMenu(menu: HTMLDetailsElement): void {
  menu.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && menu.open) {
      menu.open = false;
      menu.querySelector('summary')?.focus();
    }
  });
  const outside = (e: MouseEvent) => {
    if (!menu.isConnected) document.removeEventListener('click', outside);
    else if (menu.open && !menu.contains(e.target as Node)) menu.open = false;
  };
  const escape = (e: KeyboardEvent) => {
    if (!menu.isConnected) document.removeEventListener('keydown', escape);
    else if (e.key === 'Escape' && menu.open) menu.open = false;
  };
  document.addEventListener('click', outside);
  document.addEventListener('keydown', escape);
}
