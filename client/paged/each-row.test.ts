import { describe, expect, it } from 'vitest';
import type { RowDocs } from './row-docs';
import { ROWS_AT_ONCE, eachRow } from './undo';

/** Rows that always have room (`roomFor` resolves at once). */
const roomy = { roomFor: async () => undefined } as unknown as RowDocs;

/** A promise settled from outside. */
function later<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

const turns = async (n = 5) => { for (let i = 0; i < n; i++) await Promise.resolve(); };

describe('eachRow', () => {
  it('keeps ROWS_AT_ONCE rows going, starts the next as soon as any one is done, and answers in the items\' order', async () => {
    const items = Array.from({ length: ROWS_AT_ONCE * 3 }, (_, i) => i);
    const pending = new Map<number, ReturnType<typeof later<string>>>();
    const run = eachRow(roomy, items, (i) => {
      const p = later<string>();
      pending.set(i, p);
      return p.promise;
    });
    await turns();
    expect([...pending.keys()]).toEqual(items.slice(0, ROWS_AT_ONCE));
    // The first row is slow: the others finishing let new rows start, without waiting for it.
    pending.get(1)!.resolve('r1');
    pending.get(2)!.resolve('r2');
    await turns();
    expect(pending.size).toBe(ROWS_AT_ONCE + 2);
    expect(pending.has(ROWS_AT_ONCE) && pending.has(ROWS_AT_ONCE + 1)).toBe(true);
    let done = false;
    void run.then(() => { done = true; });
    // The rows finish in reverse order of starting: the answers still come in the items' order.
    while (!done) {
      for (const [i, p] of [...pending].reverse()) p.resolve(`r${i}`);
      await turns();
    }
    expect(pending.size).toBe(items.length);
    expect(await run).toEqual(items.map((i) => `r${i}`));
  });

  it('starts no row after one failed, and throws its error once the rows under way are done', async () => {
    const items = Array.from({ length: ROWS_AT_ONCE * 2 }, (_, i) => i);
    const pending = new Map<number, ReturnType<typeof later<number>>>();
    let settled = false;
    const run = eachRow(roomy, items, (i) => {
      const p = later<number>();
      pending.set(i, p);
      return p.promise;
    });
    void run.catch(() => undefined).finally(() => { settled = true; });
    await turns();
    pending.get(0)!.reject(new Error('row 0 is closed'));
    await turns();
    expect(pending.size).toBe(ROWS_AT_ONCE);
    expect(settled).toBe(false);
    for (let i = 1; i < ROWS_AT_ONCE; i++) pending.get(i)!.resolve(i);
    await expect(run).rejects.toThrow('row 0 is closed');
    expect(pending.size).toBe(ROWS_AT_ONCE);
  });

  it('opens a row only once the tab has room for it', async () => {
    let room = later<void>();
    let asked = 0;
    const rows = { roomFor: () => { asked += 1; return room.promise; } } as unknown as RowDocs;
    const started: number[] = [];
    const run = eachRow(rows, [0, 1], async (i) => { started.push(i); });
    await turns();
    expect(asked).toBe(2);
    expect(started).toEqual([]);
    room.resolve();
    room = later<void>();
    await run;
    expect(started).toEqual([0, 1]);
  });
});
