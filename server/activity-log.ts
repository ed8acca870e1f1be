/**
 * Sign-ins and admin actions in the log (`info`), beside the audit table that `GET /api/audit` reads:
 * an administrator following the log sees who signed in and who changed users, memberships and access.
 * Secrets never: a sign-in names the user, not the session.
 */
import type { Logger } from './logger';
import type { NewAuditEntry, Storage, UserDirectory } from './storage';

/** An audit entry in the log, once written. */
export function logAudit(log: Logger, entry: NewAuditEntry): void {
  log.info({ user: entry.actorId, action: entry.action, target: entry.target, detail: entry.detail }, 'audit');
}

/**
 * `storage` whose user directory logs each session started and each audit entry written (the audit
 * table holds every admin action, and users' changes to their own password and sessions).
 */
export function withActivityLog(storage: Storage, log: Logger): Storage {
  const users = storage.users;
  const logged: Partial<UserDirectory> = {
    async insertSession(session) {
      await users.insertSession(session);
      log.info({ user: session.userId }, 'signed in');
    },
    async audit(entry) {
      await users.audit(entry);
      logAudit(log, entry);
    },
  };
  const directory = new Proxy(users, {
    get(target, name) {
      if (Object.hasOwn(logged, name)) return logged[name as keyof UserDirectory];
      const value: unknown = Reflect.get(target, name);
      // Bound to the directory itself, whose methods may rely on fields a proxy does not carry.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { ...storage, users: directory };
}
