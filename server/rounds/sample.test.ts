import { describe, expect, it } from 'vitest';
import { drawSample, sampleSize } from './sample';

const rows = Array.from({ length: 200 }, (_, i) => `row${String(i).padStart(3, '0')}`);

describe('round samples', () => {
  it('draws the same rows again from the same seed, whatever order the rows come in', () => {
    const first = drawSample(rows, 30, 42);
    expect(drawSample([...rows].reverse(), 30, 42)).toEqual(first);
    expect(first).toHaveLength(30);
    expect(new Set(first).size).toBe(30);
    for (const row of first) expect(rows).toContain(row);
  });

  it('draws other rows from another seed', () => {
    expect(drawSample(rows, 30, 43)).not.toEqual(drawSample(rows, 30, 42));
  });

  it('rounds the size up, so a small sheet still gives a row, and never takes more rows than there are', () => {
    expect(sampleSize(3, 10)).toBe(1);
    expect(sampleSize(200, 15)).toBe(30);
    expect(drawSample(['a', 'b', 'c'], 5, 1)).toEqual(['a', 'b', 'c']);
    expect(drawSample([], 5, 1)).toEqual([]);
  });
});
