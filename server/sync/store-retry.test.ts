/** A room while its store fails, on fake timers: when it retries, what it logs, and when health changes. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger';
import { STORE_FAILURE_LOG_EVERY_MS, STORE_RETRY_FIRST_MS, STORE_RETRY_MAX_MS, StoreRetry } from './store-retry';

describe('retrying a failing store', () => {
  let lines: Array<{ msg: string; failures?: number }>;
  let health: boolean[];
  let tries: number[];
  let retry: StoreRetry;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    lines = [];
    health = [];
    tries = [];
    const log = createLogger('info', { write: (line: string) => { lines.push(JSON.parse(line)); } });
    retry = new StoreRetry({ log, room: 'd1', retry: () => tries.push(Date.now()), onHealth: (ok) => health.push(ok) });
  });
  afterEach(() => vi.useRealTimers());

  /** Fails now and runs the clock to the retry it schedules; returns the delay. */
  const failAndWait = () => {
    const before = Date.now();
    retry.failed(new Error('disk I/O error'));
    expect(retry.waiting).toBe(true);
    vi.runOnlyPendingTimers();
    expect(retry.waiting).toBe(false);
    return tries.at(-1)! - before;
  };

  it('retries after a delay that doubles up to the maximum', () => {
    const delays = Array.from({ length: 8 }, failAndWait);
    expect([STORE_RETRY_FIRST_MS, STORE_RETRY_MAX_MS]).toEqual([250, 5000]);
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('tells health and the peers once when it starts failing and once when it works again, and starts over after', () => {
    expect(retry.failed(new Error('x'))).toBe(true);
    expect(retry.failed(new Error('x'))).toBe(false);
    expect(retry.failing).toBe(true);
    expect(health).toEqual([false]);
    expect(retry.succeeded()).toBe(true);
    expect(retry.succeeded()).toBe(false);
    expect(retry.failing).toBe(false);
    expect(health).toEqual([false, true]);
    // A new failure starts again from the first delay.
    retry.cancel();
    expect(failAndWait()).toBe(STORE_RETRY_FIRST_MS);
  });

  it('logs the first failure, then one line per interval with a count, not one per try', () => {
    // Twenty tries over 77.75 s: failures at 0 s, …, 32.75 s, …, 62.75 s, … 72.75 s.
    for (let i = 0; i < 20; i++) failAndWait();
    expect(tries.at(-1)! - tries[0]! + STORE_RETRY_FIRST_MS).toBeGreaterThan(STORE_FAILURE_LOG_EVERY_MS * 2);
    const failing = lines.filter((l) => l.msg.startsWith('storing updates'));
    expect(failing.map((l) => l.msg)).toEqual([
      'storing updates failed; keeping them in memory and retrying',
      'storing updates still failing; retrying',
      'storing updates still failing; retrying',
    ]);
    expect(failing[2]!.failures).toBeGreaterThan(failing[1]!.failures!);
    retry.succeeded();
    expect(lines.at(-1)!.msg).toBe('storing updates works again');
  });

  it('does not retry once cancelled', () => {
    retry.failed(new Error('x'));
    retry.cancel();
    vi.runAllTimers();
    expect(tries).toEqual([]);
  });
});
