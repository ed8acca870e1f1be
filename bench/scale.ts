/**
 * Scale: build a large events sheet through a client, restart the server on the same data, and time how
 * long a new client needs to sync; then server memory, and (Tessera) a CSV export of the sheet.
 */
import * as Y from 'yjs';
import { getSheet, insertRow, sheetRows } from '../model/document';
import { newRowId } from '../model/ids';
import { ADMIN_TOKEN, type BenchClient, DATASET, ensureLayout, makeTempDir, type Peer, type PeerId, type RunningServer } from './peers';
import { collectGarbage, type Memory, readMachineBusyMs, sampleMemory, sleep } from './procs';
import { eventRow, prng } from './rows';

export interface ScaleOptions {
  rows: number;
  /** Rows per transaction while building. */
  batch: number;
}

export interface ExportResult {
  ms: number;
  bytes: number;
  /** CSV records without the header (no value contains a line break). */
  records: number;
  rssBefore?: number;
  peakRss: number;
  status: number;
}

export interface ScaleResult {
  peer: PeerId;
  label: string;
  rows: number;
  /** Size of the document as one Yjs update. */
  stateBytes: number;
  /** Building the rows in the writer's document. */
  buildMs: number;
  /** From the first batch until a second, fresh client held every row. */
  replicateMs: number;
  stopMs: number;
  /** Spawn until the server answered HTTP. */
  restartMs: number;
  /** Server memory after the restart, before any client. */
  idle?: Memory;
  /** New client connect → synced. */
  coldSyncMs: number;
  /** Of that, the client applying the received state (the same work for every server). */
  clientApplyMs: number;
  /** Connect until the client started applying the state: the server's part plus the transfer. */
  stateReceivedMs: number;
  /** CPU used by everything else on the machine during the cold sync, % of one core. */
  otherCpu: number;
  rowsAfterSync: number;
  afterSync?: Memory;
  export?: ExportResult;
  problems: string[];
  error?: string;
}

const LONG_TIMEOUT_MS = 600_000;
const STALL_MS = 120_000;

function rowCount(client: BenchClient): number {
  const sheet = getSheet(client.doc, 'events');
  return sheet ? sheetRows(sheet).size : 0;
}

async function exportCsv(server: RunningServer): Promise<ExportResult> {
  const rssBefore = server.process.memory()?.rss;
  const sampler = sampleMemory(server.process.pid, 50);
  const started = performance.now();
  let bytes = 0;
  let newlines = 0;
  let status = 0;
  let peakRss = 0;
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/datasets/${DATASET}/sheets/events/export?format=csv`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      signal: AbortSignal.timeout(LONG_TIMEOUT_MS),
    });
    status = res.status;
    if (res.body) {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        bytes += chunk.byteLength;
        for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) newlines++;
      }
    }
  } finally {
    peakRss = sampler.stop();
  }
  return { ms: performance.now() - started, bytes, records: Math.max(0, newlines - 1), rssBefore, peakRss, status };
}

/** Waits until `client` holds `rows` rows; gives up when the count stops growing for STALL_MS. */
async function untilAllRows(client: BenchClient, rows: number): Promise<void> {
  const deadline = performance.now() + LONG_TIMEOUT_MS;
  let last = -1;
  let lastProgress = performance.now();
  for (;;) {
    const count = rowCount(client);
    if (count >= rows) return;
    const now = performance.now();
    if (count > last) {
      last = count;
      lastProgress = now;
    }
    if (now - lastProgress > STALL_MS || now > deadline) {
      throw new Error(`a second client held ${count} of ${rows} rows, no progress for ${((now - lastProgress) / 1000).toFixed(0)} s`);
    }
    await sleep(250);
  }
}

async function tesseraRowCount(server: RunningServer): Promise<number | undefined> {
  const res = await fetch(`http://127.0.0.1:${server.port}/api/datasets/${DATASET}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    signal: AbortSignal.timeout(60_000),
  });
  if (res.status !== 200) return undefined;
  const body = (await res.json()) as { sheets?: { id: string; rowCount?: number }[] };
  return body.sheets?.find((s) => s.id === 'events')?.rowCount;
}

export async function runScale(peer: Peer, options: ScaleOptions, log: (line: string) => void): Promise<ScaleResult> {
  const dir = makeTempDir(`scale-${peer.id}`);
  const clients: BenchClient[] = [];
  const result: ScaleResult = {
    peer: peer.id, label: peer.label, rows: options.rows, stateBytes: 0, buildMs: 0, replicateMs: 0, stopMs: 0,
    restartMs: 0, coldSyncMs: Number.NaN, clientApplyMs: 0, stateReceivedMs: Number.NaN, otherCpu: Number.NaN, rowsAfterSync: 0, problems: [],
  };
  let server = await peer.start(dir.path);
  const noteDisconnects = (who: string, client: BenchClient) => {
    if (client.disconnects > 0) result.problems.push(`${who}'s connection dropped ${client.disconnects} time(s)`);
  };
  const noteProblems = () => {
    result.problems.push(...server.process.problems.slice(-5));
    if (server.process.problemCount > 5) result.problems.push(`… ${server.process.problemCount} warning/error lines in all`);
  };
  try {
    await peer.prepare(server);
    const writer = peer.connect(server);
    clients.push(writer);
    await writer.whenSynced(60_000);
    ensureLayout(writer.doc);
    const events = getSheet(writer.doc, 'events');
    if (!events) throw new Error('no events sheet');
    // A second client follows the build. It also keeps the writer from being alone: the stock y-websocket
    // client drops a connection that received nothing for 30 s.
    const checker = peer.connect(server);
    clients.push(checker);
    await checker.whenSynced(60_000);

    const rand = prng(20240301);
    const started = performance.now();
    for (let done = 0; done < options.rows; done += options.batch) {
      const count = Math.min(options.batch, options.rows - done);
      writer.doc.transact(() => {
        for (let i = 0; i < count; i++) insertRow(events, newRowId(), eventRow(rand, done + i));
      });
      await sleep(0); // let the provider's socket write
    }
    result.buildMs = performance.now() - started;
    result.stateBytes = Y.encodeStateAsUpdate(writer.doc).byteLength;
    log(`  ${peer.label}: built ${options.rows} rows (${(result.stateBytes / 1e6).toFixed(1)} MB of Yjs state) in ${(result.buildMs / 1000).toFixed(1)} s; waiting for the server to have them`);

    await untilAllRows(checker, options.rows);
    result.replicateMs = performance.now() - started;
    noteDisconnects('writer', writer);
    noteDisconnects('second client', checker);
    if (peer.id === 'tessera') {
      const counted = await tesseraRowCount(server);
      if (counted !== options.rows) result.problems.push(`GET /api/datasets/${DATASET} rowCount ${counted} before restart, expected ${options.rows}`);
    }
    for (const client of clients.splice(0)) client.destroy();

    // Tessera stores each update within 100 ms; Hocuspocus stores when the last client leaves and on SIGTERM.
    await sleep(1000);
    const stopped = await server.process.stop(60_000);
    result.stopMs = stopped.ms;
    if (stopped.killed) result.problems.push('did not exit within 60 s of SIGTERM (killed)');
    noteProblems();

    const restartAt = performance.now();
    server = await peer.start(dir.path, server.port);
    result.restartMs = performance.now() - restartAt;
    await sleep(500);
    result.idle = server.process.memory();
    log(`  ${peer.label}: restarted in ${(result.restartMs / 1000).toFixed(2)} s; connecting a new client`);

    // The client's own share of the sync: the transaction that applies the received state.
    const freshDoc = new Y.Doc();
    let txnStart = 0;
    freshDoc.on('beforeTransaction', () => (txnStart = performance.now()));
    freshDoc.on('afterTransaction', () => {
      const took = performance.now() - txnStart;
      if (took > result.clientApplyMs) {
        result.clientApplyMs = took;
        result.stateReceivedMs = txnStart - syncStart;
      }
    });
    collectGarbage();
    const busyAtStart = readMachineBusyMs();
    const serverCpuAtStart = server.process.cpuMs();
    const clientCpuAtStart = process.cpuUsage();
    const syncStart = performance.now();
    const fresh = peer.connect(server, freshDoc);
    clients.push(fresh);
    await fresh.whenSynced(LONG_TIMEOUT_MS);
    result.coldSyncMs = performance.now() - syncStart;
    const busyAtEnd = readMachineBusyMs();
    const serverCpuAtEnd = server.process.cpuMs();
    const clientCpu = process.cpuUsage(clientCpuAtStart);
    if (busyAtStart !== undefined && busyAtEnd !== undefined && serverCpuAtStart !== undefined && serverCpuAtEnd !== undefined) {
      const others = busyAtEnd - busyAtStart - (serverCpuAtEnd - serverCpuAtStart) - (clientCpu.user + clientCpu.system) / 1000;
      result.otherCpu = Math.max(0, (others / result.coldSyncMs) * 100);
    }
    result.rowsAfterSync = rowCount(fresh);
    noteDisconnects('new client', fresh);
    result.afterSync = server.process.memory();
    if (result.rowsAfterSync !== options.rows) result.problems.push(`new client held ${result.rowsAfterSync} rows after sync, expected ${options.rows}`);

    if (peer.exports) {
      log(`  ${peer.label}: exporting CSV`);
      result.export = await exportCsv(server);
      if (result.export.status !== 200) result.problems.push(`export answered HTTP ${result.export.status}`);
      else if (result.export.records !== options.rows) result.problems.push(`export had ${result.export.records} records, expected ${options.rows}`);
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
    clients.forEach((client, i) => noteDisconnects(`client ${i + 1}`, client));
  } finally {
    for (const client of clients) client.destroy();
    await server.process.stop(60_000);
    noteProblems();
    dir.remove();
  }
  return result;
}
