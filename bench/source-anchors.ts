/**
 * A source's anchors at a million rows: `GET …/sources/:source/anchors` on a `rows` dataset whose events rows
 * (ANCHOR_ROWS, default 1,000,000) each hold one anchor, written straight into the read model (50,000 per
 * transaction, as a bulk import would): a source a few dozen rows anchor to (one of 25,000), a source past the
 * 5,000 listed (every hundredth row also anchors to it) and a source no row anchors to. Prints the time of the
 * writes, then each answer's time and the server's CPU (median of 5); where the read model keeps the
 * `source_anchors` table, also how long its migration takes to fill it from the rows already stored.
 *
 * `npm run bench -- anchors` or `npx tsx bench/source-anchors.ts`; TESSERA_TEST_STORE=pg on PostgreSQL (a database of its own, dropped at the
 * end); BENCH_ROOT=/path/to/checkout runs that checkout's server (to measure another commit). Never asserts.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ulid } from 'ulid';
import { api } from '../test/helpers/clients';
import { dropTestDatabases, testDatabaseFor, testOnPostgres } from '../test/helpers/pg';
import { startBenchServer } from './server';
import { readCpuMs } from './procs';
import { writeRows } from './read-model-rows';
import { eventRow, prng } from './rows';
import { int, ms, seconds } from './stats';

const DATASET = 'bench-anchors';
const SOURCES = 25_000;
const sourceId = (n: number) => `01HBENCH${String(n).padStart(18, '0')}`;
/** The source every hundredth row anchors to as well. */
const BIG = sourceId(99_999_999);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function runSourceAnchorsBench(count: number, log: (line: string) => void): Promise<void> {
  const root = process.env.BENCH_ROOT;
  const server = await startBenchServer({ ...(root && { root }) });
  try {
    const created = await api(server, '/api/datasets', { body: { id: DATASET, name: 'Anchors bench', template: 'events-statements', layout: 'rows' } });
    if (created.status !== 201) throw new Error(`creating the dataset: ${created.status}`);
    const empty = (await api(server, `/api/datasets/${DATASET}/sources`, { body: { title: 'Nobody cites it', text: 'A text no row anchors to.' } })).body.id as string;
    const where = testOnPostgres ? (await testDatabaseFor(server.dataDir)).url : join(server.dataDir, 'tessera.db');

    const rand = prng(7);
    const idRandom = prng(11);
    const now = Date.now();
    const anchor = (source: string, at: number) => ({ source, start: at, end: at + 12, exact: 'x'.repeat(12) });
    const cpu = () => { const used = process.cpuUsage(); return (used.user + used.system) / 1000; };
    const writeCpu = cpu();
    let started = performance.now();
    await writeRows(where, count, (i) => {
      const evidence = [anchor(sourceId(i % SOURCES), i % 900)];
      if (i % 100 === 0) evidence.push(anchor(BIG, i % 700));
      return [DATASET, ulid(now - count + i, idRandom), JSON.stringify({ ...eventRow(rand, i), evidence }), now];
    });
    log(`\n## A source's anchors on ${int(count)} rows (${testOnPostgres ? 'PostgreSQL' : 'SQLite'}${root ? `, the server of ${root}` : ''})`);
    log(`  rows written in ${seconds(performance.now() - started)}${testOnPostgres ? '' : ` (CPU ${seconds(cpu() - writeCpu)}, triggers included)`}`);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const timed = async (source: string) => {
      const results: Array<{ ms: number; cpu: number; anchors: number; truncated: boolean }> = [];
      for (let i = 0; i < 5; i++) {
        const cpuBefore = readCpuMs(server.process.pid!) ?? Number.NaN;
        const t = performance.now();
        const response = await fetch(`${server.url}/api/datasets/${DATASET}/sources/${source}/anchors`, { headers: { authorization: `Bearer ${server.adminToken}` } });
        const body = await response.json() as { anchors: unknown[]; truncated: boolean };
        if (response.status !== 200) throw new Error(`${source}: ${response.status} ${JSON.stringify(body)}`);
        results.push({ ms: performance.now() - t, cpu: (readCpuMs(server.process.pid!) ?? Number.NaN) - cpuBefore, anchors: body.anchors.length, truncated: body.truncated });
      }
      return { ...results[0]!, ms: median(results.map((r) => r.ms)), cpu: median(results.map((r) => r.cpu)), all: results.map((r) => Math.round(r.ms)) };
    };
    log('');
    log(`| source | time (median of 5) | server CPU${testOnPostgres ? ' (Node only)' : ''} | anchors | truncated | the 5 times (ms) |`);
    log('| --- | --- | --- | --- | --- | --- |');
    for (const [label, source] of [[`one of ${int(SOURCES)} (a few dozen rows)`, sourceId(1234)], ['every hundredth row', BIG], ['no row anchors to it', empty]] as const) {
      const r = await timed(source);
      log(`| ${label} | ${ms(r.ms)} | ${ms(r.cpu)} | ${int(r.anchors)} | ${r.truncated} | ${r.all.join(', ')} |`);
    }

    // The migration's fill of the table from the rows already stored: its last statement, run again on an emptied table.
    const folder = join(root ?? join(import.meta.dirname, '..'), testOnPostgres ? 'db/pg/migrations' : 'db/migrations');
    const migration = testOnPostgres ? '0005_source_anchors.sql' : '0011_source_anchors.sql';
    let backfill: string | undefined;
    try {
      backfill = readFileSync(join(folder, migration), 'utf8').split('--> statement-breakpoint').at(-1);
    } catch {
      log('  (no source_anchors table in this checkout)');
    }
    if (backfill) {
      let took: number;
      let listed: number;
      if (testOnPostgres) {
        const client = new pg.Client({ connectionString: where });
        await client.connect();
        await client.query('delete from source_anchors');
        started = performance.now();
        await client.query(backfill);
        took = performance.now() - started;
        listed = Number((await client.query<{ n: string }>('select count(*) as n from source_anchors')).rows[0]!.n);
        await client.end();
      } else {
        const db = new Database(where);
        db.pragma('busy_timeout = 10000');
        db.exec('delete from source_anchors');
        started = performance.now();
        db.exec(backfill);
        took = performance.now() - started;
        listed = (db.prepare('select count(*) as n from source_anchors').get() as { n: number }).n;
        db.close();
      }
      log(`  the migration's fill of source_anchors from the stored rows: ${seconds(took)} for ${int(listed)} anchors`);
    }
    log(`  load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await server.dispose();
    await dropTestDatabases();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runSourceAnchorsBench(Number(process.env.ANCHOR_ROWS ?? 1_000_000), console.log);
  process.exit(0);
}
