import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Context } from 'hono';
import type { Db } from '../../db/client';
import { SignInBody } from '../../model/http';
import { SESSION_COOKIE } from '../auth/middleware';
import { createSession, deleteSession, userByPassword } from '../auth/users';
import type { Services } from '../context';
import { AppError, unauthorized } from '../errors';
import { readBody } from '../validate';

/** Starts a session for `userId` and sets its HttpOnly cookie. */
export function startSession(db: Db, c: Context, userId: string): void {
  const { secret, maxAgeSeconds } = createSession(db, userId);
  setCookie(c, SESSION_COOKIE, secret, { httpOnly: true, sameSite: 'Lax', path: '/', maxAge: maxAgeSeconds });
}

/** Guessing passwords: ten failed sign-ins per address in 15 minutes, then 429 until the window passes. */
const signInLimit = () => rateLimiter({
  windowMs: 15 * 60_000,
  limit: 10,
  skipSuccessfulRequests: true,
  keyGenerator: (c) => getConnInfo(c).remote.address ?? 'unknown',
  handler: () => {
    throw new AppError('rate_limited', 'Too many failed sign-ins: wait 15 minutes and try again');
  },
});

/** Sign in with name and password, sign out. */
export function sessionRoutes({ db }: Services) {
  return new Hono()
    .post('/', signInLimit(), async (c) => {
      const { name, password } = await readBody(c, SignInBody);
      const user = await userByPassword(db, name, password);
      if (!user) throw unauthorized('Wrong name or password');
      startSession(db, c, user.id);
      return c.json(user);
    })
    .delete('/', (c) => {
      const secret = getCookie(c, SESSION_COOKIE);
      if (secret) deleteSession(db, secret);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    });
}
