/**
 * The `reviews` root of the document, read live (the server is its only writer): every flag with its
 * thread, open flags by row and by cell, and which rows a transaction touched, so the grid redraws
 * just those rows. Pure Yjs, no DOM.
 */
import * as Y from 'yjs';
import { type Flag, type ReviewStatus, getReviews, reviewStatus } from '../../model/document';
import type { FlagComment } from '../../model/reviews';

/** A flag as plain data, with its row and its thread. */
export interface FlagView extends Flag {
  row: string;
  comments: FlagComment[];
}

export type ReviewListener = (rowIds: ReadonlySet<string>) => void;

export class ReviewIndex {
  private readonly byRow = new Map<string, FlagView[]>();
  private readonly listeners = new Set<ReviewListener>();
  private readonly reviews: Y.Map<Y.Map<unknown>>;
  private readonly observer = (events: Array<Y.YEvent<any>>) => this.onEvents(events);

  constructor(private readonly doc: Y.Doc) {
    this.reviews = getReviews(doc);
    for (const rowId of this.reviews.keys()) this.read(rowId);
    this.reviews.observeDeep(this.observer);
  }

  destroy(): void {
    this.reviews.unobserveDeep(this.observer);
    this.listeners.clear();
  }

  /** Called with the ids of the rows whose review changed. */
  onChange(listener: ReviewListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(rowId: string): ReviewStatus {
    return reviewStatus(this.doc, rowId);
  }

  /** Every flag, newest first. */
  flags(): FlagView[] {
    return [...this.byRow.values()].flat().sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  }

  flag(flagId: string): FlagView | undefined {
    for (const flags of this.byRow.values()) {
      const found = flags.find((f) => f.id === flagId);
      if (found) return found;
    }
    return undefined;
  }

  /** A row's flags, oldest first. */
  rowFlags(rowId: string): readonly FlagView[] {
    return this.byRow.get(rowId) ?? [];
  }

  openRowFlags(rowId: string): FlagView[] {
    return this.rowFlags(rowId).filter((f) => f.status === 'open');
  }

  /** The open flags on one cell (`column` given) — not those on the whole row. */
  openCellFlags(rowId: string, columnId: string): FlagView[] {
    return this.rowFlags(rowId).filter((f) => f.status === 'open' && f.column === columnId);
  }

  get openCount(): number {
    let n = 0;
    for (const flags of this.byRow.values()) for (const f of flags) if (f.status === 'open') n++;
    return n;
  }

  private onEvents(events: Array<Y.YEvent<any>>): void {
    const touched = new Set<string>();
    for (const event of events) {
      if (event.target === this.reviews) {
        for (const key of (event as Y.YMapEvent<unknown>).keysChanged) touched.add(key);
      } else if (typeof event.path[0] === 'string') {
        touched.add(event.path[0]);
      }
    }
    for (const rowId of touched) this.read(rowId);
    if (touched.size === 0) return;
    for (const listener of this.listeners) listener(touched);
  }

  private read(rowId: string): void {
    const flags = this.reviews.get(rowId)?.get('flags');
    if (!(flags instanceof Y.Array)) {
      this.byRow.delete(rowId);
      return;
    }
    const views = (flags.toArray() as unknown[])
      .filter((f): f is Y.Map<unknown> => f instanceof Y.Map)
      .map((f) => {
        const plain = f.toJSON() as Flag & { comments?: FlagComment[] };
        return { ...plain, column: plain.column ?? null, row: rowId, comments: Array.isArray(plain.comments) ? plain.comments : [] };
      });
    if (views.length === 0) this.byRow.delete(rowId);
    else this.byRow.set(rowId, views);
  }
}
