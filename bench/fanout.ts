/**
 * Fan-out: N clients on one document, each setting a cell of its own events row R times a second.
 * Every receiving client records now − send time for every edit of every other client, so the
 * latency includes the server, the network stack and this (single) process of clients.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import { getSheet, insertRow, sheetRows, type YRow } from '../model/document';
import { newRowId } from '../model/ids';
import { type BenchClient, ensureLayout, makeTempDir, type Peer, type PeerId, until } from './peers';
import { collectGarbage, type Memory, readMachineBusyMs, sleep } from './procs';
import { Samples, type Summary, summarize } from './stats';

export interface FanoutOptions {
  clients: number;
  /** Edits per second per client. */
  rate: number;
  warmupMs: number;
  measureMs: number;
  /** How long to wait for outstanding deliveries after the last edit. */
  drainMs: number;
}

export interface FanoutResult {
  peer: PeerId;
  label: string;
  clients: number;
  /** Edits per second per client. */
  rate: number;
  /** Edits sent inside the measuring window. */
  edits: number;
  /** Achieved edits per second over all clients (target clients × rate). */
  sendRate: number;
  expected: number;
  delivered: number;
  latency: Summary;
  /** Server CPU over the window, % of one core. */
  serverCpu: number;
  /** This process's CPU over the window, % of one core. */
  clientCpu: number;
  /** p99 event-loop delay of this process over the window, ms: high means the clients, not the server, add latency. */
  clientLag: number;
  /** CPU used by everything else on the machine over the window, % of one core: above a few % the numbers are disturbed. */
  otherCpu: number;
  memory?: Memory;
  problems: string[];
  error?: string;
}

const EDITED_COLUMN = 'summary';
const SYNC_TIMEOUT_MS = 60_000;
const CONNECT_BATCH = 10;

/** Send times per sender and sequence number, and what each receiver has seen of each sender. */
class DeliveryTracker {
  readonly latencies: Samples;
  delivered = 0;
  private readonly lastSeen: Int32Array;

  constructor(
    private readonly clients: number,
    private readonly sendTimes: Float64Array[],
    private readonly inWindow: (sentAt: number) => boolean,
    expectedDeliveries: number,
  ) {
    this.lastSeen = new Int32Array(clients * clients);
    this.latencies = new Samples(expectedDeliveries);
  }

  /**
   * Receiver saw sender's edit `seq`. Edits of the same cell can arrive merged, so any earlier edit
   * not seen yet is counted as delivered now too (its value was superseded, its effect arrived).
   */
  deliver(receiver: number, sender: number, seq: number, now: number): void {
    const slot = receiver * this.clients + sender;
    const last = this.lastSeen[slot] as number;
    if (seq <= last) return;
    const times = this.sendTimes[sender] as Float64Array;
    for (let k = last + 1; k <= seq && k < times.length; k++) {
      const sentAt = times[k] as number;
      if (sentAt > 0 && this.inWindow(sentAt)) {
        this.latencies.push(now - sentAt);
        this.delivered++;
      }
    }
    this.lastSeen[slot] = seq;
  }
}

function parseEdit(value: unknown): { sender: number; seq: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const first = value.indexOf(':');
  const second = value.indexOf(':', first + 1);
  if (first < 0 || second < 0) return undefined;
  const sender = Number(value.slice(0, first));
  const seq = Number(value.slice(first + 1, second));
  return Number.isInteger(sender) && Number.isInteger(seq) ? { sender, seq } : undefined;
}

function rowsOf(doc: Y.Doc): Y.Map<YRow> | undefined {
  const sheet = getSheet(doc, 'events');
  return sheet ? sheetRows(sheet) : undefined;
}

export async function runFanout(peer: Peer, options: FanoutOptions): Promise<FanoutResult> {
  const { clients: n, rate, warmupMs, measureMs, drainMs } = options;
  const dir = makeTempDir(`fanout-${peer.id}`);
  const clients: BenchClient[] = [];
  const server = await peer.start(dir.path);
  const result: FanoutResult = {
    peer: peer.id, label: peer.label, clients: n, rate, edits: 0, sendRate: 0, expected: 0, delivered: 0,
    latency: summarize(new Float64Array()), serverCpu: Number.NaN, clientCpu: Number.NaN, clientLag: Number.NaN, otherCpu: Number.NaN, problems: [],
  };
  try {
    await peer.prepare(server);

    // The first client lays out the document (peers) and adds one row per client in one transaction.
    const first = peer.connect(server);
    clients.push(first);
    await first.whenSynced(SYNC_TIMEOUT_MS);
    ensureLayout(first.doc);
    await until(() => rowsOf(first.doc) !== undefined, SYNC_TIMEOUT_MS, 'the events sheet');
    const rowIds = Array.from({ length: n }, () => newRowId());
    const events = getSheet(first.doc, 'events');
    if (!events) throw new Error('no events sheet');
    first.doc.transact(() => {
      rowIds.forEach((id, i) =>
        insertRow(events, id, {
          event_date: '2024-03-01', date_precision: 'day', actor1: `Bench client ${i}`, event_type: 'CONSULT',
          summary: 'not edited yet',
        }),
      );
    });

    for (let i = 1; i < n; i += CONNECT_BATCH) {
      const batch: BenchClient[] = [];
      for (let j = i; j < Math.min(n, i + CONNECT_BATCH); j++) batch.push(peer.connect(server));
      clients.push(...batch);
      await Promise.all(batch.map((c) => c.whenSynced(SYNC_TIMEOUT_MS)));
    }
    await until(() => clients.every((c) => rowsOf(c.doc)?.size === n), SYNC_TIMEOUT_MS, `all ${n} clients holding ${n} rows`);

    const myRows = clients.map((c, i) => rowsOf(c.doc)?.get(rowIds[i] as string) as YRow);
    const maxSeq = Math.ceil((rate * (warmupMs + measureMs)) / 1000) + 16;
    const sendTimes = clients.map(() => new Float64Array(maxSeq + 1));
    const seqs = new Int32Array(n);

    collectGarbage();
    const t0 = performance.now();
    const windowStart = t0 + warmupMs;
    const windowEnd = windowStart + measureMs;
    const inWindow = (sentAt: number) => sentAt >= windowStart && sentAt < windowEnd;
    let measuredEdits = 0;
    const tracker = new DeliveryTracker(n, sendTimes, inWindow, Math.ceil(((rate * measureMs) / 1000) * n * (n - 1)));

    clients.forEach((client, receiver) => {
      const rows = rowsOf(client.doc) as Y.Map<YRow>;
      rows.observeDeep((yevents, txn) => {
        if (txn.local) return;
        const now = performance.now();
        for (const event of yevents) {
          if (event.target === rows || !(event.target instanceof Y.Map)) continue;
          if (!(event as Y.YMapEvent<unknown>).keysChanged.has(EDITED_COLUMN)) continue;
          const edit = parseEdit(event.target.get(EDITED_COLUMN));
          if (edit && edit.sender !== receiver) tracker.deliver(receiver, edit.sender, edit.seq, now);
        }
      });
    });

    // One scheduler for all clients: each has a phase within the period and sends when its time has come.
    const period = 1000 / rate;
    const due = Float64Array.from({ length: n }, (_, i) => t0 + (i * period) / n);
    let cpuAtStart: NodeJS.CpuUsage | undefined;
    let serverCpuAtStart: number | undefined;
    let machineAtStart: number | undefined;
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        if (cpuAtStart === undefined && now >= windowStart) {
          cpuAtStart = process.cpuUsage();
          serverCpuAtStart = server.process.cpuMs();
          machineAtStart = readMachineBusyMs();
          loopDelay.enable();
        }
        if (now >= windowEnd) return resolve();
        for (let i = 0; i < n; i++) {
          if ((due[i] as number) > now) continue;
          // When this process falls behind a whole period, the missed edit is skipped rather than sent in a burst.
          const next = (due[i] as number) + period;
          due[i] = next > now ? next : now + period;
          const seq = ++seqs[i]!;
          if (seq > maxSeq) continue;
          const sentAt = performance.now();
          sendTimes[i]![seq] = sentAt;
          if (inWindow(sentAt)) measuredEdits++;
          (myRows[i] as YRow).set(EDITED_COLUMN, `${i}:${seq}:${sentAt.toFixed(1)}`);
        }
        setTimeout(tick, 2);
      };
      tick();
    });
    const clientCpu = process.cpuUsage(cpuAtStart);
    loopDelay.disable();
    const serverCpuAtEnd = server.process.cpuMs();
    const machineAtEnd = readMachineBusyMs();
    result.memory = server.process.memory();

    const expected = measuredEdits * (n - 1);
    await until(() => tracker.delivered >= expected, drainMs, 'deliveries').catch(() => undefined);

    Object.assign(result, {
      edits: measuredEdits,
      sendRate: (measuredEdits * 1000) / measureMs,
      expected,
      delivered: tracker.delivered,
      latency: summarize(tracker.latencies.values()),
      serverCpu: serverCpuAtStart !== undefined && serverCpuAtEnd !== undefined ? ((serverCpuAtEnd - serverCpuAtStart) / measureMs) * 100 : Number.NaN,
      clientCpu: ((clientCpu.user + clientCpu.system) / 1000 / measureMs) * 100,
      clientLag: loopDelay.percentile(99) / 1e6,
    });
    if (machineAtStart !== undefined && machineAtEnd !== undefined) {
      result.otherCpu = ((machineAtEnd - machineAtStart) / measureMs) * 100 - result.serverCpu - result.clientCpu;
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    const drops = clients.reduce((sum, c) => sum + c.disconnects, 0);
    if (drops > 0) result.problems.push(`${drops} client connection(s) dropped during the run`);
    for (const client of clients) client.destroy();
    await sleep(100);
    const stopped = await server.process.stop();
    if (stopped.killed) result.problems.push(`did not exit within 15 s of SIGTERM (killed)`);
    else if (stopped.code !== 0 && peer.id === 'tessera') result.problems.push(`exit code ${stopped.code} after SIGTERM`);
    result.problems.push(...server.process.problems.slice(-5));
    if (server.process.problemCount > 5) result.problems.push(`… ${server.process.problemCount} warning/error lines in all`);
    dir.remove();
  }
  return result;
}
