import { describe, expect, it } from 'vitest';
import { dayRange, placeDate, timeAxisTicks } from './dates';

describe('placing coded dates on a time axis', () => {
  it('places a day on that day, a month and a year at their start, and says how precise each is', () => {
    expect(placeDate('2024-02-22')).toEqual({ time: Date.UTC(2024, 1, 22), precision: 'day' });
    expect(placeDate('2024-02')).toEqual({ time: Date.UTC(2024, 1, 1), precision: 'month' });
    expect(placeDate('2024')).toEqual({ time: Date.UTC(2024, 0, 1), precision: 'year' });
  });

  it('gives no place to what is not a date: typos, impossible days, other types', () => {
    for (const value of ['2024-2-22', '2024-02-30', '2024-13', 'Feb 2024', '', null, 2024, ['2024']]) {
      expect(placeDate(value), String(value)).toBeNull();
    }
  });

  it('lists every day between two days, keeping the most recent when there are too many', () => {
    expect(dayRange('2024-02-27', '2024-03-02')).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02']);
    expect(dayRange('2020-01-01', '2024-03-02', 3)).toEqual(['2024-02-29', '2024-03-01', '2024-03-02']);
    expect(dayRange('2024-03-02', '2024-03-01')).toEqual([]);
  });
});

describe('the time axis’s ticks', () => {
  const DAY = 86_400_000;
  it('marks each month once, at its start, over a few months', () => {
    const ticks = timeAxisTicks(Date.UTC(2023, 11, 10), Date.UTC(2024, 2, 25));
    expect(ticks.map((t) => t.label)).toEqual(['Jan 2024', 'Feb 2024', 'Mar 2024']);
    expect(ticks.map((t) => t.value)).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 1, 1), Date.UTC(2024, 2, 1)]);
    expect(timeAxisTicks(Date.UTC(2023, 11, 1), Date.UTC(2024, 2, 25)).map((t) => t.label)).toEqual(['Dec 2023', 'Jan 2024', 'Feb 2024', 'Mar 2024']);
  });

  it('spaces months, days and years so that at most `most` ticks show, none twice', () => {
    const months = timeAxisTicks(Date.UTC(2022, 0, 1), Date.UTC(2024, 5, 1), 10);
    expect(months.length).toBeLessThanOrEqual(10);
    expect(new Set(months.map((t) => t.label)).size).toBe(months.length);
    expect(months[0]!.label).toBe('Jan 2022');
    expect(timeAxisTicks(Date.UTC(2024, 1, 20), Date.UTC(2024, 1, 23) + 12 * 3_600_000).map((t) => t.label))
      .toEqual(['20 Feb 2024', '21 Feb 2024', '22 Feb 2024', '23 Feb 2024']);
    expect(timeAxisTicks(Date.UTC(2010, 5, 1), Date.UTC(2024, 1, 1), 8).map((t) => t.label)).toEqual(['2012', '2014', '2016', '2018', '2020', '2022', '2024']);
    expect(timeAxisTicks(Date.UTC(2024, 0, 1), Date.UTC(2024, 1, 28), 10).every((t) => (t.value - Date.UTC(2024, 0, 1)) % (7 * DAY) === 0)).toBe(true);
  });
});
