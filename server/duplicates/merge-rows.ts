/**
 * Merging duplicates in a dataset whose rows are documents of their own (layout `rows`,
 * docs/actors-and-duplicates.md#merging): the same merge as in a dataset's document (model/duplicates.ts),
 * written through each row's own room as the merging user, so open grids see every change at once and the
 * history records each: the kept row's filled cells and gained anchors, the references of other rows moved
 * to it, the flags moved in the dataset's document, then the merged rows deleted.
 */
import type { CellValue } from '../../model/columns';
import { getReviews, reviewStatus } from '../../model/document';
import { mergedCells, moveFlags } from '../../model/duplicates';
import type { MergeResult } from '../../model/http';
import { rowRoom } from '../../model/rooms';
import { DELETED_KEY, getRowCells, getRowState, rowCells } from '../../model/row-document';
import type { User } from '../auth/users';
import { notFound } from '../errors';
import type { DatasetRecord, Storage } from '../storage';
import type { DocRegistry } from '../sync/registry';

/** History entries of a merge use this column id (the export's own): which rows became which. */
const ROW_ID = 'row_id';
const REVIEW_STATUS = 'review_status';
/** Rows of another sheet read per page when looking for references to a merged row. */
const REF_PAGE = 1000;

export class RowsMerge {
  constructor(private readonly storage: Storage, private readonly registry: DocRegistry) {}

  async merge(dataset: DatasetRecord, user: User, sheetId: string, keep: string, merge: readonly string[]): Promise<MergeResult> {
    const datasetId = dataset.id;
    const columns = await this.storage.datasets.sheetColumns(datasetId, sheetId);
    if (!columns) throw notFound(`No sheet "${sheetId}" in dataset "${datasetId}"`);
    const note = JSON.stringify({ merge: { kept: keep, merged: merge } });
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

    const flags = await this.registry.with(datasetId, (shared) => shared.transact(origin, (doc, record) => {
      const old = reviewStatus(doc, keep);
      const moved = merge.some((id) => getReviews(doc).has(id)) ? moveFlags(doc, merge, keep, sheetId) : 0;
      const now = reviewStatus(doc, keep);
      if (old !== now) record({ sheetId, rowId: keep, columnId: REVIEW_STATUS, old, new: now });
      return moved;
    }));

    for (const id of merge) {
      await this.registry.with(rowRoom(datasetId, sheetId, id), (shared) => shared.transact(origin, (doc, record) => {
        getRowState(doc).set(DELETED_KEY, true);
        record({ sheetId, rowId: id, columnId: ROW_ID, old: id, new: keep, note });
      }));
    }
    return { keep, merged: [...merge], filled: fill.filled, anchors: fill.anchors, flags, refs };
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
