import { and, count, eq, gt } from 'drizzle-orm';
import { ulid } from 'ulid';
import type { Role } from '../../model/roles';
import type { Db } from '../../db/client';
import { sessions, users } from '../../db/schema';
import { conflict } from '../errors';
import { hashPassword, hashSecret, newSecret, verifyPassword } from './secrets';

export interface User {
  id: string;
  name: string;
  role: Role;
}

const SESSION_DAYS = 30;
const publicFields = { id: users.id, name: users.name, role: users.role };

/** Creates a user and returns it with its token, which is shown once and stored only as a hash. */
export async function createUser(
  db: Db,
  input: { name: string; role: Role; password?: string; token?: string },
): Promise<User & { token: string }> {
  if (db.select({ id: users.id }).from(users).where(eq(users.name, input.name)).get()) {
    throw conflict(`A user named "${input.name}" exists already`);
  }
  const token = input.token ?? newSecret();
  const user = { id: ulid(), name: input.name, role: input.role };
  db.insert(users).values({
    ...user,
    tokenHash: hashSecret(token),
    passwordHash: input.password ? await hashPassword(input.password) : null,
    createdAt: Date.now(),
  }).run();
  return { ...user, token };
}

/** A user's name by id. */
export function userName(db: Db, userId: string): string | undefined {
  return db.select({ name: users.name }).from(users).where(eq(users.id, userId)).get()?.name;
}

export function userByToken(db: Db, token: string): User | undefined {
  return db.select(publicFields).from(users).where(eq(users.tokenHash, hashSecret(token))).get();
}

/** A hash no password matches, made once at start: checked against when the name is unknown or has no password. */
const dummyHash = hashPassword(newSecret());

/**
 * The user with this name and password. An unknown name, or one without a password, costs the same
 * scrypt as a wrong password, so the time of an answer does not tell which names exist.
 */
export async function userByPassword(db: Db, name: string, password: string): Promise<User | undefined> {
  const found = db.select({ ...publicFields, passwordHash: users.passwordHash }).from(users).where(eq(users.name, name)).get();
  if (!found?.passwordHash) {
    await verifyPassword(password, await dummyHash);
    return undefined;
  }
  if (!(await verifyPassword(password, found.passwordHash))) return undefined;
  return { id: found.id, name: found.name, role: found.role };
}

export function listUsers(db: Db) {
  return db.select({ ...publicFields, createdAt: users.createdAt }).from(users).orderBy(users.createdAt).all()
    .map((u) => ({ ...u, createdAt: new Date(u.createdAt).toISOString() }));
}

export function countUsers(db: Db): number {
  return db.select({ n: count() }).from(users).get()!.n;
}

/** Sets a user's token (ADMIN_TOKEN on start). */
export function setToken(db: Db, userId: string, token: string): void {
  db.update(users).set({ tokenHash: hashSecret(token) }).where(eq(users.id, userId)).run();
}

export function firstAdmin(db: Db): User | undefined {
  return db.select(publicFields).from(users).where(eq(users.role, 'admin')).orderBy(users.createdAt).get();
}

/** Starts a browser session; the returned secret goes into the HttpOnly cookie. */
export function createSession(db: Db, userId: string): { secret: string; maxAgeSeconds: number } {
  const secret = newSecret();
  const now = Date.now();
  const maxAgeSeconds = SESSION_DAYS * 24 * 3600;
  db.insert(sessions).values({ idHash: hashSecret(secret), userId, createdAt: now, expiresAt: now + maxAgeSeconds * 1000 }).run();
  return { secret, maxAgeSeconds };
}

export function userBySession(db: Db, secret: string): User | undefined {
  return db.select(publicFields).from(sessions).innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.idHash, hashSecret(secret)), gt(sessions.expiresAt, Date.now()))).get();
}

export function deleteSession(db: Db, secret: string): void {
  db.delete(sessions).where(eq(sessions.idHash, hashSecret(secret))).run();
}
