/** The sign-in page: name and password; a sign-in link (`?token=`) is handled by the server. */
import { ApiError, signIn } from '../api';
import { h, replaceChildren } from '../ui/dom';
import { logo } from './layout';

const ERRORS: Record<string, string> = {
  bad_token: 'That sign-in link is not valid (any more). Ask an admin for a new one.',
  expired: 'Your session has ended. Please sign in again.',
};

export function renderSignIn(app: HTMLElement): void {
  document.title = 'Sign in · Tessera';
  const params = new URLSearchParams(location.search);
  const next = safeNext(params.get('next'));
  const errorCode = params.get('error');
  const message = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'signin-error' }, errorCode ? (ERRORS[errorCode] ?? 'Please sign in.') : '');
  message.hidden = !errorCode;
  const name = h('input', { name: 'name', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'button primary wide' }, 'Sign in');

  const form = h('form', { class: 'card signin-card', 'aria-label': 'Sign in' },
    h('div', { class: 'signin-brand' }, logo(), h('span', {}, 'Tessera')),
    h('p', { class: 'muted' }, 'Code news into events and statements, together.'),
    message,
    h('label', {}, h('span', {}, 'Name'), name),
    h('label', {}, h('span', {}, 'Password'), password),
    submit,
    h('p', { class: 'hint' }, 'Got a sign-in link from your admin? Just open it — no password needed.'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    message.hidden = true;
    try {
      await signIn(name.value.trim(), password.value);
      location.href = next;
    } catch (err) {
      message.textContent = err instanceof ApiError && err.status === 401
        ? 'Name or password is not right.'
        : `Could not sign in: ${(err as Error).message}`;
      message.hidden = false;
      submit.disabled = false;
      password.select();
    }
  });
  replaceChildren(app, h('main', { class: 'signin' }, form));
}

/** Only same-site paths, so a crafted link cannot send the user elsewhere after signing in. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}
