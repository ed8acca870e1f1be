/**
 * A sheet of a million rows in the `rows` layout (each row a document of its own, read by page), end to end:
 *
 * 1. ROWS (default 1,000,000) events rows imported as one CSV file through the import route (files of the
 *    import's limits for the `rows` layout, 2.5M records), or with BENCH_MILLION_FILL=sql written straight into the read model; either way a row has no
 *    Yjs log until it is first opened, when its document is made from its cells;
 * 2. Chromium (Debian's, cold profile): first rows painted and the grid live after navigation, a jump to row
 *    900,000 by the scrollbar, and the tab's JS heap after scrolling through 50 screens;
 * 3. BROWSERS (default 10) tabs each scrolled somewhere else and EDITORS (default 10) stock y-websocket clients
 *    editing rows: the server's RSS, and the time from an editor's write to its paint in a tab showing the row;
 * 4. BENCH_MILLION_DATASETS (default 10) datasets of as many rows open at once, each in a tab with an editor: the
 *    server's RSS (the others' rows copied from the first in the database);
 * 5. a server restart: from the new process's start to the first page of rows served.
 *
 * Today's layout (one document per dataset) is the peer: its numbers at 100k rows come from `bench/browser.ts`
 * and `npm run bench -- scale`; at a million rows it cannot load in a tab at all.
 *
 * `npm run bench -- million`, or `npx tsx bench/million.ts`; BENCH_MILLION_ROWS, BENCH_MILLION_FILL, BENCH_BROWSERS, BENCH_EDITORS, BENCH_MILLION_DATASETS;
 * TESSERA_TEST_STORE=pg for PostgreSQL. Prints numbers; never asserts.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { performance } from 'node:perf_hooks';
import type { Browser, Page } from 'playwright-core';
import { ulid } from 'ulid';
import { rowRoom } from '../model/rooms';
import { getRowCells } from '../model/row-document';
import { launchBrowser, signedIn } from '../test/e2e/browser';
import { createUser } from '../test/helpers/api';
import { api, type Client, connect } from '../test/helpers/clients';
import { waitFor } from '../test/helpers/wait';
import { testDatabaseFor, testOnPostgres } from '../test/helpers/pg';
import { type RunningServer, startBenchServer } from './server';
import { pollHealth } from './import';
import { healthzQuiet, importEvents, importFileRows, serverIdle } from './rows-import';
import { writeRows } from './read-model-rows';
import { readMemory, sampleMemory, sleep } from './procs';
import { eventRow, prng } from './rows';
import { int, mib, ms, percentile, seconds, type Summary } from './stats';

const DATASET = 'bench-million';

export interface MillionOptions {
  rows: number;
  /** Fill the sheet through the import route (as users do) rather than by SQL straight into the read model. */
  byImport: boolean;
  browsers: number;
  editors: number;
  /** Datasets of `rows` rows open at once at the end (the first one and `datasets - 1` more). */
  datasets: number;
}

declare global {
  interface Window {
    __million: { firstRows: number | null; live: number | null; painted: Map<string, number> };
  }
}

/** Installed before the app: when the first row with data is painted, when the grid is live, and when cells change. */
function instrument(): void {
  window.__million = { firstRows: null, live: null, painted: new Map() };
  const observer = new MutationObserver(() => {
    const m = window.__million;
    if (m.firstRows === null && document.querySelector('.ag-row[row-id] .ag-cell[col-id="event_date"]')?.textContent) {
      requestAnimationFrame(() => { m.firstRows ??= performance.now(); });
    }
    if (m.live === null && document.querySelector('[data-testid=sync-status][data-state=saved]')) m.live = performance.now();
  });
  // When a summary cell shows a new text (the frame it is painted in), by the wall clock the editors' writes are timed by.
  const cells = new MutationObserver((mutations) => {
    const texts = new Set<string>();
    const summary = '.ag-cell[col-id="summary"]';
    for (const mutation of mutations) {
      const target = mutation.target instanceof Element ? mutation.target : mutation.target.parentElement;
      const cells = [target?.closest(summary)];
      // A row or cell put in whole (AG Grid redraws a row that way): the summary cells inside it.
      for (const node of mutation.addedNodes) {
        if (node instanceof Element) cells.push(...(node.matches(summary) ? [node] : node.querySelectorAll(summary)));
      }
      for (const cell of cells) if (cell?.textContent) texts.add(cell.textContent);
    }
    if (texts.size === 0) return;
    requestAnimationFrame(() => {
      const at = performance.timeOrigin + performance.now();
      for (const text of texts) if (!window.__million.painted.has(text)) window.__million.painted.set(text, at);
    });
  });
  cells.observe(document, { subtree: true, childList: true, characterData: true });
  observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
}

/** `count` events rows straight into the read model's `rows` table of `datasetId`; their ids in order. */
async function fillRows(where: string, count: number, datasetId = DATASET): Promise<string[]> {
  const rand = prng(11);
  const now = Date.now();
  const ids = Array.from({ length: count }, (_, i) => ulid(now - count + i));
  await writeRows(where, count, (i) => [datasetId, ids[i]!, JSON.stringify(eventRow(rand, i)), now]);
  return ids;
}

/** The rows of one dataset's events sheet copied into another's, in the database (as a bulk import leaves them). */
async function copyRows(where: string, from: string, to: string): Promise<void> {
  const copy = 'insert into rows (dataset_id, sheet_id, row_id, cells, created_at, updated_at) '
    + "select $1, sheet_id, row_id, cells, created_at, updated_at from rows where dataset_id = $2 and sheet_id = 'events'";
  if (where.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: where });
    await client.connect();
    try {
      await client.query(copy, [to, from]);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(where);
  try {
    db.pragma('busy_timeout = 10000');
    db.prepare(copy.replace('$1', '?').replace('$2', '?')).run(to, from);
  } finally {
    db.close();
  }
}

/** Where the server's read model is, for `fillRows`. */
async function readModelOf(server: RunningServer): Promise<string> {
  return testOnPostgres ? (await testDatabaseFor(server.dataDir)).url : join(server.dataDir, 'tessera.db');
}

const rss = (server: RunningServer) => readMemory(server.process.pid!)?.rss;

/** Scrolls the grid so that the row at `fraction` of the sheet is on screen; resolves once its rows have data. */
async function scrollTo(page: Page, fraction: number): Promise<number> {
  const started = performance.now();
  await page.evaluate((f) => {
    // The grid's own scroller: what dragging its scrollbar moves.
    const viewport = document.querySelector('.ag-grid-viewport')!;
    viewport.scrollTop = (viewport.scrollHeight - viewport.clientHeight) * f;
  }, fraction);
  await page.waitForFunction((f) => {
    const rows = [...document.querySelectorAll('.ag-row[row-index]')].filter((r) => r.querySelector('.ag-cell[col-id="event_date"]'));
    const count = Number(/([\d,]+) row/.exec(document.querySelector('[data-testid=row-count]')?.textContent ?? '')?.[1]?.replace(/,/g, '') ?? 0);
    const near = rows.filter((r) => Math.abs(Number(r.getAttribute('row-index')) - count * f) < 200);
    return near.length > 0 && near.every((r) => r.querySelector('.ag-cell[col-id="event_date"]')?.textContent);
  }, fraction, { polling: 20, timeout: 30_000 });
  return performance.now() - started;
}

async function heapMiB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

/**
 * Memory is bounded by what is being edited, not by what is stored: `datasets - 1` more datasets of `rows` rows
 * (written straight into the read model), each opened in a tab of its own, scrolled somewhere, with a stock
 * editor writing one of its rows, beside the first dataset's tabs and editors; the server's RSS then.
 */
async function moreDatasets(
  server: RunningServer, browser: Browser, token: string, rows: number, datasets: number, clients: Client[], log: (line: string) => void,
): Promise<void> {
  const where = await readModelOf(server);
  const filled = performance.now();
  const ids: string[] = [];
  for (let d = 2; d <= datasets; d++) {
    const id = `${DATASET}-${d}`;
    const created = await api(server, '/api/datasets', { body: { id, name: `A million rows, ${d}`, layout: 'rows' } });
    if (created.status !== 201) throw new Error(`creating dataset ${id}: ${created.status} ${JSON.stringify(created.body)}`);
    await copyRows(where, DATASET, id);
    ids.push(id);
  }
  log(`  ${datasets - 1} more datasets of ${int(rows)} rows copied in the read model in ${seconds(performance.now() - filled)}; server RSS ${mib(rss(server))}`);
  const memory = sampleMemory(server.process.pid!);
  for (const [i, id] of ids.entries()) {
    const tab = await signedIn(browser, server.url, token, `/d/${id}/events`);
    await tab.page.locator('[data-testid=sync-status][data-state=saved]').waitFor({ timeout: 60_000 });
    await scrollTo(tab.page, (i + 1) / (ids.length + 1));
    const rowId = await tab.page.evaluate(() => document.querySelector('.ag-row[row-id]')?.getAttribute('row-id') ?? null);
    if (!rowId) throw new Error(`no row shown in ${id}`);
    const client = connect(server, rowRoom(id, 'events', rowId), token);
    clients.push(client);
    await waitFor(() => client.provider.synced, { timeoutMs: 120_000, what: `the editor's row of ${id}` });
    getRowCells(client.doc).set('summary', `edited in ${id}`);
    await tab.page.waitForFunction(([row, value]) =>
      document.querySelector(`.ag-row[row-id="${row}"] .ag-cell[col-id="summary"]`)?.textContent === value,
    [rowId, `edited in ${id}`] as const, { polling: 20, timeout: 30_000 });
  }
  log(`  ${datasets} datasets of ${int(rows)} rows open, each in tabs scrolled somewhere with an editor: server RSS ${mib(rss(server))}, `
    + `peak while they opened ${mib(memory.stop())}`);
}

export async function runMillion({ rows, byImport, browsers, editors, datasets }: MillionOptions, log: (line: string) => void): Promise<void> {
  let server = await startBenchServer({ env: { LOG_LEVEL: 'warn' } });
  let browser: Browser | null = null;
  const clients: Client[] = [];
  try {
    const created = await api(server, '/api/datasets', { body: { id: DATASET, name: 'A million rows', layout: 'rows' } });
    if (created.status !== 201) throw new Error(`creating the dataset: ${created.status} ${JSON.stringify(created.body)}`);
    const editor = await createUser(server, 'Bench editor', 'editor');

    log(`\n## A million rows, each a document of its own: ${int(rows)} events rows (${testOnPostgres ? 'PostgreSQL' : 'SQLite'})`);
    const fill = performance.now();
    let ids: string[] = [];
    if (byImport) {
      const memory = sampleMemory(server.process.pid!);
      const { bytes: sentBytes } = await importEvents(server, DATASET, editor.token, rows, log);
      const peak = memory.stop();
      log(`  ${int(rows)} rows imported (${mib(sentBytes)} of CSV in files of ${int(importFileRows)}) in ${seconds(performance.now() - fill)}; `
        + `server RSS peak ${mib(peak)}, after ${mib(rss(server))}`);
      const first = await api(server, `/api/datasets/${DATASET}/sheets/events/rows?limit=1000&offset=${rows - 1000}`);
      ids = (first.body as { rows: Array<{ row_id: string }> }).rows.map((r) => r.row_id);
    } else {
      ids = await fillRows(await readModelOf(server), rows);
      log(`  rows written into the read model in ${seconds(performance.now() - fill)}; server RSS ${mib(rss(server))}`);
    }
    await sleep(200);

    // What the server does once the writes pause (indexes for a large sheet): how long /healthz waits meanwhile.
    const settled = await healthzQuiet(server);
    log(`  after the writes: /healthz answered within 200 ms ten times in a row after ${seconds(settled.took)}; slowest answer ${ms(settled.slowest, 0)}`);

    browser = await launchBrowser();
    const first = await signedIn(browser, server.url, editor.token, '/');
    await first.context.addInitScript('window.__name = (fn) => fn');
    await first.context.addInitScript(instrument);
    await first.page.goto(`/d/${DATASET}/events`);
    await first.page.waitForFunction(() => window.__million.firstRows !== null && window.__million.live !== null, undefined, { polling: 20, timeout: 60_000 });
    const load = await first.page.evaluate(() => ({
      firstRows: window.__million.firstRows!, live: window.__million.live!,
      // The page's own table of the first rows (server/first-screen.ts) is in its first contentful paint.
      preview: window.performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint')?.startTime ?? Number.NaN,
    }));
    log(`  browser, cold cache: the page's table of first rows painted ${ms(load.preview, 0)}, AG Grid's rows ${ms(load.firstRows, 0)}, `
      + `live (editable) ${ms(load.live, 0)} after navigation start`);
    const jump = await scrollTo(first.page, 0.9);
    log(`  jump to row ${int(rows * 0.9)} by the scrollbar: rows shown after ${ms(jump, 0)}`);
    const screens: number[] = [];
    // Each screen reads deep pages: how long they hold the server's event loop, seen by /healthz meanwhile.
    let scrolling = true;
    const scrollHealth = pollHealth(server.url, () => scrolling);
    for (let i = 1; i <= 50; i++) screens.push(await scrollTo(first.page, 0.9 - i * 0.01));
    scrolling = false;
    const held = await scrollHealth;
    log(`  50 screens scrolled (each 1% of the sheet further): median ${ms(percentile(screens.sort((a, b) => a - b), 50), 0)} per screen; tab JS heap after: ${mib(await heapMiB(first.page))}; `
      + `/healthz meanwhile p50 ${ms(held.p50, 0)}, p99 ${ms(held.p99, 0)}, slowest ${ms(held.max, 0)}`);

    const pages: Page[] = [first.page];
    for (let i = 1; i < browsers; i++) {
      const other = await signedIn(browser, server.url, editor.token, `/d/${DATASET}/events`);
      await other.page.locator('[data-testid=sync-status][data-state=saved]').waitFor({ timeout: 60_000 }).catch(async (error: unknown) => {
        const status = await other.page.locator('[data-testid=sync-status]').textContent().catch(() => null);
        throw new Error(`tab ${i + 1} never became live (status: ${status}; at ${other.page.url()}): ${(error as Error).message}\n${server.output().slice(-2000)}`);
      });
      await scrollTo(other.page, i / browsers);
      pages.push(other.page);
    }
    log(`  ${browsers} tabs open, each scrolled somewhere else: server RSS ${mib(rss(server))}`);

    // Editors each write to rows of their own, among them rows the first tab shows.
    const shown = await first.page.evaluate(() =>
      [...document.querySelectorAll('.ag-row[row-id]')].filter((r) => r.querySelector('.ag-cell[col-id="summary"]'))
        .map((r) => r.getAttribute('row-id')!).filter((id) => id.length > 20));
    // How long a row's first sync takes with the tabs open is a figure of its own (not a failure at 10 s).
    let slowestSync = 0;
    for (let e = 0; e < editors; e++) {
      const asked = performance.now();
      const client = connect(server, rowRoom(DATASET, 'events', shown[e % shown.length] ?? ids[e]!), editor.token);
      clients.push(client);
      await waitFor(() => client.provider.synced, { timeoutMs: 120_000, what: `editor ${e + 1}'s first sync` });
      slowestSync = Math.max(slowestSync, performance.now() - asked);
    }
    log(`  ${editors} editors with a row open each: server RSS ${mib(rss(server))}; slowest first sync of a row ${ms(slowestSync)}`);
    // The tab that watches is in front: a hidden tab's frames are throttled, and its paints with them.
    await first.page.bringToFront();
    const editLatencies = async (pass: string) => {
      const latencies: number[] = [];
      const seen: number[] = [];
      // The server's own share of the wait: /healthz asked one after another meanwhile.
      let editing = true;
      const health = pollHealth(server.url, () => editing);
      for (let round = 0; round < 10; round++) {
        for (const [e, client] of clients.entries()) {
          const rowId = shown[e % shown.length]!;
          const text = `edit ${pass} ${round}.${e}`;
          const started = Date.now();
          const waiting = first.page.waitForFunction(([row, value]) =>
            document.querySelector(`.ag-row[row-id="${row}"] .ag-cell[col-id="summary"]`)?.textContent === value,
          [rowId, text] as const, { polling: 5, timeout: 30_000 });
          getRowCells(client.doc).set('summary', text);
          await waiting;
          seen.push(Date.now() - started);
          // Its frame is recorded in the frame's own callback, which may come just after the text was seen.
          const paintedAt = await first.page.waitForFunction((value) => window.__million.painted.get(value) ?? false, text, { polling: 5, timeout: 10_000 });
          latencies.push(await paintedAt.jsonValue() as number - started);
        }
      }
      editing = false;
      return { painted: latencies.sort((a, b) => a - b), seen: seen.sort((a, b) => a - b), health: await health };
    };
    // Timed twice: to the frame the tab painted it in (recorded in the tab), and to when this process saw it there
    // (which adds the polling of the page and the round trip of asking it).
    const latency = ({ painted, seen, health }: { painted: number[]; seen: number[]; health: Summary }) =>
      `p50 ${ms(percentile(painted, 50), 0)}, p99 ${ms(percentile(painted, 99), 0)} (seen from here: p50 ${ms(percentile(seen, 50), 0)}, p99 ${ms(percentile(seen, 99), 0)}); `
      + `/healthz meanwhile p50 ${ms(health.p50, 0)}, p99 ${ms(health.p99, 0)}, slowest ${ms(health.max, 0)}`;
    const early = await editLatencies('early');
    log(`  an editor's write to its paint in a tab showing the row (${early.painted.length} edits), the sheet's indexes maybe still being built: ${latency(early)}`);
    // Once the server is idle (its worker has built the sheet's indexes), again: what editing is like from then on.
    const idleAfter = await serverIdle(server);
    const later = await editLatencies('later');
    log(`  the same once the server was idle (after ${seconds(idleAfter)}): ${latency(later)}`);
    log(`  server RSS with ${browsers} tabs and ${editors} editors after the edits: ${mib(rss(server))}`);

    if (datasets > 1) await moreDatasets(server, browser, editor.token, rows, datasets, clients, log);

    for (const c of clients.splice(0)) c.destroy();
    await browser.close();
    browser = null;
    await server.stop();
    const restarted = performance.now();
    server = await startBenchServer({ dataDir: server.dataDir, adminToken: server.adminToken, env: { LOG_LEVEL: 'warn' } });
    const listening = performance.now();
    const page = await api(server, `/api/datasets/${DATASET}/sheets/events/rows?limit=100`);
    if (page.status !== 200) throw new Error(`first page after the restart: ${page.status}`);
    const served = performance.now();
    log(`  restart: first page of rows served ${ms(served - listening, 0)} after the new server listens `
      + `(${ms(served - restarted, 0)} after its process started by npm start's script); RSS then ${mib(rss(server))}`);
  } finally {
    for (const c of clients) c.destroy();
    await browser?.close();
    await server.dispose();
    // The restarted server was given the first one's data dir, which its dispose leaves: a million rows are gigabytes.
    rmSync(server.dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = (name: string, fallback: number) => Number(process.env[name]) || fallback;
  await runMillion({
    rows: env('BENCH_MILLION_ROWS', 1_000_000), byImport: process.env.BENCH_MILLION_FILL !== 'sql', browsers: env('BENCH_BROWSERS', 10),
    editors: env('BENCH_EDITORS', 10), datasets: env('BENCH_MILLION_DATASETS', 10),
  }, console.log);
}
