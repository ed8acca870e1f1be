/** Users: tokens, passwords and browser sessions, over the storage's user directory. */
import { ulid } from 'ulid';
import type { Role } from '../../model/roles';
import { conflict } from '../errors';
import type { SignInLinkRecord, UserDirectory, UserRecord } from '../storage';
import { hashPassword, hashSecret, newSecret, verifyPassword } from './secrets';

export type User = UserRecord;

const SESSION_DAYS = 30;

/**
 * Creates a user and returns it with its token, which is shown once and stored only as a hash. `also`
 * (a first sign-in link, the audit entry, made for the new user's id) is stored in the same transaction.
 */
export async function createUser(
  users: UserDirectory,
  input: { name: string; role: Role; password?: string; token?: string },
  also?: (user: User) => Parameters<UserDirectory['insert']>[1],
): Promise<User & { token: string }> {
  const token = input.token ?? newSecret();
  const user = { id: ulid(), name: input.name, role: input.role };
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  if (!await users.insert({ ...user, tokenHash: hashSecret(token), passwordHash }, also?.(user))) {
    throw conflict(`A user named "${input.name}" exists already`);
  }
  return { ...user, token };
}

export function userByToken(users: UserDirectory, token: string): Promise<User | undefined> {
  return users.byTokenHash(hashSecret(token));
}

/** A hash no password matches, made once at start: checked against when the name is unknown or has no password. */
const dummyHash = hashPassword(newSecret());

/**
 * The user with this name and password. An unknown name, or one without a password, costs the same
 * scrypt as a wrong password, so the time of an answer does not tell which names exist.
 */
export async function userByPassword(users: UserDirectory, name: string, password: string): Promise<User | undefined> {
  const found = await users.byName(name);
  if (!found?.passwordHash || found.disabled) {
    await verifyPassword(password, await dummyHash);
    return undefined;
  }
  if (!(await verifyPassword(password, found.passwordHash))) return undefined;
  return { id: found.id, name: found.name, role: found.role };
}

/** Sets a user's token (ADMIN_TOKEN on start, or a new sign-in link). */
export async function setToken(users: UserDirectory, userId: string, token: string): Promise<void> {
  await users.setTokenHash(userId, hashSecret(token));
}

/** Starts a browser session; the returned secret goes into the HttpOnly cookie. */
export async function createSession(users: UserDirectory, userId: string): Promise<{ secret: string; maxAgeSeconds: number }> {
  const secret = newSecret();
  const now = Date.now();
  const maxAgeSeconds = SESSION_DAYS * 24 * 3600;
  await users.insertSession({ idHash: hashSecret(secret), userId, createdAt: now, expiresAt: now + maxAgeSeconds * 1000 });
  return { secret, maxAgeSeconds };
}

export function userBySession(users: UserDirectory, secret: string): Promise<User | undefined> {
  return users.bySessionHash(hashSecret(secret), Date.now());
}

export function deleteSession(users: UserDirectory, secret: string): Promise<void> {
  return users.deleteSession(hashSecret(secret));
}

/** A one-time sign-in link's lifetime: an invitation, not a key for life. */
export const SIGNIN_LINK_DAYS = 7;

/** A new one-time sign-in link for a user: its secret, and the record that stores it (by its hash). */
export function newSignInLink(userId: string, createdBy: string | null): { secret: string; record: SignInLinkRecord } {
  const secret = newSecret();
  const now = Date.now();
  const expiresAt = now + SIGNIN_LINK_DAYS * 24 * 3600 * 1000;
  return { secret, record: { idHash: hashSecret(secret), userId, createdBy, createdAt: now, expiresAt } };
}

/** The user of a one-time sign-in link, using it up; undefined if it is unknown, used or expired. */
export function userByLink(users: UserDirectory, secret: string): Promise<User | undefined> {
  return users.consumeLink(hashSecret(secret), Date.now());
}
