/**
 * What leaves a sheet of a million rows (the `rows` layout): its CSV and JSON exports, streamed, and a release of it,
 * with the server's memory growth and how long `/healthz` waits meanwhile. The rows are written straight into
 * the read model first (as a bulk import leaves them; `bench/read-model-rows.ts`).
 *
 * The peer is the floor: the same rows read from the same SQLite file in this process and written as CSV with
 * csv-stringify, no server between. PostgreSQL with TESSERA_TEST_STORE=pg (no floor then).
 *
 * `npm run bench -- million-out`; BENCH_MILLION_ROWS (default 1,000,000). Prints numbers; never asserts. With
 * BENCH_CPU_PROF=DIR the server writes a V8 CPU profile there when it stops (bench/cpu-profile.mjs); with
 * BENCH_MILLION_OUT=export only the exports and the floor are run, with BENCH_MILLION_OUT=release only the releases
 * (the first, and the next, whose changelog compares the two).
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { stringify } from 'csv-stringify/sync';
import { ulid } from 'ulid';
import { api } from '../test/helpers/clients';
import { testDatabaseFor, testOnPostgres } from '../test/helpers/pg';
import { type RunningServer, startBenchServer } from './server';
import { readCpuMs, readMemory, sampleMemory, sleep } from './procs';
import { writeRows } from './read-model-rows';
import { eventRow, prng } from './rows';
import { int, mib, ms, seconds } from './stats';

const DATASET = 'bench-million-out';

const rss = (server: RunningServer) => readMemory(server.process.pid!)?.rss ?? 0;

/** Asks `/healthz` back to back until `done` settles; resolves with the slowest answer (ms). */
async function slowestHealth(url: string, done: Promise<unknown>): Promise<number> {
  let finished = false;
  void done.finally(() => { finished = true; });
  let slowest = 0;
  while (!finished) {
    const asked = performance.now();
    await fetch(`${url}/healthz`).then((r) => r.arrayBuffer(), () => undefined);
    slowest = Math.max(slowest, performance.now() - asked);
    await sleep(50);
  }
  return slowest;
}

/** Streams a response to its end; resolves with its bytes. */
async function drain(response: Response): Promise<number> {
  let bytes = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.byteLength;
  }
}

/**
 * One export of the events sheet streamed to its end: its bytes, time, the server's CPU time (which a busy machine
 * changes less than the time), its RSS growth and the slowest `/healthz` meanwhile.
 */
async function streamedExport(server: RunningServer, format: 'csv' | 'json') {
  const cpuBefore = readCpuMs(server.process.pid!) ?? 0;
  const rssBefore = rss(server);
  const memory = sampleMemory(server.process.pid!);
  const started = performance.now();
  const exported = fetch(`${server.url}/api/datasets/${DATASET}/sheets/events/export?format=${format}`, { headers: { authorization: `Bearer ${server.adminToken}` } })
    .then(async (response) => {
      if (response.status !== 200) throw new Error(`export: ${response.status} ${await response.text()}`);
      return drain(response);
    });
  const health = slowestHealth(server.url, exported);
  const bytes = await exported;
  const ms = performance.now() - started;
  const cpuMs = (readCpuMs(server.process.pid!) ?? 0) - cpuBefore;
  return { bytes, ms, cpuMs, rssBefore, rssGrowth: memory.stop() - rssBefore, slowestHealth: await health };
}

/** The CSV and JSON exports of the events sheet, each streamed to its end, and the CSV's floor (SQLite only). */
async function exports(server: RunningServer, where: string, log: (line: string) => void): Promise<void> {
  // The CSV export, streamed to its end.
  const csv = await streamedExport(server, 'csv');
  log(`  CSV export: ${mib(csv.bytes)} in ${seconds(csv.ms)} (server CPU ${seconds(csv.cpuMs)}); server RSS grew by ${mib(csv.rssGrowth)} (from ${mib(csv.rssBefore)}); slowest /healthz meanwhile ${ms(csv.slowestHealth, 0)}`);

  if (!testOnPostgres) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const db = new Database(where, { readonly: true });
    let floorBytes = 0;
    const columns = Object.keys(eventRow(prng(7), 0));
    const statement = db.prepare('select row_id, cells from rows where dataset_id = ? and sheet_id = ? order by row_id');
    let batch: unknown[][] = [];
    for (const row of statement.iterate(DATASET, 'events') as Iterable<{ row_id: string; cells: string }>) {
      const cells = JSON.parse(row.cells) as Record<string, unknown>;
      batch.push([row.row_id, ...columns.map((c) => (Array.isArray(cells[c]) ? (cells[c] as unknown[]).join(';') : cells[c]))]);
      if (batch.length === 1000) {
        floorBytes += stringify(batch).length;
        batch = [];
      }
    }
    floorBytes += stringify(batch).length;
    db.close();
    const floorMs = performance.now() - started;
    const { user, system } = process.cpuUsage(cpu);
    const floorCpuMs = (user + system) / 1000;
    log(`  floor (the same rows read and written as CSV in one process, no server): ${mib(floorBytes)} in ${seconds(floorMs)} (CPU ${seconds(floorCpuMs)}); the export takes ${(csv.ms / floorMs).toFixed(1)}× that (${(csv.cpuMs / floorCpuMs).toFixed(1)}× its CPU)`);
  }

  // The JSON export. (The floor held this process's event loop: let it see the keep-alive sockets the server
  // closed meanwhile, or the request goes out on one of them.)
  await sleep(500);
  const json = await streamedExport(server, 'json');
  log(`  JSON export: ${mib(json.bytes)} in ${seconds(json.ms)} (server CPU ${seconds(json.cpuMs)}); server RSS grew by ${mib(json.rssGrowth)} (from ${mib(json.rssBefore)}); slowest /healthz meanwhile ${ms(json.slowestHealth, 0)}`);
}

/** A release of every row: its time, the server's CPU time, its RSS growth and the slowest `/healthz` meanwhile. */
async function release(server: RunningServer, version: string, rows: number, what: string, log: (line: string) => void): Promise<void> {
  const beforeRelease = rss(server);
  const cpuBefore = readCpuMs(server.process.pid!) ?? 0;
  const memory = sampleMemory(server.process.pid!);
  const started = performance.now();
  const released = api(server, `/api/datasets/${DATASET}/releases`, { body: { version, rows: 'all' } });
  const releaseHealth = slowestHealth(server.url, released);
  const answer = await released;
  if (answer.status !== 201) throw new Error(`release: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  const cpuMs = (readCpuMs(server.process.pid!) ?? 0) - cpuBefore;
  log(`  ${what} of ${int(rows)} rows: ${seconds(performance.now() - started)} (server CPU ${seconds(cpuMs)}); server RSS grew by ${mib(memory.stop() - beforeRelease)} (from ${mib(beforeRelease)}); slowest /healthz meanwhile ${ms(await releaseHealth, 0)}`);
}

export async function runMillionOut(rows: number, log: (line: string) => void): Promise<void> {
  const profDir = process.env.BENCH_CPU_PROF;
  // Without the tests' check of every JSON answer against its declaration, which reads the whole answer first
  // (the JSON export's too): a server as it runs in production.
  const server = await startBenchServer({ env: { LOG_LEVEL: 'warn', ...(profDir && { NODE_OPTIONS: `--import ${new URL('./cpu-profile.mjs', import.meta.url).pathname}`, BENCH_CPU_PROF: profDir }) } });
  try {
    const created = await api(server, '/api/datasets', { body: { id: DATASET, name: 'A million rows out', layout: 'rows' } });
    if (created.status !== 201) throw new Error(`creating the dataset: ${created.status} ${JSON.stringify(created.body)}`);
    log(`\n## Out of a million rows: export and release of ${int(rows)} events rows (${testOnPostgres ? 'PostgreSQL' : 'SQLite'})`);
    const where = testOnPostgres ? (await testDatabaseFor(server.dataDir)).url : join(server.dataDir, 'tessera.db');
    const rand = prng(7);
    const now = Date.now();
    const filled = performance.now();
    await writeRows(where, rows, (i) => [DATASET, ulid(now - rows + i), JSON.stringify(eventRow(rand, i)), now]);
    log(`  rows written into the read model in ${seconds(performance.now() - filled)}`);
    await sleep(2000);
    if (process.env.BENCH_MILLION_OUT !== 'release') await exports(server, where, log);
    if (process.env.BENCH_MILLION_OUT === 'export') return;

    // A release of every row: built, zipped and stored; then the next one, whose changelog compares the two.
    await release(server, '1.0', rows, 'release', log);
    await release(server, '1.1', rows, 'next release (changelog against the first)', log);
  } finally {
    // A stop, not a kill, when profiling: the profile is written as the server exits.
    if (profDir) await server.stop();
    await server.dispose();
  }
}
