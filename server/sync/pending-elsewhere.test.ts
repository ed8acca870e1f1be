import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
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

  it('records what kept bytes change when asked, in the order they came, and takes nothing unrecorded', () => {
    const kept = new PendingElsewhere();
    kept.keep('a', 'u1', [bytes(1)], 1000);
    kept.keep('a', 'u2', [bytes(2), bytes(3)], 2000);
    kept.logged([bytes(2)]);
    expect(() => kept.take('a')).toThrow(/recorded/);
    const asked: Array<[string | null, Uint8Array[]]> = [];
    kept.record((userId, updates) => {
      asked.push([userId, [...updates]]);
      return new Changes();
    });
    // The logged update is not applied again: its instance stored it.
    expect(asked).toEqual([['u1', [bytes(1)]], ['u2', [bytes(3)]]]);
    expect(kept.take('a')).toHaveLength(2);
  });

  it('is done with updates a compacted snapshot holds: new items it has, deletions it made', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    const cells = doc.getMap('cells');
    cells.set('a', 'one');
    cells.set('b', 'two');
    cells.delete('a');
    const snapshot = Y.encodeStateAsUpdate(doc);
    cells.set('c', 'after the snapshot');
    cells.delete('b');
    const [setA, setB, deleteA, setC, deleteB] = updates as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const kept = new PendingElsewhere();
    kept.add('a', [setA, setB], new Changes(), 1000);
    kept.keep('a', 'u1', [deleteA], 1100);
    kept.add('b', [setC], new Changes(), 1200);
    kept.keep('b', 'u2', [deleteB], 1300);
    kept.foldedInto(snapshot);
    expect(kept.updates()).toEqual([setC, deleteB]);
    expect(kept.size).toBe(1);
  });
});
