import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { Presence, colorFor } from './presence';

/** Two tabs whose awareness messages reach each other at once, as through the server. */
function pair(): [Awareness, Awareness] {
  const a = new Awareness(new Y.Doc());
  const b = new Awareness(new Y.Doc());
  const relay = (from: Awareness, to: Awareness) => {
    from.on('update', ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
      if (origin === 'relay') return;
      applyAwarenessUpdate(to, encodeAwarenessUpdate(from, [...added!, ...updated!, ...removed!]), 'relay');
    });
  };
  relay(a, b);
  relay(b, a);
  return [a, b];
}

describe('Presence', () => {
  it("publishes the user and the focused cell, and lists the other person's", () => {
    const [a, b] = pair();
    const ana = new Presence(a, { name: 'Ana', color: '#2563eb' });
    const ben = new Presence(b, { name: 'Ben', color: '#db2777' });
    ana.setCell({ sheet: 'events', row: 'R1', column: 'actor1' });
    expect(ben.others()).toEqual([
      { clientId: a.clientID, name: 'Ana', color: '#2563eb', cell: { sheet: 'events', row: 'R1', column: 'actor1' }, self: false },
    ]);
    expect(ana.users().map((u) => [u.name, u.self])).toEqual([['Ana', true], ['Ben', false]]);
    ana.setCell(null);
    expect(ben.others()[0]!.cell).toBeNull();
  });

  it('gives two people whose colours clash different colours, and the first keeps theirs', () => {
    const [a, b] = pair();
    const same = '#2563eb';
    const first = a.clientID < b.clientID ? a : b;
    const second = first === a ? b : a;
    const early = new Presence(first, { name: 'Early', color: same });
    const late = new Presence(second, { name: 'Late', color: same });
    const colors = () => early.users().map((u) => [u.name, u.color]);
    expect(colors()).toContainEqual(['Early', same]);
    const lateColor = late.users().find((u) => u.self)!.color;
    expect(lateColor).not.toBe(same);
    expect(colors()).toContainEqual(['Late', lateColor]);
  });

  it('gives a person the same colour every time', () => {
    expect(colorFor('user-1')).toBe(colorFor('user-1'));
  });
});

describe('safe presence colours', () => {
  it("shows another tab's colour only when it is #rrggbb, else the colour of its name", () => {
    const [a, b] = pair();
    const ana = new Presence(a, { name: 'Ana', color: '#2563eb' });
    b.setLocalState({ user: { name: 'Ben', color: 'red;background:url(//x)' }, cell: null });
    expect(ana.others()[0]!.color).toBe(colorFor('Ben'));
    b.setLocalState({ user: { name: 'Ben', color: '#A1b2C3' }, cell: null });
    expect(ana.others()[0]!.color).toBe('#A1b2C3');
  });
});
