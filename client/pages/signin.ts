/**
 * The sign-in page: name and password. A sign-in link (`?token=`) is exchanged by the server, except in a
 * browser already signed in as someone else: then the server sends the token here in the fragment and
 * this page asks before switching.
 */
import { api, ApiError, getMe, tokenUser } from '../api';
import { h, replaceChildren } from '../ui/dom';
import { logo } from './layout';

const ERRORS: Record<string, string> = {
  bad_token: 'That sign-in link is not valid (any more). Ask an admin for a new one.',
  expired: 'Your session has ended. Please sign in again.',
};

export function renderSignIn(app: HTMLElement): void {
  document.title = 'Sign in · Tessera';
  const params = new URLSearchParams(location.search);
  const next = safeNext(params.get('next'), location.origin);
  const linkToken = new URLSearchParams(location.hash.slice(1)).get('token');
  if (linkToken) {
    // The token leaves the address bar (and the history) at once.
    history.replaceState(history.state, '', location.pathname + location.search);
    void confirmSwitch(app, linkToken, next);
    return;
  }
  renderForm(app, params.get('error'), next);
}

function renderForm(app: HTMLElement, errorCode: string | null, next: string): void {
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
      await api.post('/api/session', { body: { name: name.value.trim(), password: password.value } });
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


/** "You are signed in as A. Sign in as B instead?" — switching only when the person says so. */
async function confirmSwitch(app: HTMLElement, token: string, next: string): Promise<void> {
  // A one-time sign-in link's secret is no API token: whom it signs in is known only once it is used.
  const [current, target] = await Promise.all([getMe(), tokenUser(token)]);
  const switchTo = async () => {
    await api.post('/api/session', { body: { token } });
    location.replace(next);
  };
  if (!current || current.id === target?.id) return switchTo();
  const someone = target ? target.name : 'the user of this sign-in link';

  const message = h('p', { class: 'form-error', role: 'alert' });
  message.hidden = true;
  const confirm = h('button', { type: 'button', class: 'button primary wide', 'data-testid': 'switch-user' }, `Sign in as ${someone}`);
  const stay = h('button', { type: 'button', class: 'button wide', 'data-testid': 'stay-signed-in' }, `Stay signed in as ${current.name}`);
  confirm.addEventListener('click', () => {
    confirm.disabled = true;
    switchTo().catch((err: unknown) => {
      message.textContent = `Could not sign in: ${(err as Error).message}`;
      message.hidden = false;
      confirm.disabled = false;
    });
  });
  stay.addEventListener('click', () => location.replace(next));
  const card = h('section', { class: 'card signin-card', 'aria-label': 'Switch user', 'data-testid': 'switch-user-card' },
    h('div', { class: 'signin-brand' }, logo(), h('span', {}, 'Tessera')),
    h('p', {}, `You are signed in as ${current.name}. Sign in as ${someone} instead?`),
    message,
    confirm,
    stay,
  );
  replaceChildren(app, h('main', { class: 'signin' }, card));
}

/**
 * Where to go after signing in: `next` resolved against this site, and only if it stays on it, so a
 * crafted link (`//host`, `/\host`, `https://host`, `javascript:`) cannot send the user elsewhere.
 */
export function safeNext(next: string | null, origin: string): string {
  if (!next) return '/';
  try {
    const url = new URL(next, origin);
    return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : '/';
  } catch {
    return '/';
  }
}
