import { describe, expect, it } from 'vitest';
import { type Comparable, dateSpan, distanceKm, type DuplicateKeys, findDuplicates, SAME_PLACE_KM, scorePair } from './score';

const ALL: Comparable = { type: true, actors: true, place: true, evidence: true };

let n = 0;
function row(date: string, extra: Partial<DuplicateKeys> = {}): DuplicateKeys {
  return { row: `R${String(++n).padStart(3, '0')}`, ...dateSpan(date)!, type: 'ASSAULT', actors: 'a\u0001b', place: null, anchors: [], ...extra };
}

describe('dateSpan', () => {
  it('spans a day, a month or a year, and refuses what is no date', () => {
    const day = dateSpan('2024-02-29')!;
    expect(day.to).toBe(day.from);
    expect(dateSpan('2024-02')).toEqual({ from: dateSpan('2024-02-01')!.from, to: dateSpan('2024-02-29')!.from });
    expect(dateSpan('2024')).toEqual({ from: dateSpan('2024-01-01')!.from, to: dateSpan('2024-12-31')!.from });
    for (const bad of ['2023-02-29', '2024-13', '24-02-01', 'soon']) expect(dateSpan(bad)).toBeNull();
  });

  it('reads the years 0 to 99 as themselves, so that dates in the order of their text are in calendar order', () => {
    expect(dateSpan('0024-01-01')!.from).toBeLessThan(dateSpan('1000-01-01')!.from);
    expect(dateSpan('0099-12-31')!.from + 1).toBe(dateSpan('0100-01-01')!.from);
    expect(dateSpan('0004-02-29')).not.toBeNull();
    expect(dateSpan('0024')).toEqual({ from: dateSpan('0024-01-01')!.from, to: dateSpan('0024-12-31')!.from });
  });
});

describe('scorePair', () => {
  it('needs something shared besides the date and the type, and names what is shared', () => {
    expect(scorePair(row('2024-02-14', { actors: 'x' }), row('2024-02-14', { actors: 'y' }), 1, ALL)).toBeNull();
    expect(scorePair(row('2024-02-14'), row('2024-02-14'), 1, ALL)).toEqual({ score: (0.2 + 0.2 + 0.25) / 1, reasons: ['date', 'event_type', 'actors'] });
  });

  it('counts a place within 25 km, or of the same name when coordinates are missing, but never the place alone', () => {
    const seoul = { name: 'seoul', lat: 37.5665, lon: 126.978 };
    const gangnam = { name: 'gangnam', lat: 37.4979, lon: 127.0276 };
    const busan = { name: 'busan', lat: 35.1796, lon: 129.0756 };
    expect(distanceKm(seoul, gangnam)).toBeLessThan(SAME_PLACE_KM);
    expect(distanceKm(seoul, busan)).toBeGreaterThan(300);
    expect(scorePair(row('2024-02-14', { place: seoul }), row('2024-02-14', { place: gangnam }), 1, ALL)?.reasons).toEqual(['date', 'event_type', 'actors', 'place']);
    expect(scorePair(row('2024-02-14', { place: seoul }), row('2024-02-14', { place: busan }), 1, ALL)?.reasons).toEqual(['date', 'event_type', 'actors']);
    expect(scorePair(row('2024-02-14', { place: { name: 'seoul', lat: null, lon: null } }), row('2024-02-14', { place: seoul }), 1, ALL)?.reasons)
      .toContain('place');
    // Many events of a day and a type happen in one town: the same place without the same actors or passage is no candidate.
    expect(scorePair(row('2024-02-14', { actors: 'x', place: seoul }), row('2024-02-14', { actors: 'y', place: seoul }), 1, ALL)).toBeNull();
  });

  it('counts overlapping evidence: the same source, spans that share a code point', () => {
    const a = row('2024-02-14', { actors: '', anchors: [{ source: 'S', start: 10, end: 20 }] });
    expect(scorePair(a, row('2024-02-14', { actors: '', anchors: [{ source: 'S', start: 19, end: 30 }] }), 1, ALL)?.reasons).toContain('evidence');
    expect(scorePair(a, row('2024-02-14', { actors: '', anchors: [{ source: 'S', start: 20, end: 30 }] }), 1, ALL)).toBeNull();
    expect(scorePair(a, row('2024-02-14', { actors: '', anchors: [{ source: 'T', start: 10, end: 20 }] }), 1, ALL)).toBeNull();
  });

  it('scores the same day above a day apart', () => {
    const score = (a: string, b: string) => scorePair(row(a), row(b), 1, ALL)!.score;
    expect(score('2024-02-14', '2024-02-14')).toBeGreaterThan(score('2024-02-14', '2024-02-15'));
    expect(score('2024-02', '2024-02')).toBe(score('2024-02-14', '2024-02-14'));
  });

  it('on a sheet without an event type, needs two things shared', () => {
    const sheet = { ...ALL, type: false };
    expect(scorePair(row('2024-02-14'), row('2024-02-14'), 1, sheet)).toBeNull();
    const place = { name: 'rio', lat: null, lon: null };
    expect(scorePair(row('2024-02-14', { place }), row('2024-02-14', { place }), 1, sheet)?.reasons).toEqual(['date', 'actors', 'place']);
  });
});

describe('findDuplicates', () => {
  it('compares rows of one event type whose dates are within the days asked', () => {
    const a = row('2024-02-14');
    const b = row('2024-02-15');
    const c = row('2024-02-17');
    const other = row('2024-02-14', { type: 'PROTEST' });
    expect(findDuplicates([a, b, c, other], 1, ALL).map((g) => g.rows)).toEqual([[a.row, b.row]]);
    expect(findDuplicates([a, b, c, other], 3, ALL).map((g) => g.rows)).toEqual([[a.row, b.row, c.row]]);
    // A date known only to the month meets the same month, not the days in it.
    const month = row('2024-02');
    const again = row('2024-02');
    expect(findDuplicates([month, c, again], 3, ALL).map((g) => g.rows)).toEqual([[month.row, again.row]]);
  });

  it('never lets a group span more than the days asked, so a daily event does not chain into one group', () => {
    const week = ['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04', '2024-03-05', '2024-03-06'].map((d) => row(d));
    const groups = findDuplicates(week, 1, ALL);
    for (const g of groups) expect(g.rows.length).toBe(2);
    expect(groups.flatMap((g) => g.rows).sort()).toEqual(week.map((r) => r.row).sort());
  });

  it('lists groups best first, with what every link of the group shares', () => {
    const anchors = [{ source: 'S', start: 0, end: 5 }];
    const a = row('2024-04-01', { anchors });
    const b = row('2024-04-01', { anchors });
    const c = row('2024-05-01');
    const d = row('2024-05-02');
    const groups = findDuplicates([c, a, d, b], 1, ALL);
    expect(groups.map((g) => g.rows)).toEqual([[a.row, b.row], [c.row, d.row]]);
    // Everything but the place (neither has one): 0.85 of what the sheet compares.
    expect(groups[0]).toEqual({ rows: [a.row, b.row], score: 0.85, reasons: ['date', 'event_type', 'actors', 'evidence'] });
    expect(groups[1]!.score).toBeLessThan(groups[0]!.score);
  });

  it('does not pair rows a user dismissed as one group again', () => {
    const a = row('2024-06-01');
    const b = row('2024-06-01');
    const c = row('2024-06-01');
    expect(findDuplicates([a, b], 1, ALL, [[a.row, b.row]])).toEqual([]);
    // A third row like them is new: it groups with one of them, never with both.
    expect(findDuplicates([a, b, c], 1, ALL, [[a.row, b.row]]).map((g) => g.rows)).toEqual([[a.row, c.row]]);
  });
});
