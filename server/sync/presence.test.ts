/** A room's presence: what the server vouches for, who may set which client id, and what goes where. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { RoomMessage } from './bus';
import { Presence, type PresencePeer } from './presence';
import { BadMessageError, decodeMessage, encodeAwarenessUpdate } from './protocol';

const peer = (userId: string): PresencePeer => ({ userId, userName: `${userId} (signed in)` });

/** An awareness update of client `clientId` saying `state`, as a stock client sends it. */
function said(clientId: number, state: Record<string, unknown> | null, clock = 1): Uint8Array {
  return encodeAwarenessUpdate([{ clientId, clock, state: JSON.stringify(state) }]);
}

/** The states an awareness message carries, applied to a client's awareness. */
function statesOf(message: Uint8Array | null): Map<number, Record<string, unknown>> {
  const client = new awarenessProtocol.Awareness(new Y.Doc());
  const decoded = message && decodeMessage(message);
  if (decoded?.type === 'awareness') awarenessProtocol.applyAwarenessUpdate(client, decoded.update, null);
  const states = new Map(client.getStates());
  states.delete(client.clientID);
  return states as Map<number, Record<string, unknown>>;
}

function room() {
  const published: RoomMessage[] = [];
  let asked = 0;
  const presence = new Presence('d1', () => { asked += 1; }, { publish: (_room, message) => published.push(message) });
  return { presence, published, asked: () => asked };
}

describe('a room\'s presence', () => {
  it("relays a peer's state with the signed-in user's name and id, once, with the next broadcast", () => {
    const { presence, asked, published } = room();
    const ana = peer('ana');
    expect(presence.join(ana)).toBeNull();
    presence.apply(ana, said(11, { user: { name: 'Mallory', id: 'someone-else' }, cursor: 'events/r1/actor1' }));
    expect(asked()).toBe(1);
    expect(statesOf(presence.takeChanged()).get(11)).toEqual({ user: { name: 'ana (signed in)', id: 'ana' }, cursor: 'events/r1/actor1' });
    expect(presence.takeChanged()).toBeNull();
    // The other instances hear it too; a late joiner gets it at once.
    expect(published.map((m) => m.kind)).toEqual(['presence']);
    expect(statesOf(presence.join(peer('ben'))).has(11)).toBe(true);
  });

  it("keeps a client id to the peer that set it first: another user's socket cannot take it, the same user's can", () => {
    const { presence } = room();
    const [ana, mallory, anaAgain] = [peer('ana'), peer('mallory'), peer('ana')];
    for (const p of [ana, mallory, anaAgain]) presence.join(p);
    presence.apply(ana, said(11, { cursor: 'a' }));
    presence.apply(mallory, said(11, { cursor: 'hijacked' }, 2));
    expect(statesOf(presence.everyone()).get(11)?.cursor).toBe('a');
    presence.apply(anaAgain, said(11, { cursor: 'reconnected' }, 3));
    expect(statesOf(presence.everyone()).get(11)?.cursor).toBe('reconnected');
    // The first socket leaving no longer removes what the second now controls.
    presence.leave(ana);
    expect(statesOf(presence.everyone()).has(11)).toBe(true);
    presence.leave(anaAgain);
    expect(statesOf(presence.everyone()).has(11)).toBe(false);
  });

  it('lets one socket control at most eight client ids', () => {
    const { presence } = room();
    const ana = peer('ana');
    presence.join(ana);
    for (let id = 1; id <= 10; id++) presence.apply(ana, said(id, { n: id }));
    expect(statesOf(presence.everyone()).size).toBe(8);
  });

  it('passes on what another instance published without publishing it back, and greets a new instance with its own', () => {
    const { presence, published } = room();
    const elsewhere = new awarenessProtocol.Awareness(new Y.Doc());
    elsewhere.setLocalState({ user: { name: 'ben', id: 'ben' } });
    presence.fromElsewhere(awarenessProtocol.encodeAwarenessUpdate(elsewhere, [elsewhere.clientID]));
    expect(statesOf(presence.takeChanged()).has(elsewhere.clientID)).toBe(true);
    expect(published).toEqual([]);
    presence.greet();
    expect(published).toEqual([]);
    const ana = peer('ana');
    presence.join(ana);
    presence.apply(ana, said(11, { cursor: 'a' }));
    presence.takeChanged();
    presence.greet();
    expect(published).toHaveLength(2);
  });

  it('refuses an update that is not one, and a state that is not JSON, as a bad message', () => {
    const { presence } = room();
    const ana = peer('ana');
    presence.join(ana);
    expect(() => presence.apply(ana, new Uint8Array([5, 1]))).toThrow(BadMessageError);
    expect(() => presence.apply(ana, encodeAwarenessUpdate([{ clientId: 3, clock: 1, state: '{not json' }]))).toThrow(BadMessageError);
  });
});
