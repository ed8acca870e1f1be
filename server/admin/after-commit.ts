/**
 * What an administrative change does once its transaction has committed, never before: open sockets
 * follow (on every instance, over the bus), a renamed dataset's document takes the new name, and the
 * audit entries go to the log. Nothing here runs for a change that was refused or rolled back.
 */
import { getMeta } from '../../model/document';
import { logAudit } from '../activity-log';
import type { Services } from '../context';
import type { NewAuditEntry } from '../storage';

export type AfterCommit =
  /** Sockets signed in with this credential (`session:<hash>`, `token:<hash>`) close. */
  | { kind: 'revoke'; credential: string }
  /** Open sockets of the user, the dataset, or the user on the dataset are decided again: downgraded or closed. */
  | { kind: 'recheck'; userId?: string; datasetId?: string }
  /** The dataset's document mirrors the catalog's name in `meta.name`. */
  | { kind: 'name-document'; datasetId: string; name: string; userId: string }
  | { kind: 'log-audit'; entries: readonly NewAuditEntry[] };

/** What a service's transaction answers: the route's answer, and what follows the commit. */
export interface Committed<T> {
  answer: T;
  after: AfterCommit[];
}

export type AfterCommitDeps = Pick<Services, 'peers' | 'registry' | 'log'>;

/** Runs what follows a commit, in order: the log, the document, then the sockets. */
export async function runAfterCommit({ peers, registry, log }: AfterCommitDeps, after: readonly AfterCommit[]): Promise<void> {
  for (const effect of after) {
    switch (effect.kind) {
      case 'log-audit':
        for (const entry of effect.entries) logAudit(log, entry);
        break;
      case 'name-document':
        await registry.with(effect.datasetId, (shared) => shared.transact({ userId: effect.userId }, (doc) => {
          if (getMeta(doc).get('name') !== effect.name) getMeta(doc).set('name', effect.name);
        }));
        break;
      case 'revoke':
        peers.revoke(effect.credential);
        break;
      case 'recheck':
        await peers.recheck({
          ...(effect.userId !== undefined && { userId: effect.userId }),
          ...(effect.datasetId !== undefined && { datasetId: effect.datasetId }),
        });
        break;
    }
  }
}

/** Runs a service's transaction, then (once it has committed) what follows it; answers the transaction's answer. */
export async function commitThen<T>(deps: AfterCommitDeps, transaction: () => Promise<Committed<T>>): Promise<T> {
  const { answer, after } = await transaction();
  await runAfterCommit(deps, after);
  return answer;
}

/** The audit entries logged after the commit. */
export function logged(entries: readonly NewAuditEntry[]): AfterCommit[] {
  return entries.length === 0 ? [] : [{ kind: 'log-audit', entries }];
}
