/**
 * Opening a sheet of a `rows` dataset in Chromium, cold cache, LOADS times (default 5): when the page's own table
 * of the first rows is painted, when AG Grid paints its first rows and when the grid is live (the same marks as
 * `npm run bench -- million`), and where the time between goes: each script's download (resource timing), the
 * main thread's long tasks, and the client's own `performance.mark`s (`tessera:…`); interactive (the load's last
 * long task over), and AG Grid's rows, live and interactive on a warm reload right after.
 *
 * The sheet is ROWS events rows (default 1,000,000) written straight into the read model; with BENCH_DATA_DIR the
 * server's data dir is kept there and reused by the next run (so the rows and the sheet's indexes are made once).
 * Each load is a fresh browser profile that opened the datasets list first, as in `bench/million.ts`.
 *
 * `npx tsx bench/sheet-load.ts`; BENCH_ROWS, BENCH_LOADS, BENCH_DATA_DIR, BENCH_CPU_PROFILE=FILE (a CPU profile
 * of the last load, for `bench/profile-summary.ts`), BENCH_TRACE=FILE (a Chromium trace of the last load, for
 * the browser's performance panel), BENCH_BASE_ROOT=DIR (another checkout, e.g. a worktree of main: a server of its
 * own with the same rows, and loads alternating between the two, each with its medians). Prints numbers; never asserts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, signedIn } from '../test/e2e/browser';
import { api } from '../test/helpers/clients';
import { type RunningServer, startBenchServer } from './server';
import { writeRows } from './read-model-rows';
import { sleep } from './procs';
import { eventRow, prng } from './rows';
import { int, ms, percentile, seconds } from './stats';

const DATASET = 'bench-million';

declare global {
  interface Window {
    __load: { firstRows: number | null; live: number | null; longTasks: Array<[number, number]> };
  }
}

/**
 * What the page logs once both are measured: the bench waits for it rather than polling the page, since Playwright's
 * first evaluation in a page compiles its own script there (30–80 ms of the main thread, mid-load).
 */
const LOADED = 'tessera-bench: loaded';

/** Installed before the app: AG Grid's first painted row with data, the grid live, and every long task. */
function instrument(): void {
  window.__load = { firstRows: null, live: null, longTasks: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__load.longTasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  const observer = new MutationObserver(() => {
    const m = window.__load;
    if (m.firstRows === null && document.querySelector('.ag-row[row-id] .ag-cell[col-id="event_date"]')?.textContent) {
      requestAnimationFrame(() => {
        m.firstRows ??= performance.now();
        tell();
      });
    }
    if (m.live === null && document.querySelector('[data-testid=sync-status][data-state=saved]')) m.live = performance.now();
    tell();
  });
  // LOADED, spelled out: this function runs in the page.
  const tell = () => {
    if (window.__load.firstRows === null || window.__load.live === null) return;
    observer.disconnect();
    console.info('tessera-bench: loaded');
  };
  observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
}

interface TraceEvent { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string; data?: { isLoadingMainFrame?: boolean; documentLoaderURL?: string } } }

/**
 * The CPU time of the page's main thread from `from` until `until` ms after its navigation: the sum of the thread
 * times of the tasks that ran then (the task running at `from` whole), which a busy machine inflates far less than
 * the wall-clock times.
 */
function mainThreadCpu(events: TraceEvent[], until: number, from = 0): number {
  const nav = events.find((e) => e.name === 'navigationStart' && e.args?.data?.isLoadingMainFrame && e.args.data.documentLoaderURL?.includes('/d/'));
  const main = nav && events.find((e) => e.name === 'thread_name' && e.pid === nav.pid && e.args?.name === 'CrRendererMain');
  if (!nav || !main) return Number.NaN;
  const start = nav.ts + from * 1000;
  const end = nav.ts + until * 1000;
  return events.filter((e) => e.pid === nav.pid && e.tid === main.tid && e.name === 'RunTask' && e.ph === 'X' && e.ts >= nav.ts && e.ts + (e.dur ?? 0) > start && e.ts < end)
    .reduce((sum, e) => sum + (e.tdur ?? 0), 0) / 1000;
}

interface Load {
  /** The main thread's CPU time from navigation until the grid was live. */
  cpu: number;
  /** The main thread's CPU time from the task that ran the paged grid's code (and made the grid) until its rows were painted. */
  gridCpu: number;
  preview: number;
  firstRows: number;
  live: number;
  html: number;
  scripts: Array<{ name: string; start: number; end: number; bytes: number }>;
  marks: Array<[string, number]>;
  longTasks: Array<[number, number]>;
  /** Rows AG Grid rendered, and the height of its viewport. */
  rendered: number;
  viewport: number;
  /** The load's last long task over (AG Grid's rows painted, if later), once no long task came for a second. */
  interactive: number;
  /** A reload of the same page right after (warm cache, offline copy kept): AG Grid's rows, live, interactive. */
  warm: { firstRows: number; live: number; interactive: number };
}

/** Waits until no long task started in the last second, then tells AG Grid's rows, live, and interactive. */
async function settled(page: Page): Promise<{ firstRows: number; live: number; interactive: number }> {
  await page.waitForFunction(() => {
    const last = window.__load.longTasks.at(-1);
    return !last || performance.now() - (last[0] + last[1]) > 1000;
  }, undefined, { polling: 100 });
  return page.evaluate(() => {
    const { firstRows, live, longTasks } = window.__load;
    return { firstRows: firstRows!, live: live!, interactive: longTasks.reduce((end, [start, duration]) => Math.max(end, start + duration), firstRows!) };
  });
}

/** A server whose loads are measured: this checkout's, or the one of BENCH_BASE_ROOT to alternate with. */
interface Served { name: string; server: RunningServer; results: Load[] }

/** Writes the sheet's rows into a fresh server's read model and waits until its indexes are built. */
async function fill(server: RunningServer, rows: number, tokenFile: string | undefined): Promise<void> {
  const created = await api(server, '/api/datasets', { body: { id: DATASET, name: 'A million rows', layout: 'rows' } });
  if (created.status !== 201) throw new Error(`creating the dataset: ${created.status} ${JSON.stringify(created.body)}`);
  const started = performance.now();
  const rand = prng(11);
  const now = Date.now();
  await writeRows(join(server.dataDir, 'tessera.db'), rows, (i) => [DATASET, ulid(now - rows + i), JSON.stringify(eventRow(rand, i)), now]);
  console.log(`${int(rows)} rows written in ${seconds(performance.now() - started)}`);
  // The sheet's indexes are built once the writes pause: wait until /healthz is quick ten times in a row.
  for (let quiet = 0; quiet < 10; await sleep(500)) {
    const asked = performance.now();
    await fetch(`${server.url}/healthz`);
    quiet = performance.now() - asked < 100 ? quiet + 1 : 0;
  }
  if (tokenFile) writeFileSync(tokenFile, server.adminToken);
}

/** One cold load of the sheet in a fresh browser profile; `last` records the CPU profile and trace if asked. */
async function load(browser: Browser, server: RunningServer, last: boolean): Promise<Load> {
  const { context, page } = await signedIn(browser, server.url, server.adminToken, '/');
  await page.locator('[data-dataset]').first().waitFor();
  await context.addInitScript('window.__name = (fn) => fn');
  await context.addInitScript(instrument);
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log(`  [console ${m.type()}] ${m.text().slice(0, 300)}`); });
  const profile = process.env.BENCH_CPU_PROFILE && last ? await context.newCDPSession(page) : null;
  if (profile) {
    await profile.send('Profiler.enable');
    await profile.send('Profiler.setSamplingInterval', { interval: 200 });
    await profile.send('Profiler.start');
  }
  const trace = process.env.BENCH_TRACE && last ? process.env.BENCH_TRACE : undefined;
  await browser.startTracing(page, { path: trace, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', ...(trace ? ['v8.execute', 'loading'] : [])] });
  const loaded = page.waitForEvent('console', { predicate: (m) => m.text() === LOADED, timeout: 60_000 });
  await page.goto(`/d/${DATASET}/events`);
  await loaded;
  await sleep(500);
  const traced = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] };
  if (profile) {
    const { profile: cpu } = await profile.send('Profiler.stop');
    writeFileSync(process.env.BENCH_CPU_PROFILE!, JSON.stringify(cpu));
  }
  const timing = await page.evaluate(() => ({
    live: window.__load.live!, firstRows: window.__load.firstRows!,
    code: performance.getEntriesByName('tessera:page-code-loaded')[0]?.startTime ?? Number.NaN,
  }));
  const result: Omit<Load, 'interactive' | 'warm'> = {
    cpu: mainThreadCpu(traced.traceEvents, timing.live), gridCpu: mainThreadCpu(traced.traceEvents, timing.firstRows, timing.code), ...await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return {
        preview: performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint')?.startTime ?? NaN,
        firstRows: window.__load.firstRows!, live: window.__load.live!, html: nav.responseEnd,
        scripts: (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
          .filter((r) => /\.(js|css)$/.test(r.name) || r.name.includes('/api/'))
          .map((r) => ({ name: new URL(r.name).pathname.replace(/^\/assets\//, ''), start: r.startTime, end: r.responseEnd, bytes: r.encodedBodySize })),
        marks: performance.getEntriesByType('mark').map((m) => [m.name, m.startTime] as [string, number]),
        longTasks: window.__load.longTasks,
        rendered: new Set([...document.querySelectorAll('.ag-row[row-index]')].map((r) => r.getAttribute('row-index'))).size,
        viewport: document.querySelector('.ag-grid-viewport')?.clientHeight ?? 0,
      };
    }),
  };
  const cold = await settled(page);
  const reloaded = page.waitForEvent('console', { predicate: (m) => m.text() === LOADED, timeout: 60_000 });
  await page.reload();
  await reloaded;
  const warm = await settled(page);
  await context.close();
  return { ...result, interactive: cold.interactive, warm };
}

/** The medians of one server's loads, and the last load's steps. */
function report({ name, results }: Served, details: boolean): void {
  const median = (pick: (l: Load) => number) => percentile(results.map(pick).sort((a, b) => a - b), 50);
  console.log(`\n${name}: ${results.length} cold loads`);
  console.log(`  each (first contentful paint / AG Grid rows / live): ${results.map((l) => `${ms(l.preview, 0)} / ${ms(l.firstRows, 0)} / ${ms(l.live, 0)}`).join(';  ')}`);
  // The paged grid's own marks of each load, beside AG Grid's rows: where a change moved the time.
  const mark = (l: Load, mname: string) => l.marks.find(([n]) => n === `tessera:${mname}`)?.[1] ?? Number.NaN;
  console.log(`  each (code loaded / grid made / first page / AG Grid rows): ${results.map((l) => ['page-code-loaded', 'grid-created', 'first-page']
    .map((m) => ms(mark(l, m), 0)).concat(ms(l.firstRows, 0)).join(' / ')).join(';  ')}`);
  console.log(`  median: page's table painted ${ms(median((l) => l.preview), 0)}, AG Grid's rows painted ${ms(median((l) => l.firstRows), 0)}, live ${ms(median((l) => l.live), 0)}; `
    + `main thread CPU until live ${ms(median((l) => l.cpu), 0)} (each: ${results.map((l) => ms(l.cpu, 0)).join(', ')})`);
  console.log(`  median: interactive ${ms(median((l) => l.interactive), 0)} (each: ${results.map((l) => ms(l.interactive, 0)).join(', ')}); `
    + `warm reload: AG Grid's rows ${ms(median((l) => l.warm.firstRows), 0)}, live ${ms(median((l) => l.warm.live), 0)}, interactive ${ms(median((l) => l.warm.interactive), 0)}`);
  console.log(`  main thread CPU from the grid's code to its rows painted: median ${ms(median((l) => l.gridCpu), 0)} (each: ${results.map((l) => ms(l.gridCpu, 0)).join(', ')})`);
  if (!details) return;
  const last = results.at(-1)!;
  console.log(`  last load: HTML done ${ms(last.html, 0)}; ${last.rendered} rows rendered in a viewport of ${last.viewport} px`);
  for (const s of last.scripts) console.log(`    ${s.name.padEnd(34)} ${ms(s.start, 0).padStart(8)} → ${ms(s.end, 0).padStart(8)}  ${int(s.bytes)} B`);
  for (const [mname, at] of last.marks) console.log(`    mark ${mname.padEnd(29)} ${ms(at, 0).padStart(8)}`);
  for (const [start, duration] of last.longTasks) console.log(`    long task ${ms(start, 0).padStart(8)} + ${ms(duration, 0)}`);
}

async function main(): Promise<void> {
  const rows = Number(process.env.BENCH_ROWS) || 1_000_000;
  const loads = Number(process.env.BENCH_LOADS) || 5;
  const keep = process.env.BENCH_DATA_DIR;
  const baseRoot = process.env.BENCH_BASE_ROOT;
  const tokenFile = keep && join(keep, 'bench-admin-token');
  const reuse = tokenFile && existsSync(tokenFile);
  if (keep) mkdirSync(keep, { recursive: true });
  const served: Served[] = [];
  const browser = await launchBrowser();
  try {
    const server = await startBenchServer({
      env: { LOG_LEVEL: 'warn' }, ...(keep && { dataDir: keep }), ...(reuse && { adminToken: readFileSync(tokenFile, 'utf8').trim() }),
    });
    served.push({ name: 'this checkout', server, results: [] });
    if (!reuse) await fill(server, rows, tokenFile);
    if (baseRoot) {
      // The same rows on a server of the other checkout, its data of its own; loads alternate between the two.
      const base = await startBenchServer({ root: baseRoot, env: { LOG_LEVEL: 'warn' } });
      served.push({ name: baseRoot, server: base, results: [] });
      await fill(base, rows, undefined);
    }
    for (let i = 0; i < loads; i++) {
      for (const s of i % 2 === 0 ? served : [...served].reverse()) s.results.push(await load(browser, s.server, i === loads - 1 && s === served[0]));
    }
    console.log(`\n${int(rows)} rows, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    for (const s of served) report(s, s === served[0]);
  } finally {
    await browser.close();
    for (const s of served) {
      if (keep && s === served[0]) await s.server.stop();
      else await s.server.dispose();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
