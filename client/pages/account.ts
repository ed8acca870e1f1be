/**
 * The signed-in user's own account (`/account`): change their password (with the old one), get a new
 * API token, and see their browser sessions and sign the others out.
 */
import { api, setPassword } from '../api';
import type { User as Me } from '../../model/http';
import { secretBox } from '../access/secret-box';
import { sessionsSection } from '../access/sessions';
import { confirmDialog, h, replaceChildren, toast } from '../ui/dom';
import { roleName, topBar } from './layout';

export function renderAccount(app: HTMLElement, me: Me): void {
  document.title = 'Account · Tessera';
  replaceChildren(app,
    topBar(me, [h('a', { href: '/' }, 'Datasets'), 'Account']),
    h('main', { class: 'page narrow account', 'data-testid': 'account' },
      h('div', { class: 'page-head' }, h('h1', {}, me.name)),
      h('p', { class: 'muted' }, 'Your role: ', h('span', { class: `role role-${me.role}` }, roleName(me.role)),
        ' (a dataset open to its members only may give you another role there).'),
      passwordForm(me),
      tokenCard(me),
      h('div', { class: 'card form-card' }, sessionsSection({ userName: me.name, own: true })),
    ),
  );
}

function passwordForm(me: Me): HTMLElement {
  const old = h('input', { type: 'password', name: 'old', autocomplete: 'current-password', 'data-testid': 'old-password' });
  const next = h('input', { type: 'password', name: 'password', required: true, minlength: 8, autocomplete: 'new-password', 'data-testid': 'new-password' });
  const again = h('input', { type: 'password', name: 'again', required: true, autocomplete: 'new-password', 'data-testid': 'new-password-again' });
  const error = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'password-error' });
  error.hidden = true;
  const submit = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'change-password' }, 'Change password');
  const form = h('form', { class: 'card form-card', 'aria-label': 'Change your password' },
    h('h2', {}, 'Password'),
    h('div', { class: 'form-row' },
      h('label', {}, h('span', {}, 'Current password (empty if you have none yet)'), old),
      h('label', {}, h('span', {}, 'New password (8 characters or more)'), next),
      h('label', {}, h('span', {}, 'New password again'), again),
    ),
    error,
    h('div', { class: 'form-actions' }, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    if (next.value !== again.value) {
      error.textContent = 'The two new passwords differ.';
      error.hidden = false;
      return;
    }
    submit.disabled = true;
    try {
      // Sent exactly as typed: a password may start or end with a space.
      await setPassword(me.name, next.value, old.value === '' ? undefined : old.value);
      form.reset();
      toast('Your password is changed');
    } catch (err) {
      error.textContent = (err as Error).message;
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function tokenCard(me: Me): HTMLElement {
  const secret = h('div', { 'data-testid': 'own-token' });
  return h('div', { class: 'card form-card' },
    h('h2', {}, 'API token'),
    h('p', { class: 'muted' }, 'Scripts use it as Authorization: Bearer TOKEN. A new one replaces the old at once; this browser stays signed in.'),
    secret,
    h('div', { class: 'form-actions' }, h('button', {
      type: 'button', class: 'button', 'data-testid': 'rotate-own-token',
      onclick: async () => {
        const ok = await confirmDialog('Make a new API token?', 'New token', 'Your old token stops working at once, for scripts and pages that use it.');
        if (!ok) return;
        try {
          const { token } = await api.post('/api/users/{userName}/token', { params: { userName: me.name } });
          replaceChildren(secret, secretBox(token, { message: 'Your new token. It is shown only now: copy it.', label: 'Token', testId: 'new-token' }));
        } catch (err) {
          toast((err as Error).message, 'error');
        }
      },
    }, 'New token')),
  );
}
