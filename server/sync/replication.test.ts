/** What reaches a room from other instances, on fake timers: commit order, gaps, pending updates, stopped instances. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger';
import { Changes } from './changes';
import { GAP_WAIT_MS, PENDING_CHECK_MS, PENDING_STALE_MS, Replication, type ReplicatedRoom, RoomReplaced } from './replication';
import type { LoggedSince } from './store';

const bytes = (...values: number[]) => new Uint8Array(values);

/** A room that records what it is asked to apply. */
class FakeRoom implements ReplicatedRoom {
  seq = 0;
  /** What each `applyLogged` applied: the fresh updates' first bytes, and which of them were seen as pending. */
  readonly applied: Array<{ fresh: number[]; seen: number[] }> = [];
  /** What `applyPending` answers next. */
  pendingAnswer: () => Changes | 'kept' | null = () => new Changes();
  readonly adopted: Changes[][] = [];
  warmed = 0;
  replication!: Replication;
  /** What kept updates change once recorded. */
  readonly recorded = new Map<string | null, Changes>();

  lastSeq(): number {
    return this.seq;
  }

  applyLogged(missed: LoggedSince, fresh: Uint8Array[], seen: ReadonlySet<Uint8Array>): void {
    this.applied.push({ fresh: fresh.map((u) => u[0]!), seen: fresh.filter((u) => seen.has(u)).map((u) => u[0]!) });
    this.seq = Math.max(this.seq, missed.lastSeq);
  }

  applyPending(): Changes | 'kept' | null {
    return this.pendingAnswer();
  }

  warm(): void {
    this.warmed += 1;
    this.replication.recordKept((userId) => {
      const changes = new Changes();
      this.recorded.set(userId, changes);
      return changes;
    });
  }

  adopt(changes: Changes[]): void {
    this.adopted.push(changes);
  }
}

describe('replication between instances', () => {
  let room: FakeRoom;
  let log: LoggedSince;
  let reads: number[];
  let alive: Map<string, boolean>;
  let replication: Replication;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    room = new FakeRoom();
    log = { snapshot: null, updates: [], lastSeq: 0 };
    reads = [];
    alive = new Map();
    let queue = Promise.resolve();
    replication = new Replication(room, {
      id: 'd1',
      store: {
        since: async (_id, after) => {
          reads.push(after);
          return { ...log, updates: log.updates.filter(({ seq }) => seq > after) };
        },
      },
      enqueue: (work) => {
        const run = queue.then(work);
        queue = run.catch(() => undefined);
        return run;
      },
      bus: { alive: async (instance) => alive.get(instance) ?? null },
      log: createLogger('silent'),
    });
    room.replication = replication;
  });
  afterEach(() => vi.useRealTimers());

  it('applies commits in the order of the log: one that arrives ahead of a missing one waits for it', () => {
    replication.committed(1, 2, [bytes(2)]);
    replication.committed(2, 3, [bytes(3)]);
    expect(room.applied).toEqual([]);
    replication.committed(0, 1, [bytes(1)]);
    expect(room.applied.map((a) => a.fresh)).toEqual([[1], [2], [3]]);
    expect(room.seq).toBe(3);
    // A commit the room has is not applied again.
    replication.committed(2, 3, [bytes(3)]);
    expect(room.applied).toHaveLength(3);
  });

  it('reads the log when the missing commit does not come within the gap wait, and not before', async () => {
    log = { snapshot: null, updates: [{ seq: 1, update: bytes(1) }, { seq: 2, update: bytes(2) }], lastSeq: 2 };
    replication.committed(1, 2, [bytes(2)]);
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS - 1);
    expect(reads).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(reads).toEqual([0]);
    expect(room.applied.map((a) => a.fresh)).toEqual([[1, 2]]);
    // The commit that waited is dropped with the gap: nothing more is read.
    await vi.advanceTimersByTimeAsync(10 * GAP_WAIT_MS);
    expect(reads).toEqual([0]);
  });

  it('reads nothing when the missing commit comes in time, or the room commits itself', async () => {
    replication.committed(1, 2, [bytes(2)]);
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS / 2);
    replication.committed(0, 1, [bytes(1)]);
    replication.committed(3, 4, [bytes(4)]);
    room.seq = 3; // this instance's own commit, 3, came back from the store
    replication.committedHere();
    await vi.advanceTimersByTimeAsync(10 * GAP_WAIT_MS);
    expect(reads).toEqual([]);
    expect(room.applied.map((a) => a.fresh)).toEqual([[1], [2], [4]]);
  });

  it('keeps what another instance applied until it comes back logged, and tells the room it was seen', () => {
    replication.pending('B', 'ana', [bytes(7)]);
    expect(replication.unstored()).toEqual([bytes(7)]);
    // The commit carries the same bytes, as another array.
    replication.committed(0, 1, [bytes(8), bytes(7)]);
    expect(room.applied).toEqual([{ fresh: [8, 7], seen: [7] }]);
    expect(replication.unstored()).toEqual([]);
  });

  it('keeps nothing the room could not apply (it builds on what the room lacks)', () => {
    room.pendingAnswer = () => null;
    replication.pending('B', 'ana', [bytes(7)]);
    expect(replication.unstored()).toEqual([]);
  });

  it('stores as its own what a stopped instance applied, once it waited long enough, and not what a running one did', async () => {
    const fromB = new Changes();
    room.pendingAnswer = () => fromB;
    replication.pending('B', 'ana', [bytes(7)]);
    room.pendingAnswer = () => new Changes();
    replication.pending('C', 'ben', [bytes(9)]);
    alive.set('B', false);
    alive.set('C', true);
    await vi.advanceTimersByTimeAsync(PENDING_STALE_MS - 1);
    expect(room.adopted).toEqual([]);
    await vi.advanceTimersByTimeAsync(PENDING_CHECK_MS);
    expect(room.adopted).toEqual([[fromB]]);
    // What B committed before it stopped was read first.
    expect(reads).toEqual([0]);
    expect(replication.unstored()).toEqual([bytes(9)]);
    await vi.advanceTimersByTimeAsync(10 * PENDING_CHECK_MS);
    expect(room.adopted).toHaveLength(1);
  });

  it('records what a cold room kept, by warming it, before storing it as its own', async () => {
    room.pendingAnswer = () => 'kept';
    replication.pending('B', 'ana', [bytes(7)]);
    expect(room.warmed).toBe(0);
    alive.set('B', false);
    await replication.adoptFromStopped(0);
    expect(room.warmed).toBe(1);
    expect(room.adopted).toEqual([[room.recorded.get('ana')]]);
  });

  it('once stopped applies nothing and reads nothing', async () => {
    replication.committed(1, 2, [bytes(2)]);
    replication.pending('B', 'ana', [bytes(7)]);
    alive.set('B', false);
    replication.stop();
    replication.committed(0, 1, [bytes(1)]);
    let asked = 0;
    room.pendingAnswer = () => {
      asked += 1;
      return new Changes();
    };
    replication.pending('B', 'ana', [bytes(8)]);
    await vi.advanceTimersByTimeAsync(PENDING_STALE_MS + 10 * PENDING_CHECK_MS);
    expect([room.applied, room.adopted, reads, asked]).toEqual([[], [], [], 0]);
  });

  it('lets go of the room, merging nothing, when the log started over after what it has (under a commit, or catching up)', async () => {
    const startedOver: LoggedSince = { snapshot: bytes(7), updates: [{ seq: 9, update: bytes(9) }], lastSeq: 9, replaced: true };
    const failures: string[] = [];
    const replaced = (room: FakeRoom) => {
      let told = 0;
      const replication = new Replication(room, {
        id: 'd1', store: { since: async () => startedOver }, enqueue: (work) => work(), log: createLogger('silent'),
        metrics: { storeFailed: (what: string) => failures.push(what) } as never,
        onReplaced: () => { told += 1; },
      });
      return { replication, told: () => told };
    };
    const underCommit = replaced(room);
    expect(() => underCommit.replication.logged(startedOver)).toThrow(RoomReplaced);
    // Stopped: what arrives next is not applied either.
    underCommit.replication.committed(0, 10, [bytes(10)]);
    expect([room.applied, underCommit.told()]).toEqual([[], 1]);

    const other = new FakeRoom();
    const catchingUp = replaced(other);
    await catchingUp.replication.catchUp();
    await catchingUp.replication.catchUp();
    expect([other.applied, catchingUp.told(), failures]).toEqual([[], 1, []]);
  });
});
