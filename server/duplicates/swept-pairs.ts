/**
 * The candidate pairs a sweep of a large sheet found (`sweep.ts`), kept between requests
 * (docs/actors-and-duplicates.md#how-fast), so that a later request sweeps only the dates around the rows written
 * since rather than every dated row again.
 *
 * A pair is what its two rows' keys say, whatever the other rows hold: the pairs of rows nobody wrote since stay
 * as they were. So a later request reads the rows written since the last read began (the read model's
 * `updated_at`, with the margin the kept keys allow: MARGIN_MS), drops the pairs that name one of them or a row no
 * longer in the sheet (the ids in the pairs are looked up), and sweeps again, in date order as the first sweep
 * did, the dates each written row may meet others on: its own day and `days` either side, or its partial date.
 * Of what that finds it keeps the pairs with a written row. Those are the pairs a sweep of every row finds, so
 * the groups are the same.
 *
 * What is kept is the pairs (two rows' ids and date spans each), not the rows. Every row is swept again when
 * the compared columns or an actor list changed, when more rows were written than MAX_CHANGED (an import, a
 * bulk edit: sweeping around each costs more than sweeping all), and once the pairs are KEPT_MS old, as the kept
 * keys are. One request per sheet and `days` works on them at a time.
 */
import type { DuplicateColumns } from './columns';
import { KEPT_MS, MARGIN_MS } from './keys-cache';
import { type Comparable, dateSpan, type DuplicateKeys, type Pair } from './score';
import { SerialByKey } from './serial';
import type { ChangedDate, DuplicateStore } from './store';
import { sweepPairs, type SweepStats } from './sweep';

/** Rows written since the last sweep past which every row is swept again. */
export const MAX_CHANGED = 20_000;
/** Sweeps kept (sheet and `days`; the most recently asked for). */
const SWEEPS_KEPT = 4;
const DAY_MS = 86_400_000;

/** How a sheet is swept: its compared columns, and what it compares. */
export interface SweepOf {
  columns: DuplicateColumns;
  sheet: Comparable;
}

/** Reads through one consistent state of the store (`Storage.snapshot`). */
export type InSnapshot = <T>(read: (store: DuplicateStore) => Promise<T>) => Promise<T>;

/** The date-ordered pages of a sheet's keys (`datePages`), all of them or those whose date key is in `between`. */
export type DatePagesOf = (store: DuplicateStore, between?: { from: string; to: string }) => AsyncIterable<ReadonlyArray<DuplicateKeys | null>>;

/** What the last request did, for the tests and the bench: swept every row or around the written ones. */
export interface SweptRun {
  whole: boolean;
  /** Rows read in date order. */
  rows: number;
  /** Rows written since the sweep before. */
  written: number;
}

interface Kept {
  /** The compared columns and actor lists the pairs were found with. */
  version: string;
  pairs: Pair[];
  /** When the last read began; when every row was last swept. */
  readAt: number;
  builtAt: number;
  /** The sheet's rows then. */
  count: number;
}

export class SweptPairs {
  private readonly kept = new Map<string, Kept>();
  private readonly serial = new SerialByKey();
  last: SweptRun | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** The candidate pairs of a sheet's dated rows (dismissed ones too), as `sweepPairs` finds them over every row. */
  pairs(datasetId: string, sheetId: string, days: number, version: string, of: SweepOf, pages: DatePagesOf, snapshot: InSnapshot): Promise<Pair[]> {
    const id = `${datasetId}\u0000${sheetId}\u0000${days}`;
    const run = async () => {
      const kept = this.kept.get(id);
      const fresh = kept !== undefined && kept.version === version && this.now() - kept.builtAt < KEPT_MS;
      const updated = fresh ? await this.update(datasetId, sheetId, days, kept, of, pages, snapshot) : null;
      const now = updated ?? await this.sweepAll(datasetId, sheetId, days, version, of, pages, snapshot);
      this.kept.delete(id);
      this.kept.set(id, now);
      while (this.kept.size > SWEEPS_KEPT) this.kept.delete(this.kept.keys().next().value!);
      return now.pairs;
    };
    return this.serial.run(id, run);
  }

  /** Forgets a sheet's pairs (it is small enough for its keys to be kept instead, say). */
  forget(datasetId: string, sheetId: string): void {
    for (const id of this.kept.keys()) {
      const [dataset, sheet] = id.split('\u0000');
      if (dataset === datasetId && sheet === sheetId) this.kept.delete(id);
    }
  }

  private async sweepAll(
    datasetId: string, sheetId: string, days: number, version: string, of: SweepOf, pages: DatePagesOf, snapshot: InSnapshot,
  ): Promise<Kept> {
    const readAt = this.now();
    const stats: SweepStats = { rows: 0, largestWindow: 0 };
    const kept = await snapshot(async (store) => ({
      version, readAt, builtAt: readAt,
      pairs: await sweepPairs(pages(store), days, of.sheet, { stats }),
      count: await store.rowCount(datasetId, sheetId),
    }));
    this.last = { whole: true, rows: stats.rows, written: 0 };
    return kept;
  }

  /** The kept pairs brought up to date around the rows written since; null when too many were (then all are swept). */
  private async update(
    datasetId: string, sheetId: string, days: number, kept: Kept, of: SweepOf, pages: DatePagesOf, snapshot: InSnapshot,
  ): Promise<Kept | null> {
    const readAt = this.now();
    const stats: SweepStats = { rows: 0, largestWindow: 0 };
    const updated = await snapshot(async (store): Promise<Kept | null> => {
      const changed = await store.changedDates(datasetId, sheetId, of.columns.date, kept.readAt - MARGIN_MS, MAX_CHANGED + 1);
      if (changed.length > MAX_CHANGED) return null;
      const count = await store.rowCount(datasetId, sheetId);
      this.last = { whole: false, rows: 0, written: changed.length };
      // Nothing written, and as many rows: none deleted either (a row added would have been written).
      if (changed.length === 0 && count === kept.count) return { ...kept, readAt };
      const written = new Set(changed.map((c) => c.rowId));
      const named = new Set<string>();
      for (const { a, b } of kept.pairs) {
        if (!written.has(a.row)) named.add(a.row);
        if (!written.has(b.row)) named.add(b.row);
      }
      const there = await store.existingRows(datasetId, sheetId, [...named]);
      const pairs = kept.pairs.filter(({ a, b }) => there.has(a.row) && there.has(b.row));
      for (const between of dateRanges(changed, days)) {
        pairs.push(...await sweepPairs(pages(store, between), days, of.sheet, { involving: written, stats }));
      }
      return { ...kept, pairs, readAt, count };
    });
    if (this.last && !this.last.whole) this.last.rows = stats.rows;
    return updated;
  }
}

/**
 * The ranges of date keys (`DatePosition.key`, both ends included) a sweep reads to find every pair of the rows
 * written: a row dated to the day meets the rows of `days` days either side, one dated to a month or a year those
 * of the same partial date (the same key), one without a date none. Overlapping ranges are joined, in key order.
 */
export function dateRanges(changed: readonly ChangedDate[], days: number): Array<{ from: string; to: string }> {
  const ranges: Array<{ from: string; to: string }> = [];
  for (const { key } of changed) {
    const span = key === null ? null : dateSpan(key);
    if (!span || key === null) continue;
    ranges.push(span.from === span.to ? { from: dayKey(span.from - days), to: dayKey(span.to + days) } : { from: key, to: key });
  }
  ranges.sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : 0));
  const joined: Array<{ from: string; to: string }> = [];
  for (const range of ranges) {
    const last = joined.at(-1);
    if (last && range.from <= last.to) {
      if (range.to > last.to) last.to = range.to;
    } else {
      joined.push({ ...range });
    }
  }
  return joined;
}

/** A day's key (`YYYY-MM-DD`), within the years a date may have (a range reaching past them ends there). */
function dayKey(day: number): string {
  const date = new Date(day * DAY_MS);
  const year = date.getUTCFullYear();
  if (year < 0) return '0000';
  if (year > 9999) return '9999-12-31';
  return date.toISOString().slice(0, 10);
}
