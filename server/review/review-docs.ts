/**
 * Where a row's review is written: the dataset's document, or in the `rows` layout the row's own
 * (its `reviews` root, `model/row-document.ts`). A row's document that has no review yet takes over the
 * one the read model holds for the row: a review kept in the dataset's document before rows had their own.
 */
import type * as Y from 'yjs';
import { getReviews, type ReviewStatus } from '../../model/document';
import { type FlagRecord, putReview } from '../../model/reviews';
import { rowRoom } from '../../model/rooms';
import type { DatasetRecord, ReadModel } from '../storage';
import type { Origin } from '../sync/changes';
import type { DocRegistry } from '../sync/registry';
import type { RecordHistory } from '../sync/shared-doc';

export type RowPlace = { sheetId: string; rowId: string };

export class ReviewDocs {
  constructor(private readonly registry: DocRegistry, private readonly readModel: ReadModel) {}

  /** The room of the document that keeps a row's review. */
  roomOf(dataset: Pick<DatasetRecord, 'id' | 'layout'>, { sheetId, rowId }: RowPlace): string {
    return dataset.layout === 'rows' ? rowRoom(dataset.id, sheetId, rowId) : dataset.id;
  }

  /** One change to the document that keeps the row's review, made as `origin`, stored and synced like any other. */
  async change<T>(
    dataset: Pick<DatasetRecord, 'id' | 'layout'>, place: RowPlace, origin: Origin, change: (doc: Y.Doc, record: RecordHistory) => T,
  ): Promise<T> {
    const room = this.roomOf(dataset, place);
    const { rowId } = place;
    const earlier = room === dataset.id ? undefined : await this.storedReview(dataset.id, room, rowId);
    return this.registry.with(room, (shared) => shared.transact(origin, (doc, record) => {
      if (earlier && !getReviews(doc).has(rowId)) putReview(doc, rowId, earlier);
      return change(doc, record);
    }));
  }

  /** A row's review as the read model has it, unless its loaded document has one or there is none. */
  private async storedReview(datasetId: string, room: string, rowId: string): Promise<{ status: ReviewStatus; flags: FlagRecord[] } | undefined> {
    if (this.registry.loaded(room)?.read((doc) => getReviews(doc).has(rowId))) return undefined;
    const state = await this.readModel.rowReview(datasetId, rowId);
    const flags = await this.readModel.flags(datasetId, { row: rowId });
    if (!state || (state.status === 'unreviewed' && flags.length === 0)) return undefined;
    return { status: state.status as ReviewStatus, flags };
  }
}
