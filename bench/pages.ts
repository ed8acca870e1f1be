/**
 * Rows by page: what the grid's first rows and its sort, filter and search cost on a large sheet.
 *
 * 1. Peer comparison (IMPORT_ROWS, default 20,000; rows imported through the import route): the first page of
 *    the events sheet from `GET …/rows` against today's way for a grid to get its first rows, a stock
 *    y-websocket client's cold sync of the whole dataset, both on the same server, same data, same run.
 * 2. Scale (PAGE_ROWS, default 1,000,000): that many events rows of a dataset in the `rows` layout, written straight
 *    into the server's read model (the `rows` table of its SQLite file, 50,000 per transaction, while it runs: as a
 *    bulk import would), then one row imported through the route so that the server sees the sheet large and builds
 *    its column indexes once the writes pause (`db/sheet-indexes.ts`), then its search index (`db/search-index.ts`):
 *    the time of the writes and of the indexes, then of each kind of page (median of 3), and the server's memory
 *    after. BENCH_SEARCH_INDEX=0 drops the search index once built, to time the searches as scans.
 *
 * `npm run bench -- pages`, or `npx tsx bench/pages.ts` (IMPORT_ROWS=0: the scale part only); with TESSERA_TEST_STORE=pg on PostgreSQL (a database of its own,
 * dropped at the end). Prints numbers; never asserts.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { ulid } from 'ulid';
import type { PgDb } from '../db/pg/client';
import { pgSearchIndex, pgSheetIndexes } from '../db/pg/sheet-indexes';
import { pgRows, sqliteRows } from '../db/rows-page';
import { dropSqliteSearchIndex, hasSqliteSearchIndex, searchIndexName } from '../db/search-index';
import { sheetIndexPrefix, sqliteSheetIndexes, wantedIndexes } from '../db/sheet-indexes';
import { TEMPLATES } from '../model/templates';
import { api, connectSynced } from '../test/helpers/clients';
import { dropTestDatabases, testDatabaseFor, testOnPostgres } from '../test/helpers/pg';
import { startBenchServer } from './server';
import { eventsCsv } from './import';
import { readCpuMs, readMemory } from './procs';
import { writeRows } from './read-model-rows';
import { eventRow, prng } from './rows';
import { int, mib, ms, seconds } from './stats';

const DATASET = 'bench-pages';
/** The scale part's dataset: in the `rows` layout, whose rows an import writes straight into the read model. */
const LARGE = 'bench-pages-large';

export interface PagesBenchOptions {
  importRows: number;
  pageRows: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** `count` events rows, as `rows` columns (dataset, row id, cells, time). */
function eventRows(count: number): Array<readonly [string, string, string, number]> {
  const rand = prng(7);
  // Row ids from a seeded generator: ulid's own draws from the system's random source for every character.
  const idRandom = prng(11);
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => [LARGE, ulid(now - count + i, idRandom), JSON.stringify(eventRow(rand, i)), now] as const);
}

/** Waits until the server has built every index the events sheet of `LARGE` wants; answers how long that took. */
async function indexesBuilt(where: string): Promise<number> {
  const started = performance.now();
  const events = TEMPLATES['events-statements'].find((s) => s.id === 'events')!.columns;
  const postgres = where.startsWith('postgres');
  const wanted = [...wantedIndexes((postgres ? pgRows : sqliteRows).keys, LARGE, 'events', events).keys()];
  const client = postgres ? new pg.Client({ connectionString: where }) : undefined;
  await client?.connect();
  const sqlite = postgres ? undefined : new Database(where, { readonly: true });
  try {
    for (;;) {
      const have = client
        ? new Set([...(await pgSheetIndexes(drizzle(client) as unknown as PgDb, LARGE, 'events'))].filter(([, valid]) => valid).map(([name]) => name))
        : sqliteSheetIndexes(sqlite!, LARGE, 'events');
      if (wanted.every((name) => have.has(name))) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await client?.end();
    sqlite?.close();
  }
}

/** Waits until the server has built the events sheet's search index; answers how long that took. */
async function searchIndexBuilt(where: string): Promise<number> {
  const started = performance.now();
  const client = where.startsWith('postgres') ? new pg.Client({ connectionString: where }) : undefined;
  await client?.connect();
  const sqlite = client ? undefined : new Database(where, { readonly: true });
  try {
    while (!(client ? await pgSearchIndex(drizzle(client) as unknown as PgDb, LARGE, 'events') : hasSqliteSearchIndex(sqlite!, LARGE, 'events'))) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return performance.now() - started;
  } finally {
    await client?.end();
    sqlite?.close();
  }
}

/** Drops the events sheet's search index (the server does not build it again while the sheet's columns stay). */
async function dropSearchIndex(where: string): Promise<void> {
  if (where.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: where });
    await client.connect();
    await client.query(`drop index "${searchIndexName(LARGE, 'events')}"`);
    await client.end();
    return;
  }
  const db = new Database(where);
  db.pragma('busy_timeout = 60000');
  dropSqliteSearchIndex(db, LARGE, 'events');
  db.close();
}

/** Bytes of the `rows` table (with its primary key), of the large sheet's column indexes, or of its search index. */
async function sizeOf(where: string, what: 'rows' | 'indexes' | 'search'): Promise<number> {
  const prefix = what === 'search' ? searchIndexName(LARGE, 'events') : sheetIndexPrefix(LARGE, 'events');
  if (where.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: where });
    await client.connect();
    try {
      const { rows: [row] } = await client.query<{ n: string }>(what === 'rows'
        ? "select pg_total_relation_size('rows') - coalesce((select sum(pg_relation_size(indexrelid)) from pg_index i join pg_class c on c.oid = i.indexrelid where left(c.relname, length($1)) = $1), 0) as n"
        : 'select coalesce(sum(pg_relation_size(c.oid)), 0) as n from pg_class c where left(c.relname, length($1)) = $1', [prefix]);
      return Number(row!.n);
    } finally {
      await client.end();
    }
  }
  const db = new Database(where, { readonly: true });
  try {
    return (db.prepare(what === 'rows'
      ? "select sum(pgsize) as n from dbstat where name in ('rows', 'sqlite_autoindex_rows_1')"
      : 'select coalesce(sum(pgsize), 0) as n from dbstat where substr(name, 1, length(?)) = ?').get(...(what === 'rows' ? [] : [prefix, prefix])) as { n: number }).n;
  } finally {
    db.close();
  }
}

export async function runPagesBench({ importRows, pageRows }: PagesBenchOptions, log: (line: string) => void): Promise<void> {
  const server = await startBenchServer({ env: { LOG_LEVEL: 'warn', DOC_IDLE_MS: '600000' } });
  try {
    const created = await api(server, '/api/datasets', { body: { id: DATASET, name: 'Pages bench', template: 'events-statements' } });
    if (created.status !== 201) throw new Error(`creating the dataset: ${created.status}`);
    let dataset = DATASET;
    const page = async (query: string) => {
      const cpuBefore = readCpuMs(server.process.pid!) ?? Number.NaN;
      const started = performance.now();
      const response = await fetch(`${server.url}/api/datasets/${dataset}/sheets/events/rows?${query}`, {
        headers: { authorization: `Bearer ${server.adminToken}` },
      });
      const body = await response.json() as { total: number; rows: unknown[] };
      if (response.status !== 200) throw new Error(`${query}: ${response.status} ${JSON.stringify(body)}`);
      return { ms: performance.now() - started, cpu: (readCpuMs(server.process.pid!) ?? Number.NaN) - cpuBefore, total: body.total, rows: body.rows.length };
    };
    const timed = async (query: string, runs = 3) => {
      const results = [];
      for (let i = 0; i < runs; i++) results.push(await page(query));
      return { ...results[0]!, ms: median(results.map((r) => r.ms)), cpu: median(results.map((r) => r.cpu)) };
    };

    // IMPORT_ROWS=0 leaves the comparison out.
    if (importRows > 0) {
      log(`\n## Rows by page: first rows of ${int(importRows)} imported rows, by page and by a whole-document sync`);
      const csv = eventsCsv(importRows);
      const imported = await fetch(`${server.url}/api/datasets/${DATASET}/sheets/events/import`, {
        method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'text/csv' }, body: csv,
      });
      if (imported.status !== 200) throw new Error(`import: ${imported.status} ${await imported.text()}`);
      const first = await timed('limit=100', 5);
      const syncs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const client = await connectSynced(server, DATASET);
        syncs.push(performance.now() - started);
        client.destroy();
      }
      log(`  first page (100 rows): ${ms(first.ms)} (median of 5); whole-document cold sync of a stock client: ${ms(median(syncs))} (median of 3) — ${(median(syncs) / first.ms).toFixed(0)}× longer`);
    }

    log(`\n## Rows by page on ${int(pageRows + 1)} rows (${int(pageRows)} written straight into the read model, one imported)`);
    const large = await api(server, '/api/datasets', { body: { id: LARGE, name: 'Pages bench, large', template: 'events-statements', layout: 'rows' } });
    if (large.status !== 201) throw new Error(`creating the large dataset: ${large.status}`);
    const where = testOnPostgres ? (await testDatabaseFor(server.dataDir)).url : join(server.dataDir, 'tessera.db');
    let started = performance.now();
    const rows = eventRows(pageRows);
    log(`  ${int(pageRows)} rows made in ${seconds(performance.now() - started)} (this process, not timed below)`);
    started = performance.now();
    const cpu = () => { const used = process.cpuUsage(); return (used.user + used.system) / 1000; };
    const writeCpu = cpu();
    await writeRows(where, rows.length, (i) => rows[i]!);
    const written = performance.now() - started;
    const writtenCpu = cpu() - writeCpu;
    // The SQLite writes held this process's event loop for their whole time: let it see the keep-alive sockets
    // the server closed meanwhile, or the next request goes out on one of them and fails.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const one = await fetch(`${server.url}/api/datasets/${LARGE}/sheets/events/import`, {
      method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'text/csv' }, body: eventsCsv(1),
    });
    if (one.status !== 200) throw new Error(`import of one row: ${one.status} ${await one.text()}`);
    const serverCpu = () => readCpuMs(server.process.pid!) ?? Number.NaN;
    const indexCpu = serverCpu();
    const indexed = await indexesBuilt(where);
    log(`  written in ${seconds(written)}, the sheet's column indexes built ${seconds(indexed)} after the last write: ${seconds(written + indexed)} in all (${testOnPostgres ? 'PostgreSQL' : 'SQLite'})`);
    const rssIndexed = readMemory(server.process.pid!)?.rss;
    const searchCpu = serverCpu();
    const searchIndexed = await searchIndexBuilt(where);
    log(`  the search index built ${seconds(searchIndexed)} after the column indexes (server CPU ${seconds(serverCpu() - searchCpu)}); server RSS ${mib(rssIndexed)} before it, ${mib(readMemory(server.process.pid!)?.rss)} after`);
    log(`  on disk: the rows ${mib(await sizeOf(where, 'rows'))}, the sheet's column indexes ${mib(await sizeOf(where, 'indexes'))}, its search index ${mib(await sizeOf(where, 'search'))}`);
    if (process.env.BENCH_SEARCH_INDEX === '0') {
      await dropSearchIndex(where);
      log('  the search index dropped: the searches below scan');
    }
    // SQLite works in the process that calls it: its CPU time is what the wall time would be on a quiet machine.
    if (!testOnPostgres) log(`  CPU time: writes ${seconds(writtenCpu)} (this process), indexes ${seconds(serverCpu() - indexCpu)} (the server): ${seconds(writtenCpu + serverCpu() - indexCpu)} in all`);
    const queries: [string, string][] = [
      ['first page, row-id order', 'limit=100'],
      ['page at row 900,000', 'offset=900000&limit=100'],
      ['sort by actor1', 'sort=actor1&limit=100'],
      ['sort by actor1, at row 900,000', 'sort=actor1&offset=900000&limit=100'],
      ['sort by date, descending', 'sort=-event_date&limit=100'],
      ['sort by date, descending, at row 900,000', 'sort=-event_date&offset=900000&limit=100'],
      ['filter event_type = AGREE', 'filter[event_type]=AGREE&limit=100'],
      ['filter context holds military', 'filter[context]=military&limit=100'],
      ['filter + sort', 'filter[event_type]=AGREE&sort=actor1&limit=100'],
      ['search "geneva"', 'q=geneva&limit=100'],
      ['search a rare text', 'q=item%20999999&limit=100'],
      ['search a text no row holds', 'q=zqxwv&limit=100'],
      ['search + filter + sort', 'q=seoul&filter[event_type]=AGREE&sort=-event_date&limit=100'],
      // What the paged grid asks for its ref cells: the labels of 200 rows spread over the sheet, and the picker's search.
      ['200 rows by id (ref labels)', `${Array.from({ length: 200 }, (_, k) => `id=${rows[Math.floor((k * rows.length) / 200)]![1]}`).join('&')}&limit=200`],
      ['ref picker: search "geneva", first 50', 'q=geneva&limit=50'],
    ];
    dataset = LARGE;
    log('');
    log(`| page | time (median of 3) | server CPU${testOnPostgres ? ' (Node only)' : ''} | total | rows |`);
    log('| --- | --- | --- | --- | --- |');
    for (const [label, query] of queries) {
      const r = await timed(query);
      log(`| ${label} | ${ms(r.ms)} | ${ms(r.cpu)} | ${int(r.total)} | ${r.rows} |`);
    }
    log(`  load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')} (above the core count, the times are disturbed; SQLite's CPU times less so)`);
    log(`\n  server RSS after: ${mib(readMemory(server.process.pid!)?.rss)}`);
  } finally {
    await server.dispose();
    await dropTestDatabases();
  }
}

// `npx tsx bench/pages.ts`
if (import.meta.url === `file://${process.argv[1]}`) {
  await runPagesBench({
    importRows: Number(process.env.IMPORT_ROWS ?? 20_000),
    pageRows: Number(process.env.PAGE_ROWS ?? 1_000_000),
  }, console.log);
  process.exit(0);
}
