/**
 * Where an import's memory goes: the import run in-process (the app on a temp SQLite file, the CSV
 * sent as a stream in 64 KiB chunks), with a full GC and the heap's numbers after each step (read,
 * match, warn, write), after the answer, after compacting its log (timed: one block), after the document is closed, and after the same rows are
 * loaded from the store into a document again; plus the longest event-loop block of each step.
 * `node --expose-gc --import tsx bench/import-memory.ts` (ROWS). Prints numbers; never asserts.
 */
import { subscribe } from 'node:diagnostics_channel';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { getSheet, sheetRows } from '../model/document';
import { importSteps } from '../server/import/import';
import { buildApp } from '../test/helpers/app';
import { eventsCsv } from './import';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)}`.padStart(5);
function measure(label: string): void {
  gc!();
  const m = process.memoryUsage();
  const h = getHeapStatistics();
  console.log(`${label.padEnd(22)} rss ${mib(m.rss)}  heapUsed ${mib(m.heapUsed)}  external ${mib(m.external)}  arrayBuffers ${mib(m.arrayBuffers)}  heapTotal ${mib(h.total_heap_size)} MiB`);
}

const rows = Number(process.env.ROWS ?? 100_000);
const app = await buildApp();
const created = await app.call('/api/datasets', { body: { id: 'mem', name: 'Import memory', template: 'events-statements' } });
if (created.status !== 201) throw new Error(`creating the dataset: ${created.status}`);
const body = Buffer.from(eventsCsv(rows), 'utf8');
console.log(`${rows} rows, ${(body.length / 1e6).toFixed(1)} MB CSV (held by this script)`);
measure('before');

let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); }, 20);
const loop = monitorEventLoopDelay({ resolution: 5 });
let stepStarted = performance.now();
subscribe(importSteps.name, (message) => {
  const { step } = message as { step: string };
  console.log(`${step}: ${((performance.now() - stepStarted) / 1000).toFixed(1)} s, event loop blocked at most ${(loop.max / 1e6).toFixed(0)} ms (p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms)`);
  measure(`after ${step}`);
  loop.reset();
  stepStarted = performance.now();
});
loop.enable();
const started = performance.now();
let offset = 0;
const stream = new ReadableStream<Uint8Array>({
  pull(controller) {
    if (offset >= body.length) { controller.close(); return; }
    controller.enqueue(new Uint8Array(body.subarray(offset, offset + 65536)));
    offset += 65536;
  },
});
const res = await app.app.request('/api/datasets/mem/sheets/events/import', {
  method: 'POST', body: stream, duplex: 'half',
  headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'text/csv', 'content-length': String(body.length) },
} as RequestInit);
const report = await res.json() as { inserted?: number };
const ms = performance.now() - started;
loop.disable();
clearInterval(sampler);
console.log(`status ${res.status}, ${report.inserted} inserted in ${(ms / 1000).toFixed(1)} s; peak RSS ${mib(peakRss)} MiB; event loop blocked at most ${(loop.max / 1e6).toFixed(0)} ms (p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms)`);
await new Promise((resolve) => setImmediate(resolve));
measure('after the answer');
// Folding the update log into one snapshot (the sync does it every 1000 logged updates) is one block.
const compactStarted = performance.now();
app.services.registry.with('mem', (shared) => shared.compact());
console.log(`compacting the log into a snapshot: one block of ${(performance.now() - compactStarted).toFixed(0)} ms`);
measure('after compacting');
// ArrayBuffers are freed by a sweeper after the collection: look again a moment later.
await new Promise((resolve) => setTimeout(resolve, 500));
measure('  and 0.5 s later');
app.services.registry.closeAll();
measure('document closed');
// The same rows loaded from the store into a document (hot), for comparison with the one the import built.
const reloaded = app.services.registry.with('mem', (shared) => shared.read((doc) => sheetRows(getSheet(doc, 'events')!).size));
measure(`reloaded (${reloaded} rows)`);
app.close();
