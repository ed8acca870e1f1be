import { describe, expect, it } from 'vitest';
import { SharedRuns } from './shared-runs';

/** A computation that ends when told, and says which one it was. */
function computations() {
  const started: Array<{ n: number; end: () => void }> = [];
  const compute = () => new Promise<number>((resolve) => {
    const n = started.length + 1;
    started.push({ n, end: () => resolve(n) });
  });
  return { started, compute };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('shared runs', () => {
  it('runs a request alone, and lets the requests that arrive meanwhile share the next run', async () => {
    const runs = new SharedRuns<number>();
    const { started, compute } = computations();
    const first = runs.run('a', compute);
    const second = runs.run('a', compute);
    const third = runs.run('a', compute);
    expect(started).toHaveLength(1);
    started[0]!.end();
    expect(await first).toBe(1);
    await settle();
    // The waiting run starts only after the first ended: after the second and third requests arrived.
    expect(started).toHaveLength(2);
    started[1]!.end();
    expect([await second, await third]).toEqual([2, 2]);
    // Nothing under way: a new request runs anew.
    const fourth = runs.run('a', compute);
    expect(started).toHaveLength(3);
    started[2]!.end();
    expect(await fourth).toBe(3);
  });

  it('keeps keys apart, and a failed run does not stop the next', async () => {
    const runs = new SharedRuns<number>();
    const { started, compute } = computations();
    const a = runs.run('a', compute);
    const b = runs.run('b', compute);
    expect(started).toHaveLength(2);
    started[0]!.end();
    started[1]!.end();
    expect([await a, await b]).toEqual([1, 2]);
    const failing = runs.run('a', () => Promise.reject(new Error('store down')));
    const after = runs.run('a', compute);
    await expect(failing).rejects.toThrow('store down');
    await settle();
    started[2]!.end();
    expect(await after).toBe(3);
  });
});
