/**
 * Import under load: a CSV of ROWS × 14 columns imported into a dataset's events sheet while a coder
 * types into the same dataset (its statements sheet). Measures the import's time, the server's memory
 * (RSS before, peak during, after), and the latency of the coder's edits reaching a second client
 * (p50/p99/max) during the import, compared with the same typing without an import, in the same run.
 * `npm run bench -- import`, or `npx tsx bench/import.ts` (ROWS). Prints numbers; never asserts.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { stringify } from 'csv-stringify/sync';
import { getSheet, insertRow, sheetRows } from '../model/document';
import { newRowId } from '../model/ids';
import { api, connectSynced, type Client } from '../test/helpers/clients';
import { startBenchServer } from './server';
import { waitFor } from '../test/helpers/wait';
import { readMemory, sampleMemory, sleep } from './procs';
import { eventRow, prng } from './rows';
import { Samples, type Summary, summarize } from './stats';

export interface ImportBenchOptions {
  rows: number;
  /** Edits per second of the typing coder. */
  rate: number;
  /** How long the typing is measured without an import. */
  baselineMs: number;
}

export interface ImportBenchResult {
  rows: number;
  csvBytes: number;
  status: number;
  inserted: number;
  importMs: number;
  rssBefore: number | undefined;
  peakRss: number;
  rssAfter: number | undefined;
  baseline: Summary;
  during: Summary;
  /** `/healthz` asked one at a time during the import: how long the server itself keeps requests waiting. */
  healthz: Summary;
  /** The longest event-loop block of this (the clients') process during the import: latency it adds, not the server. */
  clientLoopMaxMs: number;
  /** Edits sent during the import, and how many of them arrived. */
  sentDuring: number;
  error?: string;
}

const DATASET = 'bench-import';

/** The CSV a team would import: the events sheet's 14 columns by id, multi joined with "; ". */
export function eventsCsv(rows: number): string {
  const rand = prng(12);
  const records: string[][] = [];
  let header: string[] | undefined;
  for (let i = 0; i < rows; i++) {
    const row = eventRow(rand, i);
    header ??= Object.keys(row);
    records.push(header.map((id) => {
      const value = row[id];
      return Array.isArray(value) ? value.join('; ') : value === null || value === undefined ? '' : String(value);
    }));
  }
  return stringify([header!, ...records], { record_delimiter: '\r\n', quote_record_delimiter: true });
}

/**
 * A coder typing into one statements cell `rate` times a second; the observer records when each edit
 * arrives. The value carries its sequence number, so merged deliveries count every edit they cover.
 */
function startTyping(typist: Client, observer: Client, rowId: string, rate: number) {
  const sent: number[] = [];
  const latencies = new Samples(4096);
  let seen = -1;
  const observed = sheetRows(getSheet(observer.doc, 'statements')!);
  const onChange = () => {
    const value = observed.get(rowId)?.get('topic');
    const seq = typeof value === 'string' ? Number(value.split(':')[0]) : Number.NaN;
    if (!Number.isInteger(seq) || seq <= seen) return;
    const now = performance.now();
    for (let k = seen + 1; k <= seq; k++) if (sent[k] !== undefined) latencies.push(now - sent[k]!);
    seen = seq;
  };
  observed.observeDeep(onChange);
  const typed = sheetRows(getSheet(typist.doc, 'statements')!);
  const timer = setInterval(() => {
    const seq = sent.length;
    sent.push(performance.now());
    typed.get(rowId)!.set('topic', `${seq}: typing while others import`);
  }, 1000 / rate);
  return {
    /** Starts a new window: the samples so far are dropped. */
    reset: () => { latencies.length = 0; return sent.length; },
    sentSince: (from: number) => sent.length - from,
    latencies: () => summarize(latencies.values()),
    async stop() {
      clearInterval(timer);
      await waitFor(() => seen === sent.length - 1, { timeoutMs: 30_000, what: 'the last edit delivered' }).catch(() => undefined);
      observed.unobserveDeep(onChange);
    },
  };
}

/** `/healthz` one request after another while `running()`, each request's time. */
export async function pollHealth(url: string, running: () => boolean): Promise<Summary> {
  const times = new Samples(4096);
  while (running()) {
    const started = performance.now();
    await fetch(`${url}/healthz`).then((res) => res.arrayBuffer());
    times.push(performance.now() - started);
    await sleep(50);
  }
  return summarize(times.values());
}

export async function runImportBench(options: ImportBenchOptions, log: (line: string) => void): Promise<ImportBenchResult> {
  const server = await startBenchServer({ env: { LOG_LEVEL: 'warn', DOC_IDLE_MS: '600000' } });
  const clients: Client[] = [];
  try {
    const created = await api(server, '/api/datasets', { body: { id: DATASET, name: 'Import bench', template: 'events-statements' } });
    if (created.status !== 201) throw new Error(`creating the dataset: ${created.status}`);
    const typist = await connectSynced(server, DATASET);
    const observer = await connectSynced(server, DATASET);
    clients.push(typist, observer);
    const rowId = newRowId();
    insertRow(getSheet(typist.doc, 'statements')!, rowId, { speaker: 'Bench', topic: 'start' });
    await waitFor(() => sheetRows(getSheet(observer.doc, 'statements')!).has(rowId), { what: 'the typed row' });

    log(`  making a CSV of ${options.rows} rows × 14 columns…`);
    const csv = eventsCsv(options.rows);
    const body = Buffer.from(csv, 'utf8');

    const typing = startTyping(typist, observer, rowId, options.rate);
    log(`  typing alone for ${options.baselineMs / 1000} s…`);
    await sleep(options.baselineMs);
    const baseline = typing.latencies();

    log('  importing while typing…');
    const pid = server.process.pid!;
    const rssBefore = readMemory(pid)?.rss;
    const from = typing.reset();
    const memory = sampleMemory(pid, 50);
    const clientLoop = monitorEventLoopDelay({ resolution: 10 });
    clientLoop.enable();
    let importing = true;
    const health = pollHealth(server.url, () => importing);
    const started = performance.now();
    const response = await fetch(`${server.url}/api/datasets/${DATASET}/sheets/events/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'text/csv' },
      body,
    });
    const report = await response.json() as { inserted?: number };
    const importMs = performance.now() - started;
    importing = false;
    clientLoop.disable();
    const healthz = await health;
    const sentDuring = typing.sentSince(from);
    const during = typing.latencies();
    await typing.stop();
    const peakRss = memory.stop();
    const rssAfter = readMemory(pid)?.rss;
    return {
      rows: options.rows, csvBytes: body.length, status: response.status, inserted: report.inserted ?? 0, importMs,
      rssBefore, peakRss, rssAfter, baseline, during, healthz, clientLoopMaxMs: clientLoop.max / 1e6, sentDuring,
    };
  } finally {
    for (const c of clients) c.destroy();
    await server.dispose();
  }
}

// `npx tsx bench/import.ts`
if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = Number(process.env.ROWS ?? 100_000);
  const { int, mib, ms, seconds } = await import('./stats');
  const r = await runImportBench({ rows, rate: Number(process.env.RATE ?? 10), baselineMs: Number(process.env.BASELINE_MS ?? 10_000) }, console.log);
  console.log(`${int(r.rows)} rows (${(r.csvBytes / 1e6).toFixed(1)} MB CSV): status ${r.status}, ${int(r.inserted)} inserted in ${seconds(r.importMs)}`);
  console.log(`  server RSS: before ${mib(r.rssBefore)}, peak during ${mib(r.peakRss)}, after ${mib(r.rssAfter)}`);
  console.log(`  typing alone:        p50 ${ms(r.baseline.p50)}, p99 ${ms(r.baseline.p99)}, max ${ms(r.baseline.max)} (${r.baseline.count} edits)`);
  console.log(`  typing during import: p50 ${ms(r.during.p50)}, p99 ${ms(r.during.p99)}, max ${ms(r.during.max)} (${r.during.count} edits)`);
  console.log(`  /healthz during import: p50 ${ms(r.healthz.p50)}, p99 ${ms(r.healthz.p99)}, max ${ms(r.healthz.max)} (${r.healthz.count}); the clients' own longest block ${ms(r.clientLoopMaxMs)}`);
  process.exit(0);
}
