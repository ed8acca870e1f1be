/**
 * `npx tsx bench/light-clients.ts`: fan-out to many clients with the clients' own cost taken out, to see
 * what one Tessera server does at 500 clients × 1 edit/s (`CLIENTS`, `RATE`, `SECONDS`). The stock client
 * applies every broadcast to its Y.Doc; 500 of them in one process on two cores cannot keep up, so the
 * ordinary fan-out at 500 clients measures the benchmark. Here each client speaks the sync protocol over a
 * real socket, syncs the document once, makes its edits in its own row from that copy, and does not
 * apply what it receives: it only finds the edits' markers in the bytes (`@sender:seq@`) and timestamps
 * them. The server does all it does for stock clients. Prints numbers; never asserts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { getSheet, insertRow, type YRow } from '../model/document';
import { newRowId } from '../model/ids';
import { ADMIN_TOKEN, DATASET, ensureLayout, makeTempDir, tessera, until } from './peers';
import { readCpuMs, sleep } from './procs';
import { ms, pct, summarize } from './stats';

const CLIENTS = Number(process.env.CLIENTS ?? 500);
const RATE = Number(process.env.RATE ?? 1);
const SECONDS = Number(process.env.SECONDS ?? 20);
const WARMUP_MS = 3000;
const MARKER = /@(\d+):(\d+)@/g;

class LightClient {
  readonly doc = new Y.Doc();
  private readonly ws: WebSocket;
  synced = false;

  constructor(url: string, onFrame: (frame: Buffer) => void) {
    this.ws = new WebSocket(url);
    this.ws.binaryType = 'nodebuffer';
    this.ws.on('open', () => {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 0);
      syncProtocol.writeSyncStep1(encoder, this.doc);
      this.ws.send(encoding.toUint8Array(encoder));
    });
    this.ws.on('message', (data: Buffer) => {
      if (this.synced) return onFrame(data);
      // The server may send a large document as several updates, the last as step 2.
      const decoder = decoding.createDecoder(data);
      if (decoding.readVarUint(decoder) !== 0) return;
      const type = decoding.readVarUint(decoder);
      if (type !== syncProtocol.messageYjsSyncStep2 && type !== syncProtocol.messageYjsUpdate) return;
      Y.applyUpdate(this.doc, decoding.readVarUint8Array(decoder));
      if (type !== syncProtocol.messageYjsSyncStep2) return;
      this.synced = true;
      this.doc.on('update', (update: Uint8Array) => {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, 0);
        syncProtocol.writeUpdate(encoder, update);
        this.ws.send(encoding.toUint8Array(encoder));
      });
    });
  }

  close(): void {
    this.ws.close();
    this.doc.destroy();
  }
}

async function main(): Promise<void> {
  const dir = makeTempDir('light-clients');
  const server = await tessera.start(dir.path);
  const clients: LightClient[] = [];
  try {
    await tessera.prepare(server);
    // One stock client lays out the sheet and one row per light client.
    const setup = tessera.connect(server);
    await setup.whenSynced(30_000);
    ensureLayout(setup.doc);
    const rowIds = Array.from({ length: CLIENTS }, () => newRowId());
    setup.doc.transact(() => {
      for (const id of rowIds) insertRow(getSheet(setup.doc, 'events')!, id, { summary: 'not edited yet' });
    });
    // The rows are on the server before the light clients sync (they apply nothing after that).
    const check = tessera.connect(server);
    await check.whenSynced(30_000);
    await until(() => (getSheet(check.doc, 'events')?.get('rows') as Y.Map<YRow> | undefined)?.size === CLIENTS, 30_000, 'the rows on the server');
    check.destroy();
    const url = `ws://127.0.0.1:${server.port}/ws/${DATASET}?token=${ADMIN_TOKEN}`;
    const period = 1000 / RATE;
    const sentAt = rowIds.map(() => new Float64Array(Math.ceil(RATE * (SECONDS + 10)) + 16));
    let t0 = 0;
    const latencies: number[] = [];
    let delivered = 0;
    const inWindow = (t: number) => t >= t0 + WARMUP_MS && t < t0 + WARMUP_MS + SECONDS * 1000;
    for (let i = 0; i < CLIENTS; i++) {
      clients.push(new LightClient(url, (frame) => {
        const now = performance.now();
        for (const [, sender, seq] of frame.toString('latin1').matchAll(MARKER)) {
          const s = Number(sender);
          if (s === i) continue;
          const at = sentAt[s]![Number(seq)]!;
          if (!inWindow(at)) continue;
          delivered++;
          latencies.push(now - at);
        }
      }));
      if (i % 50 === 49) await until(() => clients.every((c) => c.synced), 30_000, 'light clients synced');
    }
    const rowOf = (c: LightClient, i: number) => (getSheet(c.doc, 'events')?.get('rows') as Y.Map<YRow> | undefined)?.get(rowIds[i]!);
    await until(() => clients.every((c, i) => c.synced && rowOf(c, i) !== undefined), 60_000, 'every light client synced with its row');
    setup.destroy();
    const rows = clients.map((c, i) => rowOf(c, i)!);

    t0 = performance.now();
    const due = Float64Array.from({ length: CLIENTS }, (_, i) => t0 + (i * period) / CLIENTS);
    const seqs = new Int32Array(CLIENTS);
    let sent = 0;
    const lag = monitorEventLoopDelay({ resolution: 10 });
    let serverCpu0 = 0;
    let cpu0: NodeJS.CpuUsage | undefined;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        if (!cpu0 && now >= t0 + WARMUP_MS) {
          cpu0 = process.cpuUsage();
          serverCpu0 = readCpuMs(server.process.pid) ?? 0;
          lag.enable();
        }
        if (now >= t0 + WARMUP_MS + SECONDS * 1000) return resolve();
        for (let i = 0; i < CLIENTS; i++) {
          if (due[i]! > now) continue;
          due[i] = Math.max(due[i]! + period, now);
          const seq = ++seqs[i]!;
          const at = performance.now();
          sentAt[i]![seq] = at;
          if (inWindow(at)) sent++;
          rows[i]!.set('summary', `@${i}:${seq}@`);
        }
        setTimeout(tick, 2);
      };
      tick();
    });
    const clientCpu = process.cpuUsage(cpu0);
    const serverCpu = ((readCpuMs(server.process.pid) ?? 0) - serverCpu0) / (SECONDS * 1000) * 100;
    lag.disable();
    const expected = sent * (CLIENTS - 1);
    await until(() => delivered >= expected, 10_000, 'deliveries').catch(() => undefined);
    const summary = summarize(Float64Array.from(latencies));
    console.log(`Tessera, ${CLIENTS} light clients × ${RATE} edit/s, ${SECONDS} s measured after ${WARMUP_MS / 1000} s warm-up`);
    console.log(`edits/s sent ${(sent / SECONDS).toFixed(0)}; delivered ${delivered.toLocaleString('en-US')} / ${expected.toLocaleString('en-US')}`);
    console.log(`latency p50 ${ms(summary.p50)}, p99 ${ms(summary.p99)}, max ${ms(summary.max)}`);
    console.log(`server CPU ${pct(serverCpu)} of a core; client process ${pct(((clientCpu.user + clientCpu.system) / 1000 / (SECONDS * 1000)) * 100)}, its event-loop lag p99 ${ms(lag.percentile(99) / 1e6)}`);
  } finally {
    for (const client of clients) client.close();
    await sleep(100);
    await server.process.stop();
    dir.remove();
  }
}

await main();
