/**
 * Review rules: flags with comment threads, resolving, approving, and the rule that an edit sets an
 * approved row back to `unreviewed`. Decisions read the read model, and besides it the dataset's
 * document when it is loaded and hot: clients see a change as soon as it is applied, up to a store
 * write before the read model has it, and a request about a row, a flag or an edit a client has seen
 * must find it. A cold document is never warmed to check a request (its changes are all stored); only
 * an accepted change warms it to write it. The sync engine tells this module of every applied change
 * (`afterApply`).
 */
import { ulid } from 'ulid';
import type { ErrorCode } from '../../model/codes';
import type { CellValue } from '../../model/columns';
import { hasRole, type Role } from '../../model/roles';
import type * as Y from 'yjs';
import { getSheet, readColumns, reviewStatus, sheetOfRow, sheetRows } from '../../model/document';
import {
  addComment, addFlag, type FlagComment, type FlagRecord, findFlag, openFlagCount, resolveFlag, rowFlagRecords, setReviewStatus,
} from '../../model/reviews';
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

export class Review {
  constructor(
    private readonly registry: DocRegistry,
    private readonly readModel: ReadModel,
    private readonly sheets: (datasetId: string) => Promise<SheetSummary[]>,
  ) {}

  /** The dataset's flags, filtered, each with the authors of its row. */
  async flags(datasetId: string, filter: FlagFilter): Promise<ListedFlag[]> {
    const flags = await this.readModel.flags(datasetId, filter);
    const authors = await this.readModel.rowAuthors(datasetId, [...new Set(flags.map((f) => f.row))]);
    return flags.map((f) => ({ ...f, ...(authors.get(f.row) ?? NO_AUTHORS) }));
  }

  /** A row's review state for `user`: its status, who coded it, and whether `user` may approve it now (and why not). */
  async row(dataset: DatasetRecord, user: User, role: Role, rowId: string): Promise<RowReviewView> {
    const state = await this.rowState(dataset.id, rowId);
    if (!state) throw notFound(`No row "${rowId}"`);
    const unstored = this.unstoredByRow(dataset.id).get(rowId) ?? [];
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
    if ((await this.rowState(dataset.id, input.row))?.sheetId !== input.sheet) throw notFound(`No row "${input.row}" in sheet "${input.sheet}"`);
    const flag = {
      id: ulid(), sheet: input.sheet, column, reason: input.reason, note: input.note ?? '', by: user.name, at: new Date().toISOString(),
    };
    await this.change(dataset.id, user, (doc, record) => {
      // The row may have left the sheet since it was looked up: the document has the last word (in the
      // rows layout it holds no rows, and the read model's answer above stands).
      const rows = getSheet(doc, input.sheet);
      if (!rows || (dataset.layout !== 'rows' && !sheetRows(rows).has(input.row))) throw notFound(`No row "${input.row}" in sheet "${input.sheet}"`);
      if (column !== null && !readColumns(rows).some((c) => c.id === column)) throw badRequest(`No column "${column}" in sheet "${input.sheet}"`);
      const old = reviewStatus(doc, input.row);
      addFlag(doc, input.row, flag);
      if (old !== 'flagged') record({ sheetId: input.sheet, rowId: input.row, columnId: REVIEW_STATUS, old, new: 'flagged' });
    });
    return { ...flag, row: input.row, status: 'open', comments: [] };
  }

  /** Adds a comment to a flag's thread; `fixed`: the coder says the row is fixed. */
  async comment(datasetId: string, user: User, flagId: string, text: string, fixed = false): Promise<FlagComment> {
    await this.requireFlag(datasetId, flagId);
    const comment: FlagComment = { id: ulid(), by: user.name, at: new Date().toISOString(), text, ...(fixed && { kind: 'fixed' as const }) };
    await this.change(datasetId, user, (doc) => addComment(this.flagIn(doc, flagId).flag, comment));
    return comment;
  }

  /**
   * Resolves an open flag; a row with no open flag left becomes `unreviewed`. Only the flag's author,
   * or another reviewer who neither coded the row (since it was created or last approved) nor changed
   * it since the flag was raised, may: the coder answers the question, and cannot close it.
   */
  async resolve(datasetId: string, user: User, flagId: string, resolution?: string): Promise<FlagRecord> {
    const listed = await this.requireFlag(datasetId, flagId);
    if (listed.status !== 'open') throw conflict('This flag is resolved already');
    if (listed.by !== user.name && await this.isCoderOf(datasetId, listed, user)) {
      throw forbidden('You coded this row: answer the flag or mark it fixed, and its reviewer (or another one) resolves it');
    }
    return this.change(datasetId, user, (doc, record) => {
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
    // Before the read model is read: what the store commits meanwhile is in the one or the other.
    const unstored = this.unstoredByRow(dataset.id);
    const authors = await this.readModel.rowAuthors(dataset.id, rowIds);
    const accepted: Array<{ rowId: string; sheetId: string }> = [];
    for (const rowId of new Set(rowIds)) {
      const state = await this.rowState(dataset.id, rowId);
      const refusal = this.approvalRefusal(dataset, user, rowId, state, authors.get(rowId) ?? NO_AUTHORS, unstored.get(rowId) ?? []);
      if (refusal) result.refused.push({ row: rowId, code: refusal.code, message: refusal.message });
      else accepted.push({ rowId, sheetId: state!.sheetId });
    }
    if (accepted.length === 0) return result;
    await this.change(dataset.id, user, (doc, record) => {
      for (const { rowId, sheetId } of accepted) {
        if (openFlagCount(doc, rowId) > 0) {
          result.refused.push({ row: rowId, code: 'conflict', message: 'This row has open flags: resolve them first' });
          continue;
        }
        const old = reviewStatus(doc, rowId);
        if (old !== 'approved') {
          setReviewStatus(doc, rowId, 'approved');
          record({ sheetId, rowId, columnId: REVIEW_STATUS, old, new: 'approved' });
        }
        result.approved.push(rowId);
      }
    });
    return result;
  }

  /** Any change to a cell of an approved row sets it back to `unreviewed`, recorded in the history. */
  readonly afterApply = (shared: SharedDoc, origin: Origin, changes: Changes): void => {
    const edited = changes.changedRows();
    if (edited.length > 0) this.unapprove(shared, origin, edited);
  };

  /**
   * `afterApply` for a row whose document is its own (layout `rows`): its review is kept in the dataset's
   * document, which is loaded for it.
   */
  readonly afterRowApply = (datasetId: string, origin: Origin, changes: Changes): void => {
    const edited = changes.changedRows();
    if (edited.length === 0 || changes.cells.length === 0) return;
    this.registry.with(datasetId, (shared) => this.unapprove(shared, origin, edited))
      .catch((error: unknown) => this.registry.loaded(datasetId)?.logError(error, 'unapproving an edited row failed'));
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

  private async isCoderOf(datasetId: string, flag: FlagRecord, user: User): Promise<boolean> {
    const since = Date.parse(flag.at);
    const unstored = this.unstoredByRow(datasetId).get(flag.row) ?? [];
    if (unstored.some((c) => c.columnId !== REVIEW_STATUS && c.userId === user.id && c.at >= since)) return true;
    if ((await this.readModel.rowEditorsSince(datasetId, flag.row, since)).includes(user.name)) return true;
    return changedSinceApproval(user, (await this.readModel.rowAuthors(datasetId, [flag.row])).get(flag.row) ?? NO_AUTHORS, unstored);
  }

  /** A flag as the loaded document has it, else as the read model has it. */
  private async requireFlag(datasetId: string, flagId: string): Promise<FlagRecord> {
    const flag = this.live(datasetId, (doc) => {
      const found = findFlag(doc, flagId);
      return found && rowFlagRecords(doc, found.rowId).find((f) => f.id === flagId);
    }) ?? await this.readModel.flag(datasetId, flagId);
    if (!flag) throw notFound(`No flag "${flagId}"`);
    return flag;
  }

  /** A row's sheet, status and open flags: as the loaded document has them, else as the read model has them. */
  private async rowState(datasetId: string, rowId: string): Promise<RowReview | undefined> {
    return this.live(datasetId, (doc) => {
      const sheetId = sheetOfRow(doc, rowId);
      return sheetId === undefined ? undefined : { sheetId, status: reviewStatus(doc, rowId), openFlags: openFlagCount(doc, rowId) };
    }) ?? this.readModel.rowReview(datasetId, rowId);
  }

  /**
   * What `reader` finds in the dataset's document if it is loaded and hot (it may hold what the read
   * model has not yet); undefined otherwise. Never loads or warms a document.
   */
  private live<T>(datasetId: string, reader: (doc: Y.Doc) => T | undefined): T | undefined {
    const shared = this.registry.loaded(datasetId);
    return shared?.isHot ? shared.read(reader) : undefined;
  }

  /**
   * The history entries that the loaded document applied and the store has not committed yet, by row,
   * oldest first. Taken before reading the read model, so that a commit in between is in the one or the other.
   */
  private unstoredByRow(datasetId: string): Map<string, CellChange[]> {
    const byRow = new Map<string, CellChange[]>();
    for (const change of this.registry.loaded(datasetId)?.unstoredCells() ?? []) {
      const entries = byRow.get(change.rowId);
      if (entries) entries.push(change);
      else byRow.set(change.rowId, [change]);
    }
    return byRow;
  }

  private flagIn(doc: Y.Doc, flagId: string) {
    const found = findFlag(doc, flagId);
    if (!found) throw notFound(`No flag "${flagId}"`);
    return found;
  }

  /** One change to the dataset's document as `user`, stored and synced like any other. */
  private change<T>(datasetId: string, user: User, change: (doc: Y.Doc, record: RecordHistory) => T): Promise<T> {
    return this.registry.with(datasetId, (shared) => shared.transact({ userId: user.id }, change));
  }
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
