/** Users and their lifecycle: roles, disabling, tokens, passwords, sessions, sign-in links, the audit log. */
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { NewUserBody, PasswordBody, UserPatch } from '../../model/http';
import { assertRole, type AuthEnv, SESSION_COOKIE } from '../auth/middleware';
import { hashPassword, hashSecret, verifyPassword } from '../auth/secrets';
import { createSignInLink, createUser, rotateToken, type User } from '../auth/users';
import type { Services } from '../context';
import { badRequest, conflict, forbidden, notFound } from '../errors';
import { readBody } from '../validate';

/** How many audit entries `GET /api/audit` returns, newest first. */
const AUDIT_PAGE = 500;

export function usersRoutes({ storage: { users }, peers }: Services) {
  const userNamed = async (name: string) => {
    const user = await users.byName(name);
    if (!user) throw notFound(`No user "${name}"`);
    return user;
  };
  /**
   * The user named, for a route where admins act on anyone and a user on themselves. Refused before the
   * name is looked up, so that a refusal does not tell whether a user of that name exists.
   */
  const selfOrAdminTarget = async (actor: User, name: string) => {
    if (actor.name !== name && actor.role !== 'admin') throw forbidden('Only an admin may do this for another user');
    return userNamed(name);
  };
  const audit = (actor: User, action: string, target: User, detail: Record<string, unknown> = {}) =>
    users.audit({ actorId: actor.id, action, target: target.name, detail });
  /** Sockets signed in with these sessions close at once. */
  const revokeSessions = (hashes: readonly string[]) => {
    for (const hash of hashes) peers.revoke(`session:${hash}`);
  };
  /** A one-time sign-in link for a user, as the API hands it out: a path on this site, and when it expires. */
  const signInLink = async (user: User, by: User) => {
    const { secret, expiresAt } = await createSignInLink(users, user.id, by.id);
    return { url: `/?token=${encodeURIComponent(secret)}`, expiresAt: new Date(expiresAt).toISOString() };
  };

  return new Hono<AuthEnv>()
    .get('/', async (c) => {
      assertRole(c.get('user'), 'admin');
      return c.json(await users.list());
    })
    .post('/', async (c) => {
      assertRole(c.get('user'), 'admin');
      const actor = c.get('user');
      const created = await createUser(users, await readBody(c, NewUserBody));
      // What is handed to the new user is a link that works once: their token is a key for life (for
      // scripts), which they get on their Account page.
      const link = await signInLink(created, actor);
      await audit(actor, 'user.create', created, { role: created.role });
      return c.json({ ...created, signinUrl: link.url, signinExpiresAt: link.expiresAt }, 201);
    })
    .patch('/:userName', async (c) => {
      const actor = c.get('user');
      assertRole(actor, 'admin');
      const patch = await readBody(c, UserPatch);
      const user = await userNamed(c.req.param('userName'));
      if (user.id === actor.id && (patch.disabled || (patch.role && patch.role !== 'admin'))) {
        throw badRequest('You cannot disable yourself or give up your own admin role; ask another admin');
      }
      if (patch.role !== undefined && patch.role !== user.role) {
        await users.setRole(user.id, patch.role);
        await audit(actor, 'user.role', user, { from: user.role, to: patch.role });
      }
      if (patch.disabled !== undefined && patch.disabled !== user.disabled) {
        revokeSessions(await users.setDisabled(user.id, patch.disabled));
        await audit(actor, patch.disabled ? 'user.disable' : 'user.enable', user);
      }
      await peers.recheck({ userId: user.id });
      const now = (await users.byId(user.id))!;
      return c.json({ id: now.id, name: now.name, role: now.role, disabled: now.disabled });
    })
    .post('/:userName/token', async (c) => {
      const user = await selfOrAdminTarget(c.get('user'), c.req.param('userName'));
      const { token, oldHash } = await rotateToken(users, user.id);
      if (oldHash) peers.revoke(`token:${oldHash}`);
      await audit(c.get('user'), 'user.token', user);
      return c.json({ token });
    })
    .put('/:userName/password', async (c) => {
      const actor = c.get('user');
      const { old, password } = await readBody(c, PasswordBody);
      const user = await selfOrAdminTarget(actor, c.req.param('userName'));
      // Your own password needs the old one (if you have one), even as an admin: a left-open session is not enough.
      if (actor.id === user.id && user.passwordHash && !(old !== undefined && await verifyPassword(old, user.passwordHash))) {
        throw forbidden('The old password is not right');
      }
      await users.setPasswordHash(user.id, await hashPassword(password));
      await audit(actor, 'user.password', user);
      return c.json({ name: user.name, password: 'set' });
    })
    .get('/:userName/sessions', async (c) => {
      const user = await selfOrAdminTarget(c.get('user'), c.req.param('userName'));
      // The browser asking is told which session is its own, so "sign out the others" can spare it.
      const cookie = getCookie(c, SESSION_COOKIE);
      const ownHash = cookie ? hashSecret(cookie) : undefined;
      return c.json((await users.sessionsOf(user.id)).map((s) => ({ ...s, current: ownHash?.startsWith(s.id) ?? false })));
    })
    .delete('/:userName/sessions/:sessionId?', async (c) => {
      const user = await selfOrAdminTarget(c.get('user'), c.req.param('userName'));
      const ended = await users.deleteSessionsOf(user.id, c.req.param('sessionId'));
      if (c.req.param('sessionId') !== undefined && ended.length === 0) throw notFound('No such session');
      revokeSessions(ended);
      await audit(c.get('user'), 'user.signout', user, { sessions: ended.length });
      return c.json({ ended: ended.length });
    })
    .post('/:userName/link', async (c) => {
      assertRole(c.get('user'), 'admin');
      const user = await userNamed(c.req.param('userName'));
      if (user.disabled) throw conflict(`"${user.name}" is disabled: enable them first`);
      const link = await signInLink(user, c.get('user'));
      await audit(c.get('user'), 'user.link', user);
      return c.json(link, 201);
    });
}

/** `GET /api/audit` (admin): who changed users, memberships and access, newest first. */
export function auditRoutes({ storage: { users } }: Services) {
  return new Hono<AuthEnv>().get('/', async (c) => {
    assertRole(c.get('user'), 'admin');
    return c.json(await users.auditLog(AUDIT_PAGE));
  });
}
