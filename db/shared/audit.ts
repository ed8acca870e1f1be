/** Audit entries written inside the transaction of the change they record: both are kept, or neither. */
import type { NewAuditEntry } from '../../server/storage';
import { exec, type QueryDb, type Steps, type Tables } from './steps';

export function* writeAudit(tx: QueryDb, t: Tables, entries: readonly NewAuditEntry[]): Steps<void> {
  if (entries.length === 0) return;
  const at = Date.now();
  yield* exec(tx.insert(t.auditLog).values(entries.map((e) => ({ ...e, at, detail: JSON.stringify(e.detail) }))));
}
