/** Dates of the coding (ISO 8601 `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` when only that much is known) on a time axis. */

export type DatePrecision = 'day' | 'month' | 'year';

export interface PlacedDate {
  /** UTC milliseconds of the start of the period. */
  time: number;
  precision: DatePrecision;
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/**
 * Where a coded date goes on a time axis: a month or a year is placed at its start. Anything that is
 * not such a date (a typo, a range) has no place: null.
 */
export function placeDate(value: unknown): PlacedDate | null {
  if (typeof value !== 'string') return null;
  const m = DATE.exec(value.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const time = Date.UTC(year, month - 1, day);
  // 2024-02-30 rolls over into March: not a date.
  if (new Date(time).getUTCDate() !== day) return null;
  return { time, precision: m[3] !== undefined ? 'day' : m[2] !== undefined ? 'month' : 'year' };
}

/** Every day from `first` to `last` (`YYYY-MM-DD`), at most `max` of them (the most recent). */
export function dayRange(first: string, last: string, max = 366): string[] {
  const start = placeDate(first);
  const end = placeDate(last);
  if (!start || !end || end.time < start.time) return [];
  const days: string[] = [];
  const DAY = 86_400_000;
  for (let t = Math.max(start.time, end.time - (max - 1) * DAY); t <= end.time; t += DAY) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** A time axis label: "22 Feb 2024", "Feb 2024" or "2024" depending on the span shown. */
export function formatAxisDate(time: number, spanMs: number): string {
  const d = new Date(time);
  const DAY = 86_400_000;
  if (spanMs > 3 * 365 * DAY) return String(d.getUTCFullYear());
  if (spanMs > 90 * DAY) return d.toLocaleDateString('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}
