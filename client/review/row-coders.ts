/**
 * Who coded the flagged rows: everyone who changed a cell of the row, and who changed it last (the
 * coder a reviewer answers to, and the person four eyes keeps from approving it). The server says so
 * in the flags list (`coders`, `lastChangedBy`); this reads that list while someone is looking, and
 * again when reviews change or a flagged row's cells change. The user's own edits count at once,
 * before the server's list can show them.
 */
import type * as Y from 'yjs';
import { api } from '../api';
import { getSheets } from '../../model/document';
import type { FlagListItem } from '../../model/http';
import type { ReviewIndex } from './review-index';

export interface RowAuthors {
  /** Everyone who created or changed a cell of the row. */
  everyone: ReadonlySet<string>;
  /** Whoever changed a cell last (review status changes left out), if anybody did. */
  last: string | null;
}

/**
 * The server stores a change within 100 ms of receiving it; a list asked for sooner than this after
 * one of my edits may not show it yet, so the edit is laid over that list.
 */
const SETTLE_MS = 1000;

/**
 * What is known of a row's coders: the server's answer (`item`, from a list asked for at `listAskedAt`),
 * with my own edit of the row (`myEditAt`) laid over it unless the list came well after the edit.
 * Undefined when nothing is known: an older server that sends no coders, and no edit of mine.
 */
export function rowAuthors(
  item: Pick<FlagListItem, 'coders' | 'lastChangedBy'> | undefined, listAskedAt: number, me: string, myEditAt: number | undefined,
): RowAuthors | undefined {
  const fromServer = item?.coders
    ? { everyone: new Set(item.coders), last: item.lastChangedBy ?? null }
    : undefined;
  if (myEditAt === undefined || (fromServer && listAskedAt >= myEditAt + SETTLE_MS)) return fromServer;
  return { everyone: new Set([...(fromServer?.everyone ?? []), me]), last: me };
}

/**
 * Who the review card says coded a row: everyone who wrote its cells ("coded by Ana", "coded by Ana
 * and Ben", "coded by Ana, Ben and Cy"), never just whoever happened to change a cell last; null when
 * nobody did.
 */
export function codedByText(authors: RowAuthors | undefined): string | null {
  const names = [...(authors?.everyone ?? [])];
  if (names.length === 0) return null;
  const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
  return `coded by ${list}`;
}

export class RowCoders {
  /** The latest flags list, by row. */
  private byRow = new Map<string, FlagListItem>();
  private listAskedAt = 0;
  /** When I last changed each flagged row, in this tab. */
  private readonly myEdits = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private readonly rowListeners = new Set<(rows: ReadonlySet<string>) => void>();
  private readonly changedRows = new Set<string>();
  private changedTimer: ReturnType<typeof setTimeout> | undefined;
  private fetching = false;
  private fetchAgain = false;
  private readonly observer = (events: Array<Y.YEvent<any>>, tr: Y.Transaction) => this.onSheets(events, tr);
  private readonly offIndex: () => void;

  constructor(
    private readonly datasetId: string,
    private readonly doc: Y.Doc,
    private readonly index: ReviewIndex,
    private readonly me: string,
    private readonly localOrigin: unknown,
  ) {
    getSheets(doc).observeDeep(this.observer);
    this.offIndex = index.onChange(() => this.refresh());
  }

  destroy(): void {
    getSheets(this.doc).unobserveDeep(this.observer);
    this.offIndex();
    clearTimeout(this.changedTimer);
    this.listeners.clear();
    this.rowListeners.clear();
  }

  /**
   * Called when what is known of some row's coders changed. While anyone listens, the flags list is
   * read from the server, and read again as reviews and flagged rows change.
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.refresh();
    return () => this.listeners.delete(listener);
  }

  /** Called, a moment after the fact, with the flagged rows whose cells changed (mine or anyone's). */
  onRowsChanged(listener: (rows: ReadonlySet<string>) => void): () => void {
    this.rowListeners.add(listener);
    return () => this.rowListeners.delete(listener);
  }

  /** Who changed the row since it was created or last approved, as the server's flags list said; undefined if it did not. */
  sinceApproval(rowId: string): readonly string[] | undefined {
    return this.byRow.get(rowId)?.sinceApproval;
  }

  /** When I last changed a flagged row in this tab (ms), if I did. */
  myLastEdit(rowId: string): number | undefined {
    return this.myEdits.get(rowId);
  }

  get(rowId: string): RowAuthors | undefined {
    return rowAuthors(this.byRow.get(rowId), this.listAskedAt, this.me, this.myEdits.get(rowId));
  }

  /** Reads the flags list again if anyone listens; one request at a time, the last ask wins. */
  private refresh(): void {
    if (this.listeners.size === 0) return;
    if (this.fetching) {
      this.fetchAgain = true;
      return;
    }
    this.fetching = true;
    const askedAt = Date.now();
    api.get('/api/datasets/{id}/flags', { params: { id: this.datasetId } }).then(
      (flags) => {
        this.byRow = new Map(flags.map((f) => [f.row, f]));
        this.listAskedAt = askedAt;
        this.emit();
      },
      () => undefined, // The panel keeps what it knew; the next change asks again.
    ).finally(() => {
      this.fetching = false;
      if (this.fetchAgain) {
        this.fetchAgain = false;
        this.refresh();
      }
    });
  }

  private onSheets(events: Array<Y.YEvent<any>>, tr: Y.Transaction): void {
    let mine = false;
    for (const event of events) {
      const [, part, rowId] = event.path;
      if (part !== 'rows') continue;
      const rows = typeof rowId === 'string' ? [rowId] : [...(event as Y.YMapEvent<unknown>).keysChanged];
      for (const row of rows) {
        if (this.index.rowFlags(row).length === 0) continue;
        this.changedRows.add(row);
        if (tr.origin === this.localOrigin) {
          this.myEdits.set(row, Date.now());
          mine = true;
        }
      }
    }
    if (mine) this.emit();
    if (this.changedRows.size > 0 && this.changedTimer === undefined) {
      this.changedTimer = setTimeout(() => this.flushChangedRows(), SETTLE_MS);
    }
  }

  private flushChangedRows(): void {
    this.changedTimer = undefined;
    const rows = new Set(this.changedRows);
    this.changedRows.clear();
    for (const listener of this.rowListeners) listener(rows);
    this.refresh();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
