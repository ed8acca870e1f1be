/**
 * A sheet's rows made to catch a duplicate search that differs from comparing every row with every other
 * (server/duplicates/sweep.ts against findDuplicates): dates on both sides of month and year ends, dates known
 * only to the month or the year (which meet the same partial date only), missing and invalid dates, actors
 * written in either order and in other case, places just inside and just outside 25 km, passages that touch
 * or overlap, rows without an event type, and many rows on one day. Deterministic for a seed.
 */
import { seededRandom } from '../../model/random';
import type { DuplicateKeyRecord } from '../../server/duplicates/store';

/** 25 km north to south, in degrees of latitude (about 0.2248). */
const KM25 = 25 / (6371 * Math.PI / 180);

/** `count` rows as the read model gives them to duplicate detection (an events sheet's compared cells). */
export function trickyDuplicateRows(count: number, seed: number): DuplicateKeyRecord[] {
  const rand = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const days = ['2023-12-30', '2023-12-31', '2024-01-01', '2024-01-02', '2024-01-31', '2024-02-01', '2024-02-02', '2024-02-28', '2024-02-29', '2024-03-01', '2024-03-04'];
  const partial = ['2023', '2024', '2023-12', '2024-01', '2024-02', '2024-03'];
  const odd = [null, '', 'soon', '2024-13', '2023-02-29', '24-01-01', 20240101, ['2024-01-01']];
  const actors = ['China', 'Japan', 'japan', 'South Korea', 'China; Japan', 'Japan;China', null];
  const types = ['CONSULT', 'CONSULT', 'PROTEST', 'ASSAULT', null];
  const records: DuplicateKeyRecord[] = [];
  for (let i = 0; i < count; i++) {
    const p = rand();
    const date = p < 0.6 ? pick(days) : p < 0.85 ? pick(partial) : pick(odd);
    const [a1, a2] = [pick(actors), pick(actors)];
    const swap = rand() < 0.5;
    const lat = 10 + pick([0, 0, KM25 * 0.99, KM25 * 1.01, 2]);
    const place = rand() < 0.6 ? { name: pick(['Town A', 'Town B']), lat, lon: 20 } : rand() < 0.5 ? { name: pick(['Town A', 'Town B']), lat: null, lon: null } : null;
    const start = pick([0, 10, 19, 20, 40]);
    const evidence = rand() < 0.7 ? [{ source: pick(['S1', 'S2', 'S3']), start, end: start + pick([1, 10, 20]) }] : rand() < 0.5 ? [] : null;
    records.push({
      rowId: `R${String(i).padStart(5, '0')}`, date, type: pick(types),
      actors: swap ? [a2, a1] : [a1, a2], place, location: place ? null : pick(['Town A', 'town a', null]), evidence,
    });
  }
  return records;
}


/** A row's cells as stored in an events sheet (`event_date`, `event_type`, `actor1`/`actor2`, `place`, `location`, `evidence`). */
export function cellsOf(record: DuplicateKeyRecord): Record<string, unknown> {
  const cells: Record<string, unknown> = {
    event_date: record.date, event_type: record.type, actor1: record.actors[0], actor2: record.actors[1],
    place: record.place, location: record.location, evidence: record.evidence,
  };
  for (const key of Object.keys(cells)) if (cells[key] === null || cells[key] === undefined) delete cells[key];
  return cells;
}
