import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import type { ClusterEvent, RoomMessage } from './bus';
import { decodeMessage, encodeMessage, RedisBus } from './redis-bus';

const REDIS = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

describe('the bus messages', () => {
  it('decode to what was encoded, with the sender', () => {
    const messages: RoomMessage[] = [
      { kind: 'updates', prevSeq: 41, seq: 44, updates: [new Uint8Array([1, 2, 3]), new Uint8Array([]), new Uint8Array(70_000).fill(7)] },
      { kind: 'pending', userId: 'u1', updates: [new Uint8Array([4, 5])] },
      { kind: 'pending', userId: null, updates: [] },
      { kind: 'presence', update: new Uint8Array([9, 8, 7]) },
      { kind: 'hello' },
      { kind: 'rows', rows: [{ sheet: 'events', row: 'r1', cells: { summary: 'Talks "agreed"', context: ['a'] } }, { sheet: 'events', row: 'r2', cells: null }] },
    ];
    for (const message of messages) expect(decodeMessage(encodeMessage('instance-1', message))).toEqual({ from: 'instance-1', message });
  });

  it('refuses bytes that are not a message', () => {
    expect(() => decodeMessage(new Uint8Array([1, 65, 9]))).toThrow();
    expect(() => decodeMessage(encodeMessage('x', { kind: 'hello' }).slice(0, 1))).toThrow();
  });
});

describe('RedisBus on a real Redis', () => {
  const buses: RedisBus[] = [];
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });
  const prefix = `tessera-test-${randomBytes(6).toString('hex')}:`;
  const bus = (instanceId: string) => {
    const made = new RedisBus({ url: REDIS, prefix, instanceId, log: createLogger('silent') });
    buses.push(made);
    return made;
  };
  const eventually = async (check: () => boolean) => {
    await expect.poll(check, { timeout: 5000 }).toBe(true);
  };

  it('delivers a room\'s messages to the other instances that joined it, not back to the sender, and not after leaving', async () => {
    const [a, b, c] = [bus('a'), bus('b'), bus('c')];
    await expect.poll(() => a.connected && b.connected && c.connected, { timeout: 5000 }).toBe(true);
    const got: Record<string, RoomMessage[]> = { a: [], b: [], c: [] };
    const senders: string[] = [];
    await a.join('d1', (m) => got.a!.push(m));
    await b.join('d1', (m, from) => {
      got.b!.push(m);
      senders.push(from);
    });
    await c.join('other', (m) => got.c!.push(m));
    a.publish('d1', { kind: 'presence', update: new Uint8Array([1]) });
    await eventually(() => got.b!.length === 1);
    expect(got.b).toEqual([{ kind: 'presence', update: new Uint8Array([1]) }]);
    expect(senders).toEqual(['a']);
    b.leave('d1');
    a.publish('d1', { kind: 'hello' });
    b.publish('other', { kind: 'hello' });
    await eventually(() => got.c!.length === 1);
    expect(got.a).toEqual([]);
    expect(got.b).toHaveLength(1);
  });

  it('says whether an instance runs: marked while its bus is open, unmarked once closed', async () => {
    const [a, b] = [bus('alive-a'), bus('alive-b')];
    await expect.poll(() => a.connected && b.connected, { timeout: 5000 }).toBe(true);
    await expect.poll(() => a.alive('alive-b'), { timeout: 5000 }).toBe(true);
    expect(await a.alive('never-ran')).toBe(false);
    await b.close();
    buses.splice(buses.indexOf(b), 1);
    expect(await a.alive('alive-b')).toBe(false);
  });

  it('announces server-wide events to every other instance', async () => {
    const [a, b] = [bus('a'), bus('b')];
    const seen: ClusterEvent[] = [];
    const own: ClusterEvent[] = [];
    b.onEvent((event) => seen.push(event));
    a.onEvent((event) => own.push(event));
    await expect.poll(() => a.connected && b.connected, { timeout: 5000 }).toBe(true);
    // Subscribed to events once connected: announce until it arrives (pub/sub keeps nothing for late subscribers).
    await expect.poll(() => {
      a.announce({ kind: 'drop', datasetId: 'gone' });
      return seen.length > 0;
    }, { timeout: 5000 }).toBe(true);
    expect(seen[0]).toEqual({ kind: 'drop', datasetId: 'gone' });
    expect(own).toEqual([]);
  });
});
