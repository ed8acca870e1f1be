/** The directory of users, their browser sessions, one-time sign-in links and the audit log, on either store. */
import { and, asc, count, desc, eq, gt, inArray, isNull, type SQL } from 'drizzle-orm';
import type {
  AuditEntry, NewAuditEntry, SessionInfo, SignInLinkRecord, UserChange, UserDirectory, UserRecord, UserState,
} from '../../server/storage';
import { writeAudit } from './audit';
import { exec, first, type QueryDb, type QueryStore, rows, type Steps, type Tables, transaction } from './steps';

const iso = (ms: number) => new Date(ms).toISOString();
/** The public id of a session: a prefix of its hash, enough to tell a user's few sessions apart. */
const sessionId = (idHash: string) => idHash.slice(0, 16);

export class SharedUserDirectory implements UserDirectory {
  private readonly db: QueryDb;
  private readonly t: Tables;
  private readonly publicFields;
  private readonly active: SQL;

  constructor(private readonly store: QueryStore) {
    const { users } = (this.t = store.t);
    this.db = store.db;
    this.publicFields = { id: users.id, name: users.name, role: users.role };
    this.active = isNull(users.disabledAt);
  }

  insert(user: UserRecord & { tokenHash: string; passwordHash: string | null }, also: { link?: SignInLinkRecord; audit?: NewAuditEntry } = {}): Promise<boolean> {
    const { t } = this;
    return this.store.run(transaction(function* (tx) {
      // One statement: of two requests for the same name at once, one stores and the other is told.
      const stored = yield* rows(tx.insert(t.users).values({ ...user, createdAt: Date.now() })
        .onConflictDoNothing({ target: t.users.name }).returning({ id: t.users.id }));
      if (stored.length === 0) return false;
      if (also.link) yield* exec(tx.insert(t.signinLinks).values(also.link));
      yield* writeAudit(tx, t, also.audit ? [also.audit] : []);
      return true;
    }));
  }

  byTokenHash(tokenHash: string): Promise<UserRecord | undefined> {
    const { users } = this.t;
    return this.store.run(first(this.db.select(this.publicFields).from(users).where(and(eq(users.tokenHash, tokenHash), this.active))));
  }

  async byName(name: string): Promise<(UserRecord & { passwordHash: string | null; disabled: boolean }) | undefined> {
    const { users } = this.t;
    const user = await this.store.run(first(this.db.select({ ...this.publicFields, passwordHash: users.passwordHash, disabledAt: users.disabledAt })
      .from(users).where(eq(users.name, name))));
    return user && { id: user.id, name: user.name, role: user.role, passwordHash: user.passwordHash, disabled: user.disabledAt !== null };
  }

  async byId(id: string): Promise<(UserRecord & { disabled: boolean }) | undefined> {
    const { users } = this.t;
    const user = await this.store.run(first(this.db.select({ ...this.publicFields, disabledAt: users.disabledAt }).from(users).where(eq(users.id, id))));
    return user && { id: user.id, name: user.name, role: user.role, disabled: user.disabledAt !== null };
  }

  async list(): Promise<Array<UserRecord & { createdAt: string; disabled: boolean }>> {
    const { users } = this.t;
    return (await this.store.run(rows(this.db.select({ ...this.publicFields, createdAt: users.createdAt, disabledAt: users.disabledAt }).from(users).orderBy(users.createdAt))))
      .map(({ disabledAt, ...u }) => ({ ...u, createdAt: iso(u.createdAt), disabled: disabledAt !== null }));
  }

  async count(): Promise<number> {
    return (await this.store.run(first(this.db.select({ n: count() }).from(this.t.users))))!.n;
  }

  firstAdmin(): Promise<UserRecord | undefined> {
    const { users } = this.t;
    return this.store.run(first(this.db.select(this.publicFields).from(users).where(eq(users.role, 'admin')).orderBy(users.createdAt).limit(1)));
  }

  setTokenHash(userId: string, tokenHash: string, audit?: NewAuditEntry): Promise<string | undefined> {
    const { store, t, t: { users } } = this;
    return store.run(transaction(function* (tx) {
      const old = yield* first(store.forUpdate(tx.select({ tokenHash: users.tokenHash }).from(users).where(eq(users.id, userId))));
      yield* exec(tx.update(users).set({ tokenHash }).where(eq(users.id, userId)));
      yield* writeAudit(tx, t, audit ? [audit] : []);
      return old?.tokenHash;
    }));
  }

  changeUser(name: string, decide: (user: UserState | undefined) => UserChange): Promise<{ user: UserState; endedSessions: string[] }> {
    const { store, publicFields, t, t: { users, sessions } } = this;
    return store.run(transaction(function* (tx) {
      const found = yield* first(store.forUpdate(tx.select({ ...publicFields, disabledAt: users.disabledAt }).from(users).where(eq(users.name, name))));
      const before = found && { id: found.id, name: found.name, role: found.role, disabled: found.disabledAt !== null };
      const change = decide(before);
      if (!before) throw new Error(`changeUser: "${name}" does not exist, and decide did not refuse`);
      const after = { ...before, ...(change.role !== undefined && { role: change.role }), ...(change.disabled !== undefined && { disabled: change.disabled }) };
      if (after.role !== before.role || after.disabled !== before.disabled) {
        yield* exec(tx.update(users).set({ role: after.role, ...(after.disabled !== before.disabled && { disabledAt: after.disabled ? Date.now() : null }) })
          .where(eq(users.id, before.id)));
      }
      const endedSessions = after.disabled && !before.disabled ? yield* endSessions(tx, sessions, eq(sessions.userId, before.id)) : [];
      yield* writeAudit(tx, t, change.audit);
      return { user: after, endedSessions };
    }));
  }

  setPasswordHash(userId: string, passwordHash: string | null, audit?: NewAuditEntry): Promise<void> {
    const { t, t: { users } } = this;
    return this.store.run(transaction(function* (tx) {
      yield* exec(tx.update(users).set({ passwordHash }).where(eq(users.id, userId)));
      yield* writeAudit(tx, t, audit ? [audit] : []);
    }));
  }

  insertSession(session: { idHash: string; userId: string; createdAt: number; expiresAt: number }): Promise<void> {
    return this.store.run(exec(this.db.insert(this.t.sessions).values(session)));
  }

  bySessionHash(idHash: string, now: number): Promise<UserRecord | undefined> {
    const { users } = this.t;
    const { sessions } = this.t;
    return this.store.run(first(this.db.select(this.publicFields).from(sessions).innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, now), this.active))));
  }

  deleteSession(idHash: string): Promise<void> {
    const { sessions } = this.t;
    return this.store.run(exec(this.db.delete(sessions).where(eq(sessions.idHash, idHash))));
  }

  async sessionsOf(userId: string): Promise<SessionInfo[]> {
    const { sessions } = this.t;
    return (await this.store.run(rows(this.db.select().from(sessions).where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, Date.now())))
      .orderBy(asc(sessions.createdAt)))))
      .map((s) => ({ id: sessionId(s.idHash), createdAt: iso(s.createdAt), expiresAt: iso(s.expiresAt) }));
  }

  deleteSessionsOf(userId: string, id?: string, audit?: (ended: readonly string[]) => NewAuditEntry): Promise<string[]> {
    const { store, t, t: { sessions } } = this;
    return store.run(transaction(function* (tx) {
      const hashes = (yield* rows(tx.select({ idHash: sessions.idHash }).from(sessions).where(eq(sessions.userId, userId))))
        .map((s) => s.idHash).filter((h) => id === undefined || sessionId(h) === id);
      const ended = hashes.length === 0 ? [] : yield* endSessions(tx, sessions, inArray(sessions.idHash, hashes));
      if (audit) yield* writeAudit(tx, t, [audit(ended)]);
      return ended;
    }));
  }

  insertLink(link: SignInLinkRecord, audit?: NewAuditEntry): Promise<void> {
    const { t } = this;
    return this.store.run(transaction(function* (tx) {
      yield* exec(tx.insert(t.signinLinks).values(link));
      yield* writeAudit(tx, t, audit ? [audit] : []);
    }));
  }

  consumeLink(idHash: string, now: number): Promise<UserRecord | undefined> {
    const { store, publicFields, active, t: { users, signinLinks } } = this;
    // One statement marks it used: two requests with the same link cannot both get through.
    return store.run(transaction(function* (tx) {
      const link = yield* first(tx.update(signinLinks).set({ usedAt: now })
        .where(and(eq(signinLinks.idHash, idHash), isNull(signinLinks.usedAt), gt(signinLinks.expiresAt, now)))
        .returning({ userId: signinLinks.userId }));
      if (!link) return undefined;
      return yield* first(tx.select(publicFields).from(users).where(and(eq(users.id, link.userId), active)));
    }));
  }

  audit(entry: NewAuditEntry): Promise<void> {
    return this.store.run(writeAudit(this.db, this.t, [entry]));
  }

  async auditLog(limit: number): Promise<AuditEntry[]> {
    const { users } = this.t;
    const { auditLog } = this.t;
    return (await this.store.run(rows(this.db.select({ at: auditLog.at, by: users.name, action: auditLog.action, target: auditLog.target, detail: auditLog.detail })
      .from(auditLog).leftJoin(users, eq(users.id, auditLog.actorId)).orderBy(desc(auditLog.id)).limit(limit))))
      .map((e) => ({ ...e, at: iso(e.at), detail: JSON.parse(e.detail) as Record<string, unknown> }));
  }
}

/** Deletes sessions; returns the hashes of those it deleted. */
function* endSessions(db: QueryDb, sessions: Tables['sessions'], where: SQL): Steps<string[]> {
  return (yield* rows(db.delete(sessions).where(where).returning({ idHash: sessions.idHash }))).map((s) => s.idHash);
}
