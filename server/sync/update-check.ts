/**
 * Checks a client's Yjs update against the document before it is applied, so that a refused update
 * leaves nothing behind: no structs, no moved state vector, nothing to undo or reload.
 *
 * The update is decoded (`Y.decodeUpdate`), and every struct it adds is placed the way Yjs would place
 * it on integration: under the root it names, inside the shared type its parent id points at, or beside
 * the item its left or right origin points at (in the document or in the update itself). Each place is
 * one of the layout's containers (the `sheets` root, a sheet, its columns, a column, its rows, a row),
 * and what the struct puts there is checked against the layout's rules (`model/layout.ts`) and the
 * client's role. The delete set is checked the same way: what it removes, and whether the role may.
 *
 * An update that depends on structs the server does not have yet is reported as such
 * (`MISSING_DEPENDENCY`): the sync engine holds it back and checks it again once they arrived. (Yjs
 * itself would keep it pending and apply it later, unchecked, as part of someone else's change.)
 */
import * as Y from 'yjs';
import { COLUMN_ID_KEY, SHEET_KEYS } from '../../model/document';
import {
  CLIENT_ROOT, SERVER_ROOTS, cellProblem, columnFieldProblem, rowIdProblem, sheetFieldProblem, sheetIdProblem,
} from '../../model/layout';
import type { Role } from '../../model/roles';
import { DELETED_KEY, isRowDeleted, ROW_ROOTS } from '../../model/row-document';

export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

/** A value the update writes into a cell (of a row in the document or one it makes). */
export interface NewCell {
  column: string;
  value: unknown;
}

/**
 * Why the update may not be applied by a client with `role`, or null if it may. When `cells` is given,
 * every value the update writes into a cell is added to it, for checks that need more than the layout.
 */
export function updateProblem(doc: Y.Doc, update: DecodedUpdate, role: Role | undefined, cells?: NewCell[]): string | null {
  return check(() => new UpdateCheck(doc, update, role === 'admin', datasetRoots, cells).run());
}

/**
 * `updateProblem` for the document of a dataset whose rows are documents of their own: the same layout,
 * but its sheets' `rows` stay empty.
 */
export function datasetOfRowsProblem(doc: Y.Doc, update: DecodedUpdate, role: Role | undefined, cells?: NewCell[]): string | null {
  return check(() => new UpdateCheck(doc, update, role === 'admin', datasetRoots, cells, true).run());
}

/** `updateProblem` for the document of one row (`model/row-document.ts`); a deleted row takes no more changes. */
export function rowUpdateProblem(doc: Y.Doc, update: DecodedUpdate, _role: Role | undefined, cells?: NewCell[]): string | null {
  return check(() => {
    if (isRowDeleted(doc) && (update.structs.length > 0 || update.ds.clients.size > 0)) refuse('the row was deleted');
    new UpdateCheck(doc, update, false, rowRoots, cells).run();
  });
}

function check(run: () => void): string | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof Refusal) return error.message;
    throw error;
  }
}

/** What each root of a document is in its layout. */
type Roots = (name: string) => Slot;
const datasetRoots: Roots = (name) => (name === CLIENT_ROOT ? 'sheets' : SERVER_ROOTS.has(name) ? 'server-root' : 'unknown-root');
const ROW_SERVER_ROOTS: ReadonlySet<string> = new Set([ROW_ROOTS.reviews, ROW_ROOTS.conflicts]);
const rowRoots: Roots = (name) =>
  name === ROW_ROOTS.cells ? 'row' : name === ROW_ROOTS.state ? 'row-state' : ROW_SERVER_ROOTS.has(name) ? 'server-root' : 'unknown-root';

class Refusal extends Error {}

function refuse(why: string): never {
  throw new Refusal(why);
}

/** The problem of an update that needs changes the server does not have yet. */
export const MISSING_DEPENDENCY = 'the update depends on changes the server does not have';
const MISSING = MISSING_DEPENDENCY;

type Slot =
  | 'sheets' | 'sheet' | 'columns' | 'column' | 'rows' | 'row'
  /** A row document's `state`: only `deleted: true`, never taken back. */
  | 'row-state'
  /** `meta`, `reviews` and `conflicts` (a row's document: `reviews` and `conflicts`): written by the server only. */
  | 'server-root'
  | 'unknown-root'
  /** Anything else: inside a server-only root, or a type where the layout has none. */
  | 'foreign';

/** A shared type the update writes into, in the document already or made by the update. */
interface Container {
  slot: Slot;
  /** A root's name, or the key the container is stored under in its parent ('' in a list). */
  name: string;
  /** The type, when it is in the document already. */
  type: Y.AbstractType<any> | null;
  /** The item holding the type (null for a root). */
  item: Y.Item | null;
  parent: Container | null;
  /** Made by this update. */
  created: boolean;
  /** Keys this update gives a value that it does not delete again. */
  set: Set<string>;
  /** For a new column: the ids it is given. */
  ids: unknown[];
  /** For a list of columns: the new columns put into it. */
  newColumns: Container[];
}

/** Where Yjs will put an item: a container and the key in it (null in a list), or nowhere (it is garbage). */
type Place = { container: Container; key: string | null } | 'gc';

type Located = { struct: Y.Item | Y.GC; inDoc: boolean };

class UpdateCheck {
  /** The update's structs per client, by clock. */
  private readonly incoming = new Map<number, Array<Y.Item | Y.GC | Y.Skip>>();
  /** The update's items that the document does not have yet (in whole or in part). */
  private readonly newItems: Y.Item[] = [];
  private readonly places = new Map<Y.Item, Place>();
  private readonly roots = new Map<string, Container>();
  private readonly docContainers = new Map<Y.AbstractType<any>, Container>();
  private readonly newContainers = new Map<Y.Item, Container>();

  constructor(
    private readonly doc: Y.Doc, private readonly update: DecodedUpdate, private readonly admin: boolean,
    private readonly slotOfRoot: Roots, private readonly cells?: NewCell[], private readonly rowsElsewhere = false,
  ) {}

  run(): void {
    this.collect();
    for (const item of this.newItems) this.checkInsert(item);
    this.checkDeletions();
    this.checkNewContainers();
  }

  /** Groups the structs by client and finds the new ones; a gap in a client's clocks is a missing dependency. */
  private collect(): void {
    for (const struct of this.update.structs) {
      let list = this.incoming.get(struct.id.client);
      if (!list) this.incoming.set(struct.id.client, (list = []));
      list.push(struct);
    }
    for (const [client, structs] of this.incoming) {
      structs.sort((a, b) => a.id.clock - b.id.clock);
      let next = Y.getState(this.doc.store, client);
      for (const struct of structs) {
        const end = struct.id.clock + struct.length;
        if (end <= next) continue;
        if (struct instanceof Y.Skip || struct.id.clock > next) refuse(MISSING);
        next = end;
        if (struct instanceof Y.Item) this.newItems.push(struct);
      }
    }
  }

  private checkInsert(item: Y.Item): void {
    const place = this.place(item);
    if (place === 'gc') return;
    const { container: c, key } = place;
    const content = item.content;
    const removes = content instanceof Y.ContentDeleted;
    const kept = !removes && !Y.isDeleted(this.update.ds, item.id);
    switch (c.slot) {
      case 'server-root':
        return refuse(`${c.name} is written by the server only`);
      case 'unknown-root':
        return refuse(`the document has no root "${c.name.slice(0, 80)}"`);
      case 'foreign':
        return refuse('the update writes outside the document layout');
      case 'sheets': {
        this.structure();
        if (key === null) return refuse('a sheet is stored under its id');
        const bad = sheetIdProblem(key);
        if (bad) return refuse(bad);
        if (removes) return;
        if (!isType(content, Y.Map)) return refuse('a sheet is a map');
        if (this.hasLiveValue(c, key)) return refuse(`sheet "${key}" exists: a sheet is never replaced, only deleted`);
        this.newContainer(item, place);
        break;
      }
      case 'sheet': {
        this.structure();
        if (key === null) return refuse("a sheet's fields are stored under their names");
        if (removes) return refuse(`a sheet keeps its ${key}`);
        if (key === SHEET_KEYS.columns || key === SHEET_KEYS.rows) {
          if (!isType(content, key === SHEET_KEYS.columns ? Y.Array : Y.Map)) {
            return refuse(`a sheet's ${key} is a ${key === SHEET_KEYS.columns ? 'Y.Array' : 'Y.Map'}`);
          }
          if (this.hasLiveValue(c, key)) return refuse(`a sheet's ${key} are never replaced`);
          this.newContainer(item, place);
        } else {
          const bad = content instanceof Y.ContentAny
            ? content.arr.map((v) => sheetFieldProblem(key, v)).find((p) => p !== null)
            : sheetFieldProblem(key, content);
          if (bad) return refuse(bad);
        }
        break;
      }
      case 'columns': {
        this.structure();
        if (key !== null) return refuse('columns are a list');
        if (removes) return;
        if (!isType(content, Y.Map)) return refuse('a column is a map');
        const column = this.newContainer(item, place);
        if (kept) c.newColumns.push(column);
        return;
      }
      case 'column': {
        this.structure();
        if (key === null) return refuse("a column's fields are stored under their names");
        if (key === COLUMN_ID_KEY && (removes || this.hasLiveValue(c, key))) return refuse('a column id never changes');
        if (removes) return;
        if (!(content instanceof Y.ContentAny)) return refuse(`a column's ${key.slice(0, 80)} is a plain value`);
        for (const value of content.arr) {
          const bad = columnFieldProblem(key, value);
          if (bad) return refuse(bad);
        }
        if (key === COLUMN_ID_KEY && kept) c.ids.push(content.arr.at(-1));
        break;
      }
      case 'rows': {
        if (this.rowsElsewhere) return refuse("this dataset's rows are documents of their own (rooms DATASET/rows/SHEET/ROW)");
        if (key === null) return refuse('rows are stored under their ids');
        const bad = rowIdProblem(key);
        if (bad) return refuse(bad);
        if (removes) return;
        if (!isType(content, Y.Map)) return refuse('a row is a map');
        this.newContainer(item, place);
        break;
      }
      case 'row': {
        if (key === null) return refuse('cells are stored under their column ids');
        if (!removes && !(content instanceof Y.ContentAny)) return refuse('a cell holds a plain value, not a shared type or text');
        for (const value of content instanceof Y.ContentAny ? content.arr : [null]) {
          const bad = cellProblem(key, value);
          if (bad) return refuse(bad);
          if (!removes) this.cells?.push({ column: key, value });
        }
        break;
      }
      case 'row-state': {
        if (key !== DELETED_KEY) return refuse(`a row's state holds "${DELETED_KEY}" only`);
        if (removes || !(content instanceof Y.ContentAny) || content.arr.some((v) => v !== true)) {
          return refuse('a deleted row stays deleted: its state is deleted: true');
        }
        break;
      }
    }
    if (kept && key !== null) c.set.add(key);
  }

  /** Checks what the delete set removes: from the document, and of the update's own items. */
  private checkDeletions(): void {
    for (const [client, ranges] of this.update.ds.clients) {
      const state = Y.getState(this.doc.store, client);
      const structs = this.doc.store.clients.get(client);
      for (const { clock, len } of ranges) {
        // Yjs never sends an empty range, and applying one throws halfway through an update.
        if (len < 1) refuse('a deletion of nothing');
        const end = clock + len;
        if (end > state) this.checkOwnDeletions(client, Math.max(clock, state), end);
        if (clock >= state || !structs) continue;
        for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i]!.id.clock < end; i++) {
          const struct = structs[i]!;
          if (struct instanceof Y.Item && !struct.deleted) this.checkDelete(struct);
        }
      }
    }
  }

  /** Deletions of clocks the document lacks must be of the update's own items. */
  private checkOwnDeletions(client: number, from: number, end: number): void {
    let covered = from;
    for (const struct of this.incoming.get(client) ?? []) {
      if (struct.id.clock + struct.length <= covered) continue;
      if (struct.id.clock > covered || struct instanceof Y.Skip) break;
      covered = struct.id.clock + struct.length;
      if (struct instanceof Y.Item && !(struct.content instanceof Y.ContentDeleted)) this.checkDelete(struct);
      if (covered >= end) return;
    }
    if (covered < end) refuse(MISSING);
  }

  private checkDelete(item: Y.Item): void {
    const place = item.parent instanceof Y.AbstractType
      ? { container: this.docContainer(item.parent), key: item.parentSub }
      : this.place(item);
    if (place === 'gc') return;
    const { container: c, key } = place;
    // What is inside something this update removes (or that is gone already) goes with it.
    for (let up: Container | null = c; up?.item; up = up.parent) {
      if (up.item.deleted || Y.isDeleted(this.update.ds, up.item.id)) return;
    }
    // A key this update gives a new value: that value was checked.
    if (key !== null && c.set.has(key)) return;
    switch (c.slot) {
      case 'server-root':
        return refuse(`${c.name} is written by the server only`);
      case 'unknown-root':
      case 'foreign':
        return refuse('the update removes something outside the document layout');
      case 'sheets':
      case 'columns':
        return this.structure();
      case 'sheet':
        this.structure();
        return refuse(`a sheet keeps its ${key ?? 'fields'}`);
      case 'column':
        this.structure();
        if (key === COLUMN_ID_KEY) refuse('a column id never changes');
        return;
      case 'rows':
      case 'row':
        return;
      case 'row-state':
        return refuse('a deleted row stays deleted');
    }
  }

  /** New sheets have their name, columns and rows; new columns an id that no other column of the sheet has. */
  private checkNewContainers(): void {
    for (const c of this.newContainers.values()) {
      if (Y.isDeleted(this.update.ds, c.item!.id)) continue;
      if (c.slot === 'sheet') {
        for (const key of Object.values(SHEET_KEYS)) if (!c.set.has(key)) refuse(`a new sheet needs its ${key}`);
      } else if (c.slot === 'column') {
        if (c.ids.length === 0) refuse('a new column needs an id');
      } else if (c.slot === 'columns' && c.newColumns.length > 0) {
        this.checkColumnIds(c);
      }
    }
    for (const c of this.docContainers.values()) if (c.slot === 'columns' && c.newColumns.length > 0) this.checkColumnIds(c);
  }

  private checkColumnIds(columns: Container): void {
    const ids: unknown[] = [];
    if (columns.type instanceof Y.Array) {
      for (const ycol of columns.type.toArray() as unknown[]) {
        if (ycol instanceof Y.Map && !Y.isDeleted(this.update.ds, ycol._item!.id)) ids.push(ycol.get(COLUMN_ID_KEY));
      }
    }
    for (const column of columns.newColumns) ids.push(column.ids.at(-1));
    const seen = new Set<unknown>();
    for (const id of ids) {
      if (seen.has(id)) refuse(`sheet "${columns.parent?.name}" has a column "${String(id)}" already`);
      seen.add(id);
    }
  }

  /** Sheets and columns are changed by admins only. */
  private structure(): void {
    if (!this.admin) refuse('only admins change sheets and columns');
  }

  /** Whether a container of the document holds a value under `key` that is not deleted. */
  private hasLiveValue(c: Container, key: string): boolean {
    const current = c.type?._map.get(key);
    return current !== undefined && !current.deleted;
  }

  /**
   * Where Yjs will put `start`, found without recursion: items of one update may point at each other in
   * long chains (each list item at the one before it).
   */
  private place(start: Y.Item): Place {
    // Allocated only for chains: most items (a new row's cells) find their place in one step.
    let path: Array<{ item: Y.Item; via: 'neighbour' | 'parent'; next: Y.Item }> | null = null;
    let seen: Set<Y.Item> | null = null;
    let item = start;
    let found: Place;
    for (;;) {
      const known = this.places.get(item);
      if (known) {
        found = known;
        break;
      }
      if (path) {
        seen ??= new Set(path.map((p) => p.item));
        if (seen.has(item)) refuse('the update refers to itself in a circle');
        seen.add(item);
      }
      const step = this.step(item);
      if ('place' in step) {
        found = step.place;
        this.places.set(item, found);
        break;
      }
      (path ??= []).push({ item, via: step.via, next: step.next });
      item = step.next;
    }
    if (!path) return found;
    for (let i = path.length - 1; i >= 0; i--) {
      const { item: at, via, next } = path[i]!;
      if (found !== 'gc' && via === 'parent') found = { container: this.newContainer(next, found), key: at.parentSub };
      this.places.set(at, found);
    }
    return found;
  }

  /** One step towards an item's place: the place itself, or the item of the update it depends on. */
  private step(item: Y.Item): { place: Place } | { via: 'neighbour' | 'parent'; next: Y.Item } {
    if (item.origin || item.rightOrigin) {
      const left = item.origin ? this.ref(item, item.origin) : null;
      const right = item.rightOrigin ? this.ref(item, item.rightOrigin) : null;
      if (left?.struct instanceof Y.GC || right?.struct instanceof Y.GC) return { place: 'gc' };
      const near = (left ?? right)!;
      const neighbour = near.struct as Y.Item;
      if (!near.inDoc) return { via: 'neighbour', next: neighbour };
      return { place: { container: this.docContainer(neighbour.parent as Y.AbstractType<any>), key: neighbour.parentSub } };
    }
    const parent = item.parent as unknown;
    if (typeof parent === 'string') return { place: { container: this.rootContainer(parent), key: item.parentSub } };
    if (!(parent instanceof Y.ID)) return refuse('the update has an item without a place');
    const holder = this.ref(item, parent);
    // Yjs drops content whose parent is gone or is not a shared type.
    if (!(holder.struct instanceof Y.Item) || !(holder.struct.content instanceof Y.ContentType)) return { place: 'gc' };
    if (!holder.inDoc) return { via: 'parent', next: holder.struct };
    return { place: { container: this.docContainer(holder.struct.content.type), key: item.parentSub } };
  }

  /** What `item` refers to by `id`: a missing dependency when nobody has it. */
  private ref(item: Y.Item, id: Y.ID): Located {
    // Yjs integrates a client's structs in clock order: a reference to a later one cannot be resolved.
    if (id.client === item.id.client && id.clock >= item.id.clock) refuse('the update refers to a later change of its own');
    return this.locate(id) ?? refuse(MISSING);
  }

  /** The struct holding clock `id`: in the document if it has it, else in the update; null if neither. */
  private locate(id: Y.ID): Located | null {
    if (id.clock < Y.getState(this.doc.store, id.client)) {
      const structs = this.doc.store.clients.get(id.client)!;
      return { struct: structs[Y.findIndexSS(structs, id.clock)]!, inDoc: true };
    }
    const structs = this.incoming.get(id.client);
    if (!structs) return null;
    let low = 0;
    let high = structs.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const struct = structs[mid]!;
      if (id.clock < struct.id.clock) high = mid - 1;
      else if (id.clock >= struct.id.clock + struct.length) low = mid + 1;
      else return struct instanceof Y.Skip ? null : { struct, inDoc: false };
    }
    return null;
  }

  private rootContainer(name: string): Container {
    let c = this.roots.get(name);
    if (!c) {
      const slot = this.slotOfRoot(name);
      const type = this.doc.share.get(name) ?? null;
      c = container(slot, name, type, null, null, false);
      this.roots.set(name, c);
      if (type) this.docContainers.set(type, c);
    }
    return c;
  }

  private docContainer(type: Y.AbstractType<any>): Container {
    let c = this.docContainers.get(type);
    if (c) return c;
    const item = type._item;
    if (item === null) return this.rootContainer(Y.findRootTypeKey(type));
    const parent = this.docContainer(item.parent as Y.AbstractType<any>);
    c = container(childSlot(parent.slot, item.parentSub, type), item.parentSub ?? '', type, item, parent, false);
    this.docContainers.set(type, c);
    return c;
  }

  /** The container a type item of the update makes, at `place`. */
  private newContainer(item: Y.Item, place: Exclude<Place, 'gc'>): Container {
    let c = this.newContainers.get(item);
    if (!c) {
      const { type } = item.content as Y.ContentType;
      c = container(childSlot(place.container.slot, place.key, type), place.key ?? '', null, item, place.container, true);
      this.newContainers.set(item, c);
    }
    return c;
  }
}

function container(
  slot: Slot, name: string, type: Y.AbstractType<any> | null, item: Y.Item | null, parent: Container | null, created: boolean,
): Container {
  return { slot, name, type, item, parent, created, set: new Set(), ids: [], newColumns: [] };
}

/** What a type stored under `key` of a `parent` container is in the layout. */
function childSlot(parent: Slot, key: string | null, type: Y.AbstractType<any>): Slot {
  switch (parent) {
    case 'sheets':
      return key !== null && type instanceof Y.Map ? 'sheet' : 'foreign';
    case 'sheet':
      if (key === SHEET_KEYS.columns && type instanceof Y.Array) return 'columns';
      if (key === SHEET_KEYS.rows && type instanceof Y.Map) return 'rows';
      return 'foreign';
    case 'columns':
      return key === null && type instanceof Y.Map ? 'column' : 'foreign';
    case 'rows':
      return key !== null && type instanceof Y.Map ? 'row' : 'foreign';
    default:
      return 'foreign';
  }
}

function isType(content: unknown, kind: typeof Y.Map | typeof Y.Array): boolean {
  return content instanceof Y.ContentType && content.type instanceof kind;
}

