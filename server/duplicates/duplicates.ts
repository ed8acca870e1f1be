/**
 * Duplicates (docs/actors-and-duplicates.md#duplicates): listing the groups of rows of a sheet that likely
 * code the same event, merging such rows into one, and dismissing a group for good. Listing reads the
 * read model only; a merge is one change to the dataset's live document as the merging user, made the way
 * the review and adjudication make theirs, so open grids see it at once and the history records it.
 */
import { actorKey, actorParts, type ActorList } from '../../model/actors';
import { isAnchor } from '../../model/columns';
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
import type { DuplicateKeyRecord } from './store';

/** History entries of a merge use this column id (the export's own): which rows became which. */
const ROW_ID = 'row_id';
/** History entries of review status changes (as the review's). */
const REVIEW_STATUS = 'review_status';

export class Duplicates {
  constructor(private readonly storage: Storage, private readonly registry: DocRegistry) {}

  /** The sheet's duplicate groups, best first; a sheet without a date column has none. */
  async list(dataset: DatasetRecord, sheetId: string, days: number): Promise<DuplicateGroups> {
    const columns = await this.storage.datasets.sheetColumns(dataset.id, sheetId);
    if (!columns) throw notFound(`No sheet "${sheetId}" in dataset "${dataset.id}"`);
    const compared = duplicateColumns(columns);
    if (!compared) return [];
    // What the document applied is in the read model before it is read.
    await this.registry.loaded(dataset.id)?.flush();
    const lists = await readActorLists(this.storage.readModel, dataset.id, columns.filter((c) => compared.actors.includes(c.id)));
    const listOf = compared.actors.map((id) => {
      const list = columns.find((c) => c.id === id)?.actors;
      return list === undefined ? undefined : lists.get(list);
    });
    const [records, dismissed] = await Promise.all([
      this.storage.duplicates.keys(dataset.id, sheetId, compared),
      this.storage.duplicates.dismissed(dataset.id, sheetId),
    ]);
    const keys = records.flatMap((r) => keysOf(r, listOf) ?? []);
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
    await this.registry.loaded(dataset.id)?.flush();
    for (const id of rows) {
      if ((await this.storage.readModel.rowReview(dataset.id, id))?.sheetId !== sheetId) throw notFound(`No row "${id}" in sheet "${sheetId}"`);
    }
    const dismissed = await this.storage.duplicates.dismiss(dataset.id, sheetId, rows, user.id, Date.now());
    return { rows: [...rows].sort(), dismissed };
  }
}

/** What a row is compared by, from its stored cells; null for a row whose date is no date. */
function keysOf(record: DuplicateKeyRecord, lists: ReadonlyArray<ActorList | undefined>): DuplicateKeys | null {
  const span = record.date === null ? null : dateSpan(record.date);
  if (!span) return null;
  const actors = new Set<string>();
  record.actors.forEach((value, i) => {
    // An alias stands for its actor's name, so two spellings of one actor are the same actor.
    for (const part of value === null ? [] : actorParts(value)) actors.add(actorKey(lists[i]?.find(part)?.actor.name ?? part));
  });
  return {
    row: record.rowId, ...span, type: record.type ?? '', actors: [...actors].sort().join('\u0001'),
    place: placeOf(record), anchors: anchorsOf(record.evidence),
  };
}

function placeOf(record: DuplicateKeyRecord): DuplicateKeys['place'] {
  const place = parseJson(record.place);
  if (typeof place === 'object' && place !== null && !Array.isArray(place)) {
    const { name, lat, lon } = place as Record<string, unknown>;
    const coordinate = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    return { name: typeof name === 'string' ? actorKey(name) : '', lat: coordinate(lat), lon: coordinate(lon) };
  }
  if (record.location !== null && record.location.trim() !== '') return { name: actorKey(record.location), lat: null, lon: null };
  return null;
}

function anchorsOf(evidence: string | null): DuplicateKeys['anchors'] {
  const value = parseJson(evidence);
  return Array.isArray(value) ? value.filter(isAnchor).map(({ source, start, end }) => ({ source, start, end })) : [];
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
