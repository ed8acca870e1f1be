/** What the review panel and a flag's thread read and call: the dataset's review state and the page's grid. */
import type { Role } from '../../model/roles';
import type { DuplicateQueue } from '../duplicates/queue';
import type { ReviewIndex } from './review-index';
import type { RowCoders } from './row-coders';

export interface ApproveResult {
  approved: string[];
  /** `label` says which row, as the user knows it; `sheet` is the row's sheet. */
  refused: Array<{ row: string; sheet: string; label: string; message: string }>;
}

export interface ReviewPanelContext {
  datasetId: string;
  /** The signed-in user's name. */
  me: string;
  /** The signed-in user's role on this dataset. */
  role: Role;
  index: ReviewIndex;
  coders: RowCoders;
  sheets(): Array<{ id: string; name: string }>;
  /** "2024-02-22 · China and the US agree…", or null when the row is gone. */
  rowLabel(sheetId: string, rowId: string): string | null;
  columnName(sheetId: string, columnId: string): string;
  /** Shows the row (switching sheets if needed) and focuses the cell, or the row's first cell. */
  goTo(sheetId: string, rowId: string, columnId: string | null): void;
  /** The rows selected in the grid. */
  selectedRowIds(): string[];
  /** Approves rows; refusals (four eyes, open flags) come back with the server's message. */
  approve(rowIds: readonly string[]): Promise<ApproveResult>;
  /** The passages of the sources the row is coded from, with some context, or null when it has none. */
  rowPassages?(sheetId: string, rowId: string): HTMLElement | null;
  /** Likely duplicates: listed for reviewers, and linked from `duplicate` flags (client/duplicates/queue.ts). */
  duplicates?: DuplicateQueue;
}
