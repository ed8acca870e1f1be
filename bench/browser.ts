/**
 * The browser client with a 100k-row events sheet, in real Chromium (Debian's, via playwright-core), on both layouts
 * of a dataset in the same run, one after the other, each on a fresh server:
 *   - the document layout (what a dataset gets when `layout` is omitted): one Yjs document holds the whole dataset;
 *     the sheet is built through a stock y-websocket client;
 *   - the rows layout (`layout: 'rows'`, docs/large-sheets.md): each row a document of its own, the grid reading
 *     pages of rows; the sheet is filled by one CSV through the import route.
 * Either way the browser opens the sheet once the server is quiet (a large sheet's indexes are built once its
 * writes pause). Measured on each:
 *   - the first contentful paint (in the rows layout, the server's HTML table of the first rows) and the first rows
 *     AG Grid paints, cold (empty offline copy) and on a warm reload;
 *   - the grid live (its sync status saved) and interactive (the last long task of the load over), and a click
 *     opening an editor;
 *   - the time from another client's edit to its paint in this browser (a stock y-websocket client: on the
 *     dataset's room, or on the row's own room);
 *   - frame times while scrolling.
 * Printed side by side; '—' where a figure does not apply to a layout. Prints numbers; not a test.
 *
 *   npx tsx bench/browser.ts [--rows 100000] [--layout rows|document|both]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import * as Y from 'yjs';
import { getSheet, insertRow, sheetRows } from '../model/document';
import { newRowId } from '../model/ids';
import { rowRoom } from '../model/rooms';
import { getRowCells } from '../model/row-document';
import { api, type Client, connect, connectSynced } from '../test/helpers/clients';
import { waitFor } from '../test/helpers/wait';
import { launchBrowser } from '../test/e2e/browser';
import { type RunningServer, startBenchServer } from './server';
import { healthzQuiet, importEvents, serverIdle } from './rows-import';
import { eventRow, prng } from './rows';
import { mib, percentile, seconds, table } from './stats';

const { values: args } = parseArgs({
  options: { rows: { type: 'string', default: '100000' }, layout: { type: 'string', default: 'both' } },
});
const ROWS = Number(args.rows);
type Layout = 'document' | 'rows';
const LAYOUTS: Layout[] = args.layout === 'both' ? ['document', 'rows'] : [args.layout as Layout];
if (!LAYOUTS.every((l) => l === 'document' || l === 'rows')) throw new Error(`--layout is rows, document or both, not ${args.layout}`);
const DATASET = 'bench';
/** Rows a transaction of the document layout's writer inserts. */
const BATCH = 2_000;
const EDITS = 30;
/** The column the other client's edits write. */
const EDITED = 'summary';

declare global {
  interface Window {
    __bench: {
      /** AG Grid's first row with data painted. */
      firstRows: number | null;
      /** The sync status first said saved. */
      live: number | null;
      longTasks: Array<[number, number]>;
      socketOpened: number | null;
      /** Arrival time and size of the largest WebSocket message (in the document layout, a first visit's sync step 2). */
      largestMessage: [number, number] | null;
      /** Arrival of the latest WebSocket message. */
      lastMessage: number;
    };
    /** Resolves with [wall-clock time of the paint, ms from the last message's arrival to the paint]. */
    __edit?: Promise<[number, number]>;
  }
}

/**
 * What the page logs once the first rows are painted and the grid is live: a load waits for it rather than polling
 * the page, since Playwright's first evaluation in a page compiles its own script there (30–80 ms of the main
 * thread, mid-load).
 */
const LOADED = 'tessera-bench: loaded';

/** Installed before the app: the first painted row, the grid live, every long task and the sockets' messages. */
function instrument(): void {
  window.__bench = { firstRows: null, live: null, longTasks: [], socketOpened: null, largestMessage: null, lastMessage: 0 };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      window.__bench.socketOpened ??= performance.now();
      this.addEventListener('message', (e: MessageEvent) => {
        const size = e.data instanceof ArrayBuffer ? e.data.byteLength : e.data instanceof Blob ? e.data.size : String(e.data).length;
        window.__bench.lastMessage = performance.now();
        if (size > (window.__bench.largestMessage?.[1] ?? 0)) window.__bench.largestMessage = [performance.now(), size];
      });
    }
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  const observer = new MutationObserver(() => {
    const b = window.__bench;
    if (b.firstRows === null && document.querySelector('.ag-row[row-id] .ag-cell[col-id="event_date"]')?.textContent) {
      // The frame that paints them.
      requestAnimationFrame(() => {
        b.firstRows ??= performance.now();
        tell();
      });
    }
    if (b.live === null && document.querySelector('[data-testid=sync-status][data-state=saved]')) b.live = performance.now();
    tell();
  });
  // LOADED, spelled out: this function runs in the page.
  const tell = () => {
    if (window.__bench.firstRows === null || window.__bench.live === null) return;
    observer.disconnect();
    console.info('tessera-bench: loaded');
  };
  observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-state'] });
}

/** A stock client's way to write a cell of a row. */
interface Writer {
  write(rowId: string, value: string): void;
  close(): void;
}

/** A sheet of ROWS events rows on a fresh server, filled the layout's way. */
interface Filled {
  server: RunningServer;
  /** How it was filled, in words, and how long it took. */
  fill: string;
  fillMs: number;
  /** A writer of the given rows' EDITED cells, connected and synced. */
  writer(rowIds: string[]): Promise<Writer>;
  dispose(): void;
}

const createDataset = async (server: RunningServer, layout: Layout) => {
  const created = await api(server, '/api/datasets', { body: { id: DATASET, name: 'Benchmark', template: 'events-statements', layout } });
  if (created.status !== 201) throw new Error(`create dataset: ${created.status} ${JSON.stringify(created.body)}`);
};

/** The document layout: the rows inserted by a stock y-websocket client on the dataset's room, which then edits them. */
async function fillDocument(server: RunningServer): Promise<Filled> {
  await createDataset(server, 'document');
  const writer = await connectSynced(server, DATASET);
  const rand = prng(42);
  const started = performance.now();
  const events = getSheet(writer.doc, 'events')!;
  for (let done = 0; done < ROWS; done += BATCH) {
    writer.doc.transact(() => {
      for (let i = done; i < Math.min(ROWS, done + BATCH); i++) insertRow(events, newRowId(), eventRow(rand, i));
    });
    // Let the socket drain so the server is not sent the whole sheet at once.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await waitFor(async () => {
    const { body } = await api(server, `/api/datasets/${DATASET}`);
    return (body as { sheets?: Array<{ id: string; rowCount: number }> }).sheets?.find((s) => s.id === 'events')?.rowCount === ROWS;
  }, { timeoutMs: 600_000, intervalMs: 250, what: 'the server counting every row' });
  const fillMs = performance.now() - started;
  const docBytes = Y.encodeStateAsUpdate(writer.doc).byteLength;
  return {
    server, fillMs, fill: `through y-websocket, one document of ${mib(docBytes)}`,
    writer: async () => ({
      write: (rowId, value) => writer.doc.transact(() => sheetRows(events).get(rowId)!.set(EDITED, value)),
      close: () => undefined,
    }),
    dispose: () => writer.destroy(),
  };
}

/** The rows layout: one CSV through the import route; edits by a stock y-websocket client on each row's room. */
async function fillRows(server: RunningServer): Promise<Filled> {
  await createDataset(server, 'rows');
  const started = performance.now();
  const { bytes } = await importEvents(server, DATASET, server.adminToken, ROWS, (line) => console.log(line));
  return {
    server, fillMs: performance.now() - started, fill: `${mib(bytes)} of CSV through the import route`,
    writer: async (rowIds) => {
      const clients = new Map<string, Client>();
      for (const rowId of new Set(rowIds)) {
        const client = connect(server, rowRoom(DATASET, 'events', rowId), server.adminToken);
        clients.set(rowId, client);
        await waitFor(() => client.provider.synced, { timeoutMs: 60_000, what: `row ${rowId}'s first sync` });
      }
      return {
        write: (rowId, value) => getRowCells(clients.get(rowId)!.doc).set(EDITED, value),
        close: () => { for (const c of clients.values()) c.destroy(); },
      };
    },
    dispose: () => undefined,
  };
}

interface Load {
  /** First contentful paint, AG Grid's first rows, the grid live, interactive: ms from navigation start. */
  contentful: number;
  firstRows: number;
  live: number;
  interactive: number;
  clickToEditor: number;
  longestTask: number;
  html: number;
  /** The last script or style sheet received. */
  scripts: number;
  socketOpened: number;
  largestMessage: number;
  messageBytes: number;
  marks: Record<string, number>;
}

/** Navigates to the sheet (a fresh page load) and measures the load, once it is quiet. */
async function openAndMeasure(page: Page): Promise<Load> {
  const loaded = page.waitForEvent('console', { predicate: (m) => m.text() === LOADED });
  await page.goto(`/d/${DATASET}/events`);
  await loaded;
  // Quiet for a second: no long task started in the last 1000 ms.
  await page.waitForFunction(() => {
    const last = window.__bench.longTasks.at(-1);
    return !last || performance.now() - (last[0] + last[1]) > 1000;
  }, undefined, { polling: 100 });
  const seen = await page.evaluate(() => ({
    ...window.__bench,
    contentful: performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint')?.startTime ?? Number.NaN,
    html: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).responseEnd,
    scripts: (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((r) => /\.(js|css)$/.test(new URL(r.name).pathname)).reduce((end, r) => Math.max(end, r.responseEnd), Number.NEGATIVE_INFINITY),
    marks: Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime] as const)),
  }));
  const lastEnd = seen.longTasks.reduce((end, [start, duration]) => Math.max(end, start + duration), 0);

  const cell = page.locator('.ag-row[row-index="2"] .ag-cell[col-id="actor2"]');
  const started = Date.now();
  await cell.click();
  await page.keyboard.press('Enter');
  await cell.locator('input').waitFor();
  const clickToEditor = Date.now() - started;
  await page.keyboard.press('Escape');
  return {
    contentful: seen.contentful, firstRows: seen.firstRows!, live: seen.live!, interactive: Math.max(seen.firstRows!, lastEnd),
    clickToEditor, longestTask: seen.longTasks.reduce((max, [, duration]) => Math.max(max, duration), 0), html: seen.html,
    scripts: seen.scripts, socketOpened: seen.socketOpened ?? Number.NaN, largestMessage: seen.largestMessage?.[0] ?? Number.NaN,
    messageBytes: seen.largestMessage?.[1] ?? Number.NaN, marks: seen.marks,
  };
}

/** EDITS edits by `writer` of rows the page shows, each timed from the write to the frame that paints it (sorted). */
async function remoteEdits(page: Page, filled: Filled): Promise<{ latencies: number[]; inBrowser: number[] }> {
  const visible = await page.locator('.ag-row[row-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('row-id')!).slice(0, 10));
  const writer = await filled.writer(visible);
  const latencies: number[] = [];
  const inBrowser: number[] = [];
  try {
    for (let i = 0; i < EDITS; i++) {
      const rowId = visible[i % visible.length]!;
      const value = `edit-${i}-${Date.now()}`;
      await page.evaluate(({ rowId, value, column }) => {
        window.__edit = new Promise<[number, number]>((resolve) => {
          const check = () => {
            const el = document.querySelector(`.ag-row[row-id="${rowId}"] .ag-cell[col-id="${column}"]`);
            if (!el?.textContent?.includes(value)) return false;
            const arrived = window.__bench.lastMessage;
            requestAnimationFrame(() => resolve([Date.now(), performance.now() - arrived]));
            return true;
          };
          const observer = new MutationObserver(() => check() && observer.disconnect());
          observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        });
      }, { rowId, value, column: EDITED });
      const sent = Date.now();
      writer.write(rowId, value);
      const [painted, browserPart] = await page.evaluate(() => window.__edit!);
      latencies.push(painted - sent);
      inBrowser.push(browserPart);
    }
  } finally {
    writer.close();
  }
  return { latencies: latencies.sort((a, b) => a - b), inBrowser: inBrowser.sort((a, b) => a - b) };
}

/** Scrolls down with the mouse wheel for three seconds; returns the frame intervals, ascending. */
async function scrollFrames(page: Page, delta: number): Promise<number[]> {
  const box = await page.locator('.ag-row[row-id]').first().boundingBox();
  await page.mouse.move((box?.x ?? 200) + 300, (box?.y ?? 200) + 200);
  await page.evaluate(() => {
    const w = window as unknown as { __stop?: boolean; __frames: number[] };
    w.__stop = false;
    w.__frames = [];
    let last = performance.now();
    const tick = (now: number) => {
      w.__frames.push(now - last);
      last = now;
      if (!w.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const end = Date.now() + 3000;
  while (Date.now() < end) {
    await page.mouse.wheel(0, delta);
    await new Promise((resolve) => setTimeout(resolve, 16));
  }
  return page.evaluate(() => {
    const w = window as unknown as { __stop?: boolean; __frames: number[] };
    w.__stop = true;
    return w.__frames.slice(1).sort((a, b) => a - b);
  });
}

const fmt = (ms: number) => (Number.isFinite(ms) ? `${Math.round(ms).toLocaleString('en-US')} ms` : '—');
const bytes = (n: number) => (n < 2 ** 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 2 ** 20).toFixed(1)} MiB`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** One layout, end to end, on a fresh server: its figures by the table's metric. */
async function measure(browser: Browser, layout: Layout): Promise<Map<string, string>> {
  const figures = new Map<string, string>();
  console.log(`\n## ${layout} layout: ${ROWS.toLocaleString('en-US')} events rows (load average ${load()})`);
  const server = await startBenchServer({ env: { LOG_LEVEL: 'error' } });
  let filled: Filled | undefined;
  try {
    filled = await (layout === 'document' ? fillDocument : fillRows)(server);
    figures.set('sheet filled', `${seconds(filled.fillMs)} (${filled.fill})`);
    console.log(`  filled in ${seconds(filled.fillMs)}: ${filled.fill}`);
    // What the server does once the writes pause (a large sheet's indexes): over before the browser opens it.
    const settled = await healthzQuiet(server);
    const idle = await serverIdle(server);
    figures.set('server quiet after the fill', `${seconds(settled.took + idle)} (slowest /healthz ${fmt(settled.slowest)})`);
    console.log(`  server quiet ${seconds(settled.took + idle)} after the fill (/healthz quick after ${seconds(settled.took)}, slowest ${fmt(settled.slowest)}; then idle after ${seconds(idle)})`);

    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1400, height: 900 } });
    // tsx keeps function names with a `__name` helper that the page does not have.
    await context.addInitScript('window.__name = (fn) => fn');
    await context.addInitScript(instrument);
    const page = await context.newPage();
    page.setDefaultTimeout(120_000);
    page.on('pageerror', (err) => console.error(`  [page error] ${err.message}`));
    await page.goto(`/?token=${encodeURIComponent(server.adminToken)}`);
    await page.locator(`[data-dataset=${DATASET}]`).waitFor();

    const loads = { cold: await openAndMeasure(page), 'warm reload': await openAndMeasure(page) };
    const each = (metric: string, pick: (l: Load) => number) => {
      for (const [name, l] of Object.entries(loads)) figures.set(`${metric}, ${name}`, fmt(pick(l)));
    };
    each('first contentful paint', (l) => l.contentful);
    each('first rendered rows', (l) => l.firstRows);
    each('live (sync status saved)', (l) => l.live);
    each('interactive (last long task over)', (l) => l.interactive);
    each('click → editor open', (l) => l.clickToEditor);
    each('longest task during the load', (l) => l.longestTask);
    each('HTML received', (l) => l.html);
    each('scripts and styles received', (l) => l.scripts);
    each("dataset's document: offline copy loaded (mark)", (l) => l.marks['tessera:offline-copy-loaded'] ?? Number.NaN);
    each('socket opened', (l) => l.socketOpened);
    for (const [name, l] of Object.entries(loads)) {
      figures.set(`largest socket message arrived, ${name}`,
        Number.isFinite(l.largestMessage) ? `${fmt(l.largestMessage)} (${bytes(l.messageBytes)})` : '—');
    }
    each("dataset's document: first sync (mark)", (l) => l.marks['tessera:first-sync'] ?? Number.NaN);
    each('grid created (mark)', (l) => l.marks['tessera:grid-created'] ?? Number.NaN);

    const edits = await remoteEdits(page, filled);
    const p = (sorted: number[], q: number) => fmt(percentile(sorted, q));
    figures.set('remote edit → paint', `p50 ${p(edits.latencies, 50)}, p95 ${p(edits.latencies, 95)}, max ${fmt(edits.latencies.at(-1)!)}`);
    figures.set('  of which message arrived → paint', `p50 ${p(edits.inBrowser, 50)}, p95 ${p(edits.inBrowser, 95)}`);
    for (const [name, delta] of [['wheel 100 px / 16 ms', 100], ['fling 1200 px / 16 ms', 1200]] as const) {
      const frames = await scrollFrames(page, delta);
      figures.set(`scrolling, ${name}`, `p50 ${p(frames, 50)}, p95 ${p(frames, 95)}, ${frames.filter((f) => f > 50).length} of ${frames.length} over 50 ms`);
    }
    await context.close();
    console.log(`  measured (load average ${load()})`);
  } finally {
    filled?.dispose();
    await server.dispose();
  }
  return figures;
}

async function main(): Promise<void> {
  const browser = await launchBrowser();
  const results = new Map<Layout, Map<string, string>>();
  try {
    for (const layout of LAYOUTS) results.set(layout, await measure(browser, layout));
  } finally {
    await browser.close();
  }
  const metrics = [...new Set([...results.values()].flatMap((f) => [...f.keys()]))];
  console.log(`\nChromium (headless, software rendering), events sheet of ${ROWS.toLocaleString('en-US')} rows; ms from navigation start `
    + `unless said; edits: ${EDITS} by a stock y-websocket client; load average at the end ${load()}`);
  console.log(table(['metric', ...LAYOUTS.map((l) => `${l} layout`)], metrics.map((m) => [m, ...LAYOUTS.map((l) => results.get(l)!.get(m) ?? '—')])));
  console.log("In the rows layout the dataset's document holds the sheets' columns, not their rows: the first page of rows comes with the page "
    + '(its HTML table is the first contentful paint), the others by page over HTTP, and a remote edit as a row delta on the dataset\'s socket.');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
