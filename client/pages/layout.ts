/** The frame every signed-in page shares: the top bar with the user and sign-out. */
import { api } from '../api';
import type { User as Me } from '../../model/http';
import { h, replaceChildren, toast } from '../ui/dom';

const ROLE_NAMES = { viewer: 'Viewer', reviewer: 'Reviewer', editor: 'Editor', admin: 'Admin' } as const;

export function roleName(role: Me['role']): string {
  return ROLE_NAMES[role];
}

/** The top bar: brand, a trail of where we are, page-specific items, and the signed-in user. */
export function topBar(me: Me, trail: Array<string | HTMLElement>, ...extras: HTMLElement[]): HTMLElement {
  const crumbs = trail.map((item) => h('span', { class: 'crumb' }, item));
  return h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: '/', title: 'All datasets' }, logo(), h('span', {}, 'Tessera')),
    h('nav', { class: 'crumbs', 'aria-label': 'Where you are' }, ...crumbs),
    h('div', { class: 'topbar-extras' }, ...extras),
    userMenu(me),
  );
}

function userMenu(me: Me): HTMLElement {
  const out = h('button', {
    type: 'button', class: 'button subtle', 'data-testid': 'sign-out',
    onclick: async () => {
      try {
        await api.delete('/api/session');
      } catch (err) {
        toast(`Could not sign out: ${(err as Error).message}`, 'error');
        return;
      }
      location.href = '/signin';
    },
  }, 'Sign out');
  return h('div', { class: 'user' },
    h('a', { class: 'user-name', href: '/account', title: 'Your account: password, token, sessions', 'data-testid': 'me' }, me.name),
    h('span', { class: `role role-${me.role}` }, roleName(me.role)),
    me.role === 'admin' ? h('a', { class: 'button subtle', href: '/admin' }, 'Users') : null,
    out,
  );
}

export function logo(): HTMLElement {
  const mark = h('span', { class: 'logo', 'aria-hidden': 'true' });
  for (let i = 0; i < 4; i++) mark.append(h('span', {}));
  return mark;
}

export function renderNotFound(app: HTMLElement, me: Me, message = 'There is no page at this address.'): void {
  document.title = 'Not found · Tessera';
  replaceChildren(app,
    topBar(me, []),
    h('main', { class: 'page narrow' },
      h('h1', {}, 'Not found'),
      h('p', { class: 'muted' }, message),
      h('p', {}, h('a', { href: '/' }, 'Back to the datasets')),
    ),
  );
}
