/**
 * Users (admins only): the list, new users with their one-time sign-in link, each user's lifecycle
 * (role, disable and enable, a new token, a password reset, a sign-in link, their sessions) and the
 * audit log of who changed users, members and access.
 */
import { api, setPassword } from '../api';
import type { AuditLog, User as Me, NewUserResponse, UserList } from '../../model/http';
import { ROLES, type Role } from '../../model/roles';
import { auditText } from '../access/audit-text';
import { secretBox } from '../access/secret-box';
import { sessionsSection } from '../access/sessions';
import { confirmDialog, h, replaceChildren, toast } from '../ui/dom';
import { promptDialog } from '../ui/prompt';
import { renderNotFound, roleName, topBar } from './layout';

type UserRow = UserList[number];

export async function renderAdmin(app: HTMLElement, me: Me): Promise<void> {
  if (me.role !== 'admin') {
    renderNotFound(app, me, 'Only admins manage users.');
    return;
  }
  document.title = 'Users · Tessera';
  const table = h('div', { class: 'users', 'data-testid': 'users' }, h('p', { class: 'muted' }, 'Loading…'));
  const audit = h('div', { class: 'audit', 'data-testid': 'audit-log' }, h('p', { class: 'muted' }, 'Loading…'));
  /** The user whose details are open: kept open when the list is shown again after a change. */
  let open: string | null = null;
  const reloadAudit = async () => {
    try {
      showAudit(audit, await api.get('/api/audit'));
    } catch (err) {
      replaceChildren(audit, h('p', { class: 'form-error' }, `Could not load the audit log: ${(err as Error).message}`));
    }
  };
  const reload = async () => {
    try {
      showUsers(table, await api.get('/api/users'), { me, open, toggle, changed, audited: reloadAudit });
    } catch (err) {
      replaceChildren(table, h('p', { class: 'form-error' }, `Could not load the users: ${(err as Error).message}`));
    }
  };
  const toggle = (name: string) => {
    open = open === name ? null : name;
    void reload();
  };
  /** After a change: the list shows the server's state, and the audit log has the new entry. */
  const changed = async () => {
    await Promise.all([reload(), reloadAudit()]);
  };
  replaceChildren(app,
    topBar(me, [h('a', { href: '/' }, 'Datasets'), 'Users']),
    h('main', { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', {}, 'Users')),
      newUserForm(changed),
      table,
      h('section', { class: 'audit-section' },
        h('div', { class: 'page-head' }, h('h2', {}, 'Audit log'),
          h('button', { type: 'button', class: 'button subtle', onclick: () => void reloadAudit() }, 'Refresh')),
        h('p', { class: 'muted' }, 'Who changed users, dataset members and access, and when; newest first.'),
        audit),
    ),
  );
  await changed();
}

interface UsersView {
  me: Me;
  open: string | null;
  toggle: (name: string) => void;
  changed: () => Promise<void>;
  /** After a change the list does not show (a token, a password): only the audit log is read again, so a secret on show stays. */
  audited: () => Promise<void>;
}

function showUsers(host: HTMLElement, users: UserList, view: UsersView): void {
  const rows = users.flatMap((u) => {
    const row = h('tr', { 'data-user': u.name },
      h('td', {}, u.name, u.disabled ? h('span', { class: 'badge disabled', 'data-testid': 'user-disabled' }, 'Disabled') : null),
      h('td', {}, roleControl(u, view)),
      h('td', { class: 'muted' }, u.createdAt ? new Date(u.createdAt).toLocaleDateString() : ''),
      h('td', {}, h('button', {
        type: 'button', class: 'button subtle', 'data-testid': 'manage-user', 'aria-expanded': String(view.open === u.name),
        onclick: () => view.toggle(u.name),
      }, view.open === u.name ? 'Close' : 'Manage')),
    );
    if (view.open !== u.name) return [row];
    return [row, h('tr', { class: 'user-detail-row' }, h('td', { colspan: 4 }, userDetail(u, view)))];
  });
  replaceChildren(host, h('table', { class: 'table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Role'), h('th', {}, 'Since'), h('th', {}))),
    h('tbody', {}, ...rows),
  ));
}

/** The user's global role; an admin keeps their own (another admin may change it). */
function roleControl(u: UserRow, { me, changed }: UsersView): HTMLElement {
  if (u.id === me.id) return h('span', { class: `role role-${u.role}`, title: 'Another admin may change your role' }, roleName(u.role));
  const select = h('select', { 'aria-label': `Role of ${u.name}`, 'data-testid': 'user-role' },
    ...ROLES.map((r) => h('option', { value: r, selected: r === u.role }, roleName(r))));
  select.addEventListener('change', async () => {
    try {
      await api.patch('/api/users/{userName}', { params: { userName: u.name }, body: { role: select.value as Role } });
      toast(`${u.name} is now ${roleName(select.value as Role).toLowerCase()}`);
    } catch (err) {
      toast((err as Error).message, 'error');
    }
    await changed();
  });
  return select;
}

/** One user's lifecycle actions and sessions. A secret the server hands out shows here once. */
function userDetail(u: UserRow, { me, changed, audited }: UsersView): HTMLElement {
  const secret = h('div', { 'data-testid': 'user-secret' });
  const act = (label: string, testId: string, run: () => Promise<void>) =>
    h('button', {
      type: 'button', class: 'button', 'data-testid': testId,
      onclick: async () => {
        try {
          await run();
        } catch (err) {
          toast((err as Error).message, 'error');
        }
      },
    }, label);
  const self = u.id === me.id;
  const disable = self ? null : u.disabled
    ? act('Enable', 'enable-user', async () => {
      await api.patch('/api/users/{userName}', { params: { userName: u.name }, body: { disabled: false } });
      toast(`${u.name} may sign in again`);
      await changed();
    })
    : act('Disable', 'disable-user', async () => {
      const ok = await confirmDialog(`Disable ${u.name}?`, 'Disable',
        'They are signed out at once, their open pages close, and neither their password, their token nor a sign-in link works until an admin enables them.');
      if (!ok) return;
      await api.patch('/api/users/{userName}', { params: { userName: u.name }, body: { disabled: true } });
      toast(`${u.name} is disabled`);
      await changed();
    });
  const token = act('New token', 'rotate-token', async () => {
    const ok = await confirmDialog(`Give ${u.name} a new token?`, 'New token',
      'The old token stops working at once: scripts using it, and pages opened with it, are signed out.');
    if (!ok) return;
    const { token } = await api.post('/api/users/{userName}/token', { params: { userName: u.name } });
    replaceChildren(secret, secretBox(token, {
      message: `${u.name}’s new API token. It is shown only now: copy it and hand it over safely.`, label: 'Token', testId: 'new-token',
    }));
    await audited();
  });
  const password = act('Reset password', 'reset-password', async () => {
    const typed = await promptDialog(`A new password for ${u.name}`, {
      type: 'password', confirmLabel: 'Set password', accept: (text) => text.length >= 8,
      detail: 'At least 8 characters. Tell it to them safely; they can change it under Account.',
    });
    if (typed === null) return;
    await setPassword(u.name, typed);
    toast(`${u.name}’s password is set`);
    await audited();
  });
  const link = u.disabled ? null : act('Sign-in link', 'sign-in-link-button', async () => {
    const made = await api.post('/api/users/{userName}/link', { params: { userName: u.name } });
    const url = new URL(made.url, location.origin).toString();
    replaceChildren(secret, secretBox(url, {
      message: `A sign-in link for ${u.name}: it works once, until ${new Date(made.expiresAt).toLocaleString()}. It is shown only now.`,
      label: 'Link', testId: 'user-sign-in-link',
    }));
    await audited();
  });
  return h('div', { class: 'user-detail', 'data-testid': 'user-detail' },
    h('div', { class: 'user-actions' }, disable, token, password, link),
    secret,
    sessionsSection({ userName: u.name, own: self, onEnded: () => void audited() }),
  );
}

function showAudit(host: HTMLElement, entries: AuditLog): void {
  if (entries.length === 0) {
    replaceChildren(host, h('p', { class: 'muted' }, 'Nothing yet.'));
    return;
  }
  replaceChildren(host, h('table', { class: 'table compact' },
    h('thead', {}, h('tr', {}, h('th', {}, 'When'), h('th', {}, 'Who'), h('th', {}, 'What'))),
    h('tbody', {}, ...entries.map((e) => h('tr', { 'data-action': e.action },
      h('td', { class: 'muted' }, new Date(e.at).toLocaleString()),
      h('td', {}, e.by ?? 'the server'),
      h('td', {}, auditText(e)),
    ))),
  ));
}

function newUserForm(onCreated: () => Promise<void>): HTMLElement {
  const name = h('input', { name: 'name', required: true, placeholder: 'e.g. Ana Ruiz', autocomplete: 'off' });
  const role = h('select', { name: 'role' },
    ...ROLES.map((r) => h('option', { value: r, selected: r === 'editor' }, roleName(r))));
  const password = h('input', { name: 'password', type: 'password', placeholder: 'optional', autocomplete: 'new-password' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  error.hidden = true;
  // Every new user's link stays listed until it is dismissed: creating the next user must not lose one.
  const links = h('div', { class: 'new-user-links', 'data-testid': 'new-user-links' });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Create user');
  const form = h('form', { class: 'card form-card', 'aria-label': 'New user' },
    h('h2', {}, 'New user'),
    h('div', { class: 'form-row' },
      h('label', {}, h('span', {}, 'Name'), name),
      h('label', {}, h('span', {}, 'Role'), role),
      h('label', {}, h('span', {}, 'Password (to sign in by name)'), password),
    ),
    error,
    h('div', { class: 'form-actions' }, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      const body: { name: string; role: Role; password?: string } = { name: name.value.trim(), role: role.value as Role };
      if (password.value !== '') body.password = password.value;
      links.prepend(newUserLink(await api.post('/api/users', { body })));
      form.reset();
      role.value = 'editor';
      await onCreated();
    } catch (err) {
      error.textContent = (err as Error).message;
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
  // The links sit outside the form, so that resetting the form for the next user keeps them shown.
  return h('div', { class: 'new-user' }, form, links);
}

/**
 * A new user's one-time sign-in link, never their API token: a token works for life, and the link is
 * what gets forwarded and kept in mail. Shown until dismissed; the server cannot show it again.
 */
function newUserLink(user: NewUserResponse): HTMLElement {
  const item = h('div', { class: 'new-user-link', 'data-testid': 'new-user-link', 'data-user': user.name });
  const dismiss = h('button', {
    type: 'button', class: 'button subtle', 'data-testid': 'dismiss-sign-in-link', 'aria-label': `Dismiss ${user.name}’s sign-in link`,
    onclick: () => item.remove(),
  }, 'Dismiss');
  item.append(secretBox(new URL(user.signinUrl, location.origin).toString(), {
    message: h('span', {}, h('strong', {}, user.name),
      ` can sign in once with this link, until ${new Date(user.signinExpiresAt).toLocaleString()}. It is shown only here — copy it and send it to ${user.name}. `,
      'A new link is under Manage if this one is lost.'),
    label: 'Link', testId: 'sign-in-link',
  }), dismiss);
  return item;
}
