/**
 * Per-user undo across rows, for the paged grid: one ordered stack of this user's steps, each the cells
 * it changed in any number of rows (an edit is one cell, a paste of many rows one step), with the value
 * each cell held before and after. Undo writes the values back, row by row, into the rows' own documents
 * (opening the rows again if they were closed), as this user's change.
 *
 * A cell someone else changed since is left as they made it (the value it holds is no longer this
 * user's): undo takes back only one's own changes, as Yjs's UndoManager does within one document. A
 * stack of values rather than one UndoManager per row document, because rows close (the tab keeps 32
 * open) and a paste spans more rows than are ever open at once; an UndoManager's history goes with its
 * document. A merge of duplicate rows is one step too, taken back and made again by the server (its
 * merged rows come back under their own ids, which only the server may do).
 */
import type { CellValue } from '../../model/columns';
import { type Before, MAX_OPEN, type RowDocs } from './row-docs';

export interface CellChange {
  sheet: string;
  row: string;
  column: string;
  /** undefined: the cell had never been set. */
  before: CellValue | undefined;
  after: CellValue;
}

/** A step the server takes back and makes again as a whole (a merge of duplicate rows), not cell values. */
export interface ServerStep {
  back(): Promise<number>;
  again(): Promise<number>;
}

export type Step = readonly CellChange[] | ServerStep;

/** Steps kept to undo. */
const MAX_STEPS = 100;

/**
 * Rows an undo, a paste or a clear has on their way at once (each a room of its own, on the tab's one rows
 * socket): opened, synced and written, a new one as soon as one is written. Below the answers the server
 * may owe one user at once (`MAX_OWED_PER_USER`, server/sync/step-one-guard.ts), with room for the user's
 * other tabs. With the rows written and not yet stored (`eachRow` opens a row once at most MAX_OPEN +
 * ROWS_AT_ONCE are open, each of the ROWS_AT_ONCE going on at once may pass that check together), at most
 * MAX_OPEN + 2 × ROWS_AT_ONCE rooms are open: half the rooms one socket may hold (`MAX_ROOMS_PER_SOCKET`).
 */
export const ROWS_AT_ONCE = 48;

/**
 * Runs `one` on each item, at most ROWS_AT_ONCE at a time, the next as soon as one is done (a sliding
 * window, not batches: a slow row holds up no other); each row is opened only once the tab holds fewer than
 * MAX_OPEN + ROWS_AT_ONCE rows (rows close once the server has stored what was written to them). Resolves
 * with the results in the items' order; on a failure no further item is started, and once those under way
 * are done the first failure is thrown.
 */
export async function eachRow<T, R>(rows: RowDocs, items: readonly T[], one: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed: { error: unknown } | null = null;
  const worker = async () => {
    while (failed === null && next < items.length) {
      const i = next++;
      try {
        await rows.roomFor(MAX_OPEN + ROWS_AT_ONCE);
        results[i] = await one(items[i]!);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ROWS_AT_ONCE, items.length) }, worker));
  if (failed) throw (failed as { error: unknown }).error;
  return results;
}

/** Changes of one write, from the values it found (`Before`) and the values it wrote. */
export function changesOf(sheet: string, row: string, before: Before, after: Record<string, CellValue>): CellChange[] {
  return Object.entries(after)
    .filter(([column, value]) => !same(before[column], value))
    .map(([column, value]) => ({ sheet, row, column, before: before[column], after: value }));
}

export class RowUndo {
  private readonly undone: Step[] = [];
  private readonly done: Step[] = [];
  private busy: Promise<unknown> = Promise.resolve();

  /**
   * `shown`: called with the values a row now holds after an undo or redo wrote into it, so the grid
   * shows them before the row's delta comes back.
   */
  constructor(private readonly rows: RowDocs, private readonly shown: (sheet: string, row: string, cells: Record<string, CellValue | undefined>) => void) {}

  /** Records a step of this user's (nothing when it changed nothing). */
  record(step: Step): void {
    if ('length' in step && step.length === 0) return;
    this.done.push(step);
    if (this.done.length > MAX_STEPS) this.done.shift();
    this.undone.length = 0;
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  /** Takes back the last step; resolves with how many cells it wrote back (0: nothing to undo). */
  undo(): Promise<number> {
    return this.queue(async () => {
      const step = this.done.pop();
      if (!step) return 0;
      this.undone.push(step);
      return 'back' in step ? step.back() : this.apply(step, 'back');
    });
  }

  redo(): Promise<number> {
    return this.queue(async () => {
      const step = this.undone.pop();
      if (!step) return 0;
      this.done.push(step);
      return 'again' in step ? step.again() : this.apply(step, 'again');
    });
  }

  private queue(run: () => Promise<number>): Promise<number> {
    const next = this.busy.then(run, run);
    this.busy = next.catch(() => undefined);
    return next;
  }

  /** Writes a step's values back (or again), a few dozen rows at a time (`eachRow`); a cell changed by someone since is left. */
  private async apply(step: readonly CellChange[], way: 'back' | 'again'): Promise<number> {
    const byRow = new Map<string, CellChange[]>();
    for (const change of step) {
      const key = `${change.sheet}\u0000${change.row}`;
      byRow.set(key, [...(byRow.get(key) ?? []), change]);
    }
    let written = 0;
    await eachRow(this.rows, [...byRow.values()], async (changes) => {
      const { sheet, row } = changes[0]!;
      const now = await this.rows.change(sheet, row, (cells) => {
        const values: Record<string, CellValue | undefined> = {};
        for (const change of changes) {
          const [from, to] = way === 'back' ? [change.after, change.before] : [change.before, change.after];
          if (!same(cells.get(change.column), from)) continue;
          if (to === undefined) cells.delete(change.column);
          else cells.set(change.column, to);
          values[change.column] = to;
          written += 1;
        }
        return values;
      });
      if (Object.keys(now).length > 0) this.shown(sheet, row, now);
    });
    return written;
  }
}

/** Cell values compared as values: lists and anchors by their contents. */
export function same(a: CellValue | undefined, b: CellValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
