import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { hasRole, type Role } from '../../model/roles';
import type { UserDirectory } from '../storage';
import { forbidden, unauthorized } from '../errors';
import { userBySession, userByToken, type User } from './users';

export const SESSION_COOKIE = 'tessera_session';

/**
 * The user behind a request: `Authorization: Bearer TOKEN`, the session cookie, or — for WebSockets,
 * whose browsers and stock provider cannot set headers — the `token` query parameter.
 */
export function authenticate(users: UserDirectory, c: Context, allowQueryToken = false): User | undefined {
  const header = c.req.header('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match ? userByToken(users, match[1]!) : undefined;
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie) {
    const user = userBySession(users, cookie);
    if (user) return user;
  }
  const token = allowQueryToken ? c.req.query('token') : undefined;
  return token ? userByToken(users, token) : undefined;
}

export type AuthEnv = { Variables: { user: User; requestId: string } };

/** Rejects requests without a valid user (401) and puts the user on the context. */
export function requireUser(users: UserDirectory): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const user = authenticate(users, c);
    if (!user) throw unauthorized();
    c.set('user', user);
    await next();
  };
}

/** Throws 403 unless the signed-in user has at least `role`. */
export function assertRole(user: User, role: Role): void {
  if (!hasRole(user.role, role)) throw forbidden(`This needs the ${role} role; you are ${user.role === 'admin' ? 'an' : 'a'} ${user.role}`);
}
