/**
 * Duplicates (docs/actors-and-duplicates.md#duplicates): listing the groups of rows of a sheet that likely
 * code the same event, merging such rows into one, and dismissing a group for good. Listing reads the
 * read model only; a merge is one change to the dataset's live document as the merging user, made the way
 * the review and adjudication make theirs, so open grids see it at once and the history records it.
 */
import * as Y from 'yjs';
import { actorKey, actorParts, type ActorList } from '../../model/actors';
import { type CellValue, sameCellValue } from '../../model/columns';
import {
  getReviews, getSheet, getSheets, readColumns, readRow, type ReviewStatus, reviewStatus, rowFlags, setCell, sheetRows, type YSheet,
} from '../../model/document';
import { mergeNote, mergeRows, statusWith } from '../../model/duplicates';
import { reviewMap, setReviewStatus } from '../../model/reviews';
import type { DuplicateGroups, Dismissed, HistoryEntry, MergeResult } from '../../model/http';
import { readActorLists } from '../actors/lists';
import type { User } from '../auth/users';
import { conflict, notFound } from '../errors';
import type { DatasetRecord, Storage } from '../storage';
import type { DocRegistry } from '../sync/registry';
import { duplicateColumns, type DuplicateColumns } from './columns';
import { type Comparable, dateSpan, type DuplicateKeys, findDuplicates } from './score';
import { DuplicateKeysCache, KEPT_ROWS } from './keys-cache';
import type { Unmerged } from './merge-rows';
import { SharedRuns } from './shared-runs';
import type { DuplicateKeyRecord, DuplicateStore, DatePosition } from './store';
import { groupsOf } from './sweep';
import { SweptPairs } from './swept-pairs';

/** History entries of a merge use this column id (the export's own): which rows became which. */
const ROW_ID = 'row_id';
/** History entries of review status changes (as the review's). */
const REVIEW_STATUS = 'review_status';
/**
 * Rows read per page of a sweep; the event loop turns between pages. Few: what a page holds while it is read and
 * turned into keys outlives the young generation's collections when there is much of it, and is then garbage
 * only a full collection frees (at 2,000 rows a page, most of what a sweep read was; the server's heap grew to
 * several times what it held).
 */
const SWEEP_PAGE = 250;
/** Distinct texts (dates, actor cells, places) whose keys a reader keeps at most. */
const REMEMBERED = 50_000;

export class Duplicates {
  private readonly keys: DuplicateKeysCache;
  /** What sweeps of large sheets found, kept between requests. */
  private readonly swept = new SweptPairs();
  /** Reviewers asking at once for one sheet's groups share the work. */
  private readonly listing = new SharedRuns<DuplicateGroups>();

  /**
   * `keptRows`: sheets of up to this many rows have their keys kept between requests (`DuplicateKeysCache`);
   * larger ones are swept in date order, the sweep's pairs kept and swept again around the rows written (`SweptPairs`).
   */
  constructor(private readonly storage: Storage, private readonly registry: DocRegistry, private readonly keptRows = KEPT_ROWS) {
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
    const rows = (await this.storage.datasets.sheets(dataset.id)).find((s) => s.id === sheetId)?.rowCount ?? 0;
    // What the document applied is in the read model before it is read.
    await this.registry.storeApplied(dataset.id);
    const lists = await readActorLists(this.storage.readModel, dataset.id, columns.filter((c) => compared.actors.includes(c.id)));
    const listOf = compared.actors.map((id) => {
      const list = columns.find((c) => c.id === id)?.actors;
      return list === undefined ? undefined : lists.get(list);
    });
    const sheet: Comparable = {
      type: compared.type !== undefined, actors: compared.actors.length > 0,
      place: compared.place !== undefined || compared.location !== undefined, evidence: compared.evidence !== undefined,
    };
    const read = keyReader(listOf, compared.type !== undefined);
    // The keys and the pairs are kept between requests, and read again whole when the columns or the actor lists change.
    const version = JSON.stringify([compared, listOf.map((list) => list?.actors ?? null)]);
    if (rows > this.keptRows) {
      // A large sheet is swept in date order, its pairs kept rather than its keys (a sheet that grew past the limit lets go of them).
      this.keys.forget(dataset.id, sheetId);
      await this.storage.duplicates.dateIndex(dataset.id, sheetId, columns.find((c) => c.id === compared.date)!);
      const pairs = await this.swept.pairs(
        dataset.id, sheetId, days, version, { columns: compared, sheet },
        (store, between) => datePages(store, dataset.id, sheetId, compared, read, SWEEP_PAGE, between),
        (reads) => this.storage.snapshot((view) => reads(view.duplicates)),
      );
      return groupsOf(pairs, days, await this.storage.duplicates.dismissed(dataset.id, sheetId));
    }
    this.swept.forget(dataset.id, sheetId);
    const [keys, dismissed] = await Promise.all([
      this.keys.keys(dataset.id, sheetId, compared, version, read),
      this.storage.duplicates.dismissed(dataset.id, sheetId),
    ]);
    return findDuplicates(keys, days, sheet, dismissed);
  }

  /**
   * Merges rows into `keep` (model/duplicates.ts says how) as `user`, in one change to the live document.
   * The history records it on every row involved: `row_id` from the merged row's id to the kept one's, with
   * `merge: {kept, merged}` (on a merged row's entry also `flags`, the ids of its flags moved to the kept
   * row), beside the cells it filled; and what went with each merged row, its cells and its review status,
   * so that the merge can be taken back (`unmerge`). 404 for a row not in the sheet.
   */
  async merge(dataset: DatasetRecord, user: User, sheetId: string, keep: string, merge: readonly string[]): Promise<MergeResult> {
    if (dataset.layout === 'rows') throw conflict('Rows that are documents of their own cannot be merged yet');
    const note = mergeNote(keep, merge);
    const outcome = await this.registry.with(dataset.id, (shared) => shared.transact({ userId: user.id, note }, (doc, record) => {
      const sheet = getSheet(doc, sheetId);
      if (!sheet) throw notFound(`No sheet "${sheetId}" in dataset "${dataset.id}"`);
      const rows = sheetRows(sheet);
      // Every row is checked before anything changes: a refused merge changes nothing.
      for (const id of [keep, ...merge]) if (!rows.has(id)) throw notFound(`No row "${id}" in sheet "${sheetId}"`);
      const gone = merge.map((id) => ({ id, cells: readRow(rows.get(id)!), status: reviewStatus(doc, id), flags: rowFlags(doc, id).map((f) => f.id) }));
      const done = mergeRows(doc, sheetId, keep, merge);
      for (const { id, cells, status, flags } of gone) {
        record({ sheetId, rowId: id, columnId: ROW_ID, old: id, new: keep, note: flags.length > 0 ? mergeNote(keep, merge, flags) : note });
        for (const [columnId, value] of Object.entries(cells)) record({ sheetId, rowId: id, columnId, old: value, new: undefined, note });
        if (status !== 'unreviewed') record({ sheetId, rowId: id, columnId: REVIEW_STATUS, old: status, new: 'unreviewed', note });
      }
      record({ sheetId, rowId: keep, columnId: ROW_ID, old: [...merge], new: keep, note });
      if (done.status.old !== done.status.new) record({ sheetId, rowId: keep, columnId: REVIEW_STATUS, old: done.status.old, new: done.status.new, note });
      return done;
    }));
    return { keep, merged: [...merge], filled: outcome.filled, anchors: outcome.anchors, flags: outcome.flags, refs: outcome.refs };
  }

  /**
   * Takes back a merge this user made (their undo of it, docs/actors-and-duplicates.md#undoing-a-merge),
   * from what the history says it did: each merged row comes back under its own id with the cells and the review
   * status it had, and the flags the merge moved from it; each cell the merge filled or extended on the
   * kept row, and the kept row's review status, get their old values back; each reference the merge moved
   * points at its row again. A value someone changed after the merge is theirs and stays. One change to
   * the live document as `user`, and an approval given back in one more (the review rules set an edited
   * row's approval back). 409 when the rows were not merged so, by this user, or a merged row is back already.
   */
  async unmerge(dataset: DatasetRecord, user: User, sheetId: string, keep: string, merge: readonly string[]): Promise<Unmerged> {
    const datasetId = dataset.id;
    await this.registry.storeApplied(datasetId);
    const isThisMerge = (e: HistoryEntry) => e.merge?.kept === keep && sameCellValue([...e.merge.merged].sort(), [...merge].sort());
    /** The entries stored together with the one at `at` (one change's), of this merge: their first and last index. */
    const together = (history: readonly HistoryEntry[], at: number): [number, number] => {
      let from = at;
      let to = at;
      while (from > 0 && isThisMerge(history[from - 1]!)) from--;
      while (to + 1 < history.length && isThisMerge(history[to + 1]!)) to++;
      return [from, to];
    };

    const restored: Array<{ id: string; cells: Record<string, CellValue>; status: ReviewStatus; flags: readonly string[] }> = [];
    for (const id of merge) {
      const history = await this.storage.readModel.history(datasetId, id);
      const at = history.findLastIndex((e) => e.column === ROW_ID && e.old === id && e.new === keep);
      const entry = history[at];
      if (!entry || !isThisMerge(entry) || entry.by !== user.name || entry.sheet !== sheetId) throw conflict(`Row "${id}" was not merged into "${keep}" by you`);
      const row = { id, cells: {} as Record<string, CellValue>, status: 'unreviewed' as ReviewStatus, flags: entry.merge!.flags ?? [] };
      const [from, to] = together(history, at);
      for (const e of history.slice(from, to + 1)) {
        if (e.column === REVIEW_STATUS) row.status = e.old as ReviewStatus;
        else if (e.column !== ROW_ID && e.old !== null) row.cells[e.column] = e.old;
      }
      restored.push(row);
    }
    const keptHistory = await this.storage.readModel.history(datasetId, keep);
    const mergedAt = keptHistory.findLastIndex((e) => e.column === ROW_ID && Array.isArray(e.old) && isThisMerge(e));
    if (mergedAt < 0) throw conflict(`Rows were not merged into "${keep}"`);
    const [from, to] = together(keptHistory, mergedAt);
    const written = keptHistory.slice(from, to + 1).filter((e) => e.column !== ROW_ID && e.column !== REVIEW_STATUS);
    const kept = keptStatuses(keptHistory.slice(from, to + 2), user.name);
    const refs = await this.movedRefs(datasetId, sheetId, keep, isThisMerge);

    const origin = { userId: user.id };
    const approve: string[] = [];
    const done = await this.registry.with(datasetId, (shared) => shared.transact(origin, (doc, record) => {
      const sheet = getSheet(doc, sheetId);
      const rows = sheet ? sheetRows(sheet) : undefined;
      if (!sheet || !rows?.has(keep)) throw conflict(`Row "${keep}" is gone`);
      // Checked before anything changes: a refused undo changes nothing.
      for (const { id } of restored) if (rows.has(id)) throw conflict(`Row "${id}" is back already`);
      let cells = 0;
      const keptRow = rows.get(keep)!;
      for (const e of written) {
        if (!sameCellValue(keptRow.get(e.column) ?? null, e.new)) continue;
        setCell(sheet, keep, e.column, e.old);
        cells++;
      }
      for (const { id, cells: values } of restored) {
        const row = new Y.Map<CellValue>();
        for (const [columnId, value] of Object.entries(values)) row.set(columnId, value);
        rows.set(id, row);
      }
      let refsBack = 0;
      for (const { column, sheet: other, row, back } of refs) {
        const target = getSheet(doc, other);
        if (target && sheetRows(target).get(row)?.get(column) === keep) {
          setCell(target, row, column, back);
          refsBack++;
        }
      }
      // Review statuses and flags back; an approval after the rows' cells, which would set it back again (review rules).
      const reviews = getReviews(doc);
      const keptFlags = (reviews.get(keep)?.get('flags') as Y.Array<Y.Map<unknown>> | undefined)?.toArray().map((f) => f.toJSON()) ?? [];
      const back = new Set(restored.flatMap((r) => r.flags));
      const remaining = keptFlags.filter((f) => !back.has(f.id));
      const keptNow = reviewStatus(doc, keep);
      const keptStatus = statusWith(kept && keptNow === kept.after ? kept.before : keptNow, remaining);
      const toWrite = (id: string, status: ReviewStatus): ReviewStatus => {
        if (status !== 'approved') return status;
        approve.push(id);
        return 'unreviewed';
      };
      const keptWritten = toWrite(keep, keptStatus);
      // The kept row's review is written whole, before the merged rows' get their flags: each flag is on one row at a time.
      if (remaining.length < keptFlags.length) reviews.set(keep, reviewMap(keptWritten, remaining));
      else if (keptWritten !== keptNow) setReviewStatus(doc, keep, keptWritten);
      if (keptWritten !== keptNow) record({ sheetId, rowId: keep, columnId: REVIEW_STATUS, old: keptNow, new: keptWritten });
      for (const { id, status, flags } of restored) {
        const flagsBack = flags.flatMap((flag) => keptFlags.filter((f) => f.id === flag));
        const now = toWrite(id, statusWith(status, flagsBack));
        if (flagsBack.length > 0 || now !== 'unreviewed') reviews.set(id, reviewMap(now, flagsBack));
        if (now !== 'unreviewed') record({ sheetId, rowId: id, columnId: REVIEW_STATUS, old: 'unreviewed', new: now });
      }
      return { keep, restored: [...merge], cells, refs: refsBack };
    }));
    if (approve.length > 0) {
      await this.registry.with(datasetId, (shared) => shared.transact(origin, (doc, record) => {
        for (const id of approve) {
          if (reviewStatus(doc, id) !== 'unreviewed') continue;
          setReviewStatus(doc, id, 'approved');
          record({ sheetId, rowId: id, columnId: REVIEW_STATUS, old: 'unreviewed', new: 'approved' });
        }
      }));
    }
    return done;
  }

  /**
   * The `ref` cells this merge pointed at the kept row, to point back: those naming it now whose history's
   * last change of that cell is the merge's, from a merged row.
   */
  private async movedRefs(
    datasetId: string, sheetId: string, keep: string, isThisMerge: (e: HistoryEntry) => boolean,
  ): Promise<Array<{ sheet: string; row: string; column: string; back: string }>> {
    const naming = await this.registry.with(datasetId, (shared) => shared.read((doc) => {
      const found: Array<{ sheet: string; row: string; column: string }> = [];
      for (const [id, sheet] of getSheets(doc)) {
        if (!(sheet instanceof Y.Map)) continue;
        const columns = readColumns(sheet as YSheet).filter((c) => c.type === 'ref' && c.ref === sheetId);
        if (columns.length === 0) continue;
        for (const [row, cells] of sheetRows(sheet as YSheet)) {
          for (const c of columns) if (cells.get(c.id) === keep) found.push({ sheet: id, row, column: c.id });
        }
      }
      return found;
    }));
    const refs: Array<{ sheet: string; row: string; column: string; back: string }> = [];
    for (const ref of naming) {
      const last = (await this.storage.readModel.history(datasetId, ref.row)).findLast((e) => e.column === ref.column);
      if (last && isThisMerge(last) && last.new === keep && typeof last.old === 'string') refs.push({ ...ref, back: last.old });
    }
    return refs;
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
 * The kept row's review status before the merge and as the merge left it, from its history from the merge's
 * entries on (and the one after them: an approved row whose cells the merge changed was set back to
 * unreviewed, by the review rules, at once); null when the merge left it as it was.
 */
function keptStatuses(entries: readonly HistoryEntry[], by: string): { before: ReviewStatus; after: ReviewStatus } | null {
  const merged = entries.find((e) => e.column === REVIEW_STATUS && e.merge);
  const last = entries.at(-1);
  const reset = last && !last.merge && last.column === REVIEW_STATUS && last.old === 'approved' && last.new === 'unreviewed' && last.by === by;
  if (!merged && !reset) return null;
  return { before: (merged?.old ?? 'approved') as ReviewStatus, after: reset ? 'unreviewed' : merged!.new as ReviewStatus };
}

/**
 * What a row is compared by, from its stored cells (null for a row whose date is no date, or without an
 * event type on a sheet compared by one): its date's span,
 * its actors as one key (each part of each actor cell, an alias read as its actor's name, ignoring case and
 * order) and its place. The same dates, actors and places recur on many rows: each text is worked out once.
 */
export function keyReader(lists: ReadonlyArray<ActorList | undefined>, typed: boolean): (record: DuplicateKeyRecord) => DuplicateKeys | null {
  const spans = new Map<string, { from: number; to: number } | null>();
  const parts = lists.map(() => new Map<string, string[]>());
  const names = new Map<string, string>();
  const joined = new Map<string, string>();
  const places = new Map<string, NonNullable<DuplicateKeys['place']>>();
  const once = <K, V>(map: Map<K, V>, key: K, make: (key: K) => V): V => {
    if (map.has(key)) return map.get(key)!;
    const value = make(key);
    // A sweep reads any number of rows: what is worked out once is kept for the most recent texts only.
    if (map.size >= REMEMBERED) map.clear();
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

/**
 * The keys of a sheet's rows that have a date cell, a page at a time in date order (`DuplicateStore.byDate`):
 * each page one read of the store, with a turn of the event loop before the next (SQLite reads synchronously).
 * With `between`, only the rows whose date cell's sort key is from `from` to `to` (both included).
 */
export async function* datePages(
  store: DuplicateStore, datasetId: string, sheetId: string, columns: DuplicateColumns, read: (record: DuplicateKeyRecord) => DuplicateKeys | null,
  pageSize = SWEEP_PAGE, between?: { from: string; to: string },
): AsyncGenerator<Array<DuplicateKeys | null>> {
  // The rows of the key `from` come first: those after the row id '' (which no row has).
  let after: DatePosition | undefined = between && { key: between.from, rowId: '' };
  for (;;) {
    const records = await store.byDate(datasetId, sheetId, columns, after, pageSize, between?.to);
    const within = between ? records.filter((r) => r.position.key <= between.to) : records;
    if (within.length > 0) yield within.map(read);
    if (records.length < pageSize || within.length < records.length) return;
    after = records.at(-1)!.position;
    await new Promise((resolve) => setImmediate(resolve));
  }
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
