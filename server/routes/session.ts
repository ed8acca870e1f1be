import { Hono } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Context } from 'hono';
import { SignInBody } from '../../model/http';
import { SESSION_COOKIE, sessionCredential } from '../auth/middleware';
import { createSession, deleteSession, userByLink, userByPassword, userByToken } from '../auth/users';
import type { Services } from '../context';
import type { UserDirectory } from '../storage';
import { AppError, unauthorized } from '../errors';
import { client } from '../http/client-info';
import type { CounterStores } from '../http/shared-counters';
import { readBody } from '../validate';

/** Starts a session for `userId` and sets its HttpOnly cookie. */
export async function startSession(users: UserDirectory, c: Context, userId: string): Promise<void> {
  const { secret, maxAgeSeconds } = await createSession(users, userId);
  // Secure when the browser reached us over TLS, so the cookie never travels in the clear afterwards.
  setCookie(c, SESSION_COOKIE, secret, { httpOnly: true, sameSite: 'Lax', path: '/', maxAge: maxAgeSeconds, secure: client(c).secure });
}

const WINDOW_MS = 15 * 60_000;

/** The name a sign-in is for, read from its (already size-limited) body; Hono keeps the parsed body for the route. */
async function signInName(c: Context): Promise<string> {
  try {
    const body = (await c.req.json()) as { name?: unknown; token?: unknown };
    return typeof body.name === 'string' ? `name:${body.name}` : 'token';
  } catch {
    return '';
  }
}

/**
 * Guessing passwords: ten failed sign-ins for one name from one address in 15 minutes, then 429 for that
 * name from there until the window passes; others behind the same address (a proxy, an office) still
 * get in. A hundred failures from one address, whatever the names, stop that address (password spraying).
 * The address is the socket's, or with TRUST_PROXY the one the proxy saw. With several instances the
 * counts are shared (`counters`), so the limits hold however the attempts are spread over them.
 */
const signInLimits = (counters?: CounterStores) => [
  rateLimiter({
    ...(counters && { store: counters('signin-address') }),
    windowMs: WINDOW_MS,
    limit: 100,
    skipSuccessfulRequests: true,
    keyGenerator: (c) => client(c).address,
    handler: () => {
      throw new AppError('rate_limited', 'Too many failed sign-ins from your address: wait 15 minutes and try again');
    },
  }),
  rateLimiter({
    ...(counters && { store: counters('signin-name') }),
    windowMs: WINDOW_MS,
    limit: 10,
    skipSuccessfulRequests: true,
    keyGenerator: async (c) => `${client(c).address}\n${await signInName(c)}`,
    handler: () => {
      throw new AppError('rate_limited', 'Too many failed sign-ins: wait 15 minutes and try again');
    },
  }),
] as const;

/** Sign in with name and password (or a sign-in link's token), sign out (which closes that session's sockets with 4401). */
export function sessionRoutes({ storage: { users }, peers, counters }: Services) {
  return new Hono()
    .post('/', ...signInLimits(counters), async (c) => {
      const body = await readBody(c, SignInBody);
      const user = 'token' in body
        ? (await userByToken(users, body.token)) ?? (await userByLink(users, body.token))
        : await userByPassword(users, body.name, body.password);
      if (!user) throw unauthorized('token' in body ? 'That sign-in link is not valid (any more)' : 'Wrong name or password');
      await startSession(users, c, user.id);
      return c.json(user);
    })
    .delete('/', async (c) => {
      const secret = getCookie(c, SESSION_COOKIE);
      if (secret) {
        await deleteSession(users, secret);
        // Its sockets stop with it; sockets of the same user opened with their token are not signed out.
        peers.revoke(sessionCredential(secret));
      }
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    });
}
