/**
 * Making a release and comparing two (docs/releases.md#releases). Versions only go up: a new one
 * must be above the last, and defaults to the next minor one. The rows are read first (from the read
 * model, page by page, as of one moment: `Storage.snapshot`); the package is then built a file per
 * event-loop turn.
 * Releases of one dataset are made one after another, so the version rules hold between them, and a
 * release is stored whole or not at all.
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

/** The release being made per dataset (per store): the next one waits for it. */
const makingIn = new WeakMap<Storage['releases'], Map<string, Promise<unknown>>>();

export function createRelease(storage: Storage, dataset: DatasetRecord, by: string, request: NewRelease): Promise<ReleaseRecord> {
  let making = makingIn.get(storage.releases);
  if (!making) makingIn.set(storage.releases, (making = new Map()));
  const before = making.get(dataset.id) ?? Promise.resolve();
  const made = before.catch(() => undefined).then(() => makeRelease(storage, dataset, by, request));
  making.set(dataset.id, made);
  void made.catch(() => undefined).then(() => {
    if (making.get(dataset.id) === made) making.delete(dataset.id);
  });
  return made;
}

async function makeRelease(storage: Storage, dataset: DatasetRecord, by: string, request: NewRelease): Promise<ReleaseRecord> {
  const existing = await storage.releases.list(dataset.id);
  const last = existing.at(-1);
  const version = request.version ?? nextVersion(last?.version);
  if (existing.some((r) => r.version === version)) throw conflict(`Release ${version} exists`);
  if (last && versionRank(version) <= versionRank(last.version)) {
    throw conflict(`A new release must be above the last one, ${last.version}; ${version} is not`);
  }
  const rowFilter = request.rows ?? 'all';
  // The rows of every sheet and the sources as of one moment, whatever is stored meanwhile.
  const { snapshot, sources } = await storage.snapshot(async (view) => {
    const sources = [];
    for await (const source of view.sources.all(dataset.id)) sources.push(source);
    return { snapshot: await takeSnapshot(view, dataset, rowFilter), sources };
  });
  const release: ReleaseRecord = {
    version, createdAt: new Date().toISOString(), createdBy: by, notes: request.notes ?? '', rowFilter,
    rows: Object.fromEntries(snapshot.sheets.map((s) => [s.id, s.rows.length])), sha256: '',
  };
  const previous = last && { release: last, snapshot: await releaseSnapshot(storage, dataset.id, last.version) };
  const zip = await packageZip({ release, snapshot, sources, previous });
  release.sha256 = createHash('sha256').update(zip).digest('hex');
  // Deleted while its package was being built: nothing is stored.
  if (!await storage.datasets.get(dataset.id)) throw notFound(`No dataset "${dataset.id}"`);
  if (!await storage.releases.insert(dataset.id, release, { zip, snapshot: encodeSnapshot(snapshot) })) {
    throw conflict(`Release ${version} exists`);
  }
  return release;
}

/** The rows and columns a stored release was made from. */
export async function releaseSnapshot(storage: Storage, datasetId: string, version: string): Promise<Snapshot> {
  const bytes = await storage.releases.snapshot(datasetId, version);
  if (!bytes) throw notFound(`No release ${version}`);
  return decodeSnapshot(bytes);
}

export async function releaseDiff(storage: Storage, datasetId: string, from: string, to: string): Promise<ReleaseDiff> {
  const before = await releaseSnapshot(storage, datasetId, from);
  const after = await releaseSnapshot(storage, datasetId, to);
  return diffSnapshots(before, after);
}
