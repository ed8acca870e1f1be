/**
 * The browser client with a 100k-row events sheet, in real Chromium (Debian's, via playwright-core):
 *   - time to the first rendered rows, cold (empty offline copy) and warm (reload, IndexedDB filled);
 *   - time until the grid is interactive (last long task of the load over, a click opens an editor);
 *   - time from another client's edit to its paint in this browser;
 *   - frame times while scrolling.
 * The sheet is built through a stock y-websocket client into a fresh server. Prints numbers; not a test.
 *
 *   npx tsx bench/browser.ts [--rows 100000]
 */
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import * as Y from 'yjs';
import { getSheet, insertRow } from '../model/document';
import { newRowId } from '../model/ids';
import { api, connectSynced } from '../test/helpers/clients';
import { startBenchServer } from './server';
import { launchBrowser } from '../test/e2e/browser';
import { eventRow, prng } from './rows';
import { percentile } from './stats';

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
const ROWS = Number(args.rows);
const BATCH = 2_000;
const EDITS = 30;

declare global {
  interface Window {
    __bench: {
      firstRows: number | null;
      longTasks: Array<[number, number]>;
      socketOpened: number | null;
      /** Arrival time and size of the first big message (the sync step 2). */
      firstMessage: [number, number] | null;
      /** Arrival of the latest message. */
      lastMessage: number;
    };
    /** Resolves with [wall-clock time of the paint, ms from the update's arrival to the paint]. */
    __edit?: Promise<[number, number]>;
  }
}

/** Installed before the app: records the first rendered row and every long task of the main thread. */
function instrument(): void {
  window.__bench = { firstRows: null, longTasks: [], socketOpened: null, firstMessage: null, lastMessage: 0 };
  // The server's part: from opening the socket to the first sync message (the whole document on a first visit).
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      window.__bench.socketOpened ??= performance.now();
      this.addEventListener('message', (e: MessageEvent) => {
        const size = (e.data as ArrayBuffer).byteLength;
        window.__bench.lastMessage = performance.now();
        if (window.__bench.firstMessage === null && size > 1000) window.__bench.firstMessage = [performance.now(), size];
      });
    }
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  const observer = new MutationObserver(() => {
    if (window.__bench.firstRows === null && document.querySelector('.ag-row[row-id] .ag-cell')) {
      observer.disconnect();
      // The frame that paints them.
      requestAnimationFrame(() => {
        window.__bench.firstRows = performance.now();
      });
    }
  });
  observer.observe(document, { subtree: true, childList: true });
}

const fmt = (ms: number) => (Number.isFinite(ms) ? `${Math.round(ms).toLocaleString('en-US')} ms` : '—');

async function main(): Promise<void> {
  const server = await startBenchServer({ env: { LOG_LEVEL: 'error' } });
  const browser = await launchBrowser();
  try {
    // ——— build the sheet through a y-websocket client ———
    const created = await api(server, '/api/datasets', { body: { id: 'bench', name: 'Benchmark', template: 'events-statements' } });
    if (created.status !== 201) throw new Error(`create dataset: ${created.status} ${JSON.stringify(created.body)}`);
    const writer = await connectSynced(server, 'bench');
    const rand = prng(42);
    const t0 = performance.now();
    const events = getSheet(writer.doc, 'events')!;
    for (let done = 0; done < ROWS; done += BATCH) {
      writer.doc.transact(() => {
        for (let i = done; i < Math.min(ROWS, done + BATCH); i++) insertRow(events, newRowId(), eventRow(rand, i));
      });
      // Let the socket drain so the server is not sent the whole sheet at once.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (;;) {
      const { body } = await api(server, '/api/datasets/bench');
      const count = (body as { sheets?: Array<{ id: string; rowCount: number }> }).sheets?.find((s) => s.id === 'events')?.rowCount;
      if (count === ROWS) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const docBytes = Y.encodeStateAsUpdate(writer.doc).byteLength;
    console.log(`Seeded ${ROWS.toLocaleString('en-US')} events rows through y-websocket in ${fmt(performance.now() - t0)} (document ${(docBytes / 2 ** 20).toFixed(1)} MiB)`);

    // ——— open the sheet in Chromium ———
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1400, height: 900 } });
    // tsx keeps function names with a `__name` helper that the page does not have.
    await context.addInitScript('window.__name = (fn) => fn');
    await context.addInitScript(instrument);
    const page = await context.newPage();
    page.setDefaultTimeout(120_000);
    await page.goto(`/?token=${encodeURIComponent(server.adminToken)}`);
    await page.locator('[data-dataset=bench]').waitFor();

    const cold = await openAndMeasure(page);
    const warm = await openAndMeasure(page);

    // ——— another client's edit → paint ———
    const visible = await page.locator('.ag-row[row-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('row-id')!).slice(0, 10));
    const latencies: number[] = [];
    const browserPart: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const rowId = visible[i % visible.length]!;
      const value = `edit-${i}-${Date.now()}`;
      await page.evaluate(({ rowId, value }) => {
        window.__edit = new Promise<[number, number]>((resolve) => {
          const check = () => {
            const el = document.querySelector(`.ag-row[row-id="${rowId}"] .ag-cell[col-id="location"]`);
            if (!el?.textContent?.includes(value)) return false;
            const arrived = window.__bench.lastMessage;
            requestAnimationFrame(() => resolve([Date.now(), performance.now() - arrived]));
            return true;
          };
          const observer = new MutationObserver(() => check() && observer.disconnect());
          observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        });
      }, { rowId, value });
      const sent = Date.now();
      writer.doc.transact(() => getSheet(writer.doc, 'events')!.get('rows') instanceof Y.Map
        && (getSheet(writer.doc, 'events')!.get('rows') as Y.Map<Y.Map<unknown>>).get(rowId)!.set('location', value));
      const [painted, inBrowser] = await page.evaluate(() => window.__edit!);
      latencies.push(painted - sent);
      browserPart.push(inBrowser);
    }
    latencies.sort((a, b) => a - b);
    browserPart.sort((a, b) => a - b);

    // ——— scrolling ———
    const steady = await scrollFrames(page, 100);
    const fling = await scrollFrames(page, 1200);

    console.log('');
    console.log(`Chromium (headless, software rendering), events sheet with ${ROWS.toLocaleString('en-US')} rows`);
    console.log(`  first rendered rows      cold ${fmt(cold.firstRows)}   warm reload ${fmt(warm.firstRows)}   (from navigation start)`);
    console.log(`  interactive              cold ${fmt(cold.interactive)}   warm reload ${fmt(warm.interactive)}   (end of the last long task of the load)`);
    console.log(`  click → editor open      cold ${fmt(cold.clickToEditor)}   warm reload ${fmt(warm.clickToEditor)}   (once interactive)`);
    console.log(`  longest task during load cold ${fmt(cold.longestTask)}   warm reload ${fmt(warm.longestTask)}`);
    for (const [name, load] of [['cold', cold], ['warm', warm]] as const) {
      const server = load.firstMessage - load.socketOpened;
      console.log(`  ${name} load: offline copy loaded ${fmt(load.offlineCopy)}, socket opened ${fmt(load.socketOpened)}, `
        + `first sync message ${fmt(load.firstMessage)} (${(load.messageBytes / 2 ** 20).toFixed(1)} MiB, server ${fmt(server)}), `
        + `synced ${fmt(load.firstSync)}, grid created ${fmt(load.gridCreated)}, rows painted ${fmt(load.firstRows)}`);
    }
    console.log(`  remote edit → paint      p50 ${fmt(percentile(latencies, 50))}   p95 ${fmt(percentile(latencies, 95))}   max ${fmt(latencies.at(-1)!)}   (${EDITS} edits by a y-websocket client)`);
    console.log(`    of which in the browser p50 ${fmt(percentile(browserPart, 50))}   p95 ${fmt(percentile(browserPart, 95))}   (update message arrived → painted)`);
    for (const [name, frames] of [['wheel 100 px / 16 ms', steady], ['fling 1200 px / 16 ms', fling]] as const) {
      console.log(`  scrolling (${name})  p50 frame ${fmt(percentile(frames, 50))}   p95 ${fmt(percentile(frames, 95))}   frames over 50 ms: ${frames.filter((f) => f > 50).length} of ${frames.length}`);
    }
    writer.destroy();
  } finally {
    await browser.close();
    await server.dispose();
  }
}

/** Navigates to the sheet (fresh page load) and measures the load. */
interface Load {
  firstRows: number;
  interactive: number;
  clickToEditor: number;
  longestTask: number;
  socketOpened: number;
  firstMessage: number;
  messageBytes: number;
  offlineCopy: number;
  firstSync: number;
  gridCreated: number;
}

async function openAndMeasure(page: Page): Promise<Load> {
  await page.goto('/d/bench/events');
  await page.waitForFunction(() => window.__bench.firstRows !== null, undefined, { polling: 50 });
  await page.locator('[data-testid=sync-status][data-state=saved]').waitFor();
  // Quiet for a second: no long task started in the last 1000 ms.
  await page.waitForFunction(() => {
    const tasks = window.__bench.longTasks;
    const last = tasks.at(-1);
    return !last || performance.now() - (last[0] + last[1]) > 1000;
  }, undefined, { polling: 100 });
  const { firstRows, longTasks, socketOpened, firstMessage } = await page.evaluate(() => window.__bench);
  const marks = Object.fromEntries(await page.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name, m.startTime] as const)));
  const lastEnd = longTasks.reduce((end, [start, duration]) => Math.max(end, start + duration), 0);
  const longestTask = longTasks.reduce((max, [, duration]) => Math.max(max, duration), 0);

  const target = page.locator('.ag-row[row-index="2"] .ag-cell[col-id="actor2"]');
  const started = Date.now();
  await target.click();
  await page.keyboard.press('Enter');
  await page.locator('.ag-row[row-index="2"] .ag-cell[col-id="actor2"] input').waitFor();
  const clickToEditor = Date.now() - started;
  await page.keyboard.press('Escape');
  return {
    firstRows: firstRows!, interactive: Math.max(firstRows!, lastEnd), clickToEditor, longestTask,
    socketOpened: socketOpened ?? NaN, firstMessage: firstMessage?.[0] ?? NaN, messageBytes: firstMessage?.[1] ?? 0,
    offlineCopy: marks['tessera:offline-copy-loaded'] ?? NaN, firstSync: marks['tessera:first-sync'] ?? NaN,
    gridCreated: marks['tessera:grid-created'] ?? NaN,
  };
}

/** Scrolls down with the mouse wheel for three seconds; returns the frame intervals, ascending. */
async function scrollFrames(page: Page, delta: number): Promise<number[]> {
  const box = await page.locator('.ag-row[row-id]').first().boundingBox();
  await page.mouse.move((box?.x ?? 200) + 300, (box?.y ?? 200) + 200);
  await page.evaluate(() => {
    (window as unknown as { __stop?: boolean }).__stop = false;
    const frames: number[] = [];
    let last = performance.now();
    const tick = (now: number) => {
      frames.push(now - last);
      last = now;
      (window as unknown as { __frames: number[] }).__frames = frames;
      if (!(window as unknown as { __stop?: boolean }).__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const end = Date.now() + 3000;
  while (Date.now() < end) {
    await page.mouse.wheel(0, delta);
    await new Promise((resolve) => setTimeout(resolve, 16));
  }
  return page.evaluate(() => {
    (window as unknown as { __stop?: boolean }).__stop = true;
    return (window as unknown as { __frames: number[] }).__frames.slice(1).sort((a, b) => a - b);
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
