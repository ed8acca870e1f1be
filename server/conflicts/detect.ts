/**
 * Finds the cells a transaction set without its writer having seen the value it replaced.
 *
 * A row is a Y.Map; each of its keys holds a list of items, the current value last. Setting a key
 * makes an item whose `origin` is the last item the writer had at that key (none if the key was empty
 * for them). When that origin is the key's current item, the writer saw what it replaced: a sequential
 * edit. Otherwise the two edits were concurrent: Yjs orders the items by client id, and the new value
 * either becomes the current one (the other is deleted) or is deleted at once itself.
 *
 * Runs while the transaction's observers are called (Yjs emits `beforeObserverCalls`), when the content
 * of what it deleted is still there; only the transaction's new items are looked at, and only those in
 * rows that existed before it, so adding rows costs one check per item.
 */
import * as Y from 'yjs';
import type { ConflictValue } from '../../model/conflicts';
import { SHEET_KEYS, getSheets } from '../../model/document';
import { getRowCells } from '../../model/row-document';

/** A cell written concurrently by this transaction and by someone before it. */
export interface ConcurrentWrite {
  sheetId: string;
  rowId: string;
  columnId: string;
  kept: ConflictValue;
  lost: ConflictValue;
  /** True when the value this transaction wrote is the one kept. */
  incomingKept: boolean;
  /**
   * The item holding the other value (the one that was current before), to find its author; null
   * when the cell had been cleared (its last change, in the history, tells who cleared it).
   */
  other: Y.ID | null;
  /** The item holding this transaction's value: with the other, it names the conflict wherever it is found. */
  incoming: Y.ID;
  /** The item holding the value replaced (live or cleared). */
  previous: Y.ID;
  /**
   * The value the writer of this transaction saw in the cell and replaced (null: the cell was empty for
   * them); absent when the document no longer holds it.
   */
  replaced?: { value: ConflictValue };
}

/**
 * Values of cells deleted in recent transactions, by their items' ids: Yjs drops a deleted item's content
 * at the end of its transaction, and a concurrent write that arrives later names that item as the value
 * its writer replaced. Keeps the latest `limit`.
 */
export class DeletedValues {
  private readonly values = new Map<string, ConflictValue>();

  constructor(private readonly limit = 10_000) {}

  /** Keeps the values of the cells a transaction deleted (call while its observers are called). */
  record(transaction: Y.Transaction): void {
    transaction.deleteSet.clients.forEach((ranges, client) => {
      const structs = transaction.doc.store.clients.get(client);
      if (!structs) return;
      for (const { clock, len } of ranges) {
        for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i]!.id.clock < clock + len; i++) {
          const item = structs[i];
          if (!(item instanceof Y.Item) || item.parentSub === null || !(item.content instanceof Y.ContentAny)) continue;
          const key = keyOf(item.id);
          this.values.delete(key);
          this.values.set(key, valueOf(item));
          if (this.values.size > this.limit) this.values.delete(this.values.keys().next().value!);
        }
      }
    });
  }

  valueAt(id: Y.ID): ConflictValue | undefined {
    return this.values.get(keyOf(id));
  }
}

const keyOf = (id: Y.ID) => `${id.client}:${id.clock}`;

export interface RowPlace {
  sheetId: string;
  rowId: string;
}

/**
 * `rowDocument`: the transaction is of a row's own document (`model/row-document.ts`), which is that row:
 * its cells are the root map `cells`.
 */
export function detectConcurrentWrites(transaction: Y.Transaction, rowDocument?: RowPlace, deleted?: DeletedValues): ConcurrentWrite[] {
  const { doc, beforeState, afterState, deleteSet } = transaction;
  const isNew = (id: Y.ID) => id.clock >= (beforeState.get(id.client) ?? 0);
  const sheets = getSheets(doc);
  const rows = new Map<Y.AbstractType<any>, RowPlace | null>();
  const rowCells = rowDocument && getRowCells(doc);
  /** Where a map is in the layout, if it is a row that existed before this transaction. */
  const rowPlace = (type: Y.AbstractType<any>): RowPlace | null => {
    if (rowDocument) return type === rowCells ? rowDocument : null;
    let place = rows.get(type);
    if (place !== undefined) return place;
    place = null;
    const rowItem = type._item;
    const rowsItem = rowItem?.parent instanceof Y.Map ? rowItem.parent._item : null;
    const sheetItem = rowsItem?.parent instanceof Y.Map ? rowsItem.parent._item : null;
    if (
      type instanceof Y.Map && rowItem && rowsItem && sheetItem && !rowItem.deleted && !isNew(rowItem.id)
      && rowsItem.parentSub === SHEET_KEYS.rows && sheetItem.parent === sheets
      && typeof rowItem.parentSub === 'string' && typeof sheetItem.parentSub === 'string'
    ) {
      place = { sheetId: sheetItem.parentSub, rowId: rowItem.parentSub };
    }
    rows.set(type, place);
    return place;
  };

  // The new items per cell of a row that existed before.
  const cells = new Map<Y.AbstractType<any>, Map<string, Y.Item[]>>();
  afterState.forEach((after, client) => {
    const before = beforeState.get(client) ?? 0;
    if (after <= before) return;
    const structs = doc.store.clients.get(client)!;
    for (let i = Y.findIndexSS(structs, before); i < structs.length && structs[i]!.id.clock < after; i++) {
      const item = structs[i]!;
      if (!(item instanceof Y.Item) || item.parentSub === null || !(item.parent instanceof Y.AbstractType)) continue;
      if (rowPlace(item.parent) === null) continue;
      let keys = cells.get(item.parent);
      if (!keys) cells.set(item.parent, (keys = new Map()));
      let items = keys.get(item.parentSub);
      if (!items) keys.set(item.parentSub, (items = []));
      items.push(item);
    }
  });

  const found: ConcurrentWrite[] = [];
  for (const [row, keys] of cells) {
    const place = rowPlace(row)!;
    for (const [columnId, items] of keys) {
      const current = row._map.get(columnId);
      // The value before this transaction: the last item at the key that is not new.
      let previous: Y.Item | null = current ?? null;
      while (previous !== null && isNew(previous.id)) previous = previous.left;
      if (previous === null) continue; // the key was never set: nothing was replaced
      // The writer's first change of the key in this transaction says what the writer had seen there.
      const firsts = items.filter((item) => item.origin === null || !items.some((other) => holds(other, item.origin!)));
      if (firsts.every((item) => item.origin !== null && holds(previous, item.origin))) continue;
      const previousWasLive = !previous.deleted || Y.isDeleted(deleteSet, previous.id);
      const incomingKept = current !== undefined && isNew(current.id);
      // Writing into a cell someone had cleared replaces nothing.
      if (incomingKept && !previousWasLive) continue;
      const kept = current === undefined || current.deleted ? null : valueOf(current);
      const lost = incomingKept ? valueOf(previous) : valueOf(lastOf(items));
      if (sameValue(kept, lost)) continue;
      const replaced = replacedBy(doc, firsts[0]!, deleted);
      found.push({
        ...place, columnId, kept, lost, incomingKept, other: previousWasLive ? previous.id : null, incoming: lastOf(items).id, previous: previous.id,
        ...(replaced && { replaced }),
      });
    }
  }
  return found;
}

/** The value the writer of `first` saw at its key: its origin's, if the document still holds it. */
function replacedBy(doc: Y.Doc, first: Y.Item, deleted: DeletedValues | undefined): { value: ConflictValue } | undefined {
  const origin = first.origin;
  if (origin === null) return { value: null };
  const structs = doc.store.clients.get(origin.client);
  const item = structs?.[Y.findIndexSS(structs, origin.clock)];
  if (item instanceof Y.Item && item.content instanceof Y.ContentAny) return { value: valueOf(item) };
  const value = deleted?.valueAt(origin);
  return value === undefined ? undefined : { value };
}

/** Whether `id` lies within `item`. */
function holds(item: Y.Item, id: Y.ID): boolean {
  return id.client === item.id.client && id.clock >= item.id.clock && id.clock < item.id.clock + item.length;
}

/** The writer's last value among its new items at a key: the one no other new item follows. */
function lastOf(items: readonly Y.Item[]): Y.Item {
  return items.find((item) => !items.some((other) => other.origin !== null && holds(item, other.origin))) ?? items.at(-1)!;
}

function valueOf(item: Y.Item): ConflictValue {
  const content = item.content;
  return content instanceof Y.ContentAny ? ((content.arr.at(-1) ?? null) as ConflictValue) : null;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
