/**
 * Scale: build a large events sheet, restart the server on the same data, and time how long a new reader
 * needs after the restart; then server memory, and (Tessera) a CSV export of the sheet.
 *
 * Two ways to build and read it:
 * - `runScale`, every server (Tessera's dataset in the document layout, one Yjs document for the dataset):
 *   the rows written by a stock client in transactions, a second client following; after the restart a new
 *   client syncs the whole document.
 * - `runScaleRows`, Tessera's rows layout (each row a Yjs document of its own, read by page): the rows imported
 *   as one CSV through the import route, then the time until the server is quiet (a large sheet's indexes are
 *   built once its writes have paused for `QUIET_MS`); after the restart a new reader's first page of rows, and
 *   a stock client's first sync of one row's room.
 */
import * as Y from 'yjs';
import { QUIET_WINDOW_MS } from './rows-import';
import { getSheet, insertRow, sheetRows } from '../model/document';
import { newRowId } from '../model/ids';
import { getRowCells } from '../model/row-document';
import { rowRoom } from '../model/rooms';
import { eventsCsv } from './import';
import { uploadCsv } from './import-rows';
import { ADMIN_TOKEN, type BenchClient, DATASET, ensureLayout, makeTempDir, type Peer, type PeerId, type RunningServer, yWebsocketClient } from './peers';
import { collectGarbage, type Memory, readMachineBusyMs, sampleMemory, sleep } from './procs';
import { eventRow, prng } from './rows';
import { ms, seconds } from './stats';

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
  /** Tessera's dataset layout: one document for the dataset, or a document per row. */
  layout?: 'document' | 'rows';
  rows: number;
  /** Size of the document as one Yjs update (document layout). */
  stateBytes: number;
  /** Building the rows in the writer's document; rows layout: the CSV's upload until the import answered. */
  buildMs: number;
  /** From the first batch until a second, fresh client held every row; rows layout: the import's answer (the rows are stored then). */
  replicateMs: number;
  /** Rows layout: from the import's answer until the server stayed under 5% of a core (its indexes built; see `untilQuiet`). */
  quietMs?: number;
  stopMs: number;
  /** Spawn until the server answered HTTP. */
  restartMs: number;
  /** Server memory after the restart, before any client. */
  idle?: Memory;
  /** New client connect → synced (document layout). */
  coldSyncMs: number;
  /** Of that, the client applying the received state (the same work for every server). */
  clientApplyMs: number;
  /** Connect until the client started applying the state: the server's part plus the transfer. */
  stateReceivedMs: number;
  /** Rows layout: a new reader's first page of rows after the restart, request until its body was read. */
  firstPage?: { ms: number; rows: number; total: number };
  /** Rows layout: a stock client connecting to one row's room after the restart (after the first page) until synced. */
  rowSync?: { ms: number; cells: number };
  /** CPU used by everything else on the machine during the cold sync (rows layout: the first page and the row's sync), % of one core. */
  otherCpu: number;
  rowsAfterSync: number;
  afterSync?: Memory;
  export?: ExportResult;
  problems: string[];
  error?: string;
}

const LONG_TIMEOUT_MS = 600_000;
const STALL_MS = 120_000;
/** Rows a reader's first page asks for, as the grid does. */
const FIRST_PAGE_ROWS = 100;

const baseUrl = (server: RunningServer) => `http://127.0.0.1:${server.port}`;
const authorized = { authorization: `Bearer ${ADMIN_TOKEN}` };

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
    const res = await fetch(`${baseUrl(server)}/api/datasets/${DATASET}/sheets/events/export?format=csv`, {
      headers: authorized,
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
  const res = await fetch(`${baseUrl(server)}/api/datasets/${DATASET}`, { headers: authorized, signal: AbortSignal.timeout(60_000) });
  if (res.status !== 200) return undefined;
  const body = (await res.json()) as { sheets?: { id: string; rowCount?: number }[] };
  return body.sheets?.find((s) => s.id === 'events')?.rowCount;
}

/** One server's run: its data dir, the server as restarted, the clients to close, and the result being filled. */
interface ScaleRun {
  readonly peer: Peer;
  readonly options: ScaleOptions;
  readonly result: ScaleResult;
  readonly dataDir: string;
  server: RunningServer;
  readonly clients: BenchClient[];
  readonly log: (line: string) => void;
}

function noteDisconnects(run: ScaleRun, who: string, client: BenchClient): void {
  if (client.disconnects > 0) run.result.problems.push(`${who}'s connection dropped ${client.disconnects} time(s)`);
}

function noteProblems(run: ScaleRun): void {
  const { process } = run.server;
  run.result.problems.push(...process.problems.slice(-5));
  if (process.problemCount > 5) run.result.problems.push(`… ${process.problemCount} warning/error lines in all`);
}

/**
 * Starts `peer` on a fresh data dir, runs `body`, and whatever happens closes the clients, stops the server and
 * removes the data.
 */
async function scaleRun(
  peer: Peer, options: ScaleOptions, log: (line: string) => void, result: Omit<ScaleResult, 'peer' | 'rows' | 'problems'>,
  body: (run: ScaleRun) => Promise<void>,
): Promise<ScaleResult> {
  const dir = makeTempDir(`scale-${peer.id}-${result.layout ?? 'document'}`);
  const run: ScaleRun = {
    peer, options, log, dataDir: dir.path, clients: [], server: await peer.start(dir.path),
    result: { ...result, peer: peer.id, rows: options.rows, problems: [] },
  };
  try {
    await body(run);
  } catch (error) {
    run.result.error = error instanceof Error ? error.message : String(error);
    run.clients.forEach((client, i) => noteDisconnects(run, `client ${i + 1}`, client));
  } finally {
    for (const client of run.clients) client.destroy();
    await run.server.process.stop(60_000);
    noteProblems(run);
    dir.remove();
  }
  return run.result;
}

/** Tessera's count of the sheet's rows (`GET /api/datasets/:id`) against the rows built. */
async function checkRowCount(run: ScaleRun): Promise<void> {
  const counted = await tesseraRowCount(run.server);
  if (counted !== run.options.rows) run.result.problems.push(`GET /api/datasets/${DATASET} rowCount ${counted} before restart, expected ${run.options.rows}`);
}

/** SIGTERM (timed), then the server started again on the same data and port: time to HTTP answering, RSS idle. */
async function restart(run: ScaleRun): Promise<void> {
  const { result } = run;
  const stopped = await run.server.process.stop(60_000);
  result.stopMs = stopped.ms;
  if (stopped.killed) result.problems.push('did not exit within 60 s of SIGTERM (killed)');
  noteProblems(run);

  const restartAt = performance.now();
  run.server = await run.peer.start(run.dataDir, run.server.port);
  result.restartMs = performance.now() - restartAt;
  await sleep(500);
  result.idle = run.server.process.memory();
  run.log(`  ${result.label}: stopped in ${seconds(result.stopMs)}, restarted in ${seconds(result.restartMs)}; reading`);
}

/**
 * Starts measuring what the rest of the machine uses meanwhile (collecting this process's garbage first);
 * `stop(windowMs)` gives it as % of one core: the machine's busy time less the server's and this process's.
 */
function otherCpuFrom(server: RunningServer): { stop: (windowMs: number) => number } {
  collectGarbage();
  const busyAtStart = readMachineBusyMs();
  const serverCpuAtStart = server.process.cpuMs();
  const clientCpuAtStart = process.cpuUsage();
  return {
    stop(windowMs) {
      const busyAtEnd = readMachineBusyMs();
      const serverCpuAtEnd = server.process.cpuMs();
      const clientCpu = process.cpuUsage(clientCpuAtStart);
      if (busyAtStart === undefined || busyAtEnd === undefined || serverCpuAtStart === undefined || serverCpuAtEnd === undefined) return Number.NaN;
      const others = busyAtEnd - busyAtStart - (serverCpuAtEnd - serverCpuAtStart) - (clientCpu.user + clientCpu.system) / 1000;
      return Math.max(0, (others / windowMs) * 100);
    },
  };
}

/** The sheet's CSV export, checked against the rows built. */
async function exportInto(run: ScaleRun): Promise<void> {
  const { result } = run;
  run.log(`  ${result.label}: exporting CSV`);
  result.export = await exportCsv(run.server);
  if (result.export.status !== 200) result.problems.push(`export answered HTTP ${result.export.status}`);
  else if (result.export.records !== run.options.rows) result.problems.push(`export had ${result.export.records} records, expected ${run.options.rows}`);
}

/** Every server: a client builds the sheet in its document; after the restart a new client syncs all of it. */
export function runScale(peer: Peer, options: ScaleOptions, log: (line: string) => void): Promise<ScaleResult> {
  return scaleRun(peer, options, log, {
    label: peer.label, ...(peer.id === 'tessera' && { layout: 'document' as const }), stateBytes: 0, buildMs: 0, replicateMs: 0, stopMs: 0,
    restartMs: 0, coldSyncMs: Number.NaN, clientApplyMs: 0, stateReceivedMs: Number.NaN, otherCpu: Number.NaN, rowsAfterSync: 0,
  }, async (run) => {
    const { result, clients } = run;
    await peer.prepare(run.server);
    const writer = peer.connect(run.server);
    clients.push(writer);
    await writer.whenSynced(60_000);
    ensureLayout(writer.doc);
    const events = getSheet(writer.doc, 'events');
    if (!events) throw new Error('no events sheet');
    // A second client follows the build. It also keeps the writer from being alone: the stock y-websocket
    // client drops a connection that received nothing for 30 s.
    const checker = peer.connect(run.server);
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
    noteDisconnects(run, 'writer', writer);
    noteDisconnects(run, 'second client', checker);
    if (peer.id === 'tessera') await checkRowCount(run);
    for (const client of clients.splice(0)) client.destroy();

    // Tessera stores each update within 100 ms; Hocuspocus stores when the last client leaves and on SIGTERM.
    await sleep(1000);
    await restart(run);

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
    const others = otherCpuFrom(run.server);
    const syncStart = performance.now();
    const fresh = peer.connect(run.server, freshDoc);
    clients.push(fresh);
    await fresh.whenSynced(LONG_TIMEOUT_MS);
    result.coldSyncMs = performance.now() - syncStart;
    result.otherCpu = others.stop(result.coldSyncMs);
    result.rowsAfterSync = rowCount(fresh);
    noteDisconnects(run, 'new client', fresh);
    result.afterSync = run.server.process.memory();
    if (result.rowsAfterSync !== options.rows) result.problems.push(`new client held ${result.rowsAfterSync} rows after sync, expected ${options.rows}`);

    if (peer.exports) await exportInto(run);
  });
}


async function tesseraJson(server: RunningServer, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl(server)}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...authorized, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(LONG_TIMEOUT_MS),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}


/**
 * After the writes: until the server's process (its worker threads included) used under 5% of a core over
 * QUIET_WINDOW_MS, from when that window began (at most LONG_TIMEOUT_MS); meanwhile /healthz is asked every 500 ms
 * (a refused or reset connection counts as an answer of a minute): its slowest answer, and how many took 200 ms or more.
 */
async function untilQuiet(server: RunningServer): Promise<{ quietMs: number; slowestHealthMs: number; slowHealth: number }> {
  const started = performance.now();
  const cpu: { at: number; ms: number }[] = [];
  let slowestHealthMs = 0;
  let slowHealth = 0;
  while (performance.now() - started < LONG_TIMEOUT_MS) {
    const asked = performance.now();
    const answered = await fetch(`${baseUrl(server)}/healthz`, { signal: AbortSignal.timeout(60_000) })
      .then((res) => res.arrayBuffer().then(() => true), () => false);
    const now = performance.now();
    const took = answered ? now - asked : 60_000;
    slowestHealthMs = Math.max(slowestHealthMs, took);
    if (took >= 200) slowHealth++;
    cpu.push({ at: now, ms: server.process.cpuMs() ?? Number.NaN });
    const from = cpu.findLast((sample) => now - sample.at >= QUIET_WINDOW_MS);
    if (from && cpu.at(-1)!.ms - from.ms < QUIET_WINDOW_MS * 0.05) return { quietMs: from.at - started, slowestHealthMs, slowHealth };
    await sleep(500);
  }
  return { quietMs: Number.NaN, slowestHealthMs, slowHealth };
}

/**
 * Tessera's rows layout: the sheet imported as one CSV; after the restart a new reader's first page of rows and a
 * stock client's sync of one row (one not on that page).
 */
export function runScaleRows(peer: Peer, options: ScaleOptions, log: (line: string) => void): Promise<ScaleResult> {
  return scaleRun(peer, options, log, {
    label: `${peer.label}, rows layout`, layout: 'rows', stateBytes: Number.NaN, buildMs: 0, replicateMs: 0, stopMs: 0, restartMs: 0,
    coldSyncMs: Number.NaN, clientApplyMs: Number.NaN, stateReceivedMs: Number.NaN, otherCpu: Number.NaN, rowsAfterSync: 0,
  }, async (run) => {
    const { result, clients } = run;
    const created = await tesseraJson(run.server, '/api/datasets', { name: 'bench', id: DATASET, template: 'events-statements', layout: 'rows' });
    if (created.status !== 201) throw new Error(`POST /api/datasets answered ${created.status}: ${JSON.stringify(created.body).slice(0, 300)}`);
    const csv = eventsCsv(options.rows);
    // Making the file held the event loop: let it see the keep-alive sockets the server closed meanwhile.
    await sleep(200);

    const memory = sampleMemory(run.server.process.pid, 50);
    const cpuBefore = run.server.process.cpuMs() ?? Number.NaN;
    const started = performance.now();
    const imported = await uploadCsv(`${baseUrl(run.server)}/api/datasets/${DATASET}/sheets/events/import`, ADMIN_TOKEN, csv);
    result.buildMs = result.replicateMs = performance.now() - started;
    const cpuImport = (run.server.process.cpuMs() ?? Number.NaN) - cpuBefore;
    if (imported.status !== 200) throw new Error(`import answered ${imported.status}: ${imported.body.slice(0, 300)}`);
    const inserted = (JSON.parse(imported.body) as { inserted?: number }).inserted;
    if (inserted !== options.rows) result.problems.push(`the import inserted ${inserted} rows, expected ${options.rows}`);
    log(`  ${result.label}: imported ${options.rows} rows (${(Buffer.byteLength(csv) / 1e6).toFixed(1)} MB of CSV) in ${seconds(result.buildMs)}, `
      + `server CPU ${seconds(cpuImport)}; waiting for the server to be quiet`);

    const quiet = await untilQuiet(run.server);
    result.quietMs = quiet.quietMs;
    const peak = memory.stop();
    log(`  ${result.label}: server under 5% of a core for ${seconds(QUIET_WINDOW_MS)} from ${seconds(quiet.quietMs)} after the answer; `
      + `/healthz meanwhile: slowest ${ms(quiet.slowestHealthMs, 0)}, ${quiet.slowHealth} answer(s) of 200 ms or more; `
      + `server CPU since the upload ${seconds((run.server.process.cpuMs() ?? Number.NaN) - cpuBefore)}, peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);
    if (Number.isNaN(quiet.quietMs)) result.problems.push(`the server was not quiet within ${LONG_TIMEOUT_MS / 1000} s of the import`);

    await checkRowCount(run);
    // A row from the middle of the sheet, for the row sync after the restart: not on the first page.
    const middle = await tesseraJson(run.server, `/api/datasets/${DATASET}/sheets/events/rows?offset=${Math.floor(options.rows / 2)}&limit=1`);
    const rowId = (middle.body as { rows?: { row_id: string }[] }).rows?.[0]?.row_id;
    if (!rowId) throw new Error(`no row at offset ${Math.floor(options.rows / 2)}: ${middle.status}`);

    await restart(run);

    const others = otherCpuFrom(run.server);
    const readStart = performance.now();
    const page = await tesseraJson(run.server, `/api/datasets/${DATASET}/sheets/events/rows?offset=0&limit=${FIRST_PAGE_ROWS}`);
    const pageMs = performance.now() - readStart;
    if (page.status !== 200) throw new Error(`first page after the restart answered ${page.status}`);
    const { rows = [], total = Number.NaN } = page.body as { rows?: unknown[]; total?: number };
    result.firstPage = { ms: pageMs, rows: rows.length, total };
    result.rowsAfterSync = rows.length;
    if (rows.length !== Math.min(FIRST_PAGE_ROWS, options.rows) || total !== options.rows) {
      result.problems.push(`the first page held ${rows.length} rows of ${total}, expected ${Math.min(FIRST_PAGE_ROWS, options.rows)} of ${options.rows}`);
    }

    const syncStart = performance.now();
    const room = rowRoom(DATASET, 'events', rowId);
    const row = yWebsocketClient(`ws://127.0.0.1:${run.server.port}/ws`, new Y.Doc(), { token: ADMIN_TOKEN }, room, room);
    clients.push(row);
    await row.whenSynced(LONG_TIMEOUT_MS);
    const syncMs = performance.now() - syncStart;
    result.otherCpu = others.stop(performance.now() - readStart);
    result.rowSync = { ms: syncMs, cells: getRowCells(row.doc).size };
    noteDisconnects(run, 'row client', row);
    result.afterSync = run.server.process.memory();
    if (!getRowCells(row.doc).get('event_date')) result.problems.push(`row ${rowId} synced without its event_date (${result.rowSync.cells} cells)`);

    await exportInto(run);
  });
}
