/**
 * Duplicate candidates from the keys the read model gives (docs/actors-and-duplicates.md#duplicates):
 * rows are compared only within a block (the same event type; dates known to the day at most `days`
 * apart, or the same partial date), scored on what they share, and grouped. Pure: the database reads the
 * keys, this decides.
 *
 * A pair is a candidate when it is in one block and shares its actors (in either order) or a passage
 * (overlapping evidence); places within 25 km or of the same name count too, but never alone. On a sheet
 * with no event type column it must share two of the three. Its score is the weight of what it shares over
 * the weight of what the sheet can compare. Groups grow from the best pairs first, and a group never spans
 * more than `days` between any two of its dates, so events that recur day after day do not chain into one.
 */
import type { DuplicateReason } from '../../model/duplicates';

/** What one row is compared by, read from its cells. */
export interface DuplicateKeys {
  row: string;
  /** Days since the epoch of the first and last day the date may mean (`2024-02` is the whole month). */
  from: number;
  to: number;
  /** The event type, or '' on a sheet without one. */
  type: string;
  /** The actors, each normalized, sorted and joined (order does not matter); '' when none. */
  actors: string;
  place: { name: string; lat: number | null; lon: number | null } | null;
  anchors: Array<{ source: string; start: number; end: number }>;
}

/** What a sheet can be compared by: the event type, actors, place and evidence may be missing. */
export interface Comparable {
  type: boolean;
  actors: boolean;
  place: boolean;
  evidence: boolean;
}

export interface DuplicateGroup {
  rows: string[];
  score: number;
  reasons: DuplicateReason[];
}

/** How much each kind of agreement counts. */
const WEIGHTS: Record<DuplicateReason, number> = { date: 0.2, event_type: 0.2, actors: 0.25, place: 0.15, evidence: 0.2 };
/** Places this close (km) are the same place. */
export const SAME_PLACE_KM = 25;
const DAY_MS = 86_400_000;

/** The days a partial date covers (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`), or null for anything else. */
export function dateSpan(text: string): { from: number; to: number } | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = m[2] === undefined ? undefined : Number(m[2]) - 1;
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (month !== undefined && (month < 0 || month > 11)) return null;
  const from = utcDay(year, month ?? 0, day ?? 1);
  const to = month === undefined ? utcDay(year + 1, 0, 1) - 1 : day === undefined ? utcDay(year, month + 1, 1) - 1 : from;
  if (day !== undefined && new Date(from * DAY_MS).getUTCDate() !== day) return null;
  return { from, to };
}

/** Days since the epoch of a day of the calendar (years 0 to 99 as themselves: `Date.UTC` reads them as 1900 to 1999). */
function utcDay(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  return date.getTime() / DAY_MS;
}

/** Great-circle distance in km. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Degrees of latitude in SAME_PLACE_KM: places further apart north to south are not near (a cheap first test). */
const SAME_PLACE_LAT = SAME_PLACE_KM / 111;

function samePlace(a: DuplicateKeys['place'], b: DuplicateKeys['place']): boolean {
  if (!a || !b) return false;
  if (a.lat !== null && a.lon !== null && b.lat !== null && b.lon !== null) {
    if (Math.abs(a.lat - b.lat) > SAME_PLACE_LAT) return false;
    return distanceKm({ lat: a.lat, lon: a.lon }, { lat: b.lat, lon: b.lon }) <= SAME_PLACE_KM;
  }
  return a.name !== '' && a.name === b.name;
}

function overlap(a: DuplicateKeys['anchors'], b: DuplicateKeys['anchors']): boolean {
  for (const x of a) for (const y of b) if (x.source === y.source && x.start < y.end && y.start < x.end) return true;
  return false;
}

/** Days between two date spans (0 when they overlap). */
const gap = (a: DuplicateKeys, b: DuplicateKeys) => Math.max(0, b.from - a.to, a.from - b.to);

/**
 * The reasons a pair shares (the date always), one frozen list per combination: the pairs of a large sheet are
 * kept between requests, and each refers to one of these rather than holding a list of its own.
 */
const REASON_LISTS = new Map<number, readonly DuplicateReason[]>();

function reasonList(type: boolean, actors: boolean, place: boolean, evidence: boolean): readonly DuplicateReason[] {
  const bits = Number(type) | (Number(actors) << 1) | (Number(place) << 2) | (Number(evidence) << 3);
  let list = REASON_LISTS.get(bits);
  if (!list) {
    const reasons: DuplicateReason[] = ['date'];
    if (type) reasons.push('event_type');
    if (actors) reasons.push('actors');
    if (place) reasons.push('place');
    if (evidence) reasons.push('evidence');
    REASON_LISTS.set(bits, (list = Object.freeze(reasons)));
  }
  return list;
}

/** A pair's score and reasons, or null when it is no candidate. Assumes the pair is in one block. */
export function scorePair(a: DuplicateKeys, b: DuplicateKeys, days: number, sheet: Comparable): { score: number; reasons: readonly DuplicateReason[] } | null {
  // Called for every pair of a block: nothing is allocated until the pair turns out to be a candidate.
  const actors = sheet.actors && a.actors !== '' && a.actors === b.actors;
  const place = sheet.place && samePlace(a.place, b.place);
  const evidence = sheet.evidence && a.anchors.length > 0 && b.anchors.length > 0 && overlap(a.anchors, b.anchors);
  // The same actors or the same passage make a candidate; a place shared is one more sign, never enough alone
  // (many events of a day and a type happen in the same town).
  if (!actors && !evidence) return null;
  if (!sheet.type && Number(actors) + Number(place) + Number(evidence) < 2) return null;
  const reasons = reasonList(sheet.type, actors, place, evidence);
  // The same day (or the same partial date) counts fully, days apart less.
  const date = 1 - gap(a, b) / (days + 1);
  let total = WEIGHTS.date;
  let score = WEIGHTS.date * date;
  for (const [reason, compared] of [['event_type', sheet.type], ['actors', sheet.actors], ['place', sheet.place], ['evidence', sheet.evidence]] as const) {
    if (!compared) continue;
    total += WEIGHTS[reason];
    if (reasons.includes(reason)) score += WEIGHTS[reason];
  }
  return { score: score / total, reasons };
}

/**
 * The duplicate groups among `rows`, best first. `dismissed` holds groups a user said are not the same
 * event: no two rows of one of them are paired again.
 *
 * A candidate shares its actors or a source with the other row, so rows are paired within lists of one
 * event type and the same actors, or one event type and the same source, rather than with every row of
 * their days: the lists are short however many rows a day has.
 */
export function findDuplicates(rows: DuplicateKeys[], days: number, sheet: Comparable, dismissed: readonly string[][] = []): DuplicateGroup[] {
  const apart = dismissedPairs(dismissed);
  const pairs: Pair[] = [];
  const seen = new Set<number>();
  const consider = (x: number, y: number) => {
    const [a, b] = x < y ? [x, y] : [y, x];
    const key = a * rows.length + b;
    if (seen.has(key)) return;
    seen.add(key);
    if (apart?.(rows[a]!.row, rows[b]!.row)) return;
    const scored = scorePair(rows[a]!, rows[b]!, days, sheet);
    if (scored) pairs.push(pairOf(rows[a]!, rows[b]!, scored));
  };

  // Rows dated to the day meet the rows of their list dated up to `days` before; a date known only to the
  // month or the year says too little to be near a day, and meets the same partial date only. Lists by
  // block (the event type, or the type and the partial date), then by actors or by source.
  const byActors = new Map<string, Map<string, number[]>>();
  const bySource = new Map<string, Map<string, number[]>>();
  const partial = new Set<Map<string, number[]>>();
  const listsOf = (lists: Map<string, Map<string, number[]>>, block: string) => {
    let found = lists.get(block);
    if (!found) lists.set(block, (found = new Map()));
    return found;
  };
  rows.forEach((row, i) => {
    const day = row.from === row.to;
    const block = day ? row.type : `${row.type}\u0002${row.from}:${row.to}`;
    if (sheet.actors && row.actors !== '') {
      const lists = listsOf(byActors, block);
      append(lists, row.actors, i);
      if (!day) partial.add(lists);
    }
    if (sheet.evidence && row.anchors.length > 0) {
      const lists = listsOf(bySource, block);
      if (!day) partial.add(lists);
      for (const [k, anchor] of row.anchors.entries()) {
        // A source twice in one row's evidence puts the row in its list once.
        if (!row.anchors.slice(0, k).some((a) => a.source === anchor.source)) append(lists, anchor.source, i);
      }
    }
  });
  for (const lists of [...byActors.values(), ...bySource.values()]) {
    const all = partial.has(lists);
    for (const list of lists.values()) {
      if (list.length < 2) continue;
      if (all) {
        for (let k = 1; k < list.length; k++) for (let m = 0; m < k; m++) consider(list[m]!, list[k]!);
        continue;
      }
      list.sort((i, j) => rows[i]!.from - rows[j]!.from);
      let first = 0;
      for (let k = 1; k < list.length; k++) {
        const from = rows[list[k]!]!.from;
        while (rows[list[first]!]!.from + days < from) first++;
        for (let m = first; m < k; m++) consider(list[m]!, list[k]!);
      }
    }
  }
  return groupPairs(pairs, days, apart);
}

/** A row as grouping needs it: its id and date span. */
export interface Member { row: string; from: number; to: number }

/** A candidate pair, its rows in the order of their ids. */
export interface Pair { a: Member; b: Member; score: number; reasons: readonly DuplicateReason[] }

/** A scored pair of two rows, holding only what grouping needs of them (its reasons a shared list: `reasonList`). */
export function pairOf(x: Member, y: Member, scored: { score: number; reasons: readonly DuplicateReason[] }): Pair {
  const [a, b] = x.row < y.row ? [x, y] : [y, x];
  return { a: { row: a.row, from: a.from, to: a.to }, b: { row: b.row, from: b.from, to: b.to }, score: scored.score, reasons: scored.reasons };
}

function append<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Answers whether two rows were dismissed as one group; undefined when nothing was dismissed. */
export function dismissedPairs(dismissed: readonly string[][]): ((a: string, b: string) => boolean) | undefined {
  if (dismissed.length === 0) return undefined;
  const groupsOf = new Map<string, number[]>();
  dismissed.forEach((group, index) => {
    for (const row of group) groupsOf.set(row, [...(groupsOf.get(row) ?? []), index]);
  });
  return (a, b) => {
    const of = groupsOf.get(a);
    return of !== undefined && (groupsOf.get(b)?.some((g) => of.includes(g)) ?? false);
  };
}

/**
 * Joins pairs into groups, best pairs first (pairs of one score in the order of their rows' ids, so that the
 * groups do not depend on the order the rows were read in), keeping every group within `days` from its latest
 * start to its earliest end, and no two rows dismissed together in one group. A row is one member however many
 * pairs name it.
 */
export function groupPairs(pairs: Pair[], days: number, apart: ((a: string, b: string) => boolean) | undefined): DuplicateGroup[] {
  const byIds = (x: Pair, y: Pair) => (x.a.row < y.a.row ? -1 : x.a.row > y.a.row ? 1 : x.b.row < y.b.row ? -1 : x.b.row > y.b.row ? 1 : 0);
  pairs.sort((x, y) => y.score - x.score || byIds(x, y));
  const parent = new Map<string, string>();
  const root = (i: string): string => {
    let r = i;
    while (parent.has(r)) r = parent.get(r)!;
    return r;
  };
  // The reasons every link of a cluster shares, as bits of `order` (a request groups every kept pair of a large sheet:
  // nothing is allocated per pair but what a new cluster needs).
  const order = Object.keys(WEIGHTS) as DuplicateReason[];
  const bitsOf = (reasons: readonly DuplicateReason[]) => {
    let bits = 0;
    for (const r of reasons) bits |= 1 << order.indexOf(r);
    return bits;
  };
  interface Cluster { members: string[]; maxFrom: number; minTo: number; score: number; reasons: number }
  const clusters = new Map<string, Cluster>();
  const clusterOf = (m: Member): Cluster => {
    let c = clusters.get(m.row);
    if (!c) clusters.set(m.row, (c = { members: [m.row], maxFrom: m.from, minTo: m.to, score: Infinity, reasons: (1 << order.length) - 1 }));
    return c;
  };
  for (const pair of pairs) {
    if (pair.a.row === pair.b.row) continue;
    const ra = root(pair.a.row);
    const rb = root(pair.b.row);
    if (ra === rb) continue;
    const ca = ra === pair.a.row ? clusterOf(pair.a) : clusters.get(ra)!;
    const cb = rb === pair.b.row ? clusterOf(pair.b) : clusters.get(rb)!;
    const maxFrom = Math.max(ca.maxFrom, cb.maxFrom);
    const minTo = Math.min(ca.minTo, cb.minTo);
    if (maxFrom - minTo > days) continue;
    if (apart && ca.members.some((x) => cb.members.some((y) => apart(x, y)))) continue;
    parent.set(rb, ra);
    clusters.delete(rb);
    // A group is as likely as its weakest link, and shares what every link shares.
    for (const m of cb.members) ca.members.push(m);
    ca.maxFrom = maxFrom;
    ca.minTo = minTo;
    ca.score = Math.min(ca.score, cb.score, pair.score);
    ca.reasons &= cb.reasons & bitsOf(pair.reasons);
  }
  return [...clusters.values()]
    .filter((c) => c.members.length > 1)
    .map((c) => ({
      rows: c.members.sort(),
      score: Math.round(c.score * 1000) / 1000,
      reasons: order.filter((_, i) => (c.reasons & (1 << i)) !== 0),
    }))
    .sort((x, y) => y.score - x.score || (x.rows[0]! < y.rows[0]! ? -1 : 1));
}
