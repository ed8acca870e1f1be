/**
 * Making a release and comparing two (docs/releases.md#releases). Versions only go up: a new one
 * must be above the last, and defaults to the next minor one. The rows are read first (from the read
 * model, page by page, as of one moment: `Storage.snapshot`) and written into the stored snapshot and
 * the package's files as they come, compressed as they go: a release of a million rows is never held
 * whole, and the event loop serves requests meanwhile.
 * Releases of one dataset are made one after another, so the version rules hold between them, and a
 * release is stored whole or not at all.
 */
import { createHash } from 'node:crypto';
import { nextVersion, versionRank } from '../../model/releases';
import { conflict, notFound } from '../errors';
import { exportRecord } from '../export/format';
import { turns } from '../http/turns';
import type { DatasetRecord, ReleaseRecord, ReleaseRows, Storage } from '../storage';
import { diffSnapshots, type ReleaseDiff } from './diff';
import type { SincePrevious } from './changelog';
import { PackageWriter } from './package';
import { openSnapshot, releaseExportRows, SnapshotWriter, snapshotHead } from './snapshot';

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
  const release: ReleaseRecord = {
    version, createdAt: new Date().toISOString(), createdBy: by, notes: request.notes ?? '', rowFilter, rows: {}, sha256: '',
  };
  // The rows of every sheet and the sources as of one moment, whatever is stored meanwhile; the rows are
  // written into the snapshot and the package as they are read, never all held. The package's CSV lines are
  // written from the rows as read, not from the snapshot's records (as the CSV export writes them).
  const { snapshot, pkg, sources } = await storage.snapshot(async (view) => {
    const head = await snapshotHead(view, dataset);
    const writer = new SnapshotWriter(head);
    const pkg = new PackageWriter(head);
    for (const sheet of head.sheets) release.rows[sheet.id] = 0;
    for await (const [index, row] of releaseExportRows(view, head, rowFilter)) {
      release.rows[head.sheets[index]!.id]! += 1;
      await writer.add([index, exportRecord(head.sheets[index]!.columns, row)]);
      await pkg.addRow(index, row);
    }
    const sources = [];
    for await (const source of view.sources.all(dataset.id)) sources.push(source);
    return { head, snapshot: await writer.finish(), pkg, sources };
  });
  const previous = last && await sincePrevious(storage, dataset.id, last, snapshot);
  const zip = await pkg.finish(release, sources, previous);
  // Hashed in turns of the event loop: the zip of a million rows is tens of megabytes.
  const hash = createHash('sha256');
  const turn = turns();
  for (const piece of zip) {
    hash.update(piece);
    await turn();
  }
  release.sha256 = hash.digest('hex');
  // Deleted while its package was being built: nothing is stored.
  if (!await storage.datasets.get(dataset.id)) throw notFound(`No dataset "${dataset.id}"`);
  if (!await storage.releases.insert(dataset.id, release, { zip, snapshot })) {
    throw conflict(`Release ${version} exists`);
  }
  return release;
}

/** What changed since the release before, for the changelog. */
async function sincePrevious(storage: Storage, datasetId: string, last: ReleaseRecord, now: readonly Uint8Array[]): Promise<SincePrevious> {
  const before = await openSnapshot(await storedSnapshot(storage, datasetId, last.version));
  return { release: last, head: before.head, diff: await diffSnapshots(before, await openSnapshot(now)) };
}

async function storedSnapshot(storage: Storage, datasetId: string, version: string): Promise<AsyncIterable<Uint8Array>> {
  const bytes = await storage.releases.snapshot(datasetId, version);
  if (!bytes) throw notFound(`No release ${version}`);
  return bytes;
}

export async function releaseDiff(storage: Storage, datasetId: string, from: string, to: string): Promise<ReleaseDiff> {
  const before = await openSnapshot(await storedSnapshot(storage, datasetId, from));
  const after = await openSnapshot(await storedSnapshot(storage, datasetId, to));
  return diffSnapshots(before, after);
}
