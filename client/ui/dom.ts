/** A small element builder, so page code reads like the markup it makes. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener> & {
  class?: string;
};

/**
 * `h('button', { class: 'primary', onclick: save }, 'Save')`. Attributes starting with `on` are
 * listeners; `true` sets a boolean attribute, `false`/null/undefined leave it out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'value' && 'value' in el) {
      (el as HTMLInputElement).value = String(value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces all children. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/**
 * Replaces all children like `replaceChildren`, but a present child equal to a new one (the same
 * markup) stays in its place instead, and is not moved unless the order changed. A list redrawn from
 * live data then keeps the nodes of entries that did not change: replacing the node under a held
 * mouse button would lose the click (press and release on different nodes), and focus would be lost.
 * Callers must not keep references to the children they pass: an equal present one may stand in.
 */
export function patchChildren(parent: Element, ...children: Child[]): void {
  const present = new Map<string, ChildNode[]>();
  for (const node of parent.childNodes) {
    const key = markup(node);
    present.set(key, [...present.get(key) ?? [], node]);
  }
  const kept = new Set<Node>();
  const wanted = children.flatMap((child): Node[] => {
    if (child === null || child === undefined || child === false) return [];
    const node = typeof child === 'object' ? child : document.createTextNode(String(child));
    if (node.parentNode === parent) {
      kept.add(node);
      return [node];
    }
    const same = present.get(markup(node))?.find((n) => !kept.has(n));
    if (same) kept.add(same);
    return [same ?? node];
  });
  for (const node of [...parent.childNodes]) if (!kept.has(node)) node.remove();
  wanted.forEach((node, i) => {
    const at = parent.childNodes[i] ?? null;
    if (at !== node) parent.insertBefore(node, at);
  });
}

function markup(node: Node): string {
  return node instanceof Element ? node.outerHTML : `${node.nodeType}:${node.textContent ?? ''}`;
}

/** A modal confirm with our own look; resolves true when confirmed. */
export function confirmDialog(message: string, confirmLabel = 'Delete', detail?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'dialog', 'data-testid': 'confirm-dialog' });
    const close = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    append(
      dialog,
      h('p', { class: 'dialog-message' }, message),
      detail ? h('p', { class: 'dialog-detail' }, detail) : null,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'button', onclick: () => close(false) }, 'Cancel'),
        h('button', { type: 'button', class: 'button danger', 'data-testid': 'confirm', onclick: () => close(true) }, confirmLabel),
      ),
    );
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector<HTMLButtonElement>('[data-testid=confirm]')?.focus();
  });
}

/** A short note in the corner that fades away. */
export function toast(message: string, kind: 'info' | 'error' = 'info'): void {
  let host = document.querySelector<HTMLElement>('.toasts');
  if (!host) {
    host = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(host);
  }
  const note = h('div', { class: `toast ${kind}` }, message);
  host.append(note);
  setTimeout(() => note.remove(), kind === 'error' ? 8000 : 4000);
}
