/**
 * Duplicate candidates from the keys the read model gives (docs/actors-and-duplicates.md#duplicates):
 * rows are compared only within a block (the same event type, dates within `days`), scored on what they
 * share, and grouped. Pure: the database reads the keys, this decides.
 *
 * A pair is a candidate when it is in one block and shares at least one more thing: the same actors (in
 * either order), places within 25 km or of the same name, or overlapping evidence (two, on a sheet with
 * no event type column). Its score is the weight of what it shares over the weight of what the sheet can
 * compare. Groups grow from the best pairs first, and a group never spans more than `days` between any
 * two of its dates, so events that recur day after day do not chain into one group.
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
  const from = Date.UTC(year, month ?? 0, day ?? 1) / DAY_MS;
  const to = month === undefined ? Date.UTC(year + 1, 0, 1) / DAY_MS - 1 : day === undefined ? Date.UTC(year, month + 1, 1) / DAY_MS - 1 : from;
  if (day !== undefined && new Date(from * DAY_MS).getUTCDate() !== day) return null;
  return { from, to };
}

/** Great-circle distance in km. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

function samePlace(a: DuplicateKeys['place'], b: DuplicateKeys['place']): boolean {
  if (!a || !b) return false;
  if (a.lat !== null && a.lon !== null && b.lat !== null && b.lon !== null) {
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

/** A pair's score and reasons, or null when it is no candidate. Assumes the pair is in one block. */
export function scorePair(a: DuplicateKeys, b: DuplicateKeys, days: number, sheet: Comparable): { score: number; reasons: DuplicateReason[] } | null {
  const reasons: DuplicateReason[] = ['date'];
  let shared = 0;
  if (sheet.actors && a.actors !== '' && a.actors === b.actors) reasons.push('actors'), shared++;
  if (sheet.place && samePlace(a.place, b.place)) reasons.push('place'), shared++;
  if (sheet.evidence && a.anchors.length > 0 && b.anchors.length > 0 && overlap(a.anchors, b.anchors)) reasons.push('evidence'), shared++;
  if (shared < (sheet.type ? 1 : 2)) return null;
  if (sheet.type) reasons.splice(1, 0, 'event_type');
  // The same day (or the same partial date) counts fully, a day apart less, a partial date against a day least.
  const exact = a.from === b.from && a.to === b.to;
  const coarse = a.from !== a.to || b.from !== b.to;
  const date = exact ? 1 : coarse ? 0.25 : 1 - gap(a, b) / (days + 1);
  let total = WEIGHTS.date;
  let score = WEIGHTS.date * date;
  for (const reason of ['event_type', 'actors', 'place', 'evidence'] as const) {
    const compared = reason === 'event_type' ? sheet.type : sheet[reason];
    if (!compared) continue;
    total += WEIGHTS[reason];
    if (reasons.includes(reason)) score += WEIGHTS[reason];
  }
  return { score: score / total, reasons };
}

/**
 * The duplicate groups among `rows`, best first. `dismissed` holds groups a user said are not the same
 * event: no two rows of one of them are paired again.
 */
export function findDuplicates(rows: DuplicateKeys[], days: number, sheet: Comparable, dismissed: readonly string[][] = []): DuplicateGroup[] {
  const apart = dismissedPairs(dismissed);
  const pairs: Array<{ a: number; b: number; score: number; reasons: DuplicateReason[] }> = [];
  // Blocks: one event type, in date order; a row meets the rows whose dates reach within `days` of it.
  const order = rows.map((_, i) => i).sort((i, j) => {
    const a = rows[i]!;
    const b = rows[j]!;
    return a.type < b.type ? -1 : a.type > b.type ? 1 : a.from - b.from || a.to - b.to;
  });
  let open: number[] = [];
  let type: string | undefined;
  for (const i of order) {
    const row = rows[i]!;
    if (row.type !== type) {
      open = [];
      type = row.type;
    }
    // Rows whose dates end too early for this one (and every later one) leave the window.
    open = open.filter((j) => rows[j]!.to + days >= row.from);
    for (const j of open) {
      if (apart?.(rows[j]!.row, row.row)) continue;
      const scored = scorePair(rows[j]!, row, days, sheet);
      if (scored) pairs.push({ a: j, b: i, ...scored });
    }
    open.push(i);
  }
  return group(rows, pairs, days, apart);
}

/** Answers whether two rows were dismissed as one group; undefined when nothing was dismissed. */
function dismissedPairs(dismissed: readonly string[][]): ((a: string, b: string) => boolean) | undefined {
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
 * Joins pairs into groups, best pairs first, keeping every group within `days` from its latest start to its
 * earliest end, and no two rows dismissed together in one group.
 */
function group(
  rows: DuplicateKeys[], pairs: Array<{ a: number; b: number; score: number; reasons: DuplicateReason[] }>, days: number,
  apart: ((a: string, b: string) => boolean) | undefined,
): DuplicateGroup[] {
  pairs.sort((x, y) => y.score - x.score || x.a - y.a || x.b - y.b);
  const parent = new Map<number, number>();
  const root = (i: number): number => {
    let r = i;
    while (parent.has(r)) r = parent.get(r)!;
    return r;
  };
  interface Cluster { members: number[]; maxFrom: number; minTo: number; score: number; reasons: Set<DuplicateReason> }
  const clusters = new Map<number, Cluster>();
  const clusterOf = (i: number): Cluster => {
    let c = clusters.get(i);
    if (!c) clusters.set(i, (c = { members: [i], maxFrom: rows[i]!.from, minTo: rows[i]!.to, score: Infinity, reasons: new Set(Object.keys(WEIGHTS) as DuplicateReason[]) }));
    return c;
  };
  for (const pair of pairs) {
    const ra = root(pair.a);
    const rb = root(pair.b);
    if (ra === rb) continue;
    const ca = clusterOf(ra);
    const cb = clusterOf(rb);
    const maxFrom = Math.max(ca.maxFrom, cb.maxFrom);
    const minTo = Math.min(ca.minTo, cb.minTo);
    if (maxFrom - minTo > days) continue;
    if (apart && ca.members.some((x) => cb.members.some((y) => apart(rows[x]!.row, rows[y]!.row)))) continue;
    parent.set(rb, ra);
    clusters.delete(rb);
    // A group is as likely as its weakest link, and shares what every link shares.
    const reasons = new Set([...ca.reasons].filter((r) => cb.reasons.has(r) && pair.reasons.includes(r)));
    clusters.set(ra, { members: [...ca.members, ...cb.members], maxFrom, minTo, score: Math.min(ca.score, cb.score, pair.score), reasons });
  }
  const order = Object.keys(WEIGHTS) as DuplicateReason[];
  return [...clusters.values()]
    .filter((c) => c.members.length > 1)
    .map((c) => ({
      rows: c.members.map((i) => rows[i]!.row).sort(),
      score: Math.round(c.score * 1000) / 1000,
      reasons: order.filter((r) => c.reasons.has(r)),
    }))
    .sort((x, y) => y.score - x.score || (x.rows[0]! < y.rows[0]! ? -1 : 1));
}
