import { describe, expect, it } from 'vitest';
import { dayRange, placeDate } from './dates';

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
