/**
 * Who coded a row: everyone in its history, and who changed it last (the coder a reviewer answers
 * to, and the person four eyes keeps from approving it). Read from the history API for the few rows
 * that carry flags, cached, and read again when the row changes.
 */
import type * as Y from 'yjs';
import { type HistoryEntry, rowHistory } from '../api';
import { getSheets } from '../../model/document';

export interface RowAuthors {
  /** Everyone who created or changed a cell of the row. */
  everyone: ReadonlySet<string>;
  /** Whoever changed a cell last (review status changes left out), if anybody did. */
  last: string | null;
  /** The row's history, oldest first, as last read. */
  entries: readonly HistoryEntry[];
}

/** Summarises a row's history (oldest first). */
export function authorsOf(entries: readonly HistoryEntry[]): RowAuthors {
  const everyone = new Set<string>();
  let last: string | null = null;
  for (const e of entries) {
    if (!e.by || e.column === 'review_status') continue;
    everyone.add(e.by);
    last = e.by;
  }
  return { everyone, last, entries };
}

/** The server stores a change within 100 ms of receiving it: ask again a little after a change. */
const REFETCH_AFTER_MS = 700;
const PARALLEL = 4;

export class RowAuthorCache {
  private readonly known = new Map<string, RowAuthors>();
  private readonly loading = new Set<string>();
  private readonly queue: string[] = [];
  private running = 0;
  private readonly stale = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly listeners = new Set<() => void>();
  private readonly observer = (events: Array<Y.YEvent<any>>, tr: Y.Transaction) => this.onSheets(events, tr);
  private destroyed = false;

  constructor(
    private readonly datasetId: string,
    private readonly doc: Y.Doc,
    private readonly me: string,
    private readonly localOrigin: unknown,
  ) {
    getSheets(doc).observeDeep(this.observer);
  }

  destroy(): void {
    this.destroyed = true;
    getSheets(this.doc).unobserveDeep(this.observer);
    for (const timer of this.stale.values()) clearTimeout(timer);
    this.listeners.clear();
  }

  /** Called when authors of some row became known or changed. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The row's authors if known; otherwise asks the server and answers later through onChange. */
  get(rowId: string): RowAuthors | undefined {
    const known = this.known.get(rowId);
    if (!known && !this.loading.has(rowId)) this.load(rowId);
    return known;
  }

  private load(rowId: string): void {
    this.loading.add(rowId);
    this.queue.push(rowId);
    this.pump();
  }

  private pump(): void {
    while (this.running < PARALLEL && this.queue.length > 0) {
      const rowId = this.queue.shift()!;
      this.running++;
      rowHistory(this.datasetId, rowId).then(
        (entries) => {
          const fetched = authorsOf(entries);
          const tries = this.pendingMine.get(rowId);
          if (tries !== undefined && !fetched.everyone.has(this.me) && tries < 5) {
            // My change has not reached the server's history yet: keep what I know, ask again.
            this.pendingMine.set(rowId, tries + 1);
            this.refetchLater(rowId);
            return;
          }
          this.pendingMine.delete(rowId);
          this.known.set(rowId, fetched);
        },
        () => undefined,
      ).finally(() => {
        this.running--;
        this.loading.delete(rowId);
        if (this.destroyed) return;
        this.emit();
        this.pump();
      });
    }
  }

  /** Rows I changed that the server's history may not show yet, with the reads tried since. */
  private readonly pendingMine = new Map<string, number>();

  private refetchLater(rowId: string): void {
    clearTimeout(this.stale.get(rowId));
    this.stale.set(rowId, setTimeout(() => {
      this.stale.delete(rowId);
      if (!this.loading.has(rowId)) this.load(rowId);
    }, REFETCH_AFTER_MS));
  }

  private onSheets(events: Array<Y.YEvent<any>>, tr: Y.Transaction): void {
    const rows = new Set<string>();
    for (const event of events) {
      const [, part, rowId] = event.path;
      if (part !== 'rows') continue;
      if (typeof rowId === 'string') rows.add(rowId);
      else for (const key of (event as Y.YMapEvent<unknown>).keysChanged) rows.add(key as string);
    }
    let changed = false;
    for (const rowId of rows) {
      const known = this.known.get(rowId);
      if (!known) continue;
      if (tr.origin === this.localOrigin) {
        // My own edit: known at once, no need to wait for the server.
        this.pendingMine.set(rowId, 0);
        this.known.set(rowId, { ...known, everyone: new Set([...known.everyone, this.me]), last: this.me });
        changed = true;
      }
      this.refetchLater(rowId);
    }
    if (changed) this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
