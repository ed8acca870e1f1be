import { describe, expect, it } from 'vitest';
import { STEP_ONE_BURST, StepOneGuard } from './step-one-guard';

const sv = (n: number) => Uint8Array.of(1, n, 0);

describe('StepOneGuard', () => {
  it('allows a burst, then one per second', () => {
    let now = 0;
    const guard = new StepOneGuard(() => now);
    for (let i = 0; i < STEP_ONE_BURST; i++) expect(guard.check(sv(i))).toBe('answer');
    expect(guard.check(sv(99))).toBe('too-often');
    now += 1000;
    expect(guard.check(sv(100))).toBe('answer');
    expect(guard.check(sv(101))).toBe('too-often');
  });

  it('answers the same state vector once while its answer is queued, and again once it has left', () => {
    const guard = new StepOneGuard(() => 0);
    expect(guard.check(sv(1))).toBe('answer');
    const written = guard.answered(sv(1));
    expect(guard.check(sv(1))).toBe('repeat');
    expect(guard.check(sv(2))).toBe('answer');
    written();
    expect(guard.check(sv(1))).toBe('answer');
  });
});
