/**
 * The reviews a paged grid shows, in a document of this tab's own that is never synced. In the `rows`
 * layout a row's review is kept in the row's own document, and a tab cannot hold every row's; it holds
 * what it was told: every flag (the flags list, read once the dataset's room is synced, and again after
 * each reconnect), the status of each row on a page read, and each review the server sent in a row delta
 * since. `ReviewIndex` reads it as it reads a dataset's document.
 */
import * as Y from 'yjs';
import type { RowDelta } from '../../model/codes';
import { type ReviewStatus, getReviews, reviewStatus } from '../../model/document';
import { putReview, type FlagRecord, setReviewStatus } from '../../model/reviews';
import { api } from '../api';

export class ReviewMirror {
  readonly doc = new Y.Doc();
  /** Rows whose review came in a delta since the flags list was asked for: the list and pages (read from what is stored) may be older. */
  private readonly live = new Set<string>();

  constructor(private readonly datasetId: string) {}

  destroy(): void {
    this.doc.destroy();
  }

  /**
   * Reads every flag of the dataset, in place of what was known: after (re)connecting, deltas may have been
   * missed. A row whose review a delta told of while the list was on its way keeps that review: the list is older.
   */
  async load(): Promise<void> {
    this.live.clear();
    const flags = await api.get('/api/datasets/{id}/flags', { params: { id: this.datasetId } }) as FlagRecord[];
    const byRow = new Map<string, FlagRecord[]>();
    for (const flag of flags) byRow.set(flag.row, [...(byRow.get(flag.row) ?? []), flag]);
    this.doc.transact(() => {
      for (const rowId of new Set([...getReviews(this.doc).keys(), ...byRow.keys()])) {
        if (this.live.has(rowId)) continue;
        const rowFlags = byRow.get(rowId) ?? [];
        const known = reviewStatus(this.doc, rowId);
        // A status read from a page stays until the next page read; flags say whether a row is flagged.
        const status = rowFlags.some((f) => f.status === 'open') ? 'flagged' : known === 'flagged' ? 'unreviewed' : known;
        putReview(this.doc, rowId, { status, flags: rowFlags });
      }
    });
  }

  /** The statuses of the rows of a page read, where no delta told of them since. */
  pageRows(rows: ReadonlyArray<{ row_id: string; review_status?: unknown }>): void {
    this.doc.transact(() => {
      for (const row of rows) {
        const status = row.review_status as ReviewStatus | undefined;
        if (status === undefined || this.live.has(row.row_id) || reviewStatus(this.doc, row.row_id) === status) continue;
        if (getReviews(this.doc).has(row.row_id)) setReviewStatus(this.doc, row.row_id, status);
        else putReview(this.doc, row.row_id, { status, flags: [] });
      }
    });
  }

  /** Reviews the server sent with row deltas. */
  deltas(deltas: readonly RowDelta[]): void {
    this.doc.transact(() => {
      for (const { row, review } of deltas) {
        if (!review) continue;
        this.live.add(row);
        putReview(this.doc, row, review);
      }
    });
  }
}
