/**
 * Concurrent edits of one cell: when two people change a cell without having seen each other's
 * change, Yjs keeps one value; the other is recorded as a conflict, with both values and both
 * authors, in the document's `conflicts` root (so open grids mark the cell at once) and, with the
 * same commit, in the read model. Listing reads the read model only; resolving closes the conflict,
 * and may write the value that was lost back into the cell as the resolver's change.
 *
 * The sync engine hands this module every transaction (`inspect`, for detection while Yjs still
 * holds what it deleted) and every applied change (`afterApply`, which records what was found),
 * including what another instance applied and published before storing it: two writes through two
 * instances are found on both, and recorded once (the conflict's id is made from the writes).
 *
 * In the `rows` layout a cell lives in its row's own document: conflicts are found there and recorded
 * there too (its `conflicts` root, `model/row-document.ts`), so the dataset's document, which every tab
 * syncs whole, does not grow with them; resolving closes one there, in the same transaction that writes
 * the lost value back. A row's conflicts kept in the dataset's document before rows kept their own (the
 * read model has them) move into the row's document with the next change of its conflicts, and are then
 * taken out of the dataset's document.
 */
import { createHash } from 'node:crypto';
import type * as Y from 'yjs';
import type { CellValue } from '../../model/columns';
import {
  type ConflictRecord, type ConflictStatus, addConflict, findConflict, getConflicts, putConflict, readConflict, resolveConflict,
} from '../../model/conflicts';
import { getSheet, sheetRows } from '../../model/document';
import { parseRoom, rowRoom } from '../../model/rooms';
import { getRowCells, isRowDeleted } from '../../model/row-document';
import type { User } from '../auth/users';
import { conflict, notFound } from '../errors';
import type { ReadModel } from '../storage';
import type { Changes, Origin } from '../sync/changes';
import type { DocRegistry } from '../sync/registry';
import type { SharedDoc } from '../sync/shared-doc';
import { ItemAuthors } from './authors';
import { type ConcurrentWrite, DeletedValues, detectConcurrentWrites, sameValue } from './detect';

type RowPlace = { sheetId: string; rowId: string };

/** What `inspect` found in one transaction: the concurrent writes, each with the users of both values. */
class Found {
  constructor(
    readonly writes: ReadonlyArray<ConcurrentWrite & {
      /** The writer of this transaction's value. */
      incomingBy: string | null;
      /** The writer of the other value; undefined when the document does not know (written before it was loaded). */
      otherBy: string | null | undefined;
    }>,
  ) {}
}

export type ResolveChoice = 'kept' | 'lost';

/** Rooms whose parsed row `Conflicts` keeps (forgotten all at once past this). */
const ROOMS_KEPT = 10_000;

/**
 * A conflict's id, made from the two writes (their items' ids, in either order): every instance that
 * applied both finds the same conflict under the same id.
 */
function conflictId(w: ConcurrentWrite): string {
  const [a, b] = [w.previous, w.incoming].map((id) => `${id.client}:${id.clock}`).sort();
  return createHash('sha256').update(`${w.sheetId}\0${w.rowId}\0${w.columnId}\0${a}\0${b}`).digest('hex').slice(0, 26);
}

export class Conflicts {
  /** The rooms' rows, as `rowOf` read them. */
  private readonly rooms = new Map<string, { sheetId: string; rowId: string } | null>();
  /** Who wrote what, per loaded document. */
  private readonly authors = new WeakMap<Y.Doc, ItemAuthors>();
  /** Values of cells recently deleted, per loaded document. */
  private readonly deleted = new WeakMap<Y.Doc, DeletedValues>();

  constructor(
    private readonly registry: DocRegistry,
    private readonly readModel: ReadModel,
    /** A user's name by id, or undefined if there is no such user. */
    private readonly userName: (userId: string) => Promise<string | undefined>,
    /** Whether a dataset's rows are documents of their own (the `rows` layout). */
    private readonly rowsLayout: (datasetId: string) => Promise<boolean> = async () => false,
  ) {}

  /** Finds the cells a transaction wrote concurrently with an earlier change, then notes who wrote its items. */
  readonly inspect = (transaction: Y.Transaction, origin: Origin, room: string): Found | undefined => {
    let authors = this.authors.get(transaction.doc);
    if (!authors) this.authors.set(transaction.doc, (authors = new ItemAuthors()));
    let deleted = this.deleted.get(transaction.doc);
    if (!deleted) this.deleted.set(transaction.doc, (deleted = new DeletedValues()));
    const row = this.rowOf(room);
    const writes = detectConcurrentWrites(transaction, row && { sheetId: row.sheetId, rowId: row.rowId }, deleted);
    const found = writes.map((w) => ({ ...w, incomingBy: origin.userId, otherBy: w.other ? authors.of(w.other) : undefined }));
    authors.record(transaction, origin.userId);
    deleted.record(transaction);
    return found.length > 0 ? new Found(found) : undefined;
  };

  /** A room's row, if it is a row's own room: read once per room (each transaction asks). */
  private rowOf(room: string): { sheetId: string; rowId: string } | undefined {
    if (this.rooms.has(room)) return this.rooms.get(room) ?? undefined;
    const row = parseRoom(room)?.row;
    if (this.rooms.size >= ROOMS_KEPT) this.rooms.clear();
    this.rooms.set(room, row ? { sheetId: row.sheetId, rowId: row.rowId } : null);
    return row;
  }

  /**
   * Records the conflicts `inspect` found in an applied change, as the server; the history of a write
   * that won says what its writer replaced.
   */
  readonly afterApply = (shared: SharedDoc, _origin: Origin, changes: Changes): void => {
    const writes = changes.findings.flatMap((f) => (f instanceof Found ? f.writes : []));
    if (writes.length === 0) return;
    for (const w of writes) {
      if (w.incomingKept && w.replaced) changes.replaced(w.sheetId, w.rowId, w.columnId, w.replaced.value ?? undefined);
    }
    const room = parseRoom(shared.id);
    this.record(shared.id, room?.datasetId ?? shared.id, room?.row, writes).catch((error: unknown) => shared.logError(error, 'recording conflicts failed'));
  };

  /**
   * Names the writers (from the store) and records the conflicts in the room's document, which for a
   * row's own (`row`) first takes over the row's older ones. The document may have been unloaded
   * meanwhile: they are recorded on it as it is loaded then.
   */
  private async record(room: string, datasetId: string, row: RowPlace | undefined, writes: Found['writes']): Promise<void> {
    const at = new Date().toISOString();
    const records: Array<Omit<ConflictRecord, 'status'>> = [];
    for (const w of writes) {
      const other = w.otherBy !== undefined
        ? await this.nameOf(w.otherBy)
        : (await this.readModel.lastCellAuthor(datasetId, w.sheetId, w.rowId, w.columnId)) ?? null;
      const incoming = await this.nameOf(w.incomingBy);
      records.push({
        id: conflictId(w), sheet: w.sheetId, row: w.rowId, column: w.columnId, at,
        kept: w.kept, keptBy: w.incomingKept ? incoming : other,
        lost: w.lost, lostBy: w.incomingKept ? other : incoming,
      });
    }
    // Each instance that applied both writes finds the conflict: it is recorded once, and never reopened.
    const add = (doc: Y.Doc) => {
      for (const record of records) if (!findConflict(doc, record.id)) addConflict(doc, record);
    };
    if (!row) {
      await this.registry.with(room, (shared) => shared.transact({ userId: null }, add));
      return;
    }
    await this.changeInRow(datasetId, row, { userId: null }, (_doc, known) => records.filter((r) => !known(r.id)), (doc, fresh) => {
      for (const record of fresh) addConflict(doc, record);
    });
  }

  /** The dataset's conflicts from the read model (a cold document stays cold), oldest first. */
  list(datasetId: string, status?: ConflictStatus): Promise<ConflictRecord[]> {
    return this.readModel.conflicts(datasetId, status);
  }

  /**
   * Closes an open conflict. `lost` first writes the value that was lost into the cell, as `user`'s
   * change (in the history); refused while the cell no longer holds the kept value, so that a later
   * change is never overwritten unseen.
   */
  async resolve(datasetId: string, user: User, conflictId: string, choice: ResolveChoice): Promise<ConflictRecord> {
    const listed = await this.readModel.conflict(datasetId, conflictId);
    if (!listed) throw notFound(`No conflict "${conflictId}"`);
    if (listed.status !== 'open') throw conflict('This conflict is resolved already');
    if (await this.rowsLayout(datasetId)) return this.resolveInRow(datasetId, user, listed, choice);
    return this.registry.with(datasetId, (shared) => shared.transact({ userId: user.id }, (doc) => {
      // The read model can lag the document by one turn: the document has the last word.
      const entry = findConflict(doc, conflictId);
      if (!entry) throw notFound(`No conflict "${conflictId}"`);
      const record = readConflict(conflictId, entry);
      if (record.status !== 'open') throw conflict('This conflict is resolved already');
      if (choice === 'lost') {
        const sheet = getSheet(doc, record.sheet);
        const row = sheet ? sheetRows(sheet).get(record.row) : undefined;
        if (!row) throw conflict('The row of this conflict was deleted');
        if (!sameValue(row.get(record.column) ?? null, record.kept)) {
          throw conflict('The cell was changed again since: look at it before choosing a value');
        }
        const value = record.lost;
        if (value === null || value === '') row.delete(record.column);
        else row.set(record.column, value as CellValue);
      }
      resolveConflict(entry, user.name, new Date().toISOString());
      return readConflict(conflictId, entry);
    }));
  }

  /**
   * `resolve` in the `rows` layout: in the row's own document, the lost value written back (checked as
   * `resolve` says) and the conflict closed in one transaction, as `user`.
   */
  private async resolveInRow(datasetId: string, user: User, listed: ConflictRecord, choice: ResolveChoice): Promise<ConflictRecord> {
    const place = { sheetId: listed.sheet, rowId: listed.row };
    return this.changeInRow(datasetId, place, { userId: user.id }, (doc, known) => {
      // The read model can lag the document by one turn: the document has the last word.
      const record = known(listed.id);
      if (!record) throw notFound(`No conflict "${listed.id}"`);
      if (record.status !== 'open') throw conflict('This conflict is resolved already');
      if (choice === 'lost') {
        if (isRowDeleted(doc)) throw conflict('The row of this conflict was deleted');
        if (!sameValue(getRowCells(doc).get(record.column) ?? null, record.kept)) {
          throw conflict('The cell was changed again since: look at it before choosing a value');
        }
      }
      return record;
    }, (doc, record) => {
      if (choice === 'lost') {
        const cells = getRowCells(doc);
        const value = record.lost;
        if (value === null || value === '') cells.delete(record.column);
        else cells.set(record.column, value as CellValue);
      }
      const entry = findConflict(doc, record.id)!;
      resolveConflict(entry, user.name, new Date().toISOString());
      return readConflict(record.id, entry);
    });
  }

  /**
   * One change of a row's conflicts in its own document, as `origin`: `check` reads (and may refuse,
   * before anything is written), `write` writes. `known` finds a conflict of the row in the document, or
   * among those the read model holds and the document does not: kept in the dataset's document before
   * rows had their own. Those are written into the row's document first, in the same transaction, then
   * taken out of the dataset's document (the read model keeps them, now from the row's).
   */
  private async changeInRow<C, T>(
    datasetId: string, { sheetId, rowId }: RowPlace, origin: Origin,
    check: (doc: Y.Doc, known: (conflictId: string) => ConflictRecord | undefined) => C,
    write: (doc: Y.Doc, checked: C) => T,
  ): Promise<T> {
    const stored = await this.readModel.rowConflicts(datasetId, rowId);
    let taken: string[] = [];
    const result = await this.registry.with(rowRoom(datasetId, sheetId, rowId), (shared) => shared.transact(origin, (doc) => {
      const earlier = new Map(stored.filter((c) => !findConflict(doc, c.id)).map((c) => [c.id, c]));
      const known = (id: string) => {
        const entry = findConflict(doc, id);
        return entry ? readConflict(id, entry) : earlier.get(id);
      };
      const checked = check(doc, known);
      for (const record of earlier.values()) putConflict(doc, record);
      taken = [...earlier.keys()];
      return write(doc, checked);
    }));
    if (taken.length > 0) {
      await this.registry.with(datasetId, (shared) => shared.transact({ userId: null }, (doc) => {
        for (const id of taken) if (getConflicts(doc).has(id)) getConflicts(doc).delete(id);
      })).catch((error: unknown) => this.registry.loaded(datasetId)?.logError(error, 'taking conflicts out of the dataset\'s document failed'));
    }
    return result;
  }

  private async nameOf(userId: string | null): Promise<string | null> {
    return userId === null ? null : (await this.userName(userId)) ?? null;
  }
}
