/**
 * A user's browser sessions, with signing them out: one, all (admin), or all but this browser's (the
 * user themselves). Their open pages close at once (the server closes their sockets).
 */
import { api, endSessions } from '../api';
import type { SessionList } from '../../model/http';
import { h, replaceChildren, toast } from '../ui/dom';

export interface SessionsOptions {
  /** Whose sessions. */
  userName: string;
  /** The signed-in user's own sessions: "sign out the others" spares this browser's. */
  own: boolean;
  /** After sessions were signed out. */
  onEnded?: () => void;
}

export function sessionsSection({ userName, own, onEnded }: SessionsOptions): HTMLElement {
  const body = h('div', { class: 'sessions', 'data-testid': 'sessions' }, h('p', { class: 'muted' }, 'Loading…'));
  const reload = async () => {
    try {
      show(await api.get('/api/users/{userName}/sessions', { params: { userName } }));
    } catch (err) {
      replaceChildren(body, h('p', { class: 'form-error' }, `Could not load the sessions: ${(err as Error).message}`));
    }
  };
  const end = async (run: () => Promise<unknown>, done: string) => {
    try {
      await run();
      toast(done);
      onEnded?.();
    } catch (err) {
      toast((err as Error).message, 'error');
    }
    await reload();
  };
  const show = (sessions: SessionList) => {
    if (sessions.length === 0) {
      replaceChildren(body, h('p', { class: 'muted' }, 'No active sessions.'));
      return;
    }
    const others = sessions.filter((s) => !s.current);
    const endAll = own
      ? h('button', {
        type: 'button', class: 'button', 'data-testid': 'end-other-sessions', disabled: others.length === 0,
        onclick: () => end(() => Promise.all(others.map((s) => endSessions(userName, s.id))), 'Your other sessions are signed out'),
      }, 'Sign out all other sessions')
      : h('button', {
        type: 'button', class: 'button', 'data-testid': 'end-all-sessions',
        onclick: () => end(() => endSessions(userName), `${userName} is signed out everywhere`),
      }, 'Sign out everywhere');
    replaceChildren(body,
      h('table', { class: 'table compact' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Signed in'), h('th', {}, 'Expires'), h('th', {}))),
        h('tbody', {}, ...sessions.map((s) => h('tr', { 'data-session': s.id },
          h('td', {}, when(s.createdAt), s.current ? h('span', { class: 'badge', 'data-testid': 'this-session' }, 'this browser') : null),
          h('td', { class: 'muted' }, when(s.expiresAt)),
          h('td', {}, s.current && own
            ? null
            : h('button', {
              type: 'button', class: 'button subtle', 'data-testid': 'end-session',
              onclick: () => end(() => endSessions(userName, s.id), 'Session signed out'),
            }, 'Sign out')),
        )))),
      h('div', { class: 'user-actions' }, endAll),
    );
  };
  void reload();
  return h('section', { class: 'sessions-section' }, h('h3', {}, 'Sessions'), body);
}

function when(iso: string): string {
  return new Date(iso).toLocaleString();
}
