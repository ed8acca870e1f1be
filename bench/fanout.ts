/**
 * Fan-out: N clients on one document, each setting a cell of its own events row R times a second.
 * Every receiving client records now − send time for every edit of every other client, so the
 * latency includes the server, the network stack and this (single) process of clients.
 * With several server instances serving the document, the clients are spread over them round-robin
 * and the latencies are split into deliveries between clients of the same instance and across instances.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import { getSheet, insertRow, sheetRows, type YRow } from '../model/document';
import { newRowId } from '../model/ids';
import { type BenchClient, ensureLayout, makeTempDir, type Peer, type PeerId, type RunningServer, until } from './peers';
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
  /** Server processes serving the document. */
  instances: number;
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
  /** Deliveries between clients of the same instance (all of them with one instance). */
  same: Deliveries;
  /** Deliveries between clients of different instances (none with one instance). */
  cross: Deliveries;
  /** Clients whose document equals the first client's after the drain (same state vector and edited cells). */
  converged: number;
  /** Server CPU over the window (all instances together), % of one core. */
  serverCpu: number;
  /** Each instance's CPU over the window, % of one core (in the order they were started). */
  serverCpuEach?: number[];
  /** This process's CPU over the window, % of one core. */
  clientCpu: number;
  /** p99 event-loop delay of this process over the window, ms: high means the clients, not the server, add latency. */
  clientLag: number;
  /** CPU used by everything else on the machine over the window, % of one core: above a few % the numbers are disturbed. */
  otherCpu: number;
  /** Server memory (all instances together). */
  memory?: Memory;
  problems: string[];
  error?: string;
}

export interface Deliveries {
  expected: number;
  delivered: number;
  latency: Summary;
}

const EDITED_COLUMN = 'summary';
const SYNC_TIMEOUT_MS = 60_000;
/** How long the setup waits for rows made on the other instances (they never arrive without cross-instance sync). */
const CROSS_SYNC_TIMEOUT_MS = 20_000;
const CONNECT_BATCH = 10;

/** Send times per sender and sequence number, and what each receiver has seen of each sender. */
class DeliveryTracker {
  readonly same: Samples;
  readonly cross: Samples;
  private readonly lastSeen: Int32Array;

  constructor(
    private readonly clients: number,
    private readonly instanceOf: (client: number) => number,
    private readonly sendTimes: Float64Array[],
    private readonly inWindow: (sentAt: number) => boolean,
    expectedDeliveries: number,
  ) {
    this.lastSeen = new Int32Array(clients * clients);
    this.same = new Samples(expectedDeliveries);
    this.cross = new Samples(1024);
  }

  get delivered(): number {
    return this.same.length + this.cross.length;
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
    const samples = this.instanceOf(receiver) === this.instanceOf(sender) ? this.same : this.cross;
    for (let k = last + 1; k <= seq && k < times.length; k++) {
      const sentAt = times[k] as number;
      if (sentAt > 0 && this.inWindow(sentAt)) samples.push(now - sentAt);
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

function serversCpuMs(servers: readonly RunningServer[]): number | undefined {
  let total = 0;
  for (const s of servers) {
    const cpu = s.process.cpuMs();
    if (cpu === undefined) return undefined;
    total += cpu;
  }
  return total;
}

function serversMemory(servers: readonly RunningServer[]): Memory | undefined {
  const each = servers.map((s) => s.process.memory());
  if (each.some((m) => m === undefined)) return undefined;
  return each.reduce<Memory>((sum, m) => ({ rss: sum.rss + m!.rss, hwm: sum.hwm + m!.hwm }), { rss: 0, hwm: 0 });
}

/** Starts the server processes of a run on `dataDir`; they all serve the same documents. */
export type StartServers = (dataDir: string) => Promise<RunningServer[]>;

/** How many clients' documents equal the first client's: same state vector, same edited cell in every row. */
function convergedClients(clients: readonly BenchClient[], rowIds: readonly string[]): number {
  const fingerprint = (doc: Y.Doc) => {
    const vector = [...Y.decodeStateVector(Y.encodeStateVector(doc))].sort(([a], [b]) => a - b).join(';');
    const rows = rowsOf(doc);
    return `${vector}|${rowIds.map((id) => String(rows?.get(id)?.get(EDITED_COLUMN))).join('|')}`;
  };
  const first = clients[0] ? fingerprint(clients[0].doc) : '';
  return clients.filter((c) => fingerprint(c.doc) === first).length;
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const all = new Float64Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  return all;
}

function deliveries(expected: number, samples: Samples): Deliveries {
  return { expected, delivered: samples.length, latency: summarize(samples.values()) };
}

/**
 * Runs the fan-out against `peer`: one server process on a fresh data dir, or the processes `startServers`
 * starts (client i connects to server i mod their number).
 */
export async function runFanout(
  peer: Peer, options: FanoutOptions, startServers: StartServers = async (dataDir) => [await peer.start(dataDir)],
): Promise<FanoutResult> {
  const { clients: n, rate, warmupMs, measureMs, drainMs } = options;
  const dir = makeTempDir(`fanout-${peer.id}`);
  const clients: BenchClient[] = [];
  const noDeliveries = { expected: 0, delivered: 0, latency: summarize(new Float64Array()) };
  const result: FanoutResult = {
    peer: peer.id, label: peer.label, instances: 0, clients: n, rate, edits: 0, sendRate: 0, expected: 0, delivered: 0,
    latency: summarize(new Float64Array()), same: noDeliveries, cross: noDeliveries, converged: 0,
    serverCpu: Number.NaN, clientCpu: Number.NaN, clientLag: Number.NaN, otherCpu: Number.NaN, problems: [],
  };
  let servers: RunningServer[] = [];
  try {
    servers = await startServers(dir.path);
    const k = servers.length;
    result.instances = k;
    const instanceOf = (client: number) => client % k;
    const serverOf = (client: number) => servers[instanceOf(client)] as RunningServer;
    await peer.prepare(servers[0] as RunningServer);

    // The first client lays out the document (peers). The first client of each instance then adds the
    // rows of that instance's clients in one transaction, so every client holds its own row even when
    // the instances do not share updates.
    const rowIds = Array.from({ length: n }, () => newRowId());
    for (let j = 0; j < Math.min(k, n); j++) {
      const client = peer.connect(serverOf(j));
      clients.push(client);
      await client.whenSynced(SYNC_TIMEOUT_MS);
      if (j === 0) ensureLayout(client.doc);
      await until(() => rowsOf(client.doc) !== undefined, SYNC_TIMEOUT_MS, `the events sheet on instance ${j + 1}`);
      const events = getSheet(client.doc, 'events');
      if (!events) throw new Error('no events sheet');
      client.doc.transact(() => {
        rowIds.forEach((id, i) => {
          if (instanceOf(i) !== j) return;
          insertRow(events, id, {
            event_date: '2024-03-01', date_precision: 'day', actor1: `Bench client ${i}`, event_type: 'CONSULT',
            summary: 'not edited yet',
          });
        });
      });
    }

    for (let i = k; i < n; i += CONNECT_BATCH) {
      const batch: BenchClient[] = [];
      for (let j = i; j < Math.min(n, i + CONNECT_BATCH); j++) batch.push(peer.connect(serverOf(j)));
      clients.push(...batch);
      await Promise.all(batch.map((c) => c.whenSynced(SYNC_TIMEOUT_MS)));
    }
    const holds = (c: BenchClient, i: number) => {
      const rows = rowsOf(c.doc);
      return rowIds.every((id, r) => instanceOf(r) !== instanceOf(i) || rows?.has(id));
    };
    await until(() => clients.every(holds), SYNC_TIMEOUT_MS, 'every client holding the rows of its instance');
    const holdingAll = () => clients.filter((c) => rowsOf(c.doc)?.size === n).length;
    await until(() => holdingAll() === n, k > 1 ? CROSS_SYNC_TIMEOUT_MS : SYNC_TIMEOUT_MS, `all ${n} clients holding ${n} rows`).catch(() => {
      result.problems.push(`before the edits, ${holdingAll()} of ${n} clients held all ${n} rows (the others lack rows made on other instances)`);
    });

    const myRows = clients.map((c, i) => rowsOf(c.doc)?.get(rowIds[i] as string) as YRow);
    const maxSeq = Math.ceil((rate * (warmupMs + measureMs)) / 1000) + 16;
    const sendTimes = clients.map(() => new Float64Array(maxSeq + 1));
    const seqs = new Int32Array(n);
    const measured = new Int32Array(n);
    const clientsOn = Array.from({ length: k }, (_, j) => clients.filter((_, i) => instanceOf(i) === j).length);

    collectGarbage();
    const t0 = performance.now();
    const windowStart = t0 + warmupMs;
    const windowEnd = windowStart + measureMs;
    const inWindow = (sentAt: number) => sentAt >= windowStart && sentAt < windowEnd;
    const tracker = new DeliveryTracker(n, instanceOf, sendTimes, inWindow, Math.ceil(((rate * measureMs) / 1000) * n * (n - 1)));

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
    let eachAtStart: Array<number | undefined> = [];
    let machineAtStart: number | undefined;
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        if (cpuAtStart === undefined && now >= windowStart) {
          cpuAtStart = process.cpuUsage();
          serverCpuAtStart = serversCpuMs(servers);
          eachAtStart = servers.map((s) => s.process.cpuMs());
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
          if (inWindow(sentAt)) measured[i]!++;
          (myRows[i] as YRow).set(EDITED_COLUMN, `${i}:${seq}:${sentAt.toFixed(1)}`);
        }
        setTimeout(tick, 2);
      };
      tick();
    });
    const clientCpu = process.cpuUsage(cpuAtStart);
    loopDelay.disable();
    const serverCpuAtEnd = serversCpuMs(servers);
    const eachAtEnd = servers.map((s) => s.process.cpuMs());
    const machineAtEnd = readMachineBusyMs();
    result.memory = serversMemory(servers);

    // Each measured edit is due at the other clients of its sender's instance and at every client of the others.
    let measuredEdits = 0;
    let expectedSame = 0;
    measured.forEach((edits, i) => {
      measuredEdits += edits;
      expectedSame += edits * ((clientsOn[instanceOf(i)] as number) - 1);
    });
    const expected = measuredEdits * (n - 1);
    await until(() => tracker.delivered >= expected, drainMs, 'deliveries').catch(() => undefined);
    await until(() => convergedClients(clients, rowIds) === n, drainMs, 'convergence').catch(() => undefined);

    Object.assign(result, {
      edits: measuredEdits,
      sendRate: (measuredEdits * 1000) / measureMs,
      expected,
      delivered: tracker.delivered,
      latency: summarize(concat(tracker.same.values(), tracker.cross.values())),
      same: deliveries(expectedSame, tracker.same),
      cross: deliveries(expected - expectedSame, tracker.cross),
      converged: convergedClients(clients, rowIds),
      serverCpu: serverCpuAtStart !== undefined && serverCpuAtEnd !== undefined ? ((serverCpuAtEnd - serverCpuAtStart) / measureMs) * 100 : Number.NaN,
      serverCpuEach: eachAtEnd.map((end, j) => (end === undefined || eachAtStart[j] === undefined ? Number.NaN : ((end - eachAtStart[j]!) / measureMs) * 100)),
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
    const stopped = await Promise.all(servers.map((s) => s.process.stop()));
    servers.forEach((server, j) => {
      const { killed, code } = stopped[j]!;
      const which = servers.length > 1 ? `instance ${j + 1}: ` : '';
      if (killed) result.problems.push(`${which}did not exit within 15 s of SIGTERM (killed)`);
      else if (code !== 0 && peer.id === 'tessera') result.problems.push(`${which}exit code ${code} after SIGTERM`);
      // The same line many times (e.g. Hocuspocus's lock notice on every store) is listed once.
      result.problems.push(...new Set(server.process.problems.slice(-5).map((p) => which + p)));
      if (server.process.problemCount > 5) result.problems.push(`${which}… ${server.process.problemCount} warning/error lines in all`);
    });
    dir.remove();
  }
  return result;
}
