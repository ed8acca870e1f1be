/** The PostgreSQL directory of users, their browser sessions, one-time sign-in links and the audit log. */
import { and, asc, count, desc, eq, gt, inArray, isNull, type SQL } from 'drizzle-orm';
import type { Role } from '../../model/roles';
import type { AuditEntry, SessionInfo, UserDirectory, UserRecord } from '../../server/storage';
import type { PgDb } from './client';
import { auditLog, sessions, signinLinks, users } from './schema';

const publicFields = { id: users.id, name: users.name, role: users.role };
const active = isNull(users.disabledAt);
const iso = (ms: number) => new Date(ms).toISOString();
/** The public id of a session: a prefix of its hash, enough to tell a user's few sessions apart. */
const sessionId = (idHash: string) => idHash.slice(0, 16);

export class PgUserDirectory implements UserDirectory {
  constructor(private readonly db: PgDb) {}

  async insert(user: UserRecord & { tokenHash: string; passwordHash: string | null }): Promise<boolean> {
    // One statement: of two requests for the same name at once, one stores and the other is told.
    const stored = await this.db.insert(users).values({ ...user, createdAt: Date.now() })
      .onConflictDoNothing({ target: users.name }).returning({ id: users.id });
    return stored.length === 1;
  }

  async byTokenHash(tokenHash: string): Promise<UserRecord | undefined> {
    return (await this.db.select(publicFields).from(users).where(and(eq(users.tokenHash, tokenHash), active)))[0];
  }

  async byName(name: string): Promise<(UserRecord & { passwordHash: string | null; disabled: boolean }) | undefined> {
    const [user] = await this.db.select({ ...publicFields, passwordHash: users.passwordHash, disabledAt: users.disabledAt })
      .from(users).where(eq(users.name, name));
    return user && { id: user.id, name: user.name, role: user.role, passwordHash: user.passwordHash, disabled: user.disabledAt !== null };
  }

  async byId(id: string): Promise<(UserRecord & { disabled: boolean }) | undefined> {
    const [user] = await this.db.select({ ...publicFields, disabledAt: users.disabledAt }).from(users).where(eq(users.id, id));
    return user && { id: user.id, name: user.name, role: user.role, disabled: user.disabledAt !== null };
  }

  async list(): Promise<Array<UserRecord & { createdAt: string; disabled: boolean }>> {
    return (await this.db.select({ ...publicFields, createdAt: users.createdAt, disabledAt: users.disabledAt }).from(users).orderBy(users.createdAt))
      .map(({ disabledAt, ...u }) => ({ ...u, createdAt: iso(u.createdAt), disabled: disabledAt !== null }));
  }

  async count(): Promise<number> {
    return (await this.db.select({ n: count() }).from(users))[0]!.n;
  }

  async firstAdmin(): Promise<UserRecord | undefined> {
    return (await this.db.select(publicFields).from(users).where(eq(users.role, 'admin')).orderBy(users.createdAt).limit(1))[0];
  }

  async setTokenHash(userId: string, tokenHash: string): Promise<string | undefined> {
    return this.db.transaction(async (tx) => {
      const [old] = await tx.select({ tokenHash: users.tokenHash }).from(users).where(eq(users.id, userId)).for('update');
      await tx.update(users).set({ tokenHash }).where(eq(users.id, userId));
      return old?.tokenHash;
    });
  }

  async setRole(userId: string, role: Role): Promise<void> {
    await this.db.update(users).set({ role }).where(eq(users.id, userId));
  }

  async setDisabled(userId: string, disabled: boolean): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      await tx.update(users).set({ disabledAt: disabled ? Date.now() : null }).where(eq(users.id, userId));
      return disabled ? endSessions(tx, eq(sessions.userId, userId)) : [];
    });
  }

  async setPasswordHash(userId: string, passwordHash: string | null): Promise<void> {
    await this.db.update(users).set({ passwordHash }).where(eq(users.id, userId));
  }

  async insertSession(session: { idHash: string; userId: string; createdAt: number; expiresAt: number }): Promise<void> {
    await this.db.insert(sessions).values(session);
  }

  async bySessionHash(idHash: string, now: number): Promise<UserRecord | undefined> {
    return (await this.db.select(publicFields).from(sessions).innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, now), active)))[0];
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.idHash, idHash));
  }

  async sessionsOf(userId: string): Promise<SessionInfo[]> {
    return (await this.db.select().from(sessions).where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, Date.now())))
      .orderBy(asc(sessions.createdAt)))
      .map((s) => ({ id: sessionId(s.idHash), createdAt: iso(s.createdAt), expiresAt: iso(s.expiresAt) }));
  }

  async deleteSessionsOf(userId: string, id?: string): Promise<string[]> {
    const hashes = (await this.db.select({ idHash: sessions.idHash }).from(sessions).where(eq(sessions.userId, userId)))
      .map((s) => s.idHash).filter((h) => id === undefined || sessionId(h) === id);
    if (hashes.length === 0) return [];
    return endSessions(this.db, inArray(sessions.idHash, hashes));
  }

  async insertLink(link: { idHash: string; userId: string; createdBy: string | null; createdAt: number; expiresAt: number }): Promise<void> {
    await this.db.insert(signinLinks).values(link);
  }

  async consumeLink(idHash: string, now: number): Promise<UserRecord | undefined> {
    // One statement marks it used: two requests with the same link cannot both get through.
    return this.db.transaction(async (tx) => {
      const [link] = await tx.update(signinLinks).set({ usedAt: now })
        .where(and(eq(signinLinks.idHash, idHash), isNull(signinLinks.usedAt), gt(signinLinks.expiresAt, now)))
        .returning({ userId: signinLinks.userId });
      if (!link) return undefined;
      return (await tx.select(publicFields).from(users).where(and(eq(users.id, link.userId), active)))[0];
    });
  }

  async audit(entry: { actorId: string | null; action: string; target: string; detail: Record<string, unknown> }): Promise<void> {
    await this.db.insert(auditLog).values({ ...entry, at: Date.now(), detail: JSON.stringify(entry.detail) });
  }

  async auditLog(limit: number): Promise<AuditEntry[]> {
    return (await this.db.select({ at: auditLog.at, by: users.name, action: auditLog.action, target: auditLog.target, detail: auditLog.detail })
      .from(auditLog).leftJoin(users, eq(users.id, auditLog.actorId)).orderBy(desc(auditLog.id)).limit(limit))
      .map((e) => ({ ...e, at: iso(e.at), detail: JSON.parse(e.detail) as Record<string, unknown> }));
  }
}

/** Deletes sessions; returns the hashes of those it deleted. */
async function endSessions(db: Pick<PgDb, 'delete'>, where: SQL): Promise<string[]> {
  return (await db.delete(sessions).where(where).returning({ idHash: sessions.idHash })).map((s) => s.idHash);
}
