import { describe, expect, it } from 'vitest';
import { Changes } from './changes';
import { PendingElsewhere } from './pending-elsewhere';

const bytes = (...values: number[]) => new Uint8Array(values);

describe('PendingElsewhere', () => {
  it('keeps an entry until every one of its updates came back logged (as other arrays of the same bytes)', () => {
    const kept = new PendingElsewhere();
    kept.add('a', [bytes(1, 2), bytes(3)], new Changes(), 1000);
    kept.add('b', [bytes(9)], new Changes(), 1500);
    const known = [bytes(1, 2), bytes(7)];
    expect([...kept.logged(known)]).toEqual([known[0]]);
    expect(kept.updates()).toEqual([bytes(3), bytes(9)]);
    kept.logged([bytes(3)]);
    expect(kept.updates()).toEqual([bytes(9)]);
    expect(kept.size).toBe(1);
  });

  it('names the instances whose oldest entry waited too long, and gives up what it kept of one', () => {
    const kept = new PendingElsewhere();
    const first = new Changes();
    kept.add('a', [bytes(1)], first, 1000);
    kept.add('a', [bytes(2)], new Changes(), 4000);
    kept.add('b', [bytes(3)], new Changes(), 3500);
    expect(kept.waitingLongerThan(3000, 4000)).toEqual(['a']);
    expect(kept.waitingLongerThan(3000, 7000)).toEqual(['a', 'b']);
    const taken = kept.take('a');
    expect(taken).toHaveLength(2);
    expect(taken[0]).toBe(first);
    expect(kept.updates()).toEqual([bytes(3)]);
    expect(kept.take('a')).toEqual([]);
  });
});
