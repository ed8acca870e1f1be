/** The SQLite directory of users, their browser sessions, one-time sign-in links and the audit log. */
import { and, asc, count, desc, eq, gt, isNull } from 'drizzle-orm';
import type { Role } from '../model/roles';
import type { AuditEntry, SessionInfo, UserDirectory, UserRecord } from '../server/storage';
import type { Db } from './client';
import { auditLog, sessions, signinLinks, users } from './schema';

const publicFields = { id: users.id, name: users.name, role: users.role };
const active = isNull(users.disabledAt);
const iso = (ms: number) => new Date(ms).toISOString();
/** The public id of a session: a prefix of its hash, enough to tell a user's few sessions apart. */
const sessionId = (idHash: string) => idHash.slice(0, 16);

export class SqliteUserDirectory implements UserDirectory {
  constructor(private readonly db: Db) {}

  async insert(user: UserRecord & { tokenHash: string; passwordHash: string | null }): Promise<boolean> {
    return this.db.transaction((tx) => {
      if (tx.select({ id: users.id }).from(users).where(eq(users.name, user.name)).get()) return false;
      tx.insert(users).values({ ...user, createdAt: Date.now() }).run();
      return true;
    });
  }

  async byTokenHash(tokenHash: string): Promise<UserRecord | undefined> {
    return this.db.select(publicFields).from(users).where(and(eq(users.tokenHash, tokenHash), active)).get();
  }

  async byName(name: string): Promise<(UserRecord & { passwordHash: string | null; disabled: boolean }) | undefined> {
    const user = this.db.select({ ...publicFields, passwordHash: users.passwordHash, disabledAt: users.disabledAt })
      .from(users).where(eq(users.name, name)).get();
    return user && { id: user.id, name: user.name, role: user.role, passwordHash: user.passwordHash, disabled: user.disabledAt !== null };
  }

  async byId(id: string): Promise<(UserRecord & { disabled: boolean }) | undefined> {
    const user = this.db.select({ ...publicFields, disabledAt: users.disabledAt }).from(users).where(eq(users.id, id)).get();
    return user && { id: user.id, name: user.name, role: user.role, disabled: user.disabledAt !== null };
  }

  async list(): Promise<Array<UserRecord & { createdAt: string; disabled: boolean }>> {
    return this.db.select({ ...publicFields, createdAt: users.createdAt, disabledAt: users.disabledAt }).from(users).orderBy(users.createdAt).all()
      .map(({ disabledAt, ...u }) => ({ ...u, createdAt: iso(u.createdAt), disabled: disabledAt !== null }));
  }

  async count(): Promise<number> {
    return this.db.select({ n: count() }).from(users).get()!.n;
  }

  async firstAdmin(): Promise<UserRecord | undefined> {
    return this.db.select(publicFields).from(users).where(eq(users.role, 'admin')).orderBy(users.createdAt).get();
  }

  async setTokenHash(userId: string, tokenHash: string): Promise<string | undefined> {
    return this.db.transaction((tx) => {
      const old = tx.select({ tokenHash: users.tokenHash }).from(users).where(eq(users.id, userId)).get()?.tokenHash;
      tx.update(users).set({ tokenHash }).where(eq(users.id, userId)).run();
      return old;
    });
  }

  async setRole(userId: string, role: Role): Promise<void> {
    this.db.update(users).set({ role }).where(eq(users.id, userId)).run();
  }

  async setDisabled(userId: string, disabled: boolean): Promise<string[]> {
    return this.db.transaction((tx) => {
      tx.update(users).set({ disabledAt: disabled ? Date.now() : null }).where(eq(users.id, userId)).run();
      return disabled ? this.endSessions(userId) : [];
    });
  }

  async setPasswordHash(userId: string, passwordHash: string | null): Promise<void> {
    this.db.update(users).set({ passwordHash }).where(eq(users.id, userId)).run();
  }

  async insertSession(session: { idHash: string; userId: string; createdAt: number; expiresAt: number }): Promise<void> {
    this.db.insert(sessions).values(session).run();
  }

  async bySessionHash(idHash: string, now: number): Promise<UserRecord | undefined> {
    return this.db.select(publicFields).from(sessions).innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, now), active)).get();
  }

  async deleteSession(idHash: string): Promise<void> {
    this.db.delete(sessions).where(eq(sessions.idHash, idHash)).run();
  }

  async sessionsOf(userId: string): Promise<SessionInfo[]> {
    return this.db.select().from(sessions).where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, Date.now())))
      .orderBy(asc(sessions.createdAt)).all()
      .map((s) => ({ id: sessionId(s.idHash), createdAt: iso(s.createdAt), expiresAt: iso(s.expiresAt) }));
  }

  async deleteSessionsOf(userId: string, id?: string): Promise<string[]> {
    return this.endSessions(userId, id);
  }

  private endSessions(userId: string, id?: string): string[] {
    const hashes = this.db.select({ idHash: sessions.idHash }).from(sessions).where(eq(sessions.userId, userId)).all()
      .map((s) => s.idHash).filter((h) => id === undefined || sessionId(h) === id);
    for (const idHash of hashes) this.db.delete(sessions).where(eq(sessions.idHash, idHash)).run();
    return hashes;
  }

  async insertLink(link: { idHash: string; userId: string; createdBy: string | null; createdAt: number; expiresAt: number }): Promise<void> {
    this.db.insert(signinLinks).values(link).run();
  }

  async consumeLink(idHash: string, now: number): Promise<UserRecord | undefined> {
    return this.db.transaction((tx) => {
      const link = tx.select().from(signinLinks).where(eq(signinLinks.idHash, idHash)).get();
      if (!link || link.usedAt !== null || link.expiresAt <= now) return undefined;
      tx.update(signinLinks).set({ usedAt: now }).where(eq(signinLinks.idHash, idHash)).run();
      return tx.select(publicFields).from(users).where(and(eq(users.id, link.userId), active)).get();
    });
  }

  async audit(entry: { actorId: string | null; action: string; target: string; detail: Record<string, unknown> }): Promise<void> {
    this.db.insert(auditLog).values({ ...entry, at: Date.now(), detail: JSON.stringify(entry.detail) }).run();
  }

  async auditLog(limit: number): Promise<AuditEntry[]> {
    return this.db.select({ at: auditLog.at, by: users.name, action: auditLog.action, target: auditLog.target, detail: auditLog.detail })
      .from(auditLog).leftJoin(users, eq(users.id, auditLog.actorId)).orderBy(desc(auditLog.id)).limit(limit).all()
      .map((e) => ({ ...e, at: iso(e.at), detail: JSON.parse(e.detail) as Record<string, unknown> }));
  }
}
