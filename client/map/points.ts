/**
 * What the sheet's map and timeline show (docs/places.md#the-map-and-the-timeline), from the rows the
 * grid shows: each row's place as a point, its date as a span of days, its code for the colour; the
 * date range a slider picks; and events counted per week or month. Pure functions, no DOM.
 */
import type { CellValue, Column } from '../../model/columns';
import { isPartialDate } from '../../model/columns';
import { isPlace } from '../../model/places';

/** One row as the map reads it: its id and cells. */
export interface MapRow {
  readonly id: string;
  readonly cells: Readonly<Record<string, CellValue>>;
}

/** One row's event: where (when geocoded), when (first and last day its date covers), and its code. */
export interface MapEvent {
  id: string;
  /** The place's name, for the point's title. */
  name: string;
  lat: number | null;
  lon: number | null;
  /** First and last day its date covers, as days since 1970-01-01 (UTC); null without a date. */
  from: number | null;
  to: number | null;
  /** What its date was known to: `2024-02` is a month. */
  dateKind: 'day' | 'month' | 'year' | null;
  /** The value of the colour column, '' when empty or without one. */
  code: string;
}

/** The columns the map reads on a sheet: its first place column, its first date column, and the code columns it may colour by. */
export interface MapColumns {
  place: Column | undefined;
  date: Column | undefined;
  /** Code columns (`enum`), in the sheet's order: the choices for the colours. */
  codes: Column[];
}

/** The template's columns by id first, else the first of each type. */
export function mapColumns(columns: readonly Column[]): MapColumns {
  const byId = (id: string, type: Column['type']) => columns.find((c) => c.id === id && c.type === type) ?? columns.find((c) => c.type === type);
  return { place: byId('place', 'place'), date: byId('event_date', 'date'), codes: columns.filter((c) => c.type === 'enum') };
}

const DAY_MS = 86_400_000;

/** The first and last day a partial date covers (`2024-02` → 1 to 29 February), as day numbers; null when it is none. */
export function dateSpan(value: unknown): { from: number; to: number; kind: 'day' | 'month' | 'year' } | null {
  if (typeof value !== 'string' || !isPartialDate(value)) return null;
  const [y, m, d] = value.split('-').map(Number) as [number, number | undefined, number | undefined];
  if (d !== undefined) {
    const day = Date.UTC(y, m! - 1, d) / DAY_MS;
    return { from: day, to: day, kind: 'day' };
  }
  if (m !== undefined) return { from: Date.UTC(y, m - 1, 1) / DAY_MS, to: Date.UTC(y, m, 0) / DAY_MS, kind: 'month' };
  return { from: Date.UTC(y, 0, 1) / DAY_MS, to: Date.UTC(y, 11, 31) / DAY_MS, kind: 'year' };
}

/** A day number as `YYYY-MM-DD`. */
export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Each row's event, in the rows' order. A place without both coordinates has none on the map. */
export function mapEvents(rows: Iterable<MapRow>, columns: MapColumns, codeColumn: string | null): MapEvent[] {
  const out: MapEvent[] = [];
  for (const row of rows) out.push(eventOf(row, columns, codeColumn));
  return out;
}

/** One row's event. */
export function eventOf(row: MapRow, columns: MapColumns, codeColumn: string | null): MapEvent {
  const place = columns.place ? row.cells[columns.place.id] : undefined;
  const placed = isPlace(place) && place.lat !== null && place.lon !== null && Math.abs(place.lat) <= 90 && Math.abs(place.lon) <= 180;
  const span = columns.date ? dateSpan(row.cells[columns.date.id]) : null;
  const code = codeColumn === null ? '' : row.cells[codeColumn];
  return {
    id: row.id,
    name: isPlace(place) ? place.name : '',
    lat: placed ? place.lat : null,
    lon: placed ? place.lon : null,
    from: span?.from ?? null,
    to: span?.to ?? null,
    dateKind: span?.kind ?? null,
    code: typeof code === 'string' ? code : '',
  };
}

/**
 * Each row's event, kept by the row: a grid gives a changed row as a new object and an unchanged one as
 * the same, so after a change only the rows changed are read again. A new choice of columns reads all.
 */
export class RowEvents {
  private kept = new WeakMap<MapRow, MapEvent>();
  private columnsKey = '';
  /** Rows read so far (not taken from what was kept). */
  reads = 0;

  events(rows: Iterable<MapRow>, columns: MapColumns, codeColumn: string | null): MapEvent[] {
    const key = `${columns.place?.id ?? ''}\u0001${columns.date?.id ?? ''}\u0001${codeColumn ?? ''}`;
    if (key !== this.columnsKey) {
      this.kept = new WeakMap();
      this.columnsKey = key;
    }
    const out: MapEvent[] = [];
    for (const row of rows) {
      let event = this.kept.get(row);
      if (!event) {
        event = eventOf(row, columns, codeColumn);
        this.kept.set(row, event);
        this.reads++;
      }
      out.push(event);
    }
    return out;
  }
}

/**
 * What a change of the events asks of the map: nothing; only some points' codes or names (`points`, which
 * the clustering does not depend on: they are changed in place); or everything (`all`: a point added,
 * removed or moved, a date changed, the rows reordered).
 */
export function mapChange(before: readonly MapEvent[], after: readonly MapEvent[]): { kind: 'none' | 'points' | 'all'; changed: MapEvent[] } {
  if (before.length !== after.length) return { kind: 'all', changed: [] };
  const changed: MapEvent[] = [];
  for (let i = 0; i < after.length; i++) {
    const a = before[i]!;
    const b = after[i]!;
    if (a === b) continue;
    if (a.id !== b.id || a.lat !== b.lat || a.lon !== b.lon || a.from !== b.from || a.to !== b.to || a.dateKind !== b.dateKind) return { kind: 'all', changed: [] };
    if (a.code !== b.code || a.name !== b.name) changed.push(b);
  }
  return { kind: changed.length > 0 ? 'points' : 'none', changed };
}

/** The first and last day of the events' dates; null when none has one. */
export function dateExtent(events: readonly MapEvent[]): { from: number; to: number } | null {
  let from = Infinity;
  let to = -Infinity;
  for (const e of events) {
    if (e.from === null || e.to === null) continue;
    if (e.from < from) from = e.from;
    if (e.to > to) to = e.to;
  }
  return from <= to ? { from, to } : null;
}

/**
 * Whether an event is within a date range: its dates overlap the range (a month-dated event is in any
 * range that meets its month). With the whole extent chosen (`all`), events without a date are in too;
 * once the range is narrowed, they are out.
 */
export function inRange(event: MapEvent, range: { from: number; to: number }, all: boolean): boolean {
  if (event.from === null || event.to === null) return all;
  return event.to >= range.from && event.from <= range.to;
}

export type Bin = 'week' | 'month';

/** The day a bin starts: weeks start on Monday (ISO 8601), months on their first. */
export function binStart(day: number, bin: Bin): number {
  if (bin === 'week') {
    const weekday = (new Date(day * DAY_MS).getUTCDay() + 6) % 7; // Monday 0
    return day - weekday;
  }
  const d = new Date(day * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / DAY_MS;
}

function nextBin(start: number, bin: Bin): number {
  if (bin === 'week') return start + 7;
  const d = new Date(start * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / DAY_MS;
}

export interface Timeline {
  /** Every bin from the first event's to the last one's, empty ones too. */
  bins: Array<{ start: number; count: number }>;
  /** Events whose date is coarser than a bin (a month in weeks, a year in weeks or months): not in any bin. */
  coarser: number;
  /** Events without a date. */
  undated: number;
}

/**
 * Events per week or month. An event counts in the bin of its day; a month-dated one counts in its
 * month when the bins are months, and with `coarser` when they are weeks; a year-dated one is always
 * `coarser`. At most `maxBins` bins are made (from the first): a sheet spanning decades in weeks stops there.
 */
export function timeline(events: readonly MapEvent[], bin: Bin, maxBins = 2000): Timeline {
  const counts = new Map<number, number>();
  let coarser = 0;
  let undated = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const e of events) {
    if (e.from === null || e.dateKind === null) {
      undated++;
      continue;
    }
    if (e.dateKind === 'year' || (e.dateKind === 'month' && bin === 'week')) {
      coarser++;
      continue;
    }
    const start = binStart(e.from, bin);
    counts.set(start, (counts.get(start) ?? 0) + 1);
    if (start < first) first = start;
    if (start > last) last = start;
  }
  const bins: Timeline['bins'] = [];
  for (let start = first; start <= last && bins.length < maxBins; start = nextBin(start, bin)) {
    bins.push({ start, count: counts.get(start) ?? 0 });
  }
  return { bins, coarser, undated };
}

/** Colours for codes, in the column's order of codes (then by first seen); grey for an empty cell. */
export const PALETTE = ['#2f5bd3', '#d9480f', '#2b8a3e', '#ae3ec9', '#e8590c', '#1098ad', '#c2255c', '#5c940d', '#862e9c', '#a61e4d', '#0b7285', '#795548'];
export const NO_CODE_COLOUR = '#868e96';

/** A colour for each code: the column's codes in order, codes not in its list after them; the palette repeats past its end. */
export function codeColours(column: Column | undefined, events: readonly MapEvent[]): Map<string, string> {
  const colours = new Map<string, string>();
  const add = (code: string) => {
    if (code !== '' && !colours.has(code)) colours.set(code, PALETTE[colours.size % PALETTE.length]!);
  };
  for (const code of column?.options ?? []) add(code);
  for (const e of events) add(e.code);
  return colours;
}

// ——— the projection: Web Mercator, as supercluster clusters ———

/** The Mercator projection's limit: beyond ±85.05° the map would be infinitely tall. */
export const MAX_LAT = 85.0511;

/** Longitude and latitude as x and y in [0, 1] of the world square (y down), as supercluster and web maps do. */
export function project(lon: number, lat: number): [number, number] {
  const clamped = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  const sin = Math.sin((clamped * Math.PI) / 180);
  return [lon / 360 + 0.5, 0.5 - (0.25 * Math.log((1 + sin) / (1 - sin))) / Math.PI];
}

/**
 * A ring of a country's outline in world coordinates, its longitudes made continuous: a ring that
 * crosses the antimeridian (Russia's east, Fiji) goes on past ±180 instead of jumping across the map,
 * and one that goes all the way round (Antarctica) is closed along the map's bottom edge.
 */
export function unwrapRing(ring: ReadonlyArray<readonly number[]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let shift = 0;
  let prev: number | null = null;
  for (const point of ring) {
    const lon = point[0]!;
    if (prev !== null) {
      if (lon - prev > 180) shift -= 360;
      else if (prev - lon > 180) shift += 360;
    }
    prev = lon;
    out.push(project(lon + shift, point[1]!));
  }
  if (shift !== 0 && out.length > 0) {
    const [lastX] = out[out.length - 1]!;
    const [firstX] = out[0]!;
    out.push([lastX, 1], [firstX, 1]);
  }
  return out;
}
