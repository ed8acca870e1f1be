/** The store of releases, on either database: each one's package bytes and snapshot, stored once and never changed. */
import { and, asc, eq } from 'drizzle-orm';
import { versionRank } from '../../model/releases';
import type { ReleaseRecord, ReleaseRows, ReleaseStore } from '../../server/storage';
import { first, type QueryStore, rows } from './steps';

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

  async insert(datasetId: string, release: ReleaseRecord, files: { zip: Uint8Array; snapshot: Uint8Array }): Promise<boolean> {
    const { db, t: { releases } } = this.store;
    const stored = await this.store.run(rows(db.insert(releases).values({
      datasetId, version: release.version, rank: versionRank(release.version), createdAt: Date.parse(release.createdAt),
      createdBy: release.createdBy, notes: release.notes, rowFilter: release.rowFilter, rowCounts: JSON.stringify(release.rows),
      sha256: release.sha256, zip: Buffer.from(files.zip), snapshot: Buffer.from(files.snapshot),
    }).onConflictDoNothing().returning({ version: releases.version })));
    return stored.length === 1;
  }

  async zip(datasetId: string, version: string): Promise<Uint8Array | undefined> {
    const { db, t: { releases } } = this.store;
    return (await this.store.run(first(db.select({ zip: releases.zip }).from(releases)
      .where(and(eq(releases.datasetId, datasetId), eq(releases.version, version))))))?.zip;
  }

  async snapshot(datasetId: string, version: string): Promise<Uint8Array | undefined> {
    const { db, t: { releases } } = this.store;
    return (await this.store.run(first(db.select({ snapshot: releases.snapshot }).from(releases)
      .where(and(eq(releases.datasetId, datasetId), eq(releases.version, version))))))?.snapshot;
  }
}
