/**
 * Duplicate groups from a sheet's rows read in date order (docs/actors-and-duplicates.md#how-fast): the same
 * blocks, pairs and groups as `findDuplicates`, holding only a window of rows rather than the whole sheet.
 *
 * The rows come in the order of their date cell's text, which for the dates that count (`YYYY-MM-DD`, `YYYY-MM`,
 * `YYYY`) puts days in calendar order and every row of one partial date together. So:
 *
 * - a row dated to the day meets the rows of the `days` days before it and of its own day, read just before: the
 *   window holds those days' rows only, and forgets a day once the sweep is `days` past it;
 * - a row dated only to the month or the year meets the rows with the same partial date only (as
 *   `findDuplicates` has it: such a date says too little to be placed among days), and those are read one after
 *   the other: the window holds the rows of the partial date being read, and forgets them at the next date;
 * - a row without a date, or whose date is none of those, meets no row.
 *
 * Only the candidate pairs are kept (each with its rows' ids and date spans), and grouped at the end as
 * `findDuplicates` groups them; the memory is the window's rows, the pairs and the answer. A sweep of a range of
 * dates only, keeping the pairs with some rows, brings kept pairs up to date after edits (`swept-pairs.ts`).
 */
import { type Comparable, dismissedPairs, type DuplicateGroup, type DuplicateKeys, groupPairs, type Pair, pairOf, scorePair } from './score';

/** The rows of one day, or of one partial date, by block: the event type, then the actors or a source. */
interface Lists {
  byActors: Map<string, DuplicateKeys[]>;
  bySource: Map<string, DuplicateKeys[]>;
}

const lists = (): Lists => ({ byActors: new Map(), bySource: new Map() });

function append(map: Map<string, DuplicateKeys[]>, key: string, row: DuplicateKeys): void {
  const list = map.get(key);
  if (list) list.push(row);
  else map.set(key, [row]);
}

/** What the sweep holds while it runs, for the bench and the tests: its largest window, in rows. */
export interface SweepStats {
  rows: number;
  largestWindow: number;
}

/**
 * The duplicate groups among `pages` of keys (null: a row that meets none), each page after the one before in
 * the order of the rows' date text (`DuplicateStore.byDate`); best first, as `findDuplicates` answers. `stats`,
 * when given, counts the rows read and the most held at once.
 */
export async function sweepDuplicates(
  pages: AsyncIterable<ReadonlyArray<DuplicateKeys | null>>, days: number, sheet: Comparable, dismissed: readonly string[][] = [], stats?: SweepStats,
): Promise<DuplicateGroup[]> {
  return groupsOf(await sweepPairs(pages, days, sheet, { stats }), days, dismissed);
}

/** The groups of candidate pairs (`sweepPairs`'), without the pairs of rows dismissed together; best first. */
export function groupsOf(pairs: readonly Pair[], days: number, dismissed: readonly string[][]): DuplicateGroup[] {
  const apart = dismissedPairs(dismissed);
  return groupPairs(apart ? pairs.filter((p) => !apart(p.a.row, p.b.row)) : [...pairs], days, apart);
}

/**
 * The candidate pairs among `pages` of keys read in date order (as `sweepDuplicates` reads them), dismissed
 * ones too (`groupsOf` leaves those out). With `involving`, only the pairs with one of those rows: a sweep of
 * the dates around rows that changed (`SweptPairs`).
 */
export async function sweepPairs(
  pages: AsyncIterable<ReadonlyArray<DuplicateKeys | null>>, days: number, sheet: Comparable,
  { involving, stats }: { involving?: ReadonlySet<string>; stats?: SweepStats } = {},
): Promise<Pair[]> {
  const pairs: Pair[] = [];
  /** The days of the window, by day number, and the latest day read. */
  const window = new Map<number, Lists>();
  let latest = -Infinity;
  /** The rows of the partial date being read (its span as `from:to`). */
  let partial: { span: string; lists: Lists } | undefined;
  let held = 0;

  /** Pairs `row` with the rows of `lists` it shares its block and actors or a source with; then adds it there. */
  const meet = (row: DuplicateKeys, into: Lists, others: Lists[]) => {
    const actors = sheet.actors && row.actors !== '' ? `${row.type}\u0001${row.actors}` : undefined;
    const sources: string[] = [];
    if (sheet.evidence) {
      for (const a of row.anchors) {
        const source = `${row.type}\u0001${a.source}`;
        if (!sources.includes(source)) sources.push(source);
      }
    }
    // Most rows meet none: the set is made for those that meet some.
    let met: Set<DuplicateKeys> | undefined;
    const add = (list: DuplicateKeys[] | undefined) => {
      if (list) for (const o of list) (met ??= new Set()).add(o);
    };
    for (const other of others) {
      if (actors !== undefined) add(other.byActors.get(actors));
      for (const source of sources) add(other.bySource.get(source));
    }
    for (const o of met ?? []) {
      if (o.row === row.row || (involving && !involving.has(o.row) && !involving.has(row.row))) continue;
      const scored = scorePair(o, row, days, sheet);
      if (scored) pairs.push(pairOf(o, row, scored));
    }
    if (actors !== undefined) append(into.byActors, actors, row);
    for (const source of sources) append(into.bySource, source, row);
    if (actors !== undefined || sources.length > 0) held++;
  };

  for await (const page of pages) {
    for (const row of page) {
      if (stats) stats.rows++;
      if (!row) continue;
      if (row.from !== row.to) {
        const span = `${row.from}:${row.to}`;
        if (partial?.span !== span) {
          if (partial) held -= count(partial.lists);
          partial = { span, lists: lists() };
        }
        meet(row, partial.lists, [partial.lists]);
      } else {
        const day = row.from;
        if (day > latest) {
          latest = day;
          for (const [d, l] of window) {
            if (d < latest - days) {
              held -= count(l);
              window.delete(d);
            }
          }
        }
        let own = window.get(day);
        if (!own) window.set(day, (own = lists()));
        const near: Lists[] = [];
        for (const [d, l] of window) if (Math.abs(d - day) <= days) near.push(l);
        meet(row, own, near);
      }
      if (stats && held > stats.largestWindow) stats.largestWindow = held;
    }
  }
  return pairs;
}

/** The rows held in lists (each row once, whichever of its lists it is in). */
function count(l: Lists): number {
  const rows = new Set<DuplicateKeys>();
  for (const list of l.byActors.values()) for (const r of list) rows.add(r);
  for (const list of l.bySource.values()) for (const r of list) rows.add(r);
  return rows.size;
}
