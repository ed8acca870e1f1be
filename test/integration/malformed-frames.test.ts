import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../../model/codes';
import { getSheet, setCell } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset, createUser, type CreatedUser } from '../helpers/api';
import { connectSynced, type Client } from '../helpers/clients';
import { storedByUser } from '../helpers/database';
import { cellOf, sheetOf, sheetsJson } from '../helpers/docs';
import { waitForValue } from '../helpers/eventually';
import { restartServer } from '../helpers/lifecycle';
import { mulberry32 } from '../helpers/random';
import { awarenessFrame, awarenessUpdateWithState, openRawSocket, syncFrame, type RawSocket } from '../helpers/raw-socket';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'hostile';
const MAX_MESSAGE_BYTES = 65_536;
const SEED = 0xbadf00d;

/** A real update to the dataset that writes `marker` into a cell, made by a throwaway replica. */
function updateWriting(base: Y.Doc, marker: string): Uint8Array {
  const replica = new Y.Doc();
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(base));
  const before = Y.encodeStateVector(replica);
  setCell(getSheet(replica, 'events')!, newRowId(), 'summary', marker);
  return Y.encodeStateAsUpdate(replica, before);
}

describe('malformed frames on the sync channel', () => {
  let server: RunningServer;
  let mallory: CreatedUser;
  let alice: Client;
  let bob: Client;
  const markers: string[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) } });
    await createDataset(server, DATASET);
    // Hostile sockets belong to an editor: they are allowed to write, so only the frame itself is at fault.
    mallory = await createUser(server, 'mallory', 'editor');
    alice = await connectSynced(server, DATASET);
    bob = await connectSynced(server, DATASET);
  });
  afterAll(async () => {
    alice.destroy();
    bob.destroy();
    await server.dispose();
  });

  /** Opens a hostile socket, lets it finish the server's greeting, sends `frame`, returns the close. */
  async function sendHostile(frame: Uint8Array | string): Promise<{ code: number; socket: RawSocket }> {
    const socket = openRawSocket(server, DATASET, mallory.token);
    await socket.opened;
    await waitFor(() => socket.received.length > 0, { what: "the server's sync step 1" });
    socket.send(frame);
    const code = await waitForValue(() => socket.closeCode, { what: 'the server closing the hostile socket', timeoutMs: 5000 });
    return { code, socket };
  }

  /** The honest clients keep working: an edit by one reaches the other, and a newcomer gets the same state. */
  async function expectOthersKeepSyncing(): Promise<void> {
    const rowId = newRowId();
    const value = `still syncing ${rowId}`;
    setCell(sheetOf(alice.doc, 'events'), rowId, 'summary', value);
    await waitFor(() => cellOf(bob.doc, 'events', rowId, 'summary') === value, { what: "bob sees alice's edit" });
    setCell(sheetOf(bob.doc, 'events'), rowId, 'location', 'answered');
    await waitFor(() => cellOf(alice.doc, 'events', rowId, 'location') === 'answered', { what: "alice sees bob's edit" });
    const newcomer = await connectSynced(server, DATASET);
    try {
      expect(sheetsJson(newcomer.doc)).toEqual(sheetsJson(alice.doc));
      for (const marker of markers) expect(JSON.stringify(sheetsJson(newcomer.doc))).not.toContain(marker);
    } finally {
      newcomer.destroy();
    }
  }

  it('closes a socket that sends random bytes with 4400', async () => {
    const random = mulberry32(SEED);
    for (let i = 0; i < 5; i++) {
      // Type bytes 0 (sync), 1 (awareness) and 3 (query awareness) are real messages; anything above is not.
      const bytes = random.bytes(random.int(1, 200));
      bytes[0] = random.int(4, 127);
      const { code } = await sendHostile(bytes);
      expect(code, `random frame ${i} (seed ${SEED})`).toBe(CloseCode.BadMessage);
    }
    await expectOthersKeepSyncing();
  });

  it('closes a socket that sends a sync frame cut short with 4400', async () => {
    const full = syncFrame(2, updateWriting(alice.doc, 'TRUNCATED-FRAME'));
    markers.push('TRUNCATED-FRAME');
    expect((await sendHostile(full.slice(0, full.length - 10))).code).toBe(CloseCode.BadMessage);
    expect((await sendHostile(new Uint8Array([0]))).code).toBe(CloseCode.BadMessage);
    expect((await sendHostile(new Uint8Array([0, 0]))).code).toBe(CloseCode.BadMessage);
    await expectOthersKeepSyncing();
  });

  it('closes a socket that sends a text frame with 4400', async () => {
    expect((await sendHostile('{"type":"update","cells":{"summary":"TEXT-FRAME"}}')).code).toBe(CloseCode.BadMessage);
    markers.push('TEXT-FRAME');
    await expectOthersKeepSyncing();
  });

  it('closes a socket whose well-framed sync update is garbage with 4400', async () => {
    expect((await sendHostile(syncFrame(2, new TextEncoder().encode('this is not a Yjs update')))).code).toBe(CloseCode.BadMessage);
    expect((await sendHostile(syncFrame(1, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff])))).code).toBe(CloseCode.BadMessage);
    // A real update with its tail cut off, inside an intact frame.
    const update = updateWriting(alice.doc, 'TRUNCATED-UPDATE');
    markers.push('TRUNCATED-UPDATE');
    expect((await sendHostile(syncFrame(2, update.slice(0, update.length - 3)))).code).toBe(CloseCode.BadMessage);
    await expectOthersKeepSyncing();
  });

  it('closes a socket that sends a garbage state vector in sync step 1 with 4400', async () => {
    expect((await sendHostile(syncFrame(0, new Uint8Array([5, 0xff, 0xff])))).code).toBe(CloseCode.BadMessage);
    await expectOthersKeepSyncing();
  });

  it('closes a socket that sends a garbage awareness update with 4400, and its presence never reaches others', async () => {
    expect((await sendHostile(awarenessFrame(awarenessUpdateWithState(424242, '{"user": not json')))).code).toBe(CloseCode.BadMessage);
    expect((await sendHostile(awarenessFrame(new Uint8Array([3, 0xff])))).code).toBe(CloseCode.BadMessage);
    expect(alice.provider.awareness.getStates().has(424242)).toBe(false);
    await expectOthersKeepSyncing();
  });

  it('closes a socket that sends a message over MAX_MESSAGE_BYTES with 1009', async () => {
    const marker = 'OVERSIZE';
    markers.push(marker);
    const update = updateWriting(alice.doc, `${marker}${'x'.repeat(MAX_MESSAGE_BYTES)}`);
    expect((await sendHostile(syncFrame(2, update))).code).toBe(CloseCode.TooLarge);
    await expectOthersKeepSyncing();
  });

  it('applies a well-formed message just under the limit', async () => {
    const rowId = newRowId();
    const big = 'y'.repeat(MAX_MESSAGE_BYTES - 1024);
    setCell(sheetOf(alice.doc, 'events'), rowId, 'source_excerpt', big);
    await waitFor(() => cellOf(bob.doc, 'events', rowId, 'source_excerpt') === big, { what: 'bob gets the large edit' });
    expect(alice.closes).toEqual([]);
  });

  it('stores nothing of any hostile socket, before or after a restart', async () => {
    expect(await storedByUser(server, mallory.id)).toEqual({ updates: 0, cellChanges: 0 });
    const expected = sheetsJson(alice.doc);
    expect(await server.stop()).toBe(0);
    const again = await restartServer(server);
    try {
      const reader = await connectSynced(again, DATASET);
      try {
        expect(sheetsJson(reader.doc)).toEqual(expected);
        for (const marker of markers) expect(JSON.stringify(sheetsJson(reader.doc))).not.toContain(marker);
        expect(await storedByUser(again, mallory.id)).toEqual({ updates: 0, cellChanges: 0 });
      } finally {
        reader.destroy();
      }
    } finally {
      await again.dispose();
    }
  });
});
