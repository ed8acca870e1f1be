/**
 * Exports under load: a 20k-row events sheet, 40 CSV exports at once, and how long `/healthz` takes
 * meanwhile. `npx tsx bench/export-load.ts` (EXPORTS, ROWS to change the load). Prints numbers; not a test.
 */
import { performance } from 'node:perf_hooks';
import { getSheet, insertRow } from '../model/document';
import { newRowId } from '../model/ids';
import { api, connectSynced } from '../test/helpers/clients';
import { startBenchServer } from './server';
import { waitFor } from '../test/helpers/wait';
import { eventRow, prng } from './rows';
import { percentile } from './stats';

const ROWS = Number(process.env.ROWS ?? 20_000);
const EXPORTS = Number(process.env.EXPORTS ?? 40);

async function timed(url: string): Promise<number> {
  const start = performance.now();
  await (await fetch(url)).arrayBuffer();
  return performance.now() - start;
}

const server = await startBenchServer({ env: { LOG_LEVEL: 'warn', DOC_IDLE_MS: '600000' } });
try {
  const writer = await connectSynced(server, 'demo');
  const events = getSheet(writer.doc, 'events')!;
  const rand = prng(4);
  for (let done = 0; done < ROWS; done += 1000) {
    writer.doc.transact(() => {
      for (let i = 0; i < 1000; i++) insertRow(events, newRowId(), eventRow(rand, done + i));
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  await waitFor(async () => {
    const { body } = await api(server, '/api/datasets/demo');
    return (body.sheets as Array<{ id: string; rowCount: number }>).find((s) => s.id === 'events')!.rowCount >= ROWS;
  }, { timeoutMs: 120_000, what: 'all rows stored' });
  writer.destroy();

  const idle: number[] = [];
  for (let i = 0; i < 20; i++) idle.push(await timed(`${server.url}/healthz`));

  const started = performance.now();
  let running = EXPORTS;
  const exports = Array.from({ length: EXPORTS }, async () => {
    const res = await fetch(`${server.url}/api/datasets/demo/sheets/events/export?format=csv`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    const bytes = (await res.arrayBuffer()).byteLength;
    running--;
    return { status: res.status, bytes, ms: performance.now() - started };
  });
  const busy: number[] = [];
  while (running > 0) busy.push(await timed(`${server.url}/healthz`));
  const results = await Promise.all(exports);

  const fmt = (samples: number[]) => { const xs = [...samples].sort((a, b) => a - b); return `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (${xs.length} samples)`; };
  console.log(`${ROWS} rows, ${EXPORTS} CSV exports at once`);
  console.log(`  /healthz idle:          ${fmt(idle)}`);
  console.log(`  /healthz during export: ${fmt(busy)}`);
  console.log(`  exports: statuses ${[...new Set(results.map((r) => r.status))].join(',')}, ${(results[0]!.bytes / 1e6).toFixed(1)} MB each, first done ${Math.min(...results.map((r) => r.ms)).toFixed(0)} ms, all done ${Math.max(...results.map((r) => r.ms)).toFixed(0)} ms`);
} finally {
  await server.dispose();
}
