/** The room's broadcast, on fake timers: what goes out at the end of a turn, to whom, and how often. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { Broadcast, MERGE_UP_TO_BYTES, SOCKET_WRITES_PER_SECOND } from './broadcast';
import { decodeMessage } from './protocol';

class FakePeer {
  readonly received: Uint8Array[] = [];
  constructor(readonly name: string) {}
  send(message: Uint8Array): void {
    this.received.push(message);
  }
  /** The updates it was sent, applied to a document of its own: the text they hold. */
  text(): string {
    const doc = new Y.Doc();
    for (const message of this.received) {
      const decoded = decodeMessage(message);
      if (decoded.type === 'update') Y.applyUpdate(doc, decoded.update);
    }
    return doc.getText('t').toString();
  }
}

/** An update that appends `text` to a document's `t`, as client `client` makes it. */
function typed(client: number, text: string, size = 0): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = client;
  doc.getText('t').insert(0, text + 'x'.repeat(size));
  return Y.encodeStateAsUpdate(doc);
}

describe('a room broadcast', () => {
  let peers: Set<FakePeer>;
  let presence: Uint8Array | null;
  let broadcast: Broadcast<FakePeer>;
  const [ana, ben, cy] = [new FakePeer('ana'), new FakePeer('ben'), new FakePeer('cy')];

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'performance'] });
    for (const peer of [ana, ben, cy]) peer.received.length = 0;
    peers = new Set([ana, ben, cy]);
    presence = null;
    broadcast = new Broadcast(() => peers, () => {
      const taken = presence;
      presence = null;
      return taken;
    });
  });
  afterEach(() => vi.useRealTimers());

  it("sends a turn's updates at its end as one message, not back to the one whose they all were", () => {
    broadcast.push(typed(1, 'a'), ana);
    broadcast.push(typed(2, 'b'), ana);
    expect(ben.received).toHaveLength(0);
    vi.runOnlyPendingTimers();
    expect(ben.received).toHaveLength(1);
    expect(cy.received).toHaveLength(1);
    expect(ana.received).toHaveLength(0);
    expect(ben.text().split('').sort().join('')).toBe('ab');
  });

  it('sends a mixed batch to everyone, and large ones update by update, each not to its sender', () => {
    broadcast.push(typed(1, 'a'), ana);
    broadcast.push(typed(2, 'b'), ben);
    vi.runOnlyPendingTimers();
    expect([ana, ben, cy].map((p) => p.received.length)).toEqual([1, 1, 1]);

    for (const peer of [ana, ben, cy]) peer.received.length = 0;
    vi.advanceTimersByTime(1000);
    broadcast.push(typed(3, 'c', MERGE_UP_TO_BYTES), ana);
    broadcast.push(typed(4, 'd'), ben);
    vi.runOnlyPendingTimers();
    expect([ana, ben, cy].map((p) => p.received.length)).toEqual([1, 1, 2]);
  });

  it('sends the presence that changed after the updates, to everyone, the sender too', () => {
    const changed = new Uint8Array([1, 0]);
    broadcast.push(typed(1, 'a'), ana);
    presence = changed;
    vi.runOnlyPendingTimers();
    expect(ana.received).toEqual([changed]);
    expect(ben.received).toHaveLength(2);
    expect(ben.received[1]).toBe(changed);
  });

  it('broadcasts at most once per interval that grows with the peers', () => {
    for (let i = 0; i < 97; i++) peers.add(new FakePeer(`p${i}`));
    const interval = (peers.size * 1000) / SOCKET_WRITES_PER_SECOND;
    expect(interval).toBe(4);
    broadcast.push(typed(1, 'a'), ana);
    vi.runOnlyPendingTimers();
    expect(ben.received).toHaveLength(1);
    broadcast.push(typed(2, 'b'), ana);
    vi.advanceTimersByTime(interval - 1);
    expect(ben.received).toHaveLength(1);
    broadcast.push(typed(3, 'c'), ana);
    vi.advanceTimersByTime(1);
    // Both updates of the interval in one message.
    expect(ben.received).toHaveLength(2);
    expect(ben.text().split('').sort().join('')).toBe('abc');
  });

  it('drops what was not sent once stopped', () => {
    broadcast.push(typed(1, 'a'), ana);
    broadcast.stop();
    vi.runAllTimers();
    expect(ben.received).toHaveLength(0);
  });
});
