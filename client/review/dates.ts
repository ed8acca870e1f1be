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

export interface AxisTick {
  /** UTC milliseconds: the start of a day, month or year. */
  value: number;
  label: string;
}

/**
 * Ticks for a time axis from `min` to `max` (UTC ms) at calendar boundaries, at most `most` of them:
 * year starts ("2024") over more than three years, month starts ("Feb 2024") over more than 90 days,
 * days ("22 Feb 2024") otherwise. Each period is labelled once, at its start.
 */
export function timeAxisTicks(min: number, max: number, most = 10): AxisTick[] {
  const DAY = 86_400_000;
  const span = max - min;
  const start = new Date(min);
  const ticks: AxisTick[] = [];
  const within = (steps: readonly number[], count: (step: number) => number) => steps.find((s) => count(s) <= most) ?? steps[steps.length - 1]!;
  if (span > 3 * 365 * DAY) {
    const first = start.getUTCFullYear() + (Date.UTC(start.getUTCFullYear(), 0, 1) < min ? 1 : 0);
    const years = new Date(max).getUTCFullYear() - first + 1;
    const step = within([1, 2, 5, 10, 20, 50, 100], (s) => Math.ceil(years / s));
    for (let y = Math.ceil(first / step) * step; Date.UTC(y, 0, 1) <= max; y += step) {
      ticks.push({ value: Date.UTC(y, 0, 1), label: String(y) });
    }
  } else if (span > 90 * DAY) {
    let month = start.getUTCFullYear() * 12 + start.getUTCMonth() + (Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1) < min ? 1 : 0);
    const last = new Date(max).getUTCFullYear() * 12 + new Date(max).getUTCMonth();
    const step = within([1, 2, 3, 6, 12], (s) => Math.ceil((last - month + 1) / s));
    month = Math.ceil(month / step) * step;
    for (; month <= last; month += step) {
      const value = Date.UTC(Math.floor(month / 12), month % 12, 1);
      ticks.push({ value, label: formatAxisDate(value, 91 * DAY) });
    }
  } else {
    const firstDay = Math.ceil(min / DAY);
    const step = within([1, 2, 7, 14, 28], (s) => Math.ceil((Math.floor(max / DAY) - firstDay + 1) / s));
    for (let day = firstDay; day * DAY <= max; day += step) ticks.push({ value: day * DAY, label: formatAxisDate(day * DAY, 0) });
  }
  return ticks;
}
