/**
 * Data migrations that SQL alone cannot do, run once at start. Flags moved from the document only
 * into the read model too (migration 0001): a database from before has flags in its documents and
 * none in the `flags` table, so each such dataset's reviews are read from its stored document once.
 */
import { sql } from 'drizzle-orm';
import * as Y from 'yjs';
import { getReviews } from '../model/document';
import { Changes } from '../server/sync/changes';
import type { Db } from './client';
import type { SqliteDocStore } from './store';

/** SQLite's `user_version` counts the data migrations done (drizzle's schema migrations do not use it). */
const FLAGS_BACKFILLED = 1;

export function backfillFlags(db: Db, docs: SqliteDocStore): number {
  if ((db.$client.pragma('user_version', { simple: true }) as number) >= FLAGS_BACKFILLED) return 0;
  const pending = db.all<{ id: string }>(sql`
    SELECT DISTINCT dataset_id AS id FROM reviews r
    WHERE NOT EXISTS (SELECT 1 FROM flags f WHERE f.dataset_id = r.dataset_id)`);
  let filled = 0;
  for (const { id } of pending) {
    const stored = docs.loadNow(id);
    const doc = new Y.Doc();
    for (const piece of stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates) Y.applyUpdate(doc, piece);
    const changes = new Changes();
    for (const rowId of getReviews(doc).keys()) changes.reviews.add(rowId);
    const commit = changes.toCommit(id, doc);
    if (commit.reviews.some((r) => r.flags.length > 0)) {
      docs.appendNow(commit);
      filled++;
    }
    doc.destroy();
  }
  db.$client.pragma(`user_version = ${FLAGS_BACKFILLED}`);
  return filled;
}
