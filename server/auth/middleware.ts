import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { hasRole, type Role } from '../../model/roles';
import type { UserDirectory } from '../storage';
import { forbidden, unauthorized } from '../errors';
import { hashSecret } from './secrets';
import { userBySession, userByToken, type User } from './users';

export const SESSION_COOKIE = 'tessera_session';

/**
 * The user behind a request: `Authorization: Bearer TOKEN`, the session cookie, or — for WebSockets,
 * whose browsers and stock provider cannot set headers — the `token` query parameter.
 */
export async function authenticate(users: UserDirectory, c: Context, allowQueryToken = false): Promise<User | undefined> {
  return (await signedIn(users, c, allowQueryToken))?.user;
}

/** Token credentials are named by the token's hash, session ones by the session's: what revoking one closes. */
export const tokenCredential = (token: string) => `token:${hashSecret(token)}`;
export const sessionCredential = (secret: string) => `session:${hashSecret(secret)}`;

/**
 * The user a socket's credential still signs in: none once the token was replaced, the session ended
 * or expired, or the user was disabled. What an open socket is checked against, as a request is.
 */
export async function userByCredential(users: UserDirectory, credential: string): Promise<User | undefined> {
  const colon = credential.indexOf(':');
  const kind = credential.slice(0, colon);
  const hash = credential.slice(colon + 1);
  if (kind === 'token') return users.byTokenHash(hash);
  if (kind === 'session') return users.bySessionHash(hash, Date.now());
  return undefined;
}

/** The user behind a request and the credential they signed in with. */
export async function signedIn(users: UserDirectory, c: Context, allowQueryToken = false): Promise<{ user: User; credential: string } | undefined> {
  const header = c.req.header('authorization');
  const withToken = async (token: string) => {
    const user = await userByToken(users, token);
    return user && { user, credential: tokenCredential(token) };
  };
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match ? withToken(match[1]!) : undefined;
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie) {
    const user = await userBySession(users, cookie);
    if (user) return { user, credential: sessionCredential(cookie) };
  }
  const token = allowQueryToken ? c.req.query('token') : undefined;
  return token ? withToken(token) : undefined;
}

export type AuthEnv = { Variables: { user: User; requestId: string } };

/** Rejects requests without a valid user (401) and puts the user on the context. */
export function requireUser(users: UserDirectory): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const user = await authenticate(users, c);
    if (!user) throw unauthorized();
    c.set('user', user);
    await next();
  };
}

/** Throws 403 unless the signed-in user has at least `role`. */
export function assertRole(user: User, role: Role): void {
  if (!hasRole(user.role, role)) throw forbidden(`This needs the ${role} role; you are ${user.role === 'admin' ? 'an' : 'a'} ${user.role}`);
}
