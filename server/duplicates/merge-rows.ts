/**
 * Merging duplicates in a dataset whose rows are documents of their own (layout `rows`,
 * docs/actors-and-duplicates.md#merging): the same merge as in a dataset's document (model/duplicates.ts),
 * written through each row's own room as the merging user, so open grids see every change at once and the
 * history records each: the kept row's filled cells and gained anchors, the references of other rows moved
 * to it, the flags moved from the merged rows' documents to the kept row's, then the merged rows deleted.
 */
import type * as Y from 'yjs';
import { type CellValue, sameCellValue } from '../../model/columns';
import { giveFlags, mergeNote, mergedCells, statusWith, takeFlags } from '../../model/duplicates';
import { type ReviewStatus, getReviews, reviewStatus } from '../../model/document';
import { reviewMap, setReviewStatus } from '../../model/reviews';
import type { HistoryEntry, MergeResult } from '../../model/http';
import { rowRoom } from '../../model/rooms';
import { DELETED_KEY, getRowCells, getRowState, rowCells } from '../../model/row-document';
import type { User } from '../auth/users';
import { conflict, notFound } from '../errors';
import type { DatasetRecord, Storage } from '../storage';
import { ReviewDocs } from '../review/review-docs';
import type { DocRegistry } from '../sync/registry';

/** History entries of a merge use this column id (the export's own): which rows became which. */
const ROW_ID = 'row_id';
const REVIEW_STATUS = 'review_status';
/** Rows of another sheet read per page when looking for references to a merged row. */
const REF_PAGE = 1000;

/** What taking back a merge did: the rows back, the kept row's cells set back, the references moved back. */
export interface Unmerged {
  keep: string;
  restored: string[];
  cells: number;
  refs: number;
}

export class RowsMerge {
  constructor(private readonly storage: Storage, private readonly registry: DocRegistry) {}

  async merge(dataset: DatasetRecord, user: User, sheetId: string, keep: string, merge: readonly string[]): Promise<MergeResult> {
    const datasetId = dataset.id;
    const columns = await this.storage.datasets.sheetColumns(datasetId, sheetId);
    if (!columns) throw notFound(`No sheet "${sheetId}" in dataset "${datasetId}"`);
    const note = mergeNote(keep, merge);
    const origin = { userId: user.id, note };
    // Every row is checked, and read, before anything changes: a refused merge changes nothing.
    const cells = new Map<string, Record<string, CellValue>>();
    for (const id of [keep, ...merge]) {
      if ((await this.storage.readModel.rowReview(datasetId, id))?.sheetId !== sheetId) throw notFound(`No row "${id}" in sheet "${sheetId}"`);
      const read = await this.registry.with(rowRoom(datasetId, sheetId, id), (shared) => shared.read(rowCells));
      if (read === null) throw notFound(`No row "${id}" in sheet "${sheetId}"`);
      cells.set(id, read);
    }
    const fill = mergedCells(columns, cells.get(keep)!, merge.map((id) => cells.get(id)!));

    await this.registry.with(rowRoom(datasetId, sheetId, keep), (shared) => shared.transact(origin, (doc, record) => {
      const map = getRowCells(doc);
      for (const [columnId, value] of Object.entries(fill.cells)) map.set(columnId, value);
      record({ sheetId, rowId: keep, columnId: ROW_ID, old: [...merge], new: keep, note });
    }));

    const refs = await this.repointRefs(datasetId, sheetId, merge, keep, origin);

    // Each row's flags are in its own document: taken from the merged rows', given to the kept row's.
    const reviews = new ReviewDocs(this.registry, this.storage.readModel);
    // What went with each merged row's review is in its history, so that an undo gives it back (`unmerge`).
    const taken: Array<Record<string, unknown>> = [];
    const movedFlags = new Map<string, string[]>();
    for (const id of merge) {
      taken.push(...await reviews.change(dataset, { sheetId, rowId: id }, origin, (doc, record) => {
        const status = reviewStatus(doc, id);
        const flags = takeFlags(doc, [id]);
        movedFlags.set(id, flags.map((f) => String(f.id)));
        if (status !== 'unreviewed') record({ sheetId, rowId: id, columnId: REVIEW_STATUS, old: status, new: 'unreviewed', note });
        return flags;
      }));
    }
    const flags = taken.length === 0 ? 0 : await reviews.change(dataset, { sheetId, rowId: keep }, origin, (doc, record) => {
      const old = reviewStatus(doc, keep);
      const moved = giveFlags(doc, keep, sheetId, taken);
      const now = reviewStatus(doc, keep);
      if (old !== now) record({ sheetId, rowId: keep, columnId: REVIEW_STATUS, old, new: now, note });
      return moved;
    });

    for (const id of merge) {
      await this.registry.with(rowRoom(datasetId, sheetId, id), (shared) => shared.transact(origin, (doc, record) => {
        getRowState(doc).set(DELETED_KEY, true);
        const flags = movedFlags.get(id) ?? [];
        record({ sheetId, rowId: id, columnId: ROW_ID, old: id, new: keep, note: flags.length > 0 ? mergeNote(keep, merge, flags) : note });
      }));
    }
    return { keep, merged: [...merge], filled: fill.filled, anchors: fill.anchors, flags, refs };
  }

  /** The cells of rows of a sheet, by row id; a row not in the sheet is left out. */
  async cells(dataset: DatasetRecord, sheetId: string, rowIds: readonly string[]): Promise<Record<string, Record<string, CellValue>>> {
    const found: Record<string, Record<string, CellValue>> = {};
    for (const [id, row] of await this.storage.docs.storedRows(dataset.id, [...new Set(rowIds)])) if (row.sheetId === sheetId) found[id] = row.cells;
    return found;
  }

  /**
   * Takes back a merge this user made (their undo of it, docs/actors-and-duplicates.md#undoing-a-merge), from what
   * the history says it wrote: each merged row comes back under its own id with the cells it had, each
   * cell the merge filled or extended on the kept row gets its old value back, and each reference the
   * merge moved points at its row again. A cell someone changed after the merge keeps their value (only
   * a value still as the merge left it is taken back). Each merged row gets back its review status and the
   * flags the merge moved from it, and the kept row its status from before the merge (unless it changed since).
   * 409 when the rows were not merged so, by this user, or a merged row is back already.
   */
  async unmerge(dataset: DatasetRecord, user: User, sheetId: string, keep: string, merge: readonly string[]): Promise<Unmerged> {
    const datasetId = dataset.id;
    // Written as a plain change of this user's: the history tells the merge's entries from the undo's.
    const origin = { userId: user.id };
    const isThisMerge = (e: HistoryEntry) => e.merge?.kept === keep && sameCellValue([...e.merge.merged].sort(), [...merge].sort());
    // Every merged row must be gone by this merge of this user's, its last change (the deletion's entries aside).
    const reviewsBack: Array<{ id: string; status: ReviewStatus; flags: readonly string[] }> = [];
    for (const id of merge) {
      const history = await this.storage.readModel.history(datasetId, id);
      const merged = history.findLastIndex((e) => e.column === ROW_ID && e.old === id && e.new === keep);
      const entry = history[merged];
      if (!entry || !isThisMerge(entry) || entry.by !== user.name || entry.sheet !== sheetId) throw conflict(`Row "${id}" was not merged into "${keep}" by you`);
      if (history.slice(merged + 1).some((e) => e.new !== null)) throw conflict(`Row "${id}" changed after the merge`);
      // Its status as this merge found it: recorded since the row's previous merge, if any.
      const since = history.slice(0, merged).findLastIndex((e) => e.column === ROW_ID) + 1;
      const status = history.slice(since, merged).findLast((e) => e.column === REVIEW_STATUS && isThisMerge(e))?.old as ReviewStatus | undefined;
      reviewsBack.push({ id, status: status ?? 'unreviewed', flags: entry.merge!.flags ?? [] });
    }
    const keptHistory = await this.storage.readModel.history(datasetId, keep);
    const mergedAt = keptHistory.findLastIndex((e) => e.column === ROW_ID && Array.isArray(e.old) && isThisMerge(e));
    if (mergedAt < 0) throw conflict(`Rows were not merged into "${keep}"`);
    // What the merge wrote on the kept row: the entries of its change, stored together around its `row_id` one.
    const written = new Map<string, HistoryEntry>();
    const take = (e: HistoryEntry | undefined) => {
      if (!e || !isThisMerge(e)) return false;
      if (e.column !== ROW_ID && e.column !== REVIEW_STATUS) written.set(e.column, e);
      return true;
    };
    for (let i = mergedAt - 1; take(keptHistory[i]); i--);
    for (let i = mergedAt + 1; take(keptHistory[i]); i++);

    let cells = 0;
    await this.registry.with(rowRoom(datasetId, sheetId, keep), (shared) => shared.transact(origin, (doc) => {
      const map = getRowCells(doc);
      for (const [column, e] of written) {
        if (!sameCellValue(map.get(column) ?? null, e.new)) continue;
        if (e.old === null) map.delete(column);
        else map.set(column, e.old);
        cells++;
      }
    }));
    for (const id of merge) {
      await this.registry.with(rowRoom(datasetId, sheetId, id), (shared) => shared.transact(origin, (doc, record) => {
        getRowState(doc).delete(DELETED_KEY);
        const map = getRowCells(doc);
        // The row's document kept its cells; the history hears them again, as the deletion took them out.
        for (const [column, value] of Object.entries(map.toJSON() as Record<string, CellValue>)) {
          record({ sheetId, rowId: id, columnId: column, old: undefined, new: value });
        }
      }));
    }
    const refs = await this.repointRefsBack(datasetId, sheetId, keep, isThisMerge, origin);
    await this.reviewsBack(dataset, sheetId, keep, keptStatusesOf(keptHistory.slice(mergedAt + 1), isThisMerge, user.name), reviewsBack, origin);
    return { keep, restored: [...merge], cells, refs };
  }

  /**
   * The reviews as they were before the merge: the flags it moved go back from the kept row's document to
   * their rows', each merged row gets its status back, and the kept row its own, unless it changed since
   * the merge (`kept`: its status before and after the merge, null when the merge left it as it was).
   */
  private async reviewsBack(
    dataset: DatasetRecord, sheetId: string, keep: string, kept: { before: ReviewStatus; after: ReviewStatus } | null,
    merged: ReadonlyArray<{ id: string; status: ReviewStatus; flags: readonly string[] }>, origin: { userId: string },
  ): Promise<void> {
    const reviews = new ReviewDocs(this.registry, this.storage.readModel);
    const back = new Set(merged.flatMap((m) => m.flags));
    // The kept row's review first: each flag is on one row at a time.
    const keptFlags = await reviews.change(dataset, { sheetId, rowId: keep }, origin, (doc, record) => {
      const flags = (getReviews(doc).get(keep)?.get('flags') as Y.Array<Y.Map<unknown>> | undefined)?.toArray().map((f) => f.toJSON()) ?? [];
      const remaining = flags.filter((f) => !back.has(String(f.id)));
      const now = reviewStatus(doc, keep);
      const status = statusWith(kept && now === kept.after ? kept.before : now, remaining);
      if (remaining.length < flags.length) getReviews(doc).set(keep, reviewMap(status, remaining));
      else if (status !== now) setReviewStatus(doc, keep, status);
      if (status !== now) record({ sheetId, rowId: keep, columnId: REVIEW_STATUS, old: now, new: status });
      return flags;
    });
    for (const { id, status, flags } of merged) {
      const flagsBack = flags.flatMap((flag) => keptFlags.filter((f) => f.id === flag));
      const now = statusWith(status, flagsBack);
      if (flagsBack.length === 0 && now === 'unreviewed') continue;
      await reviews.change(dataset, { sheetId, rowId: id }, origin, (doc, record) => {
        getReviews(doc).set(id, reviewMap(now, flagsBack));
        record({ sheetId, rowId: id, columnId: REVIEW_STATUS, old: 'unreviewed', new: now });
      });
    }
  }

  /**
   * Points back the `ref` cells this merge moved to the kept row: those naming it now whose history's last
   * change of that cell is the merge's, from a merged row. Returns how many.
   */
  private async repointRefsBack(
    datasetId: string, sheetId: string, keep: string, isThisMerge: (e: HistoryEntry) => boolean, origin: { userId: string },
  ): Promise<number> {
    let count = 0;
    for (const other of await this.storage.datasets.sheets(datasetId)) {
      const columns = await this.storage.datasets.sheetColumns(datasetId, other.id);
      for (const column of (columns ?? []).filter((c) => c.type === 'ref' && c.ref === sheetId)) {
        // Read whole before any changes: a row pointed back leaves the pages being read.
        const naming: string[] = [];
        for (let offset = 0; ; offset += REF_PAGE) {
          const page = await this.storage.readModel.rowsPage(datasetId, other.id, columns!, { offset, limit: REF_PAGE, filters: [[column.id, keep]] });
          naming.push(...page.rows.map((r) => r.rowId));
          if (page.rows.length < REF_PAGE) break;
        }
        for (const rowId of naming) {
          const last = (await this.storage.readModel.history(datasetId, rowId)).findLast((e) => e.column === column.id);
          if (!last || !isThisMerge(last) || last.new !== keep || typeof last.old !== 'string') continue;
          const back = last.old;
          await this.registry.with(rowRoom(datasetId, other.id, rowId), (shared) => shared.transact(origin, (doc) => {
            const map = getRowCells(doc);
            if (map.get(column.id) !== keep) return;
            map.set(column.id, back);
            count++;
          }));
        }
      }
    }
    return count;
  }

  /** Points `ref` cells of any sheet naming a merged row at the kept one, each in its row's room; returns how many. */
  private async repointRefs(datasetId: string, sheetId: string, merge: readonly string[], keep: string, origin: { userId: string; note: string }): Promise<number> {
    let count = 0;
    for (const other of await this.storage.datasets.sheets(datasetId)) {
      const columns = await this.storage.datasets.sheetColumns(datasetId, other.id);
      const refs = (columns ?? []).filter((c) => c.type === 'ref' && c.ref === sheetId);
      for (const column of refs) {
        for (const merged of merge) {
          // Each page's rows are repointed before the next is read, so the next page starts again at 0.
          for (;;) {
            const page = await this.storage.readModel.rowsPage(datasetId, other.id, columns!, { offset: 0, limit: REF_PAGE, filters: [[column.id, merged]] });
            const before = count;
            for (const row of page.rows) {
              await this.registry.with(rowRoom(datasetId, other.id, row.rowId), (shared) => shared.transact(origin, (doc) => {
                const map = getRowCells(doc);
                if (map.get(column.id) === merged) {
                  map.set(column.id, keep);
                  count++;
                }
              }));
            }
            if (page.rows.length < REF_PAGE || count === before) break;
          }
        }
      }
    }
    return count;
  }
}

/**
 * The kept row's review status before the merge and as the merge left it, from its history after the merge's
 * `row_id` entry: the merge's own status entry, and the approval the review rules took back at once when the
 * merge filled its cells (this user's change). Null when neither is there.
 */
function keptStatusesOf(
  after: readonly HistoryEntry[], isThisMerge: (e: HistoryEntry) => boolean, by: string,
): { before: ReviewStatus; after: ReviewStatus } | null {
  const statuses: HistoryEntry[] = [];
  for (const e of after) {
    const reset = e.column === REVIEW_STATUS && !e.merge && e.old === 'approved' && e.new === 'unreviewed' && e.by === by;
    if (!isThisMerge(e) && !reset) break;
    if (e.column === REVIEW_STATUS) statuses.push(e);
  }
  if (statuses.length === 0) return null;
  return { before: statuses[0]!.old as ReviewStatus, after: statuses.at(-1)!.new as ReviewStatus };
}
