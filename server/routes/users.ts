/** Users and their lifecycle: roles, disabling, tokens, passwords, sessions, sign-in links, the audit log. */
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { NewUserBody, PasswordBody, UserPatch } from '../../model/http';
import { UserAdmin } from '../admin/users';
import { assertRole, type AuthEnv, SESSION_COOKIE } from '../auth/middleware';
import { hashSecret } from '../auth/secrets';
import type { Services } from '../context';
import { readBody } from '../validate';

/** How many audit entries `GET /api/audit` returns, newest first. */
const AUDIT_PAGE = 500;

export function usersRoutes(services: Services) {
  const { storage: { users } } = services;
  const admin = new UserAdmin(services);
  return new Hono<AuthEnv>()
    .get('/', async (c) => {
      assertRole(c.get('user'), 'admin');
      return c.json(await users.list());
    })
    .post('/', async (c) => c.json(await admin.create(c.get('user'), await readBody(c, NewUserBody)), 201))
    .patch('/:userName', async (c) => {
      const patch = await readBody(c, UserPatch);
      const { id, name, role, disabled } = await admin.change(c.get('user'), c.req.param('userName'), patch);
      return c.json({ id, name, role, disabled });
    })
    .post('/:userName/token', async (c) => c.json(await admin.rotateToken(c.get('user'), c.req.param('userName'))))
    .put('/:userName/password', async (c) => {
      const body = await readBody(c, PasswordBody);
      return c.json(await admin.setPassword(c.get('user'), c.req.param('userName'), body));
    })
    .get('/:userName/sessions', async (c) => {
      const sessions = await admin.sessions(c.get('user'), c.req.param('userName'));
      // The browser asking is told which session is its own, so "sign out the others" can spare it.
      const cookie = getCookie(c, SESSION_COOKIE);
      const ownHash = cookie ? hashSecret(cookie) : undefined;
      return c.json(sessions.map((s) => ({ ...s, current: ownHash?.startsWith(s.id) ?? false })));
    })
    .delete('/:userName/sessions/:sessionId?', async (c) => c.json(await admin.signOut(c.get('user'), c.req.param('userName'), c.req.param('sessionId'))))
    .post('/:userName/link', async (c) => c.json(await admin.signInLink(c.get('user'), c.req.param('userName')), 201));
}

/** `GET /api/audit` (admin): who changed users, memberships and access, newest first. */
export function auditRoutes({ storage: { users } }: Services) {
  return new Hono<AuthEnv>().get('/', async (c) => {
    assertRole(c.get('user'), 'admin');
    return c.json(await users.auditLog(AUDIT_PAGE));
  });
}
