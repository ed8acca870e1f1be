/**
 * Review rules: flags with comment threads, resolving, approving, and the rule that an edit sets an
 * approved row back to `unreviewed`. A row's review is kept in the document that holds the row: the
 * dataset's, or in the `rows` layout the row's own (docs/design/million-rows.md), so a dataset's room
 * does not grow with its reviewed rows.
 *
 * Decisions read the read model, and besides it the document when it is loaded (and hot): clients see a
 * change as soon as it is applied, up to a store write before the read model has it, and a request about
 * a row, a flag or an edit a client has seen must find it. A cold document is never warmed to check a
 * request (its changes are all stored); only an accepted change warms it to write it. The sync engine
 * tells this module of every applied change (`afterApply`, `afterRowApply`).
 */
import { ulid } from 'ulid';
import type { ErrorCode } from '../../model/codes';
import type { CellValue } from '../../model/columns';
import { hasRole, type Role } from '../../model/roles';
import type * as Y from 'yjs';
import { getReviews, getSheet, readColumns, type ReviewStatus, reviewStatus, sheetOfRow, sheetRows } from '../../model/document';
import {
  addComment, addFlag, type FlagComment, type FlagRecord, findFlag, openFlagCount, resolveFlag, rowFlagRecords, setReviewStatus,
} from '../../model/reviews';
import { rowRoom } from '../../model/rooms';
import { ReviewDocs, type RowPlace } from './review-docs';
import { isRowDeleted } from '../../model/row-document';
import type { User } from '../auth/users';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors';
import type { DatasetRecord, FlagFilter, ReadModel, RowAuthors, RowReview, SheetSummary } from '../storage';
import type { Changes, Origin } from '../sync/changes';
import type { DocRegistry } from '../sync/registry';
import type { RecordHistory, SharedDoc } from '../sync/shared-doc';
import type { CellChange } from '../sync/store';

export interface NewFlag {
  sheet: string;
  row: string;
  column?: string | null;
  reason: string;
  note?: string;
}

/** A flag as listed: its thread, and who coded its row. */
export type ListedFlag = FlagRecord & RowAuthors;

export interface RowReviewView extends RowAuthors {
  row: string;
  sheet: string;
  status: string;
  openFlags: number;
  canApprove: boolean;
  approveRefusal?: string;
}

export type TimelineEvent = { at: string; by: string | null } & (
  | { kind: 'cell'; column: string; old: CellValue; new: CellValue }
  | { kind: 'flagged'; flag: string; column: string | null; reason: string; note: string }
  | { kind: 'answered' | 'fixed'; flag: string; text: string }
  | { kind: 'resolved'; flag: string; resolution: string }
  | { kind: 'approved' | 'reset' }
);

export interface ApproveResult {
  approved: string[];
  refused: Array<{ row: string; code: ErrorCode; message: string }>;
}

/** History entries of review status changes use this column id (the export's own column). */
const REVIEW_STATUS = 'review_status';

const NO_AUTHORS: RowAuthors = { coders: [], lastChangedBy: null, sinceApproval: [] };

/** Rows approved at once in the `rows` layout, each in its own document. */
const ROWS_AT_ONCE = 32;

export class Review {
  private readonly docs: ReviewDocs;

  constructor(
    private readonly registry: DocRegistry,
    private readonly readModel: ReadModel,
    private readonly sheets: (datasetId: string) => Promise<SheetSummary[]>,
  ) {
    this.docs = new ReviewDocs(registry, readModel);
  }

  /** The dataset's flags, filtered, each with the authors of its row. */
  async flags(datasetId: string, filter: FlagFilter): Promise<ListedFlag[]> {
    const flags = await this.readModel.flags(datasetId, filter);
    const authors = await this.readModel.rowAuthors(datasetId, [...new Set(flags.map((f) => f.row))]);
    return flags.map((f) => ({ ...f, ...(authors.get(f.row) ?? NO_AUTHORS) }));
  }

  /** A row's review state for `user`: its status, who coded it, and whether `user` may approve it now (and why not). */
  async row(dataset: DatasetRecord, user: User, role: Role, rowId: string): Promise<RowReviewView> {
    const state = await this.rowState(dataset, rowId);
    if (!state) throw notFound(`No row "${rowId}"`);
    const unstored = this.unstoredOf(dataset, rowId, state.sheetId);
    const authors = (await this.readModel.rowAuthors(dataset.id, [rowId])).get(rowId) ?? NO_AUTHORS;
    const refusal = hasRole(role, 'reviewer')
      ? this.approvalRefusal(dataset, user, rowId, state, authors, unstored)
      : forbidden('Approving needs the reviewer role');
    return {
      row: rowId, sheet: state.sheetId, status: state.status, openFlags: state.openFlags, ...authors,
      canApprove: refusal === null, ...(refusal && { approveRefusal: refusal.message }),
    };
  }

  /**
   * A row's story, oldest first: cell changes beside the review's steps (flagged, answered, marked
   * fixed, resolved, approved, and reset to unreviewed by an edit), each with who and when.
   */
  async timeline(datasetId: string, rowId: string): Promise<TimelineEvent[]> {
    const events: TimelineEvent[] = [];
    for (const h of await this.readModel.history(datasetId, rowId)) {
      if (h.column !== REVIEW_STATUS) events.push({ kind: 'cell', at: h.at, by: h.by, column: h.column, old: h.old, new: h.new });
      else if (h.new === 'approved') events.push({ kind: 'approved', at: h.at, by: h.by });
      else if (h.old === 'approved') events.push({ kind: 'reset', at: h.at, by: h.by });
      // Flagged and resolved come from the flags themselves, with their details.
    }
    for (const f of await this.readModel.flags(datasetId, { row: rowId })) {
      events.push({ kind: 'flagged', at: f.at, by: f.by, flag: f.id, column: f.column, reason: f.reason, note: f.note });
      for (const c of f.comments) events.push({ kind: c.kind === 'fixed' ? 'fixed' : 'answered', at: c.at, by: c.by, flag: f.id, text: c.text });
      if (f.status === 'resolved' && f.resolvedAt) {
        events.push({ kind: 'resolved', at: f.resolvedAt, by: f.resolvedBy ?? null, flag: f.id, resolution: f.resolution ?? '' });
      }
    }
    // Stable: events at the same instant keep the order they were added in.
    return events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  /** Flags a row or one of its cells; the row becomes `flagged`. */
  async addFlag(dataset: DatasetRecord, user: User, input: NewFlag): Promise<FlagRecord> {
    const { flagReasons } = dataset.settings;
    if (!flagReasons.includes(input.reason)) {
      throw badRequest(`reason "${input.reason}" is not one of this dataset's flag reasons: ${flagReasons.join(', ')}`);
    }
    const columns = this.live(dataset.id, (doc) => {
      const sheet = getSheet(doc, input.sheet);
      return sheet ? readColumns(sheet) : undefined;
    }) ?? (await this.sheets(dataset.id)).find((s) => s.id === input.sheet)?.columns;
    if (!columns) throw notFound(`No sheet "${input.sheet}"`);
    const column = input.column ?? null;
    if (column !== null && !columns.some((c) => c.id === column)) throw badRequest(`No column "${column}" in sheet "${input.sheet}"`);
    if ((await this.rowState(dataset, input.row))?.sheetId !== input.sheet) throw notFound(`No row "${input.row}" in sheet "${input.sheet}"`);
    const flag = {
      id: ulid(), sheet: input.sheet, column, reason: input.reason, note: input.note ?? '', by: user.name, at: new Date().toISOString(),
    };
    await this.change(dataset, { sheetId: input.sheet, rowId: input.row }, user.id, (doc, record) => {
      // The row may have left the sheet since it was looked up: the document has the last word.
      if (dataset.layout === 'rows') {
        if (isRowDeleted(doc)) throw notFound(`No row "${input.row}" in sheet "${input.sheet}"`);
      } else {
        const rows = getSheet(doc, input.sheet);
        if (!rows || !sheetRows(rows).has(input.row)) throw notFound(`No row "${input.row}" in sheet "${input.sheet}"`);
        if (column !== null && !readColumns(rows).some((c) => c.id === column)) throw badRequest(`No column "${column}" in sheet "${input.sheet}"`);
      }
      const old = reviewStatus(doc, input.row);
      addFlag(doc, input.row, flag);
      if (old !== 'flagged') record({ sheetId: input.sheet, rowId: input.row, columnId: REVIEW_STATUS, old, new: 'flagged' });
    });
    return { ...flag, row: input.row, status: 'open', comments: [] };
  }

  /** Adds a comment to a flag's thread; `fixed`: the coder says the row is fixed. */
  async comment(dataset: DatasetRecord, user: User, flagId: string, text: string, fixed = false): Promise<FlagComment> {
    const listed = await this.requireFlag(dataset, flagId);
    const comment: FlagComment = { id: ulid(), by: user.name, at: new Date().toISOString(), text, ...(fixed && { kind: 'fixed' as const }) };
    await this.change(dataset, { sheetId: listed.sheet, rowId: listed.row }, user.id, (doc) => addComment(this.flagIn(doc, flagId).flag, comment));
    return comment;
  }

  /**
   * Resolves an open flag; a row with no open flag left becomes `unreviewed`. Only the flag's author,
   * or another reviewer who neither coded the row (since it was created or last approved) nor changed
   * it since the flag was raised, may: the coder answers the question, and cannot close it.
   */
  async resolve(dataset: DatasetRecord, user: User, flagId: string, resolution?: string): Promise<FlagRecord> {
    const listed = await this.requireFlag(dataset, flagId);
    if (listed.status !== 'open') throw conflict('This flag is resolved already');
    if (listed.by !== user.name && await this.isCoderOf(dataset, listed, user)) {
      throw forbidden('You coded this row: answer the flag or mark it fixed, and its reviewer (or another one) resolves it');
    }
    return this.change(dataset, { sheetId: listed.sheet, rowId: listed.row }, user.id, (doc, record) => {
      const { rowId, flag } = this.flagIn(doc, flagId);
      if (flag.get('status') !== 'open') throw conflict('This flag is resolved already');
      const old = reviewStatus(doc, rowId);
      resolveFlag(doc, rowId, flag, user.name, new Date().toISOString(), resolution);
      const now = reviewStatus(doc, rowId);
      if (now !== old) record({ sheetId: listed.sheet, rowId, columnId: REVIEW_STATUS, old, new: now });
      return { ...(flag.toJSON() as FlagRecord), row: rowId, comments: (flag.get('comments') as { toJSON(): FlagComment[] } | undefined)?.toJSON() ?? [] };
    });
  }

  /**
   * Approves rows. A row is refused while it has open flags, and (four eyes, unless the dataset turned
   * it off) when the approver changed any of its cells since it was created or last approved.
   */
  async approve(dataset: DatasetRecord, user: User, rowIds: readonly string[]): Promise<ApproveResult> {
    const result: ApproveResult = { approved: [], refused: [] };
    const states = new Map<string, RowReview | undefined>();
    for (const rowId of new Set(rowIds)) states.set(rowId, await this.rowState(dataset, rowId));
    // Before the read model is read: what the store commits meanwhile is in the one or the other.
    const unstored = new Map([...states].map(([rowId, state]) => [rowId, state ? this.unstoredOf(dataset, rowId, state.sheetId) : []]));
    const authors = await this.readModel.rowAuthors(dataset.id, rowIds);
    const accepted: RowPlace[] = [];
    for (const [rowId, state] of states) {
      const refusal = this.approvalRefusal(dataset, user, rowId, state, authors.get(rowId) ?? NO_AUTHORS, unstored.get(rowId)!);
      if (refusal) result.refused.push({ row: rowId, code: refusal.code, message: refusal.message });
      else accepted.push({ rowId, sheetId: state!.sheetId });
    }
    const approve = (doc: Y.Doc, record: RecordHistory, { rowId, sheetId }: RowPlace): boolean => {
      if (openFlagCount(doc, rowId) > 0) return false;
      const old = reviewStatus(doc, rowId);
      if (old !== 'approved') {
        setReviewStatus(doc, rowId, 'approved');
        record({ sheetId, rowId, columnId: REVIEW_STATUS, old, new: 'approved' });
      }
      return true;
    };
    let approved: boolean[] = [];
    if (dataset.layout !== 'rows') {
      // One change of the dataset's document for all of them.
      if (accepted.length > 0) approved = await this.registry.with(dataset.id, (shared) =>
        shared.transact({ userId: user.id }, (doc, record) => accepted.map((row) => approve(doc, record, row))));
    } else {
      // A change of each row's own document; some at a time, each stored before it answers.
      for (let i = 0; i < accepted.length; i += ROWS_AT_ONCE) {
        const some = accepted.slice(i, i + ROWS_AT_ONCE);
        approved.push(...await Promise.all(some.map((row) => this.change(dataset, row, user.id, (doc, record) => approve(doc, record, row)))));
      }
    }
    accepted.forEach(({ rowId }, i) => {
      if (approved[i]) result.approved.push(rowId);
      else result.refused.push({ row: rowId, code: 'conflict', message: 'This row has open flags: resolve them first' });
    });
    return result;
  }

  /** Any change to a cell of an approved row sets it back to `unreviewed`, recorded in the history. */
  readonly afterApply = (shared: SharedDoc, origin: Origin, changes: Changes): void => {
    const edited = changes.changedRows();
    if (edited.length > 0) this.unapprove(shared, origin, edited);
  };

  /**
   * `afterApply` for a row whose document is its own (layout `rows`): its review is in that document. A
   * review kept in the dataset's document before rows had their own is found in the read model.
   */
  readonly afterRowApply = (shared: SharedDoc, datasetId: string, origin: Origin, changes: Changes): void => {
    const edited = changes.changedRows();
    if (edited.length === 0 || changes.cells.length === 0) return;
    const { sheetId, rowId } = edited[0]!;
    if (shared.read((doc) => getReviews(doc).has(rowId))) {
      this.unapprove(shared, origin, edited);
      return;
    }
    void this.readModel.rowReview(datasetId, rowId).then(async (stored) => {
      if (stored?.status !== 'approved') return;
      await this.change({ id: datasetId, layout: 'rows' }, { sheetId, rowId }, origin.userId, (doc, record) => {
        if (reviewStatus(doc, rowId) !== 'approved') return;
        setReviewStatus(doc, rowId, 'unreviewed');
        record({ sheetId, rowId, columnId: REVIEW_STATUS, old: 'approved', new: 'unreviewed' });
      });
    }).catch((error: unknown) => shared.logError(error, 'unapproving an edited row failed'));
  };

  private unapprove(shared: SharedDoc, origin: Origin, edited: ReadonlyArray<{ sheetId: string; rowId: string }>): void {
    const approved = shared.read((doc) => edited.filter(({ rowId }) => reviewStatus(doc, rowId) === 'approved'));
    if (approved.length === 0) return;
    // Applied at once (the document is not waiting for the store while it applies a change).
    shared.transact({ userId: origin.userId }, (doc, record) => {
      for (const { sheetId, rowId } of approved) {
        setReviewStatus(doc, rowId, 'unreviewed');
        record({ sheetId, rowId, columnId: REVIEW_STATUS, old: 'approved', new: 'unreviewed' });
      }
    }).catch((error: unknown) => shared.logError(error, 'unapproving edited rows failed'));
  };

  private approvalRefusal(
    dataset: DatasetRecord, user: User, rowId: string, state: RowReview | undefined, authors: RowAuthors, unstored: readonly CellChange[],
  ): AppError | null {
    if (state === undefined) return notFound(`No row "${rowId}"`);
    const open = state.openFlags;
    if (open > 0) return conflict(`This row has ${open} open flag${open === 1 ? '' : 's'}: resolve them first`);
    if (dataset.settings.fourEyes && changedSinceApproval(user, authors, unstored)) {
      return conflict('You changed this row since it was last approved: someone else must approve it (four eyes)');
    }
    return null;
  }

  private async isCoderOf(dataset: DatasetRecord, flag: FlagRecord, user: User): Promise<boolean> {
    const since = Date.parse(flag.at);
    const unstored = this.unstoredOf(dataset, flag.row, flag.sheet);
    if (unstored.some((c) => c.columnId !== REVIEW_STATUS && c.userId === user.id && c.at >= since)) return true;
    if ((await this.readModel.rowEditorsSince(dataset.id, flag.row, since)).includes(user.name)) return true;
    return changedSinceApproval(user, (await this.readModel.rowAuthors(dataset.id, [flag.row])).get(flag.row) ?? NO_AUTHORS, unstored);
  }

  /** A flag as the loaded document has it, else as the read model has it. */
  private async requireFlag(dataset: DatasetRecord, flagId: string): Promise<FlagRecord> {
    const inDoc = (doc: Y.Doc) => {
      const found = findFlag(doc, flagId);
      return found && rowFlagRecords(doc, found.rowId).find((f) => f.id === flagId);
    };
    // In the `rows` layout the read model says which row's document to look in.
    const stored = dataset.layout === 'rows' ? await this.readModel.flag(dataset.id, flagId) : undefined;
    const room = stored ? rowRoom(dataset.id, stored.sheet, stored.row) : dataset.id;
    const flag = this.live(room, inDoc) ?? stored ?? await this.readModel.flag(dataset.id, flagId);
    if (!flag) throw notFound(`No flag "${flagId}"`);
    return flag;
  }

  /** A row's sheet, status and open flags: as the loaded document has them, else as the read model has them. */
  private async rowState(dataset: DatasetRecord, rowId: string): Promise<RowReview | undefined> {
    if (dataset.layout === 'rows') {
      const stored = await this.readModel.rowReview(dataset.id, rowId);
      const live = stored && this.live(rowRoom(dataset.id, stored.sheetId, rowId), (doc) => (getReviews(doc).has(rowId) ? reviewOf(doc, rowId) : undefined));
      return stored && { ...stored, ...live };
    }
    return this.live(dataset.id, (doc) => {
      const sheetId = sheetOfRow(doc, rowId);
      return sheetId === undefined ? undefined : { sheetId, ...reviewOf(doc, rowId) };
    }) ?? this.readModel.rowReview(dataset.id, rowId);
  }

  /**
   * What `reader` finds in a room's document if it is loaded and hot (it may hold what the read model
   * has not yet); undefined otherwise. Never loads or warms a document.
   */
  private live<T>(room: string, reader: (doc: Y.Doc) => T | undefined): T | undefined {
    const shared = this.registry.loaded(room);
    return shared?.isHot ? shared.read(reader) : undefined;
  }

  /**
   * The history entries of a row that its document applied and the store has not committed yet, oldest
   * first. Taken before reading the read model, so that a commit in between is in the one or the other.
   */
  private unstoredOf(dataset: DatasetRecord, rowId: string, sheetId: string): CellChange[] {
    const cells = this.registry.loaded(this.docs.roomOf(dataset, { sheetId, rowId }))?.unstoredCells() ?? [];
    return cells.filter((change) => change.rowId === rowId);
  }

  private flagIn(doc: Y.Doc, flagId: string) {
    const found = findFlag(doc, flagId);
    if (!found) throw notFound(`No flag "${flagId}"`);
    return found;
  }

  /** One change to the document that keeps the row's review, as `userId`. */
  private change<T>(dataset: Pick<DatasetRecord, 'id' | 'layout'>, place: RowPlace, userId: string | null, change: (doc: Y.Doc, record: RecordHistory) => T): Promise<T> {
    return this.docs.change(dataset, place, { userId }, change);
  }
}

/** A row's status and open flags in a document that keeps its review. */
function reviewOf(doc: Y.Doc, rowId: string): { status: ReviewStatus; openFlags: number } {
  return { status: reviewStatus(doc, rowId), openFlags: openFlagCount(doc, rowId) };
}

/**
 * Whether `user` changed a cell of a row since it was created or last approved: in its history as the
 * read model has it (`authors`), or in the entries applied since and not yet stored (`unstored`).
 */
function changedSinceApproval(user: User, authors: RowAuthors, unstored: readonly CellChange[]): boolean {
  const approval = unstored.findLastIndex((c) => c.columnId === REVIEW_STATUS && c.new === 'approved');
  if (unstored.slice(approval + 1).some((c) => c.columnId !== REVIEW_STATUS && c.userId === user.id)) return true;
  return approval < 0 && authors.sinceApproval.includes(user.name);
}
