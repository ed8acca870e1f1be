/**
 * What leaves a sheet of a million rows (the `rows` layout): its CSV export, streamed, and a release of it,
 * with the server's memory growth and how long `/healthz` waits meanwhile. The rows are written straight into
 * the read model first (as a bulk import leaves them; `bench/read-model-rows.ts`).
 *
 * The peer is the floor: the same rows read from the same SQLite file in this process and written as CSV with
 * the same library (csv-stringify), no server between. PostgreSQL with TESSERA_TEST_STORE=pg (no floor then).
 *
 * `npm run bench -- million-out`; BENCH_MILLION_ROWS (default 1,000,000). Prints numbers; never asserts. With
 * BENCH_CPU_PROF=DIR the server writes a V8 CPU profile there when it stops (bench/cpu-profile.mjs); with
 * BENCH_MILLION_OUT=export only the export and its floor are run.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { stringify } from 'csv-stringify/sync';
import { ulid } from 'ulid';
import { api } from '../test/helpers/clients';
import { testDatabaseFor, testOnPostgres } from '../test/helpers/pg';
import { type RunningServer, startServer } from '../test/helpers/server';
import { readMemory, sampleMemory, sleep } from './procs';
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

export async function runMillionOut(rows: number, log: (line: string) => void): Promise<void> {
  const profDir = process.env.BENCH_CPU_PROF;
  const server = await startServer({ env: { LOG_LEVEL: 'warn', ...(profDir && { NODE_OPTIONS: `--import ${new URL('./cpu-profile.mjs', import.meta.url).pathname}`, BENCH_CPU_PROF: profDir }) } });
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

    // The CSV export, streamed to its end.
    const before = rss(server);
    let memory = sampleMemory(server.process.pid!);
    let started = performance.now();
    const exported = fetch(`${server.url}/api/datasets/${DATASET}/sheets/events/export?format=csv`, { headers: { authorization: `Bearer ${server.adminToken}` } })
      .then(async (response) => {
        if (response.status !== 200) throw new Error(`export: ${response.status} ${await response.text()}`);
        return drain(response);
      });
    const exportHealth = slowestHealth(server.url, exported);
    const bytes = await exported;
    const exportMs = performance.now() - started;
    log(`  CSV export: ${mib(bytes)} in ${seconds(exportMs)}; server RSS grew by ${mib(memory.stop() - before)} (from ${mib(before)}); slowest /healthz meanwhile ${ms(await exportHealth, 0)}`);

    if (!testOnPostgres) {
      started = performance.now();
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
      log(`  floor (the same rows read and written as CSV in one process, no server): ${mib(floorBytes)} in ${seconds(floorMs)}; the export takes ${(exportMs / floorMs).toFixed(1)}× that`);
    }

    if (process.env.BENCH_MILLION_OUT === 'export') return;

    // A release of every row: built, zipped and stored. (The floor held this process's event loop: let it see
    // the keep-alive sockets the server closed meanwhile, or the request goes out on one of them.)
    await sleep(500);
    const beforeRelease = rss(server);
    memory = sampleMemory(server.process.pid!);
    started = performance.now();
    const released = api(server, `/api/datasets/${DATASET}/releases`, { body: { version: '1.0', rows: 'all' } });
    const releaseHealth = slowestHealth(server.url, released);
    const answer = await released;
    if (answer.status !== 201) throw new Error(`release: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    log(`  release of ${int(rows)} rows: ${seconds(performance.now() - started)}; server RSS grew by ${mib(memory.stop() - beforeRelease)}; slowest /healthz meanwhile ${ms(await releaseHealth, 0)}`);
  } finally {
    // A stop, not a kill, when profiling: the profile is written as the server exits.
    if (profDir) await server.stop();
    await server.dispose();
  }
}
