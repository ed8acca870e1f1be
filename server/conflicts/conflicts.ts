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
 * In the `rows` layout a cell lives in its row's own document: conflicts are found there, and recorded
 * (and resolved) in the dataset's document, as its reviews are.
 */
import { createHash } from 'node:crypto';
import type * as Y from 'yjs';
import type { CellValue } from '../../model/columns';
import { type ConflictRecord, type ConflictStatus, addConflict, findConflict, readConflict, resolveConflict } from '../../model/conflicts';
import { getSheet, sheetRows } from '../../model/document';
import { parseRoom, rowRoom } from '../../model/rooms';
import { DELETED_KEY, getRowCells, getRowState } from '../../model/row-document';
import type { User } from '../auth/users';
import { conflict, notFound } from '../errors';
import type { ReadModel } from '../storage';
import type { Changes, Origin } from '../sync/changes';
import type { DocRegistry } from '../sync/registry';
import type { SharedDoc } from '../sync/shared-doc';
import { ItemAuthors } from './authors';
import { type ConcurrentWrite, detectConcurrentWrites, sameValue } from './detect';

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
    const row = this.rowOf(room);
    const writes = detectConcurrentWrites(transaction, row && { sheetId: row.sheetId, rowId: row.rowId });
    const found = writes.map((w) => ({ ...w, incomingBy: origin.userId, otherBy: w.other ? authors.of(w.other) : undefined }));
    authors.record(transaction, origin.userId);
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

  /** Records the conflicts `inspect` found in an applied change, as the server. */
  readonly afterApply = (shared: SharedDoc, _origin: Origin, changes: Changes): void => {
    const writes = changes.findings.flatMap((f) => (f instanceof Found ? f.writes : []));
    if (writes.length === 0) return;
    // A row's own document records them in its dataset's.
    const room = parseRoom(shared.id);
    this.record(room?.row ? room.datasetId : shared.id, writes).catch((error: unknown) => shared.logError(error, 'recording conflicts failed'));
  };

  /**
   * Names the writers (from the store) and records the conflicts. The document may have been unloaded
   * meanwhile: they are recorded on the room's document as it is loaded then.
   */
  private async record(room: string, writes: Found['writes']): Promise<void> {
    const at = new Date().toISOString();
    const records: Array<Omit<ConflictRecord, 'status'>> = [];
    for (const w of writes) {
      const other = w.otherBy !== undefined
        ? await this.nameOf(w.otherBy)
        : (await this.readModel.lastCellAuthor(room, w.sheetId, w.rowId, w.columnId)) ?? null;
      const incoming = await this.nameOf(w.incomingBy);
      records.push({
        id: conflictId(w), sheet: w.sheetId, row: w.rowId, column: w.columnId, at,
        kept: w.kept, keptBy: w.incomingKept ? incoming : other,
        lost: w.lost, lostBy: w.incomingKept ? other : incoming,
      });
    }
    await this.registry.with(room, (shared) => shared.transact({ userId: null }, (doc) => {
      // Each instance that applied both writes finds the conflict: it is recorded once, and never reopened.
      for (const record of records) if (!findConflict(doc, record.id)) addConflict(doc, record);
    }));
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
    const inRowDocument = await this.rowsLayout(datasetId);
    // In the `rows` layout the value lost goes back into the row's own document first.
    if (choice === 'lost' && inRowDocument) await this.restoreInRow(datasetId, user, listed);
    return this.registry.with(datasetId, (shared) => shared.transact({ userId: user.id }, (doc) => {
      // The read model can lag the document by one turn: the document has the last word.
      const entry = findConflict(doc, conflictId);
      if (!entry) throw notFound(`No conflict "${conflictId}"`);
      const record = readConflict(conflictId, entry);
      if (record.status !== 'open') throw conflict('This conflict is resolved already');
      if (choice === 'lost' && !inRowDocument) {
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

  /** Writes a conflict's lost value into its row's own document, as `user`; refused as `resolve` says. */
  private async restoreInRow(datasetId: string, user: User, record: ConflictRecord): Promise<void> {
    await this.registry.with(rowRoom(datasetId, record.sheet, record.row), (shared) => shared.transact({ userId: user.id }, (doc) => {
      if (getRowState(doc).get(DELETED_KEY) === true) throw conflict('The row of this conflict was deleted');
      const cells = getRowCells(doc);
      if (!sameValue(cells.get(record.column) ?? null, record.kept)) {
        throw conflict('The cell was changed again since: look at it before choosing a value');
      }
      const value = record.lost;
      if (value === null || value === '') cells.delete(record.column);
      else cells.set(record.column, value as CellValue);
    }));
  }

  private async nameOf(userId: string | null): Promise<string | null> {
    return userId === null ? null : (await this.userName(userId)) ?? null;
  }
}
