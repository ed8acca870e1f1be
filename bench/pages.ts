/**
 * Rows by page: what the grid's first rows and its sort, filter and search cost on a large sheet.
 *
 * 1. Peer comparison (IMPORT_ROWS, default 20,000; rows imported through the import route): the first page of
 *    the events sheet from `GET …/rows` against today's way for a grid to get its first rows, a stock
 *    y-websocket client's cold sync of the whole dataset, both on the same server, same data, same run.
 * 2. Scale (PAGE_ROWS, default 1,000,000): that many more events rows written straight into the server's read
 *    model (the `rows` table of its SQLite file, 50,000 per transaction, while it runs: pages are served from
 *    there and never from the document), then the time of each kind of page (median of 3) and the server's
 *    memory after.
 *
 * `npm run bench -- pages`, or `npx tsx bench/pages.ts`; with TESSERA_TEST_STORE=pg on PostgreSQL (a database of its own,
 * dropped at the end). Prints numbers; never asserts.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ulid } from 'ulid';
import { api, connectSynced } from '../test/helpers/clients';
import { dropTestDatabases, testDatabaseFor, testOnPostgres } from '../test/helpers/pg';
import { startServer } from '../test/helpers/server';
import { eventsCsv } from './import';
import { readMemory } from './procs';
import { eventRow, prng } from './rows';
import { int, mib, ms, seconds } from './stats';

const DATASET = 'bench-pages';

export interface PagesBenchOptions {
  importRows: number;
  pageRows: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** `count` events rows straight into the `rows` table of a SQLite file or a PostgreSQL database, 50,000 per transaction. */
async function writeRows(where: string, count: number): Promise<void> {
  const rand = prng(7);
  const now = Date.now();
  const row = (i: number) => [DATASET, ulid(now - count + i), JSON.stringify(eventRow(rand, i)), now] as const;
  if (where.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: where });
    await client.connect();
    try {
      for (let from = 0; from < count; from += 50_000) {
        const batch = Array.from({ length: Math.min(count, from + 50_000) - from }, (_, k) => row(from + k));
        await client.query(`insert into rows (dataset_id, sheet_id, row_id, cells, created_at, updated_at)
          select d, 'events', r, c, t, t from unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) as x(d, r, c, t)`,
        [0, 1, 2, 3].map((k) => batch.map((b) => b[k])));
      }
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(where);
  db.pragma('busy_timeout = 10000');
  const insert = db.prepare(`insert into rows (dataset_id, sheet_id, row_id, cells, created_at, updated_at) values (?, 'events', ?, ?, ?, ?)`);
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const [d, r, c, t] = row(i);
      insert.run(d, r, c, t, t);
    }
  });
  for (let i = 0; i < count; i += 50_000) batch(i, Math.min(count, i + 50_000));
  db.close();
}

export async function runPagesBench({ importRows, pageRows }: PagesBenchOptions, log: (line: string) => void): Promise<void> {
  const server = await startServer({ env: { LOG_LEVEL: 'warn', DOC_IDLE_MS: '600000' } });
  try {
    const created = await api(server, '/api/datasets', { body: { id: DATASET, name: 'Pages bench', template: 'events-statements' } });
    if (created.status !== 201) throw new Error(`creating the dataset: ${created.status}`);
    const page = async (query: string) => {
      const started = performance.now();
      const response = await fetch(`${server.url}/api/datasets/${DATASET}/sheets/events/rows?${query}`, {
        headers: { authorization: `Bearer ${server.adminToken}` },
      });
      const body = await response.json() as { total: number; rows: unknown[] };
      if (response.status !== 200) throw new Error(`${query}: ${response.status} ${JSON.stringify(body)}`);
      return { ms: performance.now() - started, total: body.total, rows: body.rows.length };
    };
    const timed = async (query: string, runs = 3) => {
      const results = [];
      for (let i = 0; i < runs; i++) results.push(await page(query));
      return { ...results[0]!, ms: median(results.map((r) => r.ms)) };
    };

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

    log(`\n## Rows by page on ${int(importRows + pageRows)} rows (${int(pageRows)} written straight into the read model)`);
    const fill = performance.now();
    await writeRows(testOnPostgres ? (await testDatabaseFor(server.dataDir)).url : join(server.dataDir, 'tessera.db'), pageRows);
    log(`  written in ${seconds(performance.now() - fill)} (${testOnPostgres ? 'PostgreSQL' : 'SQLite'})`);
    // The SQLite writes held this process's event loop for their whole time: let it see the keep-alive sockets
    // the server closed meanwhile, or the next request goes out on one of them and fails.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const queries: [string, string][] = [
      ['first page, row-id order', 'limit=100'],
      ['page at row 900,000', 'offset=900000&limit=100'],
      ['sort by actor1', 'sort=actor1&limit=100'],
      ['sort by date, descending', 'sort=-event_date&limit=100'],
      ['filter event_type = AGREE', 'filter[event_type]=AGREE&limit=100'],
      ['filter context holds military', 'filter[context]=military&limit=100'],
      ['search "geneva"', 'q=geneva&limit=100'],
      ['search a rare text', 'q=item%20999999&limit=100'],
      ['search + filter + sort', 'q=seoul&filter[event_type]=AGREE&sort=-event_date&limit=100'],
    ];
    log('');
    log('| page | time (median of 3) | total | rows |');
    log('| --- | --- | --- | --- |');
    for (const [label, query] of queries) {
      const r = await timed(query);
      log(`| ${label} | ${ms(r.ms)} | ${int(r.total)} | ${r.rows} |`);
    }
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
