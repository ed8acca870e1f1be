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
 * Replaces all children like `replaceChildren`, but keeps the present nodes that stand for the same
 * thing, so that a list redrawn from live data keeps the node under a held mouse button (replacing it
 * loses the click: press and release on different nodes), the focus and a text selection.
 *
 * A present child equal to a new one (the same markup) stays instead of it. A present element with the
 * new one's tag and attributes but other content stays too, its children patched the same way: callers
 * must make an element's listeners depend only on what its attributes say (a row's id in `data-row`,
 * say), and form fields' typed values are not compared. Nodes are moved only when the order changed.
 * Callers must not keep references to the children they pass: a present one may stand in for them.
 */
export function patchChildren(parent: Element, ...children: Child[]): void {
  const wanted = children.flatMap((child): Node[] =>
    child === null || child === undefined || child === false ? [] : [typeof child === 'object' ? child : document.createTextNode(String(child))]);
  const present = [...parent.childNodes];
  const kept = new Set<Node>();
  const take = (candidates: Map<string, ChildNode[]>, key: string | null) => {
    const node = key === null ? undefined : candidates.get(key)?.find((n) => !kept.has(n));
    if (node) kept.add(node);
    return node;
  };
  // The same nodes, or equal ones, first; then elements that changed inside.
  const equal = groupBy(present, markup);
  const found = wanted.map((node) => {
    if (node.parentNode !== parent) return take(equal, markup(node));
    kept.add(node);
    return node;
  });
  const alike = groupBy(present.filter((n) => !kept.has(n)), shape);
  const nodes = wanted.map((node, i) => {
    if (found[i]) return found[i];
    const like = take(alike, shape(node));
    if (!like) return node;
    patchChildren(like as Element, ...node.childNodes);
    return like;
  });
  for (const node of present) if (!kept.has(node)) node.remove();
  nodes.forEach((node, i) => {
    const at = parent.childNodes[i] ?? null;
    if (at !== node) parent.insertBefore(node, at);
  });
}

function groupBy(nodes: ChildNode[], keyOf: (node: Node) => string | null): Map<string, ChildNode[]> {
  const groups = new Map<string, ChildNode[]>();
  for (const node of nodes) {
    const key = keyOf(node);
    if (key !== null) groups.set(key, [...groups.get(key) ?? [], node]);
  }
  return groups;
}

/** A node's whole markup. */
function markup(node: Node): string {
  return node instanceof Element ? node.outerHTML : `${node.nodeType}:${node.textContent ?? ''}`;
}

/** An element's tag and attributes; null for other nodes. */
function shape(node: Node): string | null {
  if (!(node instanceof Element)) return null;
  return [node.tagName, ...[...node.attributes].map((a) => `${a.name}=${a.value}`).sort()].join('\u0000');
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
