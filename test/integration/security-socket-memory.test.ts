/**
 * A client that stops reading its socket cannot make the server hold more than a bounded amount for it:
 * repeated sync step 1 messages, each answered with the whole document, used to pile up in the server's
 * send queue (600 four-byte frames for a 2 MB document took it from 573 to 1,395 MiB).
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { CloseCode } from '../../model/codes';
import { insertRow } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset, createUser, rowCount, type CreatedUser } from '../helpers/api';
import { connectSynced, type Client } from '../helpers/clients';
import { cellOf, sheetOf } from '../helpers/docs';
import { openRawSocket, syncFrame, type RawSocket } from '../helpers/raw-socket';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'big';
const ROWS = 100;
const ROW_BYTES = 20_000;
/** What the server may grow by while one non-reading socket floods it (it grew by over 800 MiB before). */
const RSS_GROWTH_LIMIT_MIB = 100;

function rssMiB(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line![1]) / 1024;
}

/** A state vector that claims `clock` of `clientId`. */
function stateVectorOf(clientId: number, clock: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, clientId);
  encoding.writeVarUint(encoder, clock);
  return encoding.toUint8Array(encoder);
}

/** The client with the highest clock in the server's sync step 1 (the first message it sends). */
function busiestClient(stepOne: Uint8Array): [number, number] {
  const decoder = decoding.createDecoder(stepOne);
  decoding.readVarUint(decoder);
  decoding.readVarUint(decoder);
  const clocks = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
  return [...clocks].sort((a, b) => b[1] - a[1])[0]!;
}

/** Stops reading the socket: what the server sends stays in its own queue once the kernel buffers are full. */
function stopReading(socket: RawSocket): Socket {
  const tcp = (socket.ws as unknown as { _socket: Socket })._socket;
  tcp.pause();
  return tcp;
}

describe('a client that stops reading its socket', () => {
  let server: RunningServer;
  let viewer: CreatedUser;
  let alice: Client;
  let bob: Client;

  beforeAll(async () => {
    server = await startServer();
    await createDataset(server, DATASET);
    viewer = await createUser(server, 'quiet viewer', 'viewer');
    alice = await connectSynced(server, DATASET);
    bob = await connectSynced(server, DATASET);
    // About 2 MB of document, sent and stored as one update.
    const events = sheetOf(alice.doc, 'events');
    alice.doc.transact(() => {
      for (let i = 0; i < ROWS; i++) insertRow(events, newRowId(), { summary: `${i} ${'x'.repeat(ROW_BYTES)}` });
    });
    await waitFor(async () => (await rowCount(server, DATASET, 'events')) === ROWS, { what: 'the large document stored', timeoutMs: 20_000 });
  });
  afterAll(async () => {
    alice.destroy();
    bob.destroy();
    await server.dispose();
  });

  /** Samples the server's RSS while `attack` runs and for a measuring window after it; returns the peak growth. */
  async function peakGrowthDuring(attack: () => void): Promise<number> {
    const pid = server.process.pid!;
    const before = rssMiB(pid);
    let peak = before;
    attack();
    // A fixed measuring window, not a wait for a condition: the peak is what is measured.
    const until = Date.now() + 2500;
    while (Date.now() < until) {
      peak = Math.max(peak, rssMiB(pid));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return peak - before;
  }

  async function expectOthersKeepWorking(): Promise<void> {
    const rowId = newRowId();
    insertRow(sheetOf(alice.doc, 'events'), rowId, { summary: 'after the flood' });
    await waitFor(() => cellOf(bob.doc, 'events', rowId, 'summary') === 'after the flood', { what: "bob sees alice's edit" });
  }

  it('is closed, and the server stays small, when it sends 600 step-1 frames and reads nothing', async () => {
    const hostile = openRawSocket(server, DATASET, viewer.token);
    await hostile.opened;
    await waitFor(() => hostile.received.length > 0, { what: "the server's sync step 1" });
    const tcp = stopReading(hostile);
    const frame = syncFrame(0, new Uint8Array([0]));
    expect(frame.byteLength).toBe(4);
    const growth = await peakGrowthDuring(() => hostile.sendTogether(Array.from({ length: 600 }, () => frame)));
    console.log(`RSS growth with 600 identical step-1 frames: ${growth.toFixed(1)} MiB`);
    expect(growth).toBeLessThan(RSS_GROWTH_LIMIT_MIB);
    tcp.resume();
    const { code } = await Promise.race([
      hostile.closed,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the server kept the socket open')), 15_000)),
    ]);
    // The close frame arrives when the server could still queue it; a peer cut off gets only the TCP close.
    expect([CloseCode.TryAgainLater, 1006]).toContain(code);
    await expectOthersKeepWorking();
  });

  it('is closed with 1013 once what the server has queued for it passes the limit', async () => {
    const hostile = openRawSocket(server, DATASET, viewer.token);
    await hostile.opened;
    await waitFor(() => hostile.received.length > 0, { what: "the server's sync step 1" });
    const tcp = stopReading(hostile);
    // Ten questions within the step-1 rate, each with an answer of its own of nearly the whole document
    // (~2 MB): the first clocks of the client that wrote it.
    const [client, clock] = busiestClient(hostile.received[0]!);
    expect(clock).toBeGreaterThan(10);
    const frames = Array.from({ length: 10 }, (_, i) => syncFrame(0, stateVectorOf(client, i + 1)));
    const growth = await peakGrowthDuring(() => hostile.sendTogether(frames));
    console.log(`RSS growth with 10 distinct step-1 frames: ${growth.toFixed(1)} MiB`);
    expect(growth).toBeLessThan(RSS_GROWTH_LIMIT_MIB);
    tcp.resume();
    const { code } = await Promise.race([
      hostile.closed,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the server kept the socket open')), 15_000)),
    ]);
    expect([CloseCode.TryAgainLater, 1006]).toContain(code);
    await expectOthersKeepWorking();
  });
});
