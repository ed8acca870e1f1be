/** Users (admins only): the list, and new users with their one-time sign-in link. */
import { createUser, listUsers, signInLink } from '../api';
import type { User as Me, UserList } from '../../model/http';
import { ROLES, type Role } from '../../model/roles';
import { h, replaceChildren, toast } from '../ui/dom';
import { renderNotFound, roleName, topBar } from './layout';

export async function renderAdmin(app: HTMLElement, me: Me): Promise<void> {
  if (me.role !== 'admin') {
    renderNotFound(app, me, 'Only admins manage users.');
    return;
  }
  document.title = 'Users · Tessera';
  const table = h('div', { class: 'users', 'data-testid': 'users' }, h('p', { class: 'muted' }, 'Loading…'));
  const reload = async () => {
    try {
      showUsers(table, await listUsers());
    } catch (err) {
      replaceChildren(table, h('p', { class: 'form-error' }, `Could not load the users: ${(err as Error).message}`));
    }
  };
  replaceChildren(app,
    topBar(me, [h('a', { href: '/' }, 'Datasets'), 'Users']),
    h('main', { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', {}, 'Users')),
      newUserForm(reload),
      table,
    ),
  );
  await reload();
}

function showUsers(host: HTMLElement, users: UserList): void {
  replaceChildren(host, h('table', { class: 'table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Role'), h('th', {}, 'Since'))),
    h('tbody', {}, ...users.map((u) => h('tr', {},
      h('td', {}, u.name),
      h('td', {}, h('span', { class: `role role-${u.role}` }, roleName(u.role))),
      h('td', { class: 'muted' }, u.createdAt ? new Date(u.createdAt).toLocaleDateString() : ''),
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
  const result = h('div', { class: 'new-user-link', 'data-testid': 'new-user-link' });
  result.hidden = true;
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
      const user = await createUser(body);
      const link = signInLink(user.token);
      const field = h('input', { readonly: true, value: link, 'aria-label': 'Sign-in link', 'data-testid': 'sign-in-link' });
      replaceChildren(result,
        h('p', {}, h('strong', {}, user.name), ` can sign in with this link. It is shown only now — copy it and send it to ${user.name}.`),
        h('div', { class: 'link-row' }, field,
          h('button', {
            type: 'button', class: 'button',
            onclick: async () => {
              field.select();
              try {
                await navigator.clipboard.writeText(link);
                toast('Link copied');
              } catch {
                toast('Select the link and copy it', 'error');
              }
            },
          }, 'Copy link')),
      );
      result.hidden = false;
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
  // The link sits outside the form, so that resetting the form for the next user keeps it shown.
  return h('div', { class: 'new-user' }, form, result);
}
