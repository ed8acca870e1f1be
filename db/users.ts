/** The SQLite directory of users and their browser sessions. */
import { and, count, eq, gt } from 'drizzle-orm';
import type { UserDirectory, UserRecord } from '../server/storage';
import type { Db } from './client';
import { sessions, users } from './schema';

const publicFields = { id: users.id, name: users.name, role: users.role };

export class SqliteUserDirectory implements UserDirectory {
  constructor(private readonly db: Db) {}

  insert(user: UserRecord & { tokenHash: string; passwordHash: string | null }): boolean {
    return this.db.transaction((tx) => {
      if (tx.select({ id: users.id }).from(users).where(eq(users.name, user.name)).get()) return false;
      tx.insert(users).values({ ...user, createdAt: Date.now() }).run();
      return true;
    });
  }

  byTokenHash(tokenHash: string): UserRecord | undefined {
    return this.db.select(publicFields).from(users).where(eq(users.tokenHash, tokenHash)).get();
  }

  byName(name: string): (UserRecord & { passwordHash: string | null }) | undefined {
    return this.db.select({ ...publicFields, passwordHash: users.passwordHash }).from(users).where(eq(users.name, name)).get();
  }

  list(): Array<UserRecord & { createdAt: string }> {
    return this.db.select({ ...publicFields, createdAt: users.createdAt }).from(users).orderBy(users.createdAt).all()
      .map((u) => ({ ...u, createdAt: new Date(u.createdAt).toISOString() }));
  }

  count(): number {
    return this.db.select({ n: count() }).from(users).get()!.n;
  }

  firstAdmin(): UserRecord | undefined {
    return this.db.select(publicFields).from(users).where(eq(users.role, 'admin')).orderBy(users.createdAt).get();
  }

  setTokenHash(userId: string, tokenHash: string): void {
    this.db.update(users).set({ tokenHash }).where(eq(users.id, userId)).run();
  }

  insertSession(session: { idHash: string; userId: string; createdAt: number; expiresAt: number }): void {
    this.db.insert(sessions).values(session).run();
  }

  bySessionHash(idHash: string, now: number): UserRecord | undefined {
    return this.db.select(publicFields).from(sessions).innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, now))).get();
  }

  deleteSession(idHash: string): void {
    this.db.delete(sessions).where(eq(sessions.idHash, idHash)).run();
  }
}
