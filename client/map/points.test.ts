import Supercluster from 'supercluster';
import { describe, expect, it } from 'vitest';
import type { Column } from '../../model/columns';
import type { Place } from '../../model/places';
import {
  type MapRow, RowEvents, binStart, codeColours, dateExtent, dateSpan, dayText, inRange, mapChange, mapColumns, mapEvents, project, timeline,
  unwrapRing,
} from './points';

const columns: Column[] = [
  { id: 'event_date', name: 'Date', type: 'date' },
  { id: 'event_type', name: 'Type', type: 'enum', options: ['PROTEST', 'ASSAULT'] },
  { id: 'place', name: 'Place', type: 'place' },
];
const place = (lat: number | null, lon: number | null): Place => ({ name: 'X', country: null, lat, lon, precision: 1, geonameid: null });
const day = (text: string) => dateSpan(text)!.from;

describe('the map’s events', () => {
  it('reads each row’s coordinates, date span and code; a place without coordinates or off the globe is not placed', () => {
    const events = mapEvents([
      { id: 'a', cells: { event_date: '2024-02-22', event_type: 'PROTEST', place: place(37.5, 127) } },
      { id: 'b', cells: { event_date: '2024-02', event_type: 'ASSAULT', place: place(null, null) } },
      { id: 'c', cells: { event_date: 'soon', place: place(95, 10) } },
    ], mapColumns(columns), 'event_type');
    expect(events.map((e) => [e.id, e.lat, e.lon, e.dateKind, e.code])).toEqual([
      ['a', 37.5, 127, 'day', 'PROTEST'], ['b', null, null, 'month', 'ASSAULT'], ['c', null, null, null, ''],
    ]);
    expect(dayText(events[1]!.from!)).toBe('2024-02-01');
    expect(dayText(events[1]!.to!)).toBe('2024-02-29');
    expect(dateExtent(events)).toEqual({ from: day('2024-02-01'), to: day('2024-02-29') });
  });

  it('keeps an event in a range its dates meet; undated ones only while the whole range is chosen', () => {
    const [monthly, undated] = mapEvents([
      { id: 'm', cells: { event_date: '2024-02' } }, { id: 'u', cells: {} },
    ], mapColumns(columns), null);
    const range = { from: day('2024-02-20'), to: day('2024-03-10') };
    expect(inRange(monthly!, range, false)).toBe(true);
    expect(inRange(monthly!, { from: day('2024-03-01'), to: day('2024-03-10') }, false)).toBe(false);
    expect(inRange(undated!, range, true)).toBe(true);
    expect(inRange(undated!, range, false)).toBe(false);
  });

  it('counts per ISO week or month, empty bins too, and tells what is coarser than a bin', () => {
    const events = mapEvents(['2024-02-05', '2024-02-11', '2024-02-12', '2024-02-26', '2024-03', '2024', null].map((d, i): MapRow => ({
      id: String(i), cells: d === null ? {} : { event_date: d },
    })), mapColumns(columns), null);
    expect(dayText(binStart(day('2024-02-11'), 'week'))).toBe('2024-02-05');
    const weeks = timeline(events, 'week');
    expect(weeks.bins.map((b) => [dayText(b.start), b.count])).toEqual([
      ['2024-02-05', 2], ['2024-02-12', 1], ['2024-02-19', 0], ['2024-02-26', 1],
    ]);
    expect([weeks.coarser, weeks.undated]).toEqual([2, 1]);
    const months = timeline(events, 'month');
    expect(months.bins.map((b) => [dayText(b.start), b.count])).toEqual([['2024-02-01', 4], ['2024-03-01', 1]]);
    expect([months.coarser, months.undated]).toEqual([1, 1]);
  });

  it('colours the column’s codes in its order, then codes not in its list', () => {
    const events = mapEvents([{ id: 'a', cells: { event_type: 'OTHER' } }], mapColumns(columns), 'event_type');
    expect([...codeColours(columns[1], events).keys()]).toEqual(['PROTEST', 'ASSAULT', 'OTHER']);
  });
});

describe('the projection', () => {
  it('puts the equator and the prime meridian at the centre, north up', () => {
    expect(project(0, 0)).toEqual([0.5, 0.5]);
    expect(project(180, 0)[0]).toBe(1);
    expect(project(0, 60)[1]).toBeLessThan(0.5);
  });

  it('keeps a ring crossing the antimeridian continuous, and closes one that goes round the world', () => {
    const fiji = unwrapRing([[179, -16], [-179.5, -16.5], [-179.5, -17], [179, -17], [179, -16]]);
    expect(Math.max(...fiji.map(([x]) => x)) - Math.min(...fiji.map(([x]) => x))).toBeLessThan(0.01);
    const round = unwrapRing([[-180, -70], [0, -72], [179, -70], [-179, -71]]);
    expect(round.slice(-2).map(([, y]) => y)).toEqual([1, 1]);
  });
});

describe('the map after a change', () => {
  const typed = mapColumns(columns);
  const rowsOf = (n: number): MapRow[] => Array.from({ length: n }, (_, i) => ({
    id: `r${i}`, cells: { event_date: '2024-02-22', event_type: i % 2 ? 'PROTEST' : 'ASSAULT', place: place(37 + i / 1000, 127) },
  }));

  it('reads again only the rows that changed (a grid gives a changed row as a new object)', () => {
    const rows = rowsOf(1000);
    const events = new RowEvents();
    const first = events.events(rows, typed, 'event_type');
    expect(events.reads).toBe(1000);
    rows[10] = { ...rows[10]!, cells: { ...rows[10]!.cells, event_type: 'PROTEST' } };
    rows[20] = { ...rows[20]!, cells: { ...rows[20]!.cells, summary: 'Edited' } };
    const second = events.events(rows, typed, 'event_type');
    expect(events.reads).toBe(1002);
    expect(second[10]!.code).toBe('PROTEST');
    expect(second.filter((e, i) => e !== first[i]).map((e) => e.id)).toEqual(['r10', 'r20']);
    // Another colour column: every row is read again.
    events.events(rows, typed, null);
    expect(events.reads).toBe(2002);
  });

  it('changes points in place for a new code or name, and clusters again only when points move, come or go, or dates change', () => {
    const rows = rowsOf(5);
    const before = mapEvents(rows, typed, 'event_type');
    expect(mapChange(before, before)).toEqual({ kind: 'none', changed: [] });
    // Equal events read again (a summary edited) change nothing.
    expect(mapChange(before, mapEvents(rows, typed, 'event_type')).kind).toBe('none');
    const recoded = before.map((e, i) => (i === 2 ? { ...e, code: 'PROTEST', name: 'Y' } : e));
    expect(mapChange(before, recoded)).toEqual({ kind: 'points', changed: [recoded[2]] });
    expect(mapChange(before, before.map((e, i) => (i === 2 ? { ...e, lat: 1 } : e))).kind).toBe('all');
    expect(mapChange(before, before.map((e, i) => (i === 2 ? { ...e, from: 0, to: 0 } : e))).kind).toBe('all');
    expect(mapChange(before, before.slice(1)).kind).toBe('all');
    expect(mapChange(before, [...before].reverse()).kind).toBe('all');
  });

  it('relies on the clustering answering the very properties it was given, so a point changed in place shows so', () => {
    const props = [{ id: 'a', code: 'PROTEST' }, { id: 'b', code: 'PROTEST' }];
    const index = new Supercluster<{ id: string; code: string }>({ radius: 36, maxZoom: 16, minPoints: 3 });
    index.load(props.map((p, i) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [127 + i * 10, 37] }, properties: p })));
    props[1]!.code = 'ASSAULT';
    const codes = index.getClusters([-180, -85, 180, 85], 3).map((f) => (f.properties as { code: string }).code);
    expect(codes.sort()).toEqual(['ASSAULT', 'PROTEST']);
  });
});
