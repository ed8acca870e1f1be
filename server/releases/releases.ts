/**
 * Making a release and comparing two (README "Codebook and releases"). Versions only go up: a new one
 * must be above the last, and defaults to the next minor one. A release is made in one synchronous
 * step, from the read model as it is at that moment, and stored whole or not at all.
 */
import { createHash } from 'node:crypto';
import { nextVersion, versionRank } from '../../model/releases';
import { conflict, notFound } from '../errors';
import type { DatasetRecord, ReleaseRecord, ReleaseRows, Storage } from '../storage';
import { diffSnapshots, type ReleaseDiff } from './diff';
import { packageZip } from './package';
import { decodeSnapshot, encodeSnapshot, type Snapshot, takeSnapshot } from './snapshot';

export interface NewRelease {
  version?: string;
  notes?: string;
  rows?: ReleaseRows;
}

export function createRelease(storage: Storage, dataset: DatasetRecord, by: string, request: NewRelease): ReleaseRecord {
  const existing = storage.releases.list(dataset.id);
  const last = existing.at(-1);
  const version = request.version ?? nextVersion(last?.version);
  if (existing.some((r) => r.version === version)) throw conflict(`Release ${version} exists`);
  if (last && versionRank(version) <= versionRank(last.version)) {
    throw conflict(`A new release must be above the last one, ${last.version}; ${version} is not`);
  }
  const rowFilter = request.rows ?? 'all';
  const snapshot = takeSnapshot(storage, dataset, rowFilter);
  const release: ReleaseRecord = {
    version, createdAt: new Date().toISOString(), createdBy: by, notes: request.notes ?? '', rowFilter,
    rows: Object.fromEntries(snapshot.sheets.map((s) => [s.id, s.rows.length])), sha256: '',
  };
  const previous = last && { release: last, snapshot: releaseSnapshot(storage, dataset.id, last.version) };
  const zip = packageZip({ release, snapshot, sources: storage.sources.all(dataset.id), previous });
  release.sha256 = createHash('sha256').update(zip).digest('hex');
  if (!storage.releases.insert(dataset.id, release, { zip, snapshot: encodeSnapshot(snapshot) })) {
    throw conflict(`Release ${version} exists`);
  }
  return release;
}

/** The rows and columns a stored release was made from. */
export function releaseSnapshot(storage: Storage, datasetId: string, version: string): Snapshot {
  const bytes = storage.releases.snapshot(datasetId, version);
  if (!bytes) throw notFound(`No release ${version}`);
  return decodeSnapshot(bytes);
}

export function releaseDiff(storage: Storage, datasetId: string, from: string, to: string): ReleaseDiff {
  return diffSnapshots(releaseSnapshot(storage, datasetId, from), releaseSnapshot(storage, datasetId, to));
}
