import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Spool } from './spool';

describe('Spool', () => {
  it('gives back every item in order, a slice at a time, and leaves nothing on disk', async () => {
    const spool = await Spool.create<{ n: number; text: string; list: string[] | null }>();
    const items = Array.from({ length: 2_500 }, (_, n) => ({ n, text: `"Ünïcode" line\nbreak ${n} \u2028`, list: n % 2 ? ['a', 'b'] : null }));
    for (const item of items) await spool.push(item);
    expect(spool.count).toBe(2_500);
    const slices: number[] = [];
    const back = [];
    for await (const slice of spool.slices(1_000)) {
      slices.push(slice.length);
      back.push(...slice);
    }
    expect(slices).toEqual([1_000, 1_000, 500]);
    expect(back).toEqual(items);
    expect(existsSync(spool.dir)).toBe(true);
    await spool.dispose();
    expect(existsSync(spool.dir)).toBe(false);
  });

  it('reads an empty spool as no slices', async () => {
    const spool = await Spool.create<number>();
    const slices = [];
    for await (const slice of spool.slices(10)) slices.push(slice);
    expect(slices).toEqual([]);
    await spool.dispose();
  });
});
