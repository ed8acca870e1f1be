/**
 * The store of releases, on either database: each one's package bytes and snapshot, stored once and never
 * changed. Their bytes are kept in parts of about a megabyte (`release_parts`); releases stored before that
 * hold them in the release's own row.
 */
import { and, asc, eq, gt } from 'drizzle-orm';
import { versionRank } from '../../model/releases';
import type { ReleaseFile, ReleaseRecord, ReleaseRows, ReleaseStore } from '../../server/storage';
import { exec, first, type QueryStore, rows, transaction } from './steps';

/**
 * Bytes per stored part, and parts per transaction: on SQLite a write holds the event loop until it commits
 * (about 15 ms for one part, 80–120 ms for four on this project's 2-core test machine under load).
 */
const PART_BYTES = 1024 * 1024;
const PARTS_PER_WRITE = 1;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const EMPTY = Buffer.alloc(0);

/** The pieces of a file regrouped into parts of about PART_BYTES. */
function* partsOf(pieces: readonly Uint8Array[]): Generator<Buffer> {
  let group: Uint8Array[] = [];
  let size = 0;
  for (const piece of pieces) {
    group.push(piece);
    size += piece.byteLength;
    if (size >= PART_BYTES) {
      yield Buffer.concat(group);
      group = [];
      size = 0;
    }
  }
  if (group.length > 0) yield Buffer.concat(group);
}

export class SharedReleaseStore implements ReleaseStore {
  constructor(private readonly store: QueryStore) {}

  async list(datasetId: string): Promise<ReleaseRecord[]> {
    const { db, t: { releases } } = this.store;
    return (await this.store.run(rows(db.select({
      version: releases.version, createdAt: releases.createdAt, createdBy: releases.createdBy, notes: releases.notes,
      rowFilter: releases.rowFilter, rowCounts: releases.rowCounts, sha256: releases.sha256,
    }).from(releases).where(eq(releases.datasetId, datasetId)).orderBy(asc(releases.rank)))))
      .map((r) => ({
        version: r.version, createdAt: new Date(r.createdAt).toISOString(), createdBy: r.createdBy, notes: r.notes,
        rowFilter: r.rowFilter as ReleaseRows, rows: JSON.parse(r.rowCounts) as Record<string, number>, sha256: r.sha256,
      }));
  }

  async insert(datasetId: string, release: ReleaseRecord, files: Record<ReleaseFile, readonly Uint8Array[]>): Promise<boolean> {
    const { db, t: { releases, releaseParts } } = this.store;
    const { version, sha256 } = release;
    const exists = await this.store.run(first(db.select({ version: releases.version }).from(releases)
      .where(and(eq(releases.datasetId, datasetId), eq(releases.version, version)))));
    if (exists) return false;
    const ours = and(eq(releaseParts.datasetId, datasetId), eq(releaseParts.version, version), eq(releaseParts.sha256, sha256));
    try {
      for (const file of ['zip', 'snapshot'] as const) {
        let batch: Array<typeof releaseParts.$inferInsert> = [];
        let seq = 0;
        const write = async () => {
          const values = batch;
          batch = [];
          await this.store.run(transaction(function* (tx) {
            for (const part of values) yield* exec(tx.insert(releaseParts).values(part));
          }));
          await nextTurn();
        };
        for (const bytes of partsOf(files[file])) {
          batch.push({ datasetId, version, sha256, file, seq: seq++, bytes });
          if (batch.length === PARTS_PER_WRITE) await write();
        }
        if (batch.length > 0) await write();
      }
      // Listed only now, with all its parts in place.
      const stored = await this.store.run(rows(db.insert(releases).values({
        datasetId, version, rank: versionRank(version), createdAt: Date.parse(release.createdAt),
        createdBy: release.createdBy, notes: release.notes, rowFilter: release.rowFilter, rowCounts: JSON.stringify(release.rows),
        sha256, zip: EMPTY, snapshot: EMPTY,
      }).onConflictDoNothing().returning({ version: releases.version })));
      if (stored.length === 1) return true;
    } catch (error) {
      await this.store.run(exec(db.delete(releaseParts).where(ours))).catch(() => undefined);
      throw error;
    }
    // Another instance stored this version first: its parts stay, ours go.
    await this.store.run(exec(db.delete(releaseParts).where(ours)));
    return false;
  }

  zip(datasetId: string, version: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    return this.file(datasetId, version, 'zip');
  }

  snapshot(datasetId: string, version: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    return this.file(datasetId, version, 'snapshot');
  }

  private async file(datasetId: string, version: string, file: ReleaseFile): Promise<AsyncIterable<Uint8Array> | undefined> {
    const { db, t: { releases } } = this.store;
    const release = await this.store.run(first(db.select({ sha256: releases.sha256, bytes: releases[file] }).from(releases)
      .where(and(eq(releases.datasetId, datasetId), eq(releases.version, version)))));
    if (!release) return undefined;
    // Stored before parts: the whole file in the release's row.
    if (release.bytes.byteLength > 0) return (async function* () { yield release.bytes; })();
    return this.parts(datasetId, version, release.sha256, file);
  }

  /** A stored file's parts in order, read one at a time. */
  private async *parts(datasetId: string, version: string, sha256: string, file: ReleaseFile): AsyncGenerator<Uint8Array> {
    const { db, t: { releaseParts } } = this.store;
    for (let seq = -1; ;) {
      const part = await this.store.run(first(db.select({ seq: releaseParts.seq, bytes: releaseParts.bytes }).from(releaseParts)
        .where(and(eq(releaseParts.datasetId, datasetId), eq(releaseParts.version, version), eq(releaseParts.sha256, sha256),
          eq(releaseParts.file, file), gt(releaseParts.seq, seq)))
        .orderBy(asc(releaseParts.seq)).limit(1)));
      if (!part) return;
      seq = part.seq;
      yield part.bytes;
    }
  }
}
