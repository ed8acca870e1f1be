/**
 * Administering users: roles, disabling, tokens, passwords, sessions, sign-in links and new users. Each
 * change is checked, written and audited in one transaction (refused or failed, nothing of it is kept),
 * and only once it has committed do open sockets follow: ended sessions and replaced tokens close the
 * sockets that signed in with them, on every instance, and the user's other sockets are decided again.
 */
import type { NewUserBody, PasswordBody, UserPatch } from '../../model/http';
import { assertRole } from '../auth/middleware';
import { hashPassword, hashSecret, newSecret, verifyPassword } from '../auth/secrets';
import { createUser, newSignInLink, type User } from '../auth/users';
import type { Services } from '../context';
import { badRequest, conflict, forbidden, notFound } from '../errors';
import type { NewAuditEntry, UserDirectory, UserState } from '../storage';
import { type AfterCommit, type AfterCommitDeps, commitThen, logged } from './after-commit';

/** A sign-in link as the API hands it out: a path on this site, and when it expires. */
export interface SignInLink {
  url: string;
  expiresAt: string;
}

const linkAnswer = (secret: string, expiresAt: number): SignInLink =>
  ({ url: `/?token=${encodeURIComponent(secret)}`, expiresAt: new Date(expiresAt).toISOString() });

const entry = (actor: User, action: string, target: { name: string }, detail: Record<string, unknown> = {}): NewAuditEntry =>
  ({ actorId: actor.id, action, target: target.name, detail });

/** Sockets signed in with these sessions close. */
const sessionsClosed = (hashes: readonly string[]): AfterCommit[] => hashes.map((hash) => ({ kind: 'revoke', credential: `session:${hash}` }));

export class UserAdmin {
  private readonly users: UserDirectory;
  private readonly deps: AfterCommitDeps;

  constructor({ storage, peers, registry, log }: Pick<Services, 'storage' | 'peers' | 'registry' | 'log'>) {
    this.users = storage.users;
    this.deps = { peers, registry, log };
  }

  /** Creates a user with a first sign-in link (their token is a key for life, shown once for scripts). */
  create(actor: User, body: NewUserBody): Promise<User & { token: string; signinUrl: string; signinExpiresAt: string }> {
    assertRole(actor, 'admin');
    return commitThen(this.deps, async () => {
      let link: ReturnType<typeof newSignInLink> | undefined;
      let audit: NewAuditEntry | undefined;
      const created = await createUser(this.users, body, (user) => {
        link = newSignInLink(user.id, actor.id);
        audit = entry(actor, 'user.create', user, { role: user.role });
        return { link: link.record, audit };
      });
      const { url, expiresAt } = linkAnswer(link!.secret, link!.record.expiresAt);
      return { answer: { ...created, signinUrl: url, signinExpiresAt: expiresAt }, after: logged([audit!]) };
    });
  }

  /**
   * Changes a user's role or disables (or enables) them. An admin cannot disable themselves or give up
   * their own admin role: another admin must. Disabling ends their sessions.
   */
  change(actor: User, name: string, patch: UserPatch): Promise<UserState> {
    assertRole(actor, 'admin');
    return commitThen(this.deps, async () => {
      const audit: NewAuditEntry[] = [];
      const { user, endedSessions } = await this.users.changeUser(name, (user) => {
        if (!user) throw notFound(`No user "${name}"`);
        if (user.id === actor.id && (patch.disabled || (patch.role && patch.role !== 'admin'))) {
          throw badRequest('You cannot disable yourself or give up your own admin role; ask another admin');
        }
        if (patch.role !== undefined && patch.role !== user.role) audit.push(entry(actor, 'user.role', user, { from: user.role, to: patch.role }));
        if (patch.disabled !== undefined && patch.disabled !== user.disabled) audit.push(entry(actor, patch.disabled ? 'user.disable' : 'user.enable', user));
        return { ...patch, audit };
      });
      return {
        answer: user,
        after: [...logged(audit), ...sessionsClosed(endedSessions), { kind: 'recheck', userId: user.id }],
      };
    });
  }

  /** Gives a user a new token; sockets signed in with the old one close. */
  async rotateToken(actor: User, name: string): Promise<{ token: string }> {
    const user = await this.selfOrAdminTarget(actor, name);
    return commitThen(this.deps, async () => {
      const token = newSecret();
      const audit = entry(actor, 'user.token', user);
      const oldHash = await this.users.setTokenHash(user.id, hashSecret(token), audit);
      return { answer: { token }, after: [...logged([audit]), ...(oldHash ? [{ kind: 'revoke', credential: `token:${oldHash}` } as const] : [])] };
    });
  }

  /** Sets a user's password. Your own needs the old one (if you have one), even as an admin: a left-open session is not enough. */
  async setPassword(actor: User, name: string, { old, password }: PasswordBody): Promise<{ name: string; password: 'set' }> {
    const user = await this.selfOrAdminTarget(actor, name);
    if (actor.id === user.id && user.passwordHash && !(old !== undefined && await verifyPassword(old, user.passwordHash))) {
      throw forbidden('The old password is not right');
    }
    const passwordHash = await hashPassword(password);
    return commitThen(this.deps, async () => {
      const audit = entry(actor, 'user.password', user);
      await this.users.setPasswordHash(user.id, passwordHash, audit);
      return { answer: { name: user.name, password: 'set' as const }, after: logged([audit]) };
    });
  }

  /** A user's sessions (for themselves or an admin). */
  async sessions(actor: User, name: string) {
    return this.users.sessionsOf((await this.selfOrAdminTarget(actor, name)).id);
  }

  /** Ends one session of a user (by its public id), or all of them; their sockets close. */
  async signOut(actor: User, name: string, sessionId: string | undefined): Promise<{ ended: number }> {
    const user = await this.selfOrAdminTarget(actor, name);
    return commitThen(this.deps, async () => {
      let audit: NewAuditEntry | undefined;
      const ended = await this.users.deleteSessionsOf(user.id, sessionId, (ended) => {
        if (sessionId !== undefined && ended.length === 0) throw notFound('No such session');
        return (audit = entry(actor, 'user.signout', user, { sessions: ended.length }));
      });
      return { answer: { ended: ended.length }, after: [...logged([audit!]), ...sessionsClosed(ended)] };
    });
  }

  /** A one-time sign-in link for an enabled user. */
  async signInLink(actor: User, name: string): Promise<SignInLink> {
    assertRole(actor, 'admin');
    const user = await this.userNamed(name);
    if (user.disabled) throw conflict(`"${user.name}" is disabled: enable them first`);
    return commitThen(this.deps, async () => {
      const { secret, record } = newSignInLink(user.id, actor.id);
      const audit = entry(actor, 'user.link', user);
      await this.users.insertLink(record, audit);
      return { answer: linkAnswer(secret, record.expiresAt), after: logged([audit]) };
    });
  }

  private async userNamed(name: string) {
    const user = await this.users.byName(name);
    if (!user) throw notFound(`No user "${name}"`);
    return user;
  }

  /**
   * The user named, for what admins do for anyone and a user for themselves. Refused before the name is
   * looked up, so that a refusal does not tell whether a user of that name exists.
   */
  private selfOrAdminTarget(actor: User, name: string) {
    if (actor.name !== name && actor.role !== 'admin') throw forbidden('Only an admin may do this for another user');
    return this.userNamed(name);
  }
}
