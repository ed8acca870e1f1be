/**
 * Turns the Yjs events of one transaction into what the store records: cell changes for the history,
 * and which rows, sheets and reviews the read model must rewrite.
 */
import * as Y from 'yjs';
import { type CellValue, sameCellValue } from '../../model/columns';
import { conflictRecords, getConflicts } from '../../model/conflicts';
import { getReviews, getSheet, getSheets, readColumns, reviewStatus, sheetName, sheetPosition, type YRow, type YSheet } from '../../model/document';
import { rowFlagRecords } from '../../model/reviews';
import type { Role } from '../../model/roles';
import type { CellChange, DocCommit, LoggedUpdate, ReviewState } from './store';

/** Who caused a transaction; connections and API requests both are origins. */
export interface Origin {
  readonly userId: string | null;
  /** Set for clients' sockets, whose updates are checked before they are applied; server-side changes have none. */
  readonly role?: Role;
  /** Stored with every cell change of the transaction (JSON): set by server-side changes that explain themselves. */
  readonly note?: string;
}

/** What a document has changed since its last flush. */
export class Changes {
  updates: LoggedUpdate[] = [];
  cells: CellChange[] = [];
  /** `sheetId\0rowId` → the user and time of the row's last change. */
  rows = new Map<string, { userId: string | null; at: number }>();
  sheets = new Set<string>();
  reviews = new Set<string>();
  /** Ids of the conflict entries that changed. */
  conflicts = new Set<string>();
  /**
   * What the document's `inspect` hook noticed in these changes' transactions, for the `afterApply`
   * hooks; never stored, and not carried over by `absorb`.
   */
  findings: unknown[] = [];

  get isEmpty(): boolean {
    return this.updates.length === 0 && this.rows.size === 0 && this.sheets.size === 0 && this.reviews.size === 0
      && this.conflicts.size === 0;
  }

  /** The rows whose cells changed (or that were added or deleted). */
  changedRows(): Array<{ sheetId: string; rowId: string }> {
    return [...this.rows.keys()].map((key) => {
      const [sheetId, rowId] = key.split('\0') as [string, string];
      return { sheetId, rowId };
    });
  }

  /** Moves everything of `other` into this. */
  absorb(other: Changes): void {
    this.updates.push(...other.updates);
    this.cells.push(...other.cells);
    for (const [key, value] of other.rows) this.rows.set(key, value);
    for (const s of other.sheets) this.sheets.add(s);
    for (const r of other.reviews) this.reviews.add(r);
    for (const c of other.conflicts) this.conflicts.add(c);
  }

  /** Records the events that `observeDeep` on the `sheets` root reported. */
  recordSheetEvents(events: Array<Y.YEvent<any>>, userId: string | null, at: number, note?: string): void {
    for (const event of events) {
      const path = event.path as string[];
      if (path.length === 0) {
        for (const [sheetId, change] of event.changes.keys) {
          this.sheets.add(sheetId);
          if (change.action !== 'delete') this.recordWholeSheet(event.target as Y.Map<YSheet>, sheetId, userId, at);
        }
      } else if (path.length === 1) {
        const sheetId = path[0]!;
        this.sheets.add(sheetId);
        if (event.changes.keys.has('rows')) this.recordWholeSheet(event.target.parent as Y.Map<YSheet>, sheetId, userId, at);
      } else if (path[1] === 'rows' && path.length === 2) {
        const sheetId = path[0]!;
        const rowsMap = event.target as Y.Map<YRow>;
        for (const [rowId, change] of event.changes.keys) {
          this.rows.set(rowKey(sheetId, rowId), { userId, at });
          const row = change.action === 'delete' ? undefined : rowsMap.get(rowId);
          if (row) this.recordNewRow(sheetId, rowId, row, userId, at);
        }
      } else if (path[1] === 'rows' && path.length === 3) {
        const [sheetId, , rowId] = path as [string, string, string];
        const row = event.target as YRow;
        let changed = false;
        for (const [columnId, change] of event.changes.keys) {
          const old = change.oldValue as CellValue | undefined;
          const now = change.action === 'delete' ? undefined : row.get(columnId);
          // A cell set to the value it held is no change, whoever wrote it: nothing for the history,
          // and the row is neither changed by the writer (its coders, four eyes) nor unapproved.
          if (sameCellValue(old, now)) continue;
          changed = true;
          this.cells.push({ sheetId, rowId, columnId, userId, at, old, new: now, ...(note !== undefined && { note }) });
        }
        if (changed) this.rows.set(rowKey(sheetId, rowId), { userId, at });
      } else {
        // columns (or anything else inside a sheet but outside its rows)
        this.sheets.add(path[0]!);
      }
    }
  }

  /**
   * Records a change to the cells (or the deletion) of a row whose document is its own: `cells` holds the
   * row's cells after the change, `changed` the keys the event reported with their old values. A cell
   * given its first value, even an empty one, changes the row: that is how a new, empty row comes to be.
   */
  recordRowDocEvent(
    sheetId: string, rowId: string, cells: YRow, changed: Map<string, { action: string; oldValue: unknown }>,
    userId: string | null, at: number, note?: string,
  ): void {
    let any = false;
    for (const [columnId, change] of changed) {
      const old = change.oldValue as CellValue | undefined;
      const now = change.action === 'delete' ? undefined : cells.get(columnId);
      if (change.action === 'add') any = true;
      if (sameCellValue(old, now)) continue;
      any = true;
      this.cells.push({ sheetId, rowId, columnId, userId, at, old, new: now, ...(note !== undefined && { note }) });
    }
    if (any) this.rows.set(rowKey(sheetId, rowId), { userId, at });
  }

  /**
   * A write made without its writer having seen the cell's value (a concurrent write, which kept its
   * value): the history's old value of the cell's last change is what the writer replaced, `old`, not the
   * value the document held when the write was applied.
   */
  replaced(sheetId: string, rowId: string, columnId: string, old: CellValue | undefined): void {
    for (let i = this.cells.length - 1; i >= 0; i--) {
      const cell = this.cells[i]!;
      if (cell.sheetId !== sheetId || cell.rowId !== rowId || cell.columnId !== columnId) continue;
      if (!sameCellValue(old, cell.new)) cell.old = old;
      return;
    }
  }

  /** Records that a row whose document is its own was deleted. */
  recordRowDeleted(sheetId: string, rowId: string, userId: string | null, at: number): void {
    this.rows.set(rowKey(sheetId, rowId), { userId, at });
  }

  /** Records the events that `observeDeep` on the `reviews` root reported. */
  recordReviewEvents(events: Array<Y.YEvent<any>>): void {
    for (const event of events) {
      const path = event.path as string[];
      if (path.length === 0) for (const rowId of event.changes.keys.keys()) this.reviews.add(rowId);
      else this.reviews.add(path[0]!);
    }
  }

  /** Records the events that `observeDeep` on the `conflicts` root reported. */
  recordConflictEvents(events: Array<Y.YEvent<any>>): void {
    for (const event of events) {
      const path = event.path as string[];
      if (path.length === 0) for (const id of event.changes.keys.keys()) this.conflicts.add(id);
      else this.conflicts.add(path[0]!);
    }
  }

  /** The store's commit of these changes, reading rows, sheets and reviews as they now are in `doc`. */
  toCommit(datasetId: string, doc: Y.Doc): DocCommit {
    const rows = [...this.rows].map(([key, { userId, at }]) => {
      const [sheetId, rowId] = key.split('\0') as [string, string];
      const sheet = getSheet(doc, sheetId);
      const rows = sheet instanceof Y.Map ? sheet.get('rows') : undefined;
      const row = rows instanceof Y.Map ? rows.get(rowId) : undefined;
      return { sheetId, rowId, cells: row instanceof Y.Map ? (row.toJSON() as Record<string, CellValue>) : null, userId, at };
    });
    const sheets = [...this.sheets].map((sheetId) => {
      const sheet = getSheets(doc).get(sheetId);
      if (!(sheet instanceof Y.Map)) return { sheetId, sheet: null };
      const position = sheetPosition(sheet);
      return { sheetId, sheet: { name: sheetName(sheet), columns: readColumns(sheet), ...(position !== undefined && { position }) } };
    });
    const reviews = this.reviewStates(doc);
    const stateVector = this.updates.length > 0 ? Y.encodeStateVector(doc) : undefined;
    const conflicts = conflictRecords(doc, this.conflicts);
    return { datasetId, updates: this.updates, stateVector, cells: this.cells, rows, sheets, reviews, conflicts };
  }

  /** The reviews of the rows whose review changed, as they now are in `doc` (a dataset's or a row's). */
  reviewStates(doc: Y.Doc): ReviewState[] {
    return [...this.reviews].map((rowId) => {
      const flags = rowFlagRecords(doc, rowId);
      return { rowId, status: reviewStatus(doc, rowId), openFlags: flags.filter((f) => f.status === 'open').length, flags };
    });
  }

  private recordWholeSheet(sheets: Y.Map<YSheet>, sheetId: string, userId: string | null, at: number): void {
    const sheet = sheets.get(sheetId);
    const rows = sheet instanceof Y.Map ? sheet.get('rows') : undefined;
    if (!(rows instanceof Y.Map)) return;
    for (const [rowId, row] of rows as Y.Map<YRow>) {
      this.rows.set(rowKey(sheetId, rowId), { userId, at });
      this.recordNewRow(sheetId, rowId, row, userId, at);
    }
  }

  private recordNewRow(sheetId: string, rowId: string, row: YRow, userId: string | null, at: number): void {
    if (!(row instanceof Y.Map)) return;
    for (const [columnId, value] of row) {
      this.cells.push({ sheetId, rowId, columnId, old: undefined, new: value, userId, at });
    }
  }
}

const rowKey = (sheetId: string, rowId: string) => `${sheetId}\0${rowId}`;

/** Starts recording a hot document's changes into whatever `target()` returns at the time. */
export function observeDocument(doc: Y.Doc, target: () => { changes: Changes; origin: Origin | null }): () => void {
  const onSheets = (events: Array<Y.YEvent<any>>) => {
    const { changes, origin } = target();
    changes.recordSheetEvents(events, origin?.userId ?? null, Date.now(), origin?.note);
  };
  const onReviews = (events: Array<Y.YEvent<any>>) => {
    target().changes.recordReviewEvents(events);
  };
  const onConflicts = (events: Array<Y.YEvent<any>>) => {
    target().changes.recordConflictEvents(events);
  };
  const onUpdate = (update: Uint8Array) => {
    const { changes, origin } = target();
    changes.updates.push({ update, userId: origin?.userId ?? null, at: Date.now() });
  };
  getSheets(doc).observeDeep(onSheets);
  getReviews(doc).observeDeep(onReviews);
  getConflicts(doc).observeDeep(onConflicts);
  doc.on('update', onUpdate);
  return () => {
    getSheets(doc).unobserveDeep(onSheets);
    getReviews(doc).unobserveDeep(onReviews);
    getConflicts(doc).unobserveDeep(onConflicts);
    doc.off('update', onUpdate);
  };
}
