/** A modal that asks for a line of text, with our own look; resolves with the text, or null when cancelled. */
import { append, h } from './dom';

export interface PromptOptions {
  detail?: string;
  value?: string;
  confirmLabel?: string;
  /** `danger` for an action that cannot be undone. */
  kind?: 'primary' | 'danger';
  /** The confirm button stays disabled until this accepts the text. */
  accept?: (text: string) => boolean;
  /** `password` hides what is typed. */
  type?: 'text' | 'password';
}

export function promptDialog(message: string, options: PromptOptions = {}): Promise<string | null> {
  const accept = options.accept ?? ((text: string) => text.trim() !== '');
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'dialog', 'data-testid': 'prompt-dialog' });
    const input = h('input', {
      class: 'prompt-input', 'data-testid': 'prompt-input', type: options.type ?? 'text', value: options.value ?? '', spellcheck: false, 'aria-label': message,
      autocomplete: options.type === 'password' ? 'new-password' : null,
    });
    const ok = h('button', { type: 'submit', class: `button ${options.kind ?? 'primary'}`, 'data-testid': 'prompt-confirm' }, options.confirmLabel ?? 'OK');
    const close = (answer: string | null) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    const update = () => { ok.disabled = !accept(input.value); };
    input.addEventListener('input', update);
    const form = h('form', {},
      h('p', { class: 'dialog-message' }, message),
      options.detail ? h('p', { class: 'dialog-detail' }, options.detail) : null,
      input,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'button', onclick: () => close(null) }, 'Cancel'),
        ok,
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      // A password is kept exactly as typed, spaces included.
      if (accept(input.value)) close(options.type === 'password' ? input.value : input.value.trim());
    });
    append(dialog, form);
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(null);
    });
    update();
    document.body.append(dialog);
    dialog.showModal();
    input.select();
  });
}
