/**
 * Duplicates (docs/actors-and-duplicates.md#duplicates): listing the groups of rows of a sheet that likely
 * code the same event, merging such rows into one, and dismissing a group for good. Listing reads the
 * read model only; a merge is one change to the dataset's live document as the merging user, made the way
 * the review and adjudication make theirs, so open grids see it at once and the history records it.
 */
import { actorKey, actorParts, type ActorList } from '../../model/actors';
import { getSheet, sheetRows } from '../../model/document';
import { mergeRows } from '../../model/duplicates';
import type { DuplicateGroups, Dismissed, MergeResult } from '../../model/http';
import { readActorLists } from '../actors/lists';
import type { User } from '../auth/users';
import { conflict, notFound } from '../errors';
import type { DatasetRecord, Storage } from '../storage';
import type { DocRegistry } from '../sync/registry';
import { duplicateColumns } from './columns';
import { type Comparable, dateSpan, type DuplicateKeys, findDuplicates } from './score';
import { DuplicateKeysCache } from './keys-cache';
import { SharedRuns } from './shared-runs';
import type { DuplicateKeyRecord } from './store';

/** History entries of a merge use this column id (the export's own): which rows became which. */
const ROW_ID = 'row_id';
/** History entries of review status changes (as the review's). */
const REVIEW_STATUS = 'review_status';

export class Duplicates {
  private readonly keys: DuplicateKeysCache;
  /** Reviewers asking at once for one sheet's groups share the work. */
  private readonly listing = new SharedRuns<DuplicateGroups>();

  constructor(private readonly storage: Storage, private readonly registry: DocRegistry) {
    this.keys = new DuplicateKeysCache(storage.duplicates);
  }

  /** The sheet's duplicate groups, best first; a sheet without a date column has none. */
  list(dataset: DatasetRecord, sheetId: string, days: number): Promise<DuplicateGroups> {
    return this.listing.run(`${dataset.id}\u0000${sheetId}\u0000${days}`, () => this.groups(dataset, sheetId, days));
  }

  private async groups(dataset: DatasetRecord, sheetId: string, days: number): Promise<DuplicateGroups> {
    const columns = await this.storage.datasets.sheetColumns(dataset.id, sheetId);
    if (!columns) throw notFound(`No sheet "${sheetId}" in dataset "${dataset.id}"`);
    const compared = duplicateColumns(columns);
    if (!compared) return [];
    // What the document applied is in the read model before it is read.
    await this.registry.storeApplied(dataset.id);
    const lists = await readActorLists(this.storage.readModel, dataset.id, columns.filter((c) => compared.actors.includes(c.id)));
    const listOf = compared.actors.map((id) => {
      const list = columns.find((c) => c.id === id)?.actors;
      return list === undefined ? undefined : lists.get(list);
    });
    // The keys are kept between requests, and read again whole when the columns or the actor lists change.
    const version = JSON.stringify([compared, listOf.map((list) => list?.actors ?? null)]);
    const [keys, dismissed] = await Promise.all([
      this.keys.keys(dataset.id, sheetId, compared, version, keyReader(listOf, compared.type !== undefined)),
      this.storage.duplicates.dismissed(dataset.id, sheetId),
    ]);
    const sheet: Comparable = {
      type: compared.type !== undefined, actors: compared.actors.length > 0,
      place: compared.place !== undefined || compared.location !== undefined, evidence: compared.evidence !== undefined,
    };
    return findDuplicates(keys, days, sheet, dismissed);
  }

  /**
   * Merges rows into `keep` (model/duplicates.ts says how) as `user`, in one change to the live document.
   * The history records it on every row involved: `row_id` from the merged row's id to the kept one's, with
   * `merge: {kept, merged}`, beside the cells it filled. 404 for a row not in the sheet.
   */
  async merge(dataset: DatasetRecord, user: User, sheetId: string, keep: string, merge: readonly string[]): Promise<MergeResult> {
    if (dataset.layout === 'rows') throw conflict('Rows that are documents of their own cannot be merged yet');
    const note = JSON.stringify({ merge: { kept: keep, merged: merge } });
    const outcome = await this.registry.with(dataset.id, (shared) => shared.transact({ userId: user.id, note }, (doc, record) => {
      const sheet = getSheet(doc, sheetId);
      if (!sheet) throw notFound(`No sheet "${sheetId}" in dataset "${dataset.id}"`);
      const rows = sheetRows(sheet);
      // Every row is checked before anything changes: a refused merge changes nothing.
      for (const id of [keep, ...merge]) if (!rows.has(id)) throw notFound(`No row "${id}" in sheet "${sheetId}"`);
      const done = mergeRows(doc, sheetId, keep, merge);
      for (const id of merge) record({ sheetId, rowId: id, columnId: ROW_ID, old: id, new: keep, note });
      record({ sheetId, rowId: keep, columnId: ROW_ID, old: [...merge], new: keep, note });
      if (done.status.old !== done.status.new) record({ sheetId, rowId: keep, columnId: REVIEW_STATUS, old: done.status.old, new: done.status.new });
      return done;
    }));
    return { keep, merged: [...merge], filled: outcome.filled, anchors: outcome.anchors, flags: outcome.flags, refs: outcome.refs };
  }

  /** Stores a group as not duplicates: no two of its rows are paired again. 404 for a row not in the sheet. */
  async dismiss(dataset: DatasetRecord, user: User, sheetId: string, rows: readonly string[]): Promise<Dismissed> {
    const columns = await this.storage.datasets.sheetColumns(dataset.id, sheetId);
    if (!columns) throw notFound(`No sheet "${sheetId}" in dataset "${dataset.id}"`);
    await this.registry.storeApplied(dataset.id);
    for (const id of rows) {
      if ((await this.storage.readModel.rowReview(dataset.id, id))?.sheetId !== sheetId) throw notFound(`No row "${id}" in sheet "${sheetId}"`);
    }
    const dismissed = await this.storage.duplicates.dismiss(dataset.id, sheetId, rows, user.id, Date.now());
    return { rows: [...rows].sort(), dismissed };
  }
}

/**
 * What a row is compared by, from its stored cells (null for a row whose date is no date, or without an
 * event type on a sheet compared by one): its date's span,
 * its actors as one key (each part of each actor cell, an alias read as its actor's name, ignoring case and
 * order) and its place. The same dates, actors and places recur on many rows: each text is worked out once.
 */
function keyReader(lists: ReadonlyArray<ActorList | undefined>, typed: boolean): (record: DuplicateKeyRecord) => DuplicateKeys | null {
  const spans = new Map<string, { from: number; to: number } | null>();
  const parts = lists.map(() => new Map<string, string[]>());
  const names = new Map<string, string>();
  const joined = new Map<string, string>();
  const places = new Map<string, NonNullable<DuplicateKeys['place']>>();
  const once = <K, V>(map: Map<K, V>, key: K, make: (key: K) => V): V => {
    if (map.has(key)) return map.get(key)!;
    const value = make(key);
    map.set(key, value);
    return value;
  };
  const name = (text: string) => once(names, text, () => actorKey(text));
  const actorsOf = (values: readonly unknown[]): string => {
    const actors: string[] = [];
    values.forEach((value, column) => {
      if (typeof value !== 'string') return;
      const found = once(parts[column]!, value, () => actorParts(value).map((part) => actorKey(lists[column]?.find(part)?.actor.name ?? part)));
      for (const part of found) if (!actors.includes(part)) actors.push(part);
    });
    // The same actors recur on many rows, whose keys are kept: one string for them all.
    return actors.length > 1 ? once(joined, actors.sort().join('\u0001'), (key) => key) : actors[0] ?? '';
  };
  const placeOf = (record: DuplicateKeyRecord): DuplicateKeys['place'] => {
    const place = record.place;
    if (typeof place === 'object' && place !== null && !Array.isArray(place)) {
      const { name: placeName, lat, lon } = place as Record<string, unknown>;
      const coordinate = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
      const found = { name: typeof placeName === 'string' ? name(placeName) : '', lat: coordinate(lat), lon: coordinate(lon) };
      return once(places, `${found.name}\u0001${found.lat}\u0001${found.lon}`, () => found);
    }
    if (typeof record.location === 'string' && record.location.trim() !== '') {
      const location = name(record.location);
      return once(places, `${location}\u0001\u0001`, () => ({ name: location, lat: null, lon: null }));
    }
    return null;
  };
  return (record) => {
    const date = record.date;
    const span = typeof date === 'string' ? once(spans, date, () => dateSpan(date)) : null;
    if (!span || (typed && (record.type === null || record.type === undefined))) return null;
    return {
      row: record.rowId, from: span.from, to: span.to, type: typeof record.type === 'string' ? record.type : '',
      actors: actorsOf(record.actors), place: placeOf(record), anchors: spansOf(record.evidence),
    };
  };
}

/** The spans of a cell's anchors (what overlap is judged by); anything else in the cell is left out. */
function spansOf(evidence: unknown): DuplicateKeys['anchors'] {
  if (!Array.isArray(evidence)) return [];
  const spans: DuplicateKeys['anchors'] = [];
  for (const a of evidence as unknown[]) {
    const { source, start, end } = (a ?? {}) as Record<string, unknown>;
    if (typeof source === 'string' && typeof start === 'number' && typeof end === 'number') spans.push({ source, start, end });
  }
  return spans;
}
