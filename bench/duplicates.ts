/**
 * Duplicates on a large sheet: the time of `GET …/sheets/events/duplicates?days=N` (docs/actors-and-duplicates.md)
 * on DUPLICATE_ROWS events rows (default 100,000) written straight into the server's read model, the way
 * an import of a team's spreadsheet leaves them: two years of events at 100,000 rows (about 140 a day; a larger
 * sheet spans more years at the same rate, as the datasets that reach a million do), 17 event types of
 * unequal frequency, 85% dated to the day, 10% to the month and 5% to the year; 40 actors, 40 places (half
 * of the rows geocoded), anchors into 2,000 sources; and 3% of the events reported twice (the copy a day
 * later or the same day, its actors in either order, another passage of the same source).
 *
 * The first request reads every row; then the keys (or a swept sheet's pairs) are kept, and each request reads
 * only the rows written since (a swept sheet: the dates around them): the bench times both, requests after one
 * row and after 200 rows were edited, four requests at once, and one after a deletion.
 *
 * `npm run bench -- duplicates`, or `npx tsx bench/duplicates.ts`; with TESSERA_TEST_STORE=pg on PostgreSQL (a
 * database of its own, dropped at the end). Prints numbers; never asserts.
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ulid } from 'ulid';
import type { CellValue } from '../model/columns';
import { seededRandom } from '../model/random';
import { EVENT_TYPES } from '../model/templates';
import { api } from '../test/helpers/clients';
import { dropTestDatabases, testDatabaseFor, testOnPostgres } from '../test/helpers/pg';
import { startBenchServer } from './server';
import { readCpuMs, readMemory, sampleMemory } from './procs';
import { int, mib, ms, seconds } from './stats';

const DATASET = 'bench-duplicates';
/** Events a day, as at 100,000 rows over two years: a larger sheet spans more years, not more events a day. */
const PER_DAY = 137;
/** Share of events reported twice. */
const TWINS = 0.03;

export interface DuplicatesBenchOptions {
  rows: number;
  /** The ways to look, in order, each on a server of its own over the same rows. */
  paths: DuplicatesPath[];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const pad = (n: number) => String(n).padStart(2, '0');

/** BENCH_DUPLICATE_PATHS (`kept,swept` unless given): which ways to look, in that order. */
export function duplicatesPaths(): DuplicatesPath[] {
  const paths = (process.env.BENCH_DUPLICATE_PATHS ?? 'kept,swept').split(',').map((p) => p.trim());
  for (const p of paths) if (p !== 'kept' && p !== 'swept') throw new Error(`BENCH_DUPLICATE_PATHS: kept or swept, not ${p}`);
  return paths as DuplicatesPath[];
}

/** The events, in the order they are written (twins right after the event they repeat), deterministic. */
export function events(count: number): Array<Record<string, CellValue>> {
  const rand = seededRandom(11);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  // A few event types are most of the events (as in ACLED or ICEWS): the first ones far more often.
  const type = () => EVENT_TYPES[Math.min(EVENT_TYPES.length - 1, Math.floor(-Math.log(1 - rand()) * 4))]!;
  const actors = Array.from({ length: 40 }, (_, i) => `Actor ${i} (${pick(['army', 'police', 'government', 'rebels', 'protesters'])})`);
  const places = Array.from({ length: 40 }, (_, i) => ({ name: `Town ${i}`, lat: 10 + (i % 8) * 0.9, lon: 20 + Math.floor(i / 8) * 0.9 }));
  const days = Math.max(730, Math.round(count / PER_DAY));
  // Ending where two years from 2023 end: 100,000 rows are the same events as before the span grew with the rows.
  const start = Date.UTC(2023, 0, 1) - (days - 730) * 86_400_000;
  const rows: Array<Record<string, CellValue>> = [];
  while (rows.length < count) {
    const day = new Date(start + Math.floor(rand() * days) * 86_400_000);
    const precision = rand();
    const date = precision < 0.85 ? day.toISOString().slice(0, 10) : precision < 0.95 ? day.toISOString().slice(0, 7) : String(day.getUTCFullYear());
    const place = pick(places);
    const source = `S${Math.floor(rand() * 2000)}`;
    const at = Math.floor(rand() * 5000);
    const event: Record<string, CellValue> = {
      event_date: date, date_precision: precision < 0.85 ? 'day' : precision < 0.95 ? 'month' : 'year',
      actor1: pick(actors), actor2: pick(actors), event_type: type(), location: place.name,
      summary: `Event ${rows.length} in ${place.name}.`,
      evidence: [{ source, start: at, end: at + 80, exact: 'x'.repeat(80) }],
    };
    if (rand() < 0.5) event.place = { name: place.name, country: 'KEN', lat: place.lat, lon: place.lon, precision: 1, geonameid: null };
    rows.push(event);
    if (rows.length < count && rand() < TWINS) {
      const later = rand() < 0.5 && precision < 0.85 ? new Date(day.getTime() + 86_400_000).toISOString().slice(0, 10) : date;
      const swapped = rand() < 0.5;
      rows.push({
        ...event, event_date: later, actor1: swapped ? event.actor2! : event.actor1!, actor2: swapped ? event.actor1! : event.actor2!,
        summary: `Event ${rows.length}, reported again.`, evidence: [{ source, start: at + 40, end: at + 120, exact: 'x'.repeat(80) }],
      });
    }
  }
  return rows;
}

/** The rows straight into the `rows` table of a SQLite file or a PostgreSQL database, 50,000 per transaction. */
export async function writeRows(where: string, rows: ReadonlyArray<Record<string, CellValue>>): Promise<string[]> {
  // Imported an hour ago: the rows a request reads again as recently written are those edited since.
  const now = Date.now() - 3_600_000;
  const ids = rows.map((_, i) => ulid(now - rows.length + i));
  if (where.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: where });
    await client.connect();
    try {
      for (let from = 0; from < rows.length; from += 50_000) {
        const to = Math.min(rows.length, from + 50_000);
        await client.query(`insert into rows (dataset_id, sheet_id, row_id, cells, created_at, updated_at)
          select $1, 'events', r, c, $4, $4 from unnest($2::text[], $3::text[]) as x(r, c)`,
        [DATASET, ids.slice(from, to), rows.slice(from, to).map((r) => JSON.stringify(r)), now]);
      }
    } finally {
      await client.end();
    }
    return ids;
  }
  const db = new Database(where);
  db.pragma('busy_timeout = 10000');
  const insert = db.prepare(`insert into rows (dataset_id, sheet_id, row_id, cells, created_at, updated_at) values (?, 'events', ?, ?, ?, ?)`);
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) insert.run(DATASET, ids[i], JSON.stringify(rows[i]), now, now);
  });
  for (let i = 0; i < rows.length; i += 50_000) batch(i, Math.min(rows.length, i + 50_000));
  db.close();
  return ids;
}

/** Deletes a row straight in the read model. */
async function deleteRow(where: string, id: string): Promise<void> {
  if (where.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: where });
    await client.connect();
    try {
      await client.query(`delete from rows where dataset_id = $1 and sheet_id = 'events' and row_id = $2`, [DATASET, id]);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(where);
  db.pragma('busy_timeout = 10000');
  db.prepare(`delete from rows where dataset_id = ? and sheet_id = 'events' and row_id = ?`).run(DATASET, id);
  db.close();
}

/** Edits rows as a coder would, straight in the read model: a new summary, written now. */
async function editRows(where: string, ids: readonly string[]): Promise<void> {
  const now = Date.now();
  if (where.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: where });
    await client.connect();
    try {
      await client.query(`update rows set cells = jsonb_set(cells::jsonb, '{summary}', '"Edited."')::text, updated_at = $3
        where dataset_id = $1 and sheet_id = 'events' and row_id = any($2::text[])`, [DATASET, ids, now]);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(where);
  db.pragma('busy_timeout = 10000');
  const update = db.prepare(`update rows set cells = json_set(cells, '$.summary', 'Edited.'), updated_at = ? where dataset_id = ? and sheet_id = 'events' and row_id = ?`);
  db.transaction(() => {
    for (const id of ids) update.run(now, DATASET, id);
  })();
  db.close();
}

/** How a server looks for a sheet's duplicates: its keys kept in memory, or swept in date order (DUPLICATES_KEPT_ROWS). */
export type DuplicatesPath = 'kept' | 'swept';

export async function runDuplicatesBench({ rows, paths }: DuplicatesBenchOptions, log: (line: string) => void): Promise<void> {
  // With BENCH_CPU_PROF=DIR the server writes a V8 CPU profile there when it stops (bench/cpu-profile.mjs).
  const profDir = process.env.BENCH_CPU_PROF;
  const envOf = (path: DuplicatesPath): Record<string, string> => ({
    LOG_LEVEL: 'warn', DUPLICATES_KEPT_ROWS: path === 'kept' ? String(Number.MAX_SAFE_INTEGER) : '0',
    ...(profDir && { NODE_OPTIONS: `--import ${new URL('./cpu-profile.mjs', import.meta.url).pathname}`, BENCH_CPU_PROF: profDir }),
  });
  let server = await startBenchServer({ env: envOf(paths[0]!) });
  const dataDir = server.dataDir;
  try {
    const created = await api(server, '/api/datasets', { body: { id: DATASET, name: 'Duplicates bench', template: 'events-statements' } });
    if (created.status !== 201) throw new Error(`creating the dataset: ${created.status}`);
    log(`\n## Duplicates on ${int(rows)} events rows (${testOnPostgres ? 'PostgreSQL' : 'SQLite'}; ${(TWINS * 100).toFixed(0)}% reported twice)`);
    const made = events(rows);
    const fill = performance.now();
    const where = testOnPostgres ? (await testDatabaseFor(dataDir)).url : join(dataDir, 'tessera.db');
    const ids = await writeRows(where, made);
    log(`  written in ${seconds(performance.now() - fill)}`);
    // The SQLite writes held this process's event loop: let it see the keep-alive sockets the server closed meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 200));

    /** The answer each path gave on the same rows, to compare. */
    const answers = new Map<DuplicatesPath, string>();
    for (const [n, path] of paths.entries()) {
      if (n > 0) {
        // The same data, another server: restarted on the data dir (and database) with the other setting.
        await server.stop();
        server = await startBenchServer({ env: envOf(path), dataDir });
      }
      const pid = server.process.pid!;
      const ask = async (days: number) => {
        const cpuBefore = readCpuMs(pid) ?? NaN;
        const memory = sampleMemory(pid, 20);
        const started = performance.now();
        const response = await fetch(`${server.url}/api/datasets/${DATASET}/sheets/events/duplicates?days=${days}`, {
          headers: { authorization: `Bearer ${server.adminToken}` },
        });
        const text = await response.text();
        if (response.status !== 200) throw new Error(`days=${days}: ${response.status} ${text.slice(0, 300)}`);
        const time = performance.now() - started;
        return { time, cpu: (readCpuMs(pid) ?? NaN) - cpuBefore, peak: memory.stop(), groups: JSON.parse(text) as Array<{ rows: string[] }>, text };
      };
      const line = (what: string, times: number[], cpu: number[], groups: Array<{ rows: string[] }>, peaks: number[] = []) => {
        const inGroups = groups.reduce((k, g) => k + g.rows.length, 0);
        log(`| ${what} | ${ms(median(times))} | ${ms(median(cpu), 0)} | ${mib(peaks.length > 0 ? Math.max(...peaks) : NaN)} | ${int(groups.length)} | ${int(inGroups)} | ${groups.reduce((most, g) => Math.max(most, g.rows.length), 0)} |`);
      };
      log(`\n### ${path === 'kept' ? "Every row's keys kept in memory (DUPLICATES_KEPT_ROWS above the sheet)" : 'Swept in date order (DUPLICATES_KEPT_ROWS=0)'}`);
      log(`\n  server RSS before the first request: ${mib(readMemory(pid)?.rss)}\n`);
      log('| query | time (median) | server CPU | server RSS at most | groups | rows in groups | largest group |');
      log('| --- | --- | --- | --- | --- | --- | --- |');
      const first = await ask(1);
      line(`days=1, first request (${path === 'kept' ? 'every row read' : "the date column's index built if missing, then swept"})`, [first.time], [first.cpu], first.groups, [first.peak]);
      if (n > 0 && answers.has(paths[n - 1]!)) log(`\n  the same groups as ${paths[n - 1]}: ${answers.get(paths[n - 1]!) === first.text ? 'yes' : 'NO'}`);
      log(`\n  server RSS after the first request: ${mib(readMemory(pid)?.rss)}\n`);
      for (const days of [0, 1, 3]) {
        const runs = [await ask(days), await ask(days), await ask(days)];
        line(`days=${days} (median of 3)`, runs.map((r) => r.time), runs.map((r) => r.cpu), runs.at(-1)!.groups, runs.map((r) => r.peak));
      }
      // A coder at work: one row edited before each request.
      const one: Array<Awaited<ReturnType<typeof ask>>> = [];
      for (let i = 0; i < 3; i++) {
        await editRows(where, [ids[Math.floor(ids.length / 2) + i]!]);
        one.push(await ask(1));
      }
      line('days=1, one row edited before each (median of 3)', one.map((r) => r.time), one.map((r) => r.cpu), one.at(-1)!.groups, one.map((r) => r.peak));
      // Coders at work: 200 rows edited before each request.
      const edited: Array<Awaited<ReturnType<typeof ask>>> = [];
      for (let i = 0; i < 3; i++) {
        await editRows(where, ids.slice(i * 1000, i * 1000 + 200));
        edited.push(await ask(1));
      }
      line('days=1, 200 rows edited before each (median of 3)', edited.map((r) => r.time), edited.map((r) => r.cpu), edited.at(-1)!.groups, edited.map((r) => r.peak));
      // Several reviewers at once: four requests together, each timed on its own.
      const together = await Promise.all([ask(1), ask(1), ask(1), ask(1)]);
      line('days=1, 4 requests at once (median; slowest ' + ms(Math.max(...together.map((r) => r.time))) + ')', together.map((r) => r.time), [NaN], together[0]!.groups, together.map((r) => r.peak));
      // A row deleted (a path's own row, so that each path sees one deletion).
      await deleteRow(where, ids[ids.length - 1 - n]!);
      const afterDelete = await ask(1);
      line('days=1, after a row was deleted', [afterDelete.time], [afterDelete.cpu], afterDelete.groups, [afterDelete.peak]);
      // What the next path's first request must answer: the same rows.
      answers.set(path, afterDelete.text);
      // The time is the request's as the bench sees it; the server's CPU time is what it spent (in 10 ms ticks),
      // which other processes on a busy machine do not stretch.
      const memory = readMemory(pid);
      log(`\n  server RSS after: ${mib(memory?.rss)}, at most ${mib(memory?.hwm)}; load average during the run ${loadavg()[1]!.toFixed(1)} on ${cpus().length} cores`);
    }
  } finally {
    await server.dispose();
    await dropTestDatabases();
  }
}

// `npx tsx bench/duplicates.ts`
if (import.meta.url === `file://${process.argv[1]}`) {
  await runDuplicatesBench({ rows: Number(process.env.DUPLICATE_ROWS ?? 100_000), paths: duplicatesPaths() }, console.log);
  process.exit(0);
}
