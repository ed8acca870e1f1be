/**
 * Presence is tied to the signed-in user: whatever name a peer puts in its awareness state, others see
 * the user's real name; a state over 64 KiB is not relayed; a peer cannot set another peer's state;
 * and the web client shows only `#rrggbb` colours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { Presence } from '../../client/sync/presence';
import { createUser, type CreatedUser } from '../helpers/api';
import { connectSynced, type Client } from '../helpers/clients';
import { awarenessFrame, openRawSocket } from '../helpers/raw-socket';
import { startServer, type RunningServer } from '../helpers/server';
import { waitForValue } from '../helpers/eventually';
import { waitFor } from '../helpers/wait';

type State = Record<string, any>;

/** Every state `client` has been shown for each client id, in order. */
function recordStates(client: Client): Map<number, State[]> {
  const seen = new Map<number, State[]>();
  client.provider.awareness.on('change', ({ added, updated }: { added: number[]; updated: number[] }) => {
    for (const id of [...added, ...updated]) {
      const state = client.provider.awareness.getStates().get(id);
      if (state) seen.set(id, [...(seen.get(id) ?? []), structuredClone(state)]);
    }
  });
  return seen;
}

describe('presence tied to identity', () => {
  let server: RunningServer;
  let mallory: CreatedUser;
  const clients: Client[] = [];
  beforeAll(async () => {
    server = await startServer();
    mallory = await createUser(server, 'mallory', 'viewer');
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await server.dispose();
  });

  it('shows a stock client that calls itself "Admin" under its real name, with a safe colour', async () => {
    const alice = await connectSynced(server, 'demo');
    const impostor = await connectSynced(server, 'demo', mallory.token);
    clients.push(alice, impostor);
    impostor.provider.awareness.setLocalState({ user: { name: 'Admin', color: 'red;background:url(//x)' }, cell: null });
    const id = impostor.provider.awareness.clientID;
    const state = await waitForValue(() => {
      const seen = alice.provider.awareness.getStates().get(id);
      return seen?.user?.color ? (seen as State) : undefined;
    }, { what: "alice sees the impostor's presence" });
    expect(state.user).toEqual({ name: 'mallory', id: mallory.id, color: 'red;background:url(//x)' });

    const presence = new Presence(alice.provider.awareness, { name: 'admin', color: '#2563eb' });
    const shown = presence.others().find((u) => u.clientId === id)!;
    expect(shown.name).toBe('mallory');
    expect(shown.color).toMatch(/^#[0-9a-f]{6}$/);
    presence.destroy();
  });

  it('does not relay a presence state over 64 KiB', async () => {
    const alice = await connectSynced(server, 'demo');
    const sender = await connectSynced(server, 'demo', mallory.token);
    clients.push(alice, sender);
    const seen = recordStates(alice);
    const id = sender.provider.awareness.clientID;
    sender.provider.awareness.setLocalState({ user: { name: 'big' }, blob: 'x'.repeat(100 * 1024) });
    // Messages of one socket are relayed in order: once the small state is here, the large one would be too.
    sender.provider.awareness.setLocalState({ user: { name: 'small' }, marker: 'after the large state' });
    await waitFor(() => seen.get(id)?.some((s) => s.marker === 'after the large state'), { what: 'the small state relayed' });
    expect(seen.get(id)!.filter((s) => 'blob' in s)).toEqual([]);
  });

  it("ignores a peer's state for a client id that another peer controls", async () => {
    const alice = await connectSynced(server, 'demo');
    const bob = await connectSynced(server, 'demo');
    clients.push(alice, bob);
    alice.provider.awareness.setLocalState({ user: { name: 'alice' }, cell: null });
    const aliceId = alice.provider.awareness.clientID;
    await waitFor(() => bob.provider.awareness.getStates().get(aliceId), { what: "bob sees alice's presence" });
    const seen = recordStates(bob);

    const hijacker = openRawSocket(server, 'demo', mallory.token);
    await hijacker.opened;
    const forged = new awarenessProtocol.Awareness(alice.doc);
    forged.clientID = aliceId;
    forged.setLocalState({ user: { name: 'alice' }, marker: 'forged' });
    forged.meta.set(aliceId, { clock: 1000, lastUpdated: Date.now() });
    hijacker.send(awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(forged, [aliceId])));
    const own = new awarenessProtocol.Awareness(new Y.Doc());
    own.setLocalState({ user: { name: 'whoever' }, marker: 'own state' });
    hijacker.send(awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(own, [own.clientID])));
    await waitFor(() => seen.get(own.clientID)?.some((s) => s.marker === 'own state'), { what: "the hijacker's own state relayed" });
    expect((seen.get(aliceId) ?? []).filter((s) => s.marker === 'forged')).toEqual([]);
    expect(bob.provider.awareness.getStates().get(aliceId)).toEqual({ user: { name: 'admin', id: expect.any(String) }, cell: null });
    forged.destroy();
    own.destroy();
    hijacker.ws.close();
  });
});
