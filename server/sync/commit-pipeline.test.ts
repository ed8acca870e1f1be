/** A room's way to the store, on fake timers: the window, one write at a time, failures, acks, stopping. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger';
import { type AckPeer, CommitPipeline, FLUSH_DELAY_MS, type Written } from './commit-pipeline';
import { storeFailingMessage, storedMessage } from './protocol';
import { STORE_RETRY_FIRST_MS } from './store-retry';

class TestPeer implements AckPeer {
  readonly sent: Uint8Array[] = [];
  constructor(readonly acks: boolean) {}
  send(message: Uint8Array): void {
    this.sent.push(message);
  }
}

/** A promise and the functions that settle it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const STORED = new Uint8Array([1, 7, 3]);
const wrote: Written = { wrote: true, stored: STORED };

describe('the commit pipeline', () => {
  let peers: Set<TestPeer>;
  let health: boolean[];
  /** What each write does, in turn; a write past the list succeeds. */
  let outcomes: Array<() => Promise<Written>>;
  let writes: number[];
  let pipeline: CommitPipeline<TestPeer>;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    peers = new Set();
    health = [];
    outcomes = [];
    writes = [];
    pipeline = new CommitPipeline<TestPeer>({
      log: createLogger('silent'),
      room: 'd1',
      write: () => {
        writes.push(Date.now());
        return outcomes.shift()?.() ?? Promise.resolve(wrote);
      },
      peers: () => peers,
      onHealth: (ok) => health.push(ok),
    });
  });
  afterEach(() => vi.useRealTimers());

  const peer = (acks = true) => {
    const p = new TestPeer(acks);
    peers.add(p);
    return p;
  };

  it('writes what is applied within the window in one write, the window after the first of it', async () => {
    expect(FLUSH_DELAY_MS).toBe(20);
    const start = Date.now();
    pipeline.schedule();
    await vi.advanceTimersByTimeAsync(5);
    pipeline.schedule();
    await vi.advanceTimersByTimeAsync(10);
    pipeline.schedule();
    await vi.advanceTimersByTimeAsync(4);
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toEqual([start + FLUSH_DELAY_MS]);
    await vi.advanceTimersByTimeAsync(100);
    expect(writes).toHaveLength(1);
  });

  it('makes the flushes asked for while a write is in flight one more write after it', async () => {
    const first = deferred<Written>();
    outcomes.push(() => first.promise);
    const inFlight = pipeline.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toHaveLength(1);
    const joined = [pipeline.flush(), pipeline.flush(), pipeline.flush()];
    expect(joined[1]).toBe(joined[0]);
    expect(joined[2]).toBe(joined[0]);
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toHaveLength(1);
    first.resolve(wrote);
    await inFlight;
    await joined[0];
    expect(writes).toHaveLength(2);
  });

  it('tells each peer that sent an update what is stored, after the write, and nobody who left or did not ask', async () => {
    const ana = peer();
    const ben = peer();
    const quiet = peer();
    const noAcks = peer(false);
    const write = deferred<Written>();
    outcomes.push(() => write.promise);
    pipeline.awaitAck(ana);
    pipeline.awaitAck(ben);
    await vi.advanceTimersByTimeAsync(FLUSH_DELAY_MS);
    expect(writes).toHaveLength(1);
    // Ben leaves while the write that covers his update is in flight.
    peers.delete(ben);
    pipeline.forget(ben);
    write.resolve(wrote);
    await pipeline.flush();
    expect(ana.sent).toEqual([storedMessage(STORED)]);
    expect([ben.sent, quiet.sent, noAcks.sent]).toEqual([[], [], []]);
  });

  it('while the store fails: tells the peers who asked once, writes only at the backed-off retry, then acks them all', async () => {
    const ana = peer();
    const carla = peer();
    const noAcks = peer(false);
    outcomes.push(() => Promise.reject(new Error('disk I/O error')), () => Promise.reject(new Error('disk I/O error')));
    pipeline.awaitAck(ana);
    await vi.advanceTimersByTimeAsync(FLUSH_DELAY_MS);
    expect(pipeline.failing).toBe(true);
    expect(health).toEqual([false]);
    expect(ana.sent).toEqual([storeFailingMessage()]);
    expect(carla.sent).toEqual([storeFailingMessage()]);
    expect(noAcks.sent).toEqual([]);

    // More edits meanwhile write nothing before the retry: it would only fail again.
    pipeline.awaitAck(carla);
    await vi.advanceTimersByTimeAsync(FLUSH_DELAY_MS);
    expect(writes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(STORE_RETRY_FIRST_MS - FLUSH_DELAY_MS);
    expect(writes).toHaveLength(2);
    expect(ana.sent).toHaveLength(1); // told once

    await vi.advanceTimersByTimeAsync(2 * STORE_RETRY_FIRST_MS);
    expect(writes).toHaveLength(3);
    expect(pipeline.failing).toBe(false);
    expect(health).toEqual([false, true]);
    expect(ana.sent).toEqual([storeFailingMessage(), storedMessage(STORED)]);
    expect(carla.sent).toEqual([storeFailingMessage(), storedMessage(STORED)]);
    expect(noAcks.sent).toEqual([]);
  });

  it('acks with what is stored when nothing was pending, without a write', async () => {
    const ana = peer();
    const before = new Uint8Array([9]);
    outcomes.push(() => Promise.resolve({ wrote: false, stored: before }));
    pipeline.awaitAck(ana);
    await vi.advanceTimersByTimeAsync(FLUSH_DELAY_MS);
    expect(ana.sent).toEqual([storedMessage(before)]);
  });

  it('runs a write’s after-work once the peers are told, and queued store work after both, in order', async () => {
    const ana = peer();
    const order: string[] = [];
    outcomes.push(async () => ({
      wrote: true, stored: STORED, after: async () => {
        order.push(`compact (peer told: ${ana.sent.length})`);
      },
    }));
    pipeline.awaitAck(ana);
    const flushed = pipeline.flush();
    const queued = pipeline.enqueue(async () => {
      order.push('catch up');
    });
    await Promise.all([flushed, queued]);
    expect(order).toEqual(['compact (peer told: 1)', 'catch up']);
  });

  it('once stopped writes nothing more, lets the write in flight end, and tells nobody of its failure', async () => {
    const ana = peer();
    const inFlight = deferred<Written>();
    outcomes.push(() => inFlight.promise);
    pipeline.awaitAck(ana);
    await vi.advanceTimersByTimeAsync(FLUSH_DELAY_MS);
    expect(writes).toHaveLength(1);
    pipeline.schedule();
    let ended = false;
    const stopped = pipeline.stop().then(() => (ended = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(ended).toBe(false);
    inFlight.reject(new Error('the dataset is being deleted'));
    await stopped;
    expect(pipeline.stopped).toBe(true);
    expect(pipeline.failing).toBe(false);
    expect(ana.sent).toEqual([]);
    pipeline.schedule();
    await vi.advanceTimersByTimeAsync(10 * STORE_RETRY_FIRST_MS);
    expect(writes).toHaveLength(1);
  });
});
