/** A secret (a token, a sign-in link) shown once, with a button that copies it. */
import { h, toast } from '../ui/dom';

export interface SecretBoxOptions {
  /** What the box says above the secret. */
  message: Node | string;
  /** The field's accessible name, and what the copy button names. */
  label: string;
  testId: string;
}

export function secretBox(secret: string, { message, label, testId }: SecretBoxOptions): HTMLElement {
  const field = h('input', { readonly: true, value: secret, 'aria-label': label, 'data-testid': testId });
  return h('div', { class: 'secret-box' },
    h('p', {}, message),
    h('div', { class: 'link-row' }, field,
      h('button', {
        type: 'button', class: 'button',
        onclick: async () => {
          field.select();
          try {
            await navigator.clipboard.writeText(secret);
            toast(`${label} copied`);
          } catch {
            toast(`Select the ${label.toLowerCase()} and copy it`, 'error');
          }
        },
      }, 'Copy')),
  );
}
