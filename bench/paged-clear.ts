/**
 * Delete of the whole sheet in the paged grid, and its undo, in real Chromium against a fresh server: a `rows`
 * dataset of ROWS events rows (default 1,000, `WRITE_ROWS_MAX`), Ctrl+A, Delete, then Ctrl+Z. For each: the
 * time from the key until the server's read model holds every row's new cells, and until the save indicator
 * says saved; and where it went on the rows socket (frames each way, the time from a room's sync step 1 to
 * its step 2, from a room's first update to its stored acknowledgement, rooms open at once).
 *
 *   npx tsx bench/paged-clear.ts   (or `npm run bench -- paged-clear`); BENCH_ROWS, TESSERA_TEST_STORE=pg,
 *   BENCH_CPU_PROF=DIR (a V8 CPU profile of the server, for `bench/profile-summary.ts`), BENCH_CLIENT_PROF=FILE (one of
 *   the page, both steps).
 * Prints numbers; never asserts.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildClientIfStale } from '../scripts/client-build';
import { launchBrowser, signedIn } from '../test/e2e/browser';
import { api } from '../test/helpers/clients';
import { csvOf, importFile } from '../test/helpers/import';
import { startBenchServer } from './server';
import { readCpuMs, sleep } from './procs';
import { ms, percentile } from './stats';

const DATASET = 'bench-paged-clear';

declare global {
  interface Window {
    /** Frames of the rows socket: [ms, sent?, room, kind]. */
    __frames: Array<[number, boolean, string, string]>;
  }
}

/** Installed before the app: records every frame of the rows socket, its room and what it carries. */
function instrument(): void {
  window.__frames = [];
  const readVarUint = (b: Uint8Array, at: { i: number }) => {
    let n = 0;
    let mult = 1;
    for (;;) {
      const byte = b[at.i++]!;
      n += (byte & 0x7f) * mult;
      mult *= 128;
      if (byte < 0x80) return n;
    }
  };
  const decode = (data: ArrayBuffer | ArrayBufferView): [string, string] => {
    const b = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const at = { i: 0 };
    const len = readVarUint(b, at);
    const room = new TextDecoder().decode(b.subarray(at.i, at.i + len));
    at.i += len;
    if (at.i >= b.length) return [room, 'leave'];
    const type = readVarUint(b, at);
    if (type === 0) return [room, ['step1', 'step2', 'update'][readVarUint(b, at)] ?? 'sync?'];
    return [room, type === 100 ? 'stored' : type === 101 ? 'failing' : type === 120 ? 'closed' : `type${type}`];
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      if (!String(url).endsWith('/rows')) return;
      this.addEventListener('message', (e: MessageEvent) => {
        if (typeof e.data === 'string') return;
        const [room, kind] = decode(e.data as ArrayBuffer);
        window.__frames.push([performance.now(), false, room, kind]);
      });
    }

    override send(data: Parameters<WebSocket['send']>[0]): void {
      if (this.url.endsWith('/rows') && typeof data !== 'string' && !(data instanceof Blob)) {
        const [room, kind] = decode(data as ArrayBuffer);
        window.__frames.push([performance.now(), true, room, kind]);
      }
      super.send(data);
    }
  };
}

interface Frame { t: number; sent: boolean; room: string; kind: string }

/** What the rows socket carried from `from` on: counts, and per room the waits that matter. */
function summarize(frames: Frame[], from: number): string[] {
  const mine = frames.filter((f) => f.t >= from);
  const counts = new Map<string, number>();
  for (const f of mine) counts.set(`${f.sent ? '→' : '←'}${f.kind}`, (counts.get(`${f.sent ? '→' : '←'}${f.kind}`) ?? 0) + 1);
  const firstStep1 = new Map<string, number>();
  const syncWaits: number[] = [];
  const firstUpdate = new Map<string, number>();
  const ackWaits: number[] = [];
  let open = 0;
  let maxOpen = 0;
  for (const f of mine) {
    if (f.sent && f.kind === 'step1' && !firstStep1.has(f.room)) {
      firstStep1.set(f.room, f.t);
      open += 1;
      maxOpen = Math.max(maxOpen, open);
    }
    if (f.sent && f.kind === 'leave') open -= 1;
    if (!f.sent && f.kind === 'step2' && firstStep1.has(f.room)) {
      syncWaits.push(f.t - firstStep1.get(f.room)!);
      firstStep1.set(f.room, Number.POSITIVE_INFINITY);
    }
    if (f.sent && f.kind === 'update' && !firstUpdate.has(f.room)) firstUpdate.set(f.room, f.t);
    if (!f.sent && f.kind === 'stored' && firstUpdate.has(f.room) && Number.isFinite(firstUpdate.get(f.room))) {
      ackWaits.push(f.t - firstUpdate.get(f.room)!);
      firstUpdate.set(f.room, Number.POSITIVE_INFINITY);
    }
  }
  const last = mine.at(-1)?.t ?? from;
  const p = (xs: number[], q: number) => (xs.length ? ms(percentile([...xs].sort((a, b) => a - b), q)) : '-');
  return [
    `frames: ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}; last frame at +${ms(last - from)}`,
    `step 1 → step 2 per room: p50 ${p(syncWaits, 50)}, p95 ${p(syncWaits, 95)} (${syncWaits.length} rooms); rooms open at once ≤ ${maxOpen}`,
    `first update → stored per room: p50 ${p(ackWaits, 50)}, p95 ${p(ackWaits, 95)} (${ackWaits.length} rooms)`,
  ];
}

export async function runPagedClearBench(rows = Number(process.env.BENCH_ROWS ?? 1000)): Promise<void> {
  const root = join(import.meta.dirname, '..');
  // The server as the sources are now, not as the test suite last built it.
  process.env.TESSERA_TEST_FROM_SOURCE ??= '1';
  buildClientIfStale(root);
  // With BENCH_CPU_PROF=DIR the server writes a V8 CPU profile there when it stops (bench/cpu-profile.mjs).
  const profDir = process.env.BENCH_CPU_PROF;
  const server = await startBenchServer({ env: { ...(profDir && { NODE_OPTIONS: `--import ${new URL('./cpu-profile.mjs', import.meta.url).pathname}`, BENCH_CPU_PROF: profDir }) } });
  const browser = await launchBrowser();
  try {
    const user = (await api(server, '/api/users', { body: { name: 'Bench Clear', role: 'editor' } })).body as { token: string };
    await api(server, '/api/datasets', { body: { id: DATASET, name: DATASET, layout: 'rows' } });
    const imported = await importFile(server, DATASET, 'events', csvOf([['event_date', 'summary', 'actor1'],
      ...Array.from({ length: rows }, (_, i) => ['2024-01-01', `Row ${i + 1}`, `Actor ${i + 1}`])]));
    if (imported.status !== 200) throw new Error(`import: ${JSON.stringify(imported.body)}`);
    const { context, page } = await signedIn(browser, server.url, user.token, '/');
    // tsx keeps function names with a `__name` helper that the page does not have.
    await context.addInitScript('window.__name = (fn) => fn');
    await context.addInitScript(instrument);
    await page.goto(`/d/${DATASET}/events`);
    const cell = page.locator('.ag-row[row-index="0"] .ag-cell[col-id="summary"]');
    await cell.waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=sync-status][data-state=saved]').waitFor({ timeout: 60_000 });

    /** Rows whose summary is still (or again) set, as the server counts them (a filter of empty cells: cheap). */
    const filled = async (): Promise<number> => {
      const body = (await api(server, `/api/datasets/${DATASET}/sheets/events/rows?filter[summary]=&limit=1`)).body as { total: number };
      return rows - body.total;
    };
    const step = async (name: string, key: string, done: (n: number) => boolean) => {
      const from = await page.evaluate(() => performance.now());
      const cpuBefore = readCpuMs(server.process.pid!) ?? Number.NaN;
      const busyBefore = await pageBusyMs();
      const reads: string[] = [];
      const onRequest = (request: { url(): string }) => {
        const url = new URL(request.url());
        if (url.pathname.endsWith('/rows')) reads.push(`${url.searchParams.get('offset')}+${url.searchParams.get('limit')}`);
      };
      page.on('request', onRequest);
      const started = Date.now();
      await page.keyboard.press(key);
      let stored = 0;
      for (;;) {
        if (done(await filled())) {
          stored = Date.now() - started;
          break;
        }
        if (Date.now() - started > 300_000) throw new Error(`${name}: not done after 300 s`);
        await sleep(100);
      }
      await page.locator('[data-testid=sync-status][data-state=saved]').waitFor({ timeout: 300_000 });
      const saved = Date.now() - started;
      const cpu = (readCpuMs(server.process.pid!) ?? Number.NaN) - cpuBefore;
      const busy = (await pageBusyMs()) - busyBefore;
      page.off('request', onRequest);
      const frames = (await page.evaluate(() => window.__frames)).map(([t, sent, room, kind]) => ({ t, sent, room, kind }));
      console.log(`${name}: in the read model after ${ms(stored)}, saved shown after ${ms(saved)}; server CPU ${ms(cpu)} (page reads included), page's main thread busy ${ms(busy)}`);
      for (const line of summarize(frames, from)) console.log(`  ${line}`);
      console.log(`  pages the page read (offset+limit): ${reads.join(' ') || 'none'}`);
    };

    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const pageBusyMs = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return (metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN) * 1000;
    };
    const clientProfile = process.env.BENCH_CLIENT_PROF;
    if (clientProfile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    await cell.click();
    await page.keyboard.press('Control+a');
    await page.getByTestId('selection-size').filter({ hasText: `${rows.toLocaleString('en')} rows` }).waitFor();
    const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
    console.log(`\n## Paged grid: Delete of ${rows.toLocaleString('en')} rows and its undo (${process.env.TESSERA_TEST_STORE === 'pg' ? 'PostgreSQL' : 'SQLite'}; load ${load()})`);
    await step('Delete', 'Delete', (n) => n === 0);
    await step('Undo (Ctrl+Z)', 'Control+z', (n) => n === rows);
    console.log(`load after: ${load()}`);
    if (clientProfile) writeFileSync(clientProfile, JSON.stringify((await cdp.send('Profiler.stop')).profile));
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
    await server.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runPagedClearBench();
