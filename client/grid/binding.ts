/**
 * The Y.Map ↔ row binding: turns one sheet of a dataset's Y.Doc into immutable row objects for the
 * grid and reports every Yjs transaction as a row transaction (add / update / remove by row id), so
 * the grid never reloads all its rows for a remote edit. Pure Yjs, no DOM: unit tested on its own.
 */
import * as Y from 'yjs';
import type { CellValue, Column, Problem } from '../../model/columns';
import { validateRow } from '../../model/columns';
import { type ActorList, readActorList } from '../../model/actors';
import { quoteProblem } from '../../model/quotes';
import {
  type ReviewStatus, type YRow, type YSheet,
  getReviews, getSheet, getSheets, readColumns, readRow, reviewStatus, sheetColumns, sheetRows,
} from '../../model/document';

/** One row as the grid sees it. A change makes a new object, so the grid can tell what changed. */
export interface RowData {
  readonly id: string;
  readonly cells: Readonly<Record<string, CellValue>>;
  /** Problems per column id; columns without problems are left out. */
  readonly problems: Readonly<Record<string, Problem[]>>;
  readonly status: ReviewStatus;
}

/** What one Yjs transaction did to the rows of the sheet. */
export interface RowsChange {
  remove: string[];
  update: RowData[];
  /**
   * New rows in ascending id order, each with the index it takes in the id-ordered row list
   * once the removals and the adds before it have been applied.
   */
  add: Array<{ row: RowData; index: number }>;
}

export interface SheetBindingEvents {
  /** Rows changed (a Yjs transaction, local or remote). */
  rows: (change: RowsChange) => void;
  /** The columns changed (order, names, types, codes...). Rows whose problems moved come as `rows`. */
  columns: (columns: Column[]) => void;
  /** The sheet itself appeared, was replaced or removed: start over with `rows()` and `columns()`. */
  reset: () => void;
}

export const hasProblems = (row: RowData): boolean => Object.keys(row.problems).length > 0;

/**
 * Binds one sheet. Rows come in id order (ULIDs sort by creation time): the order rows have when
 * the user has not sorted.
 */
export class SheetBinding {
  private sheet: YSheet | undefined;
  private columnList: Column[] = [];
  private readonly byId = new Map<string, RowData>();
  /** Row ids in ascending order: the grid's row order. */
  private order: string[] = [];
  private problemRows = 0;
  private readonly listeners: { [K in keyof SheetBindingEvents]: Set<SheetBindingEvents[K]> } = {
    rows: new Set(), columns: new Set(), reset: new Set(),
  };
  private readonly detach: Array<() => void> = [];
  private detachSheet: Array<() => void> = [];

  /**
   * `toCode`: columns still to be coded (a blind copy's round columns). An empty cell there is work
   * to do, not a problem: it gets no `required` problem.
   */
  constructor(readonly doc: Y.Doc, readonly sheetId: string, private readonly options: { toCode?: ReadonlySet<string> } = {}) {
    const sheets = getSheets(doc);
    const onSheets = (event: Y.YMapEvent<YSheet>) => {
      if (event.keysChanged.has(sheetId)) this.attach();
    };
    sheets.observe(onSheets);
    this.detach.push(() => sheets.unobserve(onSheets));

    const reviews = getReviews(doc);
    const onReviews = (events: Array<Y.YEvent<any>>) => this.onReviews(events);
    reviews.observeDeep(onReviews);
    this.detach.push(() => reviews.unobserveDeep(onReviews));

    // Ref cells are validated (and shown) against another sheet: follow that sheet's rows too.
    const onRefSheets = (events: Array<Y.YEvent<any>>, tr: Y.Transaction) => this.onOtherSheets(events, tr);
    sheets.observeDeep(onRefSheets);
    this.detach.push(() => sheets.unobserveDeep(onRefSheets));

    this.attach(true);
  }

  /** True once the sheet exists in the document. */
  get exists(): boolean {
    return this.sheet !== undefined;
  }

  get name(): string {
    const name = this.sheet?.get('name');
    return typeof name === 'string' ? name : this.sheetId;
  }

  columns(): Column[] {
    return this.columnList;
  }

  /** All rows in id order. */
  rows(): RowData[] {
    return this.order.map((id) => this.byId.get(id)!);
  }

  row(id: string): RowData | undefined {
    return this.byId.get(id);
  }

  get rowCount(): number {
    return this.order.length;
  }

  /** The last row id in id order, if any (new rows go after it). */
  get lastRowId(): string | undefined {
    return this.order[this.order.length - 1];
  }

  /** Number of rows with at least one problem. */
  get problemRowCount(): number {
    return this.problemRows;
  }

  on<K extends keyof SheetBindingEvents>(event: K, listener: SheetBindingEvents[K]): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  destroy(): void {
    for (const off of [...this.detachSheet, ...this.detach]) off();
    this.detachSheet = [];
    for (const set of Object.values(this.listeners)) set.clear();
  }

  private attach(initial = false): void {
    for (const off of this.detachSheet) off();
    this.detachSheet = [];
    this.sheet = getSheet(this.doc, this.sheetId);
    this.actorLists.clear();
    this.byId.clear();
    this.order = [];
    this.problemRows = 0;
    this.columnList = [];
    const sheet = this.sheet;
    if (sheet && sheet.get('rows') instanceof Y.Map && sheet.get('columns') instanceof Y.Array) {
      this.columnList = uniqueColumns(readColumns(sheet));
      const rows = sheetRows(sheet);
      for (const [id, yrow] of rows.entries()) this.store(this.makeRow(id, yrow));
      this.order = [...rows.keys()].sort();

      const onRows = (events: Array<Y.YEvent<any>>) => this.onRows(events);
      rows.observeDeep(onRows);
      const columns = sheetColumns(sheet);
      const onColumns = () => this.onColumns();
      columns.observeDeep(onColumns);
      this.detachSheet.push(() => rows.unobserveDeep(onRows), () => columns.unobserveDeep(onColumns));
    }
    if (!initial) this.emit('reset');
  }

  private emit<K extends keyof SheetBindingEvents>(event: K, ...args: Parameters<SheetBindingEvents[K]>): void {
    for (const listener of this.listeners[event]) (listener as (...a: typeof args) => void)(...args);
  }

  private makeRow(id: string, yrow: YRow | undefined, status?: ReviewStatus): RowData {
    const cells = yrow instanceof Y.Map ? readRow(yrow) : {};
    const problems = validateRow(this.columnList, cells, { rowExists: this.rowExists, actorNamed: this.actorNamed });
    for (const column of this.options.toCode ?? []) {
      const left = problems[column]?.filter((x) => x.code !== 'required');
      if (left === undefined) continue;
      if (left.length > 0) problems[column] = left;
      else delete problems[column];
    }
    // A direct quote that none of the row's anchors holds: the server lists the same problem.
    const quote = quoteProblem(this.columnList, cells);
    if (quote) problems.quote = [...(problems.quote ?? []), quote];
    return { id, cells, problems, status: status ?? reviewStatus(this.doc, id) };
  }

  private readonly rowExists = (sheetId: string, rowId: string): boolean => {
    const sheet = getSheet(this.doc, sheetId);
    const rows = sheet?.get('rows');
    return rows instanceof Y.Map && rows.has(rowId);
  };

  /** Actor lists read from the document, by sheet id; dropped when that sheet's rows change. */
  private readonly actorLists = new Map<string, ActorList>();

  private readonly actorNamed = (sheetId: string, text: string): boolean => {
    let list = this.actorLists.get(sheetId);
    if (!list) this.actorLists.set(sheetId, (list = readActorList(this.doc, sheetId)));
    return list.names(text);
  };

  /** Puts a row in the index and keeps the problem count; returns the row it replaced. */
  private store(row: RowData): RowData | undefined {
    const old = this.byId.get(row.id);
    if (old && hasProblems(old)) this.problemRows--;
    if (hasProblems(row)) this.problemRows++;
    this.byId.set(row.id, row);
    return old;
  }

  private drop(id: string): boolean {
    const old = this.byId.get(id);
    if (!old) return false;
    if (hasProblems(old)) this.problemRows--;
    this.byId.delete(id);
    return true;
  }

  private onRows(events: Array<Y.YEvent<any>>): void {
    const rows = sheetRows(this.sheet!);
    const touched = new Set<string>();
    for (const event of events) {
      if (event.target === rows) {
        for (const key of (event as Y.YMapEvent<YRow>).keysChanged) touched.add(key);
      } else {
        const key = event.path[0];
        if (typeof key === 'string') touched.add(key);
      }
    }
    const change: RowsChange = { remove: [], update: [], add: [] };
    const added: string[] = [];
    for (const id of touched) {
      const yrow = rows.get(id);
      if (yrow === undefined) {
        if (this.drop(id)) change.remove.push(id);
      } else if (this.byId.has(id)) {
        const row = this.makeRow(id, yrow);
        this.store(row);
        change.update.push(row);
      } else {
        this.store(this.makeRow(id, yrow));
        added.push(id);
      }
    }
    if (change.remove.length > 0) {
      const removed = new Set(change.remove);
      this.order = this.order.filter((id) => !removed.has(id));
    }
    change.add = this.insertInOrder(added);
    this.emitRows(change);
  }

  /** Inserts ids into the id order; returns them with their positions. */
  private insertInOrder(ids: string[]): RowsChange['add'] {
    if (ids.length === 0) return [];
    ids.sort();
    const last = this.order[this.order.length - 1];
    const result: RowsChange['add'] = [];
    if (last === undefined || ids[0]! > last) {
      // The common case: new rows go at the end.
      for (const id of ids) {
        result.push({ row: this.byId.get(id)!, index: this.order.length });
        this.order.push(id);
      }
    } else if (ids.length > 1000) {
      this.order = [...this.order, ...ids].sort();
      const position = new Map(this.order.map((id, i) => [id, i]));
      for (const id of ids) result.push({ row: this.byId.get(id)!, index: position.get(id)! });
    } else {
      for (const id of ids) {
        const index = lowerBound(this.order, id);
        this.order.splice(index, 0, id);
        result.push({ row: this.byId.get(id)!, index });
      }
    }
    return result;
  }

  private emitRows(change: RowsChange): void {
    if (change.add.length + change.update.length + change.remove.length > 0) this.emit('rows', change);
  }

  private onColumns(): void {
    if (!this.sheet) return;
    this.columnList = uniqueColumns(readColumns(this.sheet));
    const rows = sheetRows(this.sheet);
    const update: RowData[] = [];
    for (const id of this.order) {
      const old = this.byId.get(id)!;
      const row = this.makeRow(id, rows.get(id), old.status);
      this.store(row);
      update.push(row);
    }
    this.emit('columns', this.columnList);
    this.emitRows({ remove: [], update, add: [] });
  }

  private onReviews(events: Array<Y.YEvent<any>>): void {
    const reviews = getReviews(this.doc);
    const ids = new Set<string>();
    for (const event of events) {
      if (event.target === reviews) {
        for (const key of (event as Y.YMapEvent<unknown>).keysChanged) ids.add(key);
      } else if (typeof event.path[0] === 'string') {
        ids.add(event.path[0]);
      }
    }
    const update: RowData[] = [];
    for (const id of ids) {
      const old = this.byId.get(id);
      if (!old) continue;
      const status = reviewStatus(this.doc, id);
      if (status === old.status) continue;
      const row = { ...old, status };
      this.store(row);
      update.push(row);
    }
    this.emitRows({ remove: [], update, add: [] });
  }

  /**
   * Rows of a sheet that this sheet refers to changed: refresh the rows whose ref cells point at
   * them, since both their problems (a missing row) and their labels (date and summary) may change.
   */
  private onOtherSheets(events: Array<Y.YEvent<any>>, _tr: Y.Transaction): void {
    if (!this.sheet) return;
    this.onActorLists(events);
    const refColumns = this.columnList.filter((c) => c.type === 'ref' && c.ref !== undefined);
    if (refColumns.length === 0) return;
    const targets = new Map<string, Set<string>>();
    for (const event of events) {
      const [sheetId, part, rowId] = event.path;
      if (typeof sheetId !== 'string' || part !== 'rows') continue;
      if (!refColumns.some((c) => c.ref === sheetId)) continue;
      const changed = targets.get(sheetId) ?? new Set<string>();
      targets.set(sheetId, changed);
      if (typeof rowId === 'string') changed.add(rowId);
      else for (const key of (event as Y.YMapEvent<unknown>).keysChanged) changed.add(key);
    }
    if (targets.size === 0) return;
    const rows = sheetRows(this.sheet);
    const update: RowData[] = [];
    for (const id of this.order) {
      const old = this.byId.get(id)!;
      const points = refColumns.some((c) => {
        const value = old.cells[c.id];
        return typeof value === 'string' && targets.get(c.ref!)?.has(value) === true;
      });
      if (!points) continue;
      const row = this.makeRow(id, rows.get(id), old.status);
      this.store(row);
      update.push(row);
    }
    this.emitRows({ remove: [], update, add: [] });
  }

  /**
   * An actor list that columns of this sheet name changed (its rows, or the sheet itself): its actors are
   * read again, and the rows with a value in such a column are checked again.
   */
  private onActorLists(events: Array<Y.YEvent<any>>): void {
    const named = new Set(this.columnList.flatMap((c) => (c.actors !== undefined ? [c.actors] : [])));
    const changed = new Set<string>();
    for (const event of events) {
      const [sheetId] = event.path;
      if (typeof sheetId === 'string') changed.add(sheetId);
      else for (const key of (event as Y.YMapEvent<unknown>).keysChanged) changed.add(key);
    }
    const lists = [...changed].filter((id) => named.has(id));
    if (lists.length === 0) return;
    for (const id of lists) this.actorLists.delete(id);
    const columns = this.columnList.filter((c) => c.actors !== undefined && lists.includes(c.actors));
    const rows = sheetRows(this.sheet!);
    const update: RowData[] = [];
    for (const id of this.order) {
      const old = this.byId.get(id)!;
      if (!columns.some((c) => typeof old.cells[c.id] === 'string')) continue;
      const row = this.makeRow(id, rows.get(id), old.status);
      this.store(row);
      update.push(row);
    }
    this.emitRows({ remove: [], update, add: [] });
  }
}

/** A column id twice in `columns` (two admins moving it at once) shows once, where it first appears. */
function uniqueColumns(columns: Column[]): Column[] {
  const seen = new Set<string>();
  return columns.filter((c) => c.id !== '' && !seen.has(c.id) && seen.add(c.id));
}

function lowerBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
