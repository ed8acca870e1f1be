/**
 * `npm run bench [-- fanout|multi|scale|sources|import|pages|bundle|million|million-out|places|duplicates|anchors|paged-clear|convert ...]`: runs the server benchmarks (docs/benchmarks.md) against Tessera and its peers
 * (the official y-websocket server and Hocuspocus) and prints tables and ratios, the multi-instance fan-out (Tessera on
 * PostgreSQL + Redis with 1, 2 and 3 instances, Hocuspocus with its Redis extension on 2), and the sources and import
 * benchmarks (Tessera only; the import one: typing latency during a large import, against the same typing alone). Never asserts.
 *
 * Env: BENCH_QUICK=1 (short runs, 10k rows), BENCH_PEERS=tessera,hocuspocus,y-websocket,
 * BENCH_CLIENTS=40,100,500@1 (clients, @ edits/s per client, 5 unless given), BENCH_SECONDS=20, BENCH_ROWS=100000,
 * BENCH_SOURCES=2000; duplicates: DUPLICATE_ROWS=100000, BENCH_DUPLICATE_PATHS=kept,swept; multi: BENCH_MULTI_CLIENTS=40@5, BENCH_INSTANCES=1,2,3,
 * BENCH_PG_URL=postgres://postgres@127.0.0.1:5432 (a server, no database), BENCH_REDIS_URL=redis://127.0.0.1:6379.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { type Deliveries, type FanoutOptions, type FanoutResult, runFanout } from './fanout';
import { runBundleBench } from './bundle';
import { runImportBench } from './import';
import { runConvertBench } from './convert';
import { duplicatesPaths, runDuplicatesBench } from './duplicates';
import { runSourceAnchorsBench } from './source-anchors';
import { runPagedClearBench } from './paged-clear';
import { runPagesBench } from './pages';
import { runPlacesBench } from './places';
import { runMillion } from './million';
import { runMillionOut } from './million-out';
import { type MultiOptions, multiUnavailable, runMulti, warmUpMulti } from './multi';
import { PEERS, type Peer } from './peers';
import { runScale, runScaleRows, type ScaleOptions, type ScaleResult } from './scale';
import { runSources } from './sources';
import { int, mib, ms, pct, ratio, seconds, table } from './stats';

const BENCHMARKS = ['fanout', 'multi', 'scale', 'sources', 'import', 'pages', 'bundle', 'million', 'million-out', 'places', 'duplicates', 'anchors', 'paged-clear', 'convert'] as const;
type Benchmark = (typeof BENCHMARKS)[number];

const quick = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
const numberEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

function selectedBenchmarks(): Benchmark[] {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = args.filter((a) => !(BENCHMARKS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${BENCHMARKS.join(', ')}`);
    process.exit(2);
  }
  return args.length > 0 ? (args as Benchmark[]) : [...BENCHMARKS];
}

function selectedPeers(): Peer[] {
  const wanted = process.env.BENCH_PEERS?.split(',').map((s) => s.trim()).filter(Boolean);
  // BENCH_PEERS also sets the order in which they run.
  let peers = wanted ? wanted.flatMap((id) => PEERS.filter((p) => p.id === id)) : [...PEERS];
  if (peers.some((p) => p.id === 'tessera') && !existsSync('server/main.ts')) {
    console.log('NOTE: server/main.ts does not exist yet: Tessera is skipped.\n');
    peers = peers.filter((p) => p.id !== 'tessera');
  }
  return peers;
}

const log = (line: string) => console.log(line);

function printProblems(results: readonly { label: string; problems: string[]; error?: string }[]): void {
  for (const r of results) {
    if (r.error) console.log(`  ${r.label}: FAILED: ${r.error}`);
    for (const p of r.problems) console.log(`  ${r.label}: ${p}`);
  }
}

async function fanout(peers: readonly Peer[]): Promise<void> {
  const loads = (process.env.BENCH_CLIENTS ?? '40,100,500@1').split(',').map((load) => {
    const [clients, rate] = load.split('@').map(Number);
    return { clients: clients as number, rate: rate ?? 5 };
  }).filter(({ clients, rate }) => clients > 1 && rate > 0);
  const options: Omit<FanoutOptions, 'clients'> = {
    rate: 5,
    warmupMs: quick ? 1_000 : 3_000,
    measureMs: numberEnv('BENCH_SECONDS', quick ? 5 : 20) * 1000,
    drainMs: quick ? 5_000 : 10_000,
  };
  console.log(`\n## Fan-out: clients × edits/s each (${loads.map((l) => `${l.clients} × ${l.rate}`).join(', ')}) on one document, ${options.measureMs / 1000} s measured after ${options.warmupMs / 1000} s warm-up`);
  console.log('Latency = time from a client setting a cell until each other client observes it (all clients in this process).');
  console.log('CPU columns are % of one core over the measured window (the machine has ' + cpus().length + '); "client lag p99" is the event-loop');
  console.log('delay of the client process: when it is high, the clients (not the server) add the latency; "other CPU" is');
  console.log('everything else running on the machine meanwhile: when it is high, the numbers are disturbed.\n');
  // The first run in a fresh process is slower (JIT, heap growth); a discarded run keeps that off the peers.
  const warmPeer = peers.find((p) => p.id === 'y-websocket') ?? peers[0];
  if (warmPeer && loads.length > 0) {
    log(`  warming up this process: ${warmPeer.label}, ${loads[0]!.clients} clients, ${quick ? 3 : 8} s (discarded)…`);
    await runFanout(warmPeer, { ...options, ...loads[0]!, warmupMs: 0, measureMs: quick ? 3_000 : 8_000, drainMs: 2_000 });
  }
  const all: FanoutResult[] = [];
  for (const load of loads) {
    for (const peer of peers) {
      log(`  running ${peer.label} with ${load.clients} clients × ${load.rate} edits/s…`);
      all.push(await runFanout(peer, { ...options, ...load }));
    }
  }
  console.log();
  console.log(
    table(
      ['server', 'clients', 'edits/s each', 'edits/s', 'delivered / expected', 'missing', 'p50', 'p99', 'max', 'server CPU', 'client CPU', 'client lag p99', 'other CPU', 'server RSS'],
      all.map((r) => [
        r.label, String(r.clients), String(r.rate), r.error ? 'FAILED' : int(r.sendRate), `${int(r.delivered)} / ${int(r.expected)}`,
        int(r.expected - r.delivered), ms(r.latency.p50), ms(r.latency.p99), ms(r.latency.max), pct(r.serverCpu),
        pct(r.clientCpu), ms(r.clientLag), pct(Math.max(0, r.otherCpu)), mib(r.memory?.rss),
      ]),
    ),
  );
  const ours = all.filter((r) => r.peer === 'tessera' && !r.error);
  if (ours.length > 0 && all.some((r) => r.peer !== 'tessera')) {
    console.log('\nRatios (Tessera ÷ peer; below 1 is better for Tessera):');
    const rows: string[][] = [];
    for (const t of ours) {
      const others = all.filter((r) => r.peer !== 'tessera' && r.clients === t.clients && r.rate === t.rate && !r.error);
      for (const o of others) rows.push([`${t.clients} clients`, `vs ${o.label}`, ratio(t.latency.p50, o.latency.p50), ratio(t.latency.p99, o.latency.p99)]);
      const best = others.reduce<FanoutResult | undefined>((b, r) => (b === undefined || r.latency.p99 < b.latency.p99 ? r : b), undefined);
      if (best && others.length > 1) rows.push([`${t.clients} clients`, `vs best peer (${best.label})`, ratio(t.latency.p50, best.latency.p50), ratio(t.latency.p99, best.latency.p99)]);
    }
    if (rows.length > 0) console.log(table(['load', 'compared with', 'p50', 'p99'], rows));
  }
  printProblems(all);
}

const latencies = (d: Deliveries) => `${ms(d.latency.p50)} / ${ms(d.latency.p99)}`;
const deliveredOf = (d: Deliveries) => (d.expected === 0 ? '—' : `${int(d.delivered)} / ${int(d.expected)}`);

async function multi(peers: readonly Peer[]): Promise<void> {
  const [clients = Number.NaN, rate = 5] = (process.env.BENCH_MULTI_CLIENTS ?? '40@5').split('@').map(Number);
  const withTessera = peers.some((p) => p.id === 'tessera');
  const options: MultiOptions = {
    clients: clients > 1 ? clients : 40,
    rate: rate > 0 ? rate : 5,
    warmupMs: quick ? 1_000 : 3_000,
    measureMs: numberEnv('BENCH_SECONDS', quick ? 5 : 20) * 1000,
    drainMs: quick ? 5_000 : 10_000,
    instances: withTessera ? (process.env.BENCH_INSTANCES ?? '1,2,3').split(',').map(Number).filter((k) => k > 0) : [],
    hocuspocusInstances: peers.some((p) => p.id === 'hocuspocus')
      ? (process.env.BENCH_HOCUSPOCUS_INSTANCES ?? '2').split(',').map(Number).filter((k) => k > 0) : [],
    pgUrl: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432',
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
  console.log(`\n## Multi-instance fan-out: ${options.clients} clients × ${options.rate} edits/s on one document served by several processes sharing PostgreSQL and Redis, ${options.measureMs / 1000} s measured after ${options.warmupMs / 1000} s warm-up`);
  console.log('Clients connect to the instances round-robin. Latency as in the fan-out, split into deliveries between clients');
  console.log('of the same instance and of different instances (these cross Redis); "delivered / expected" counts the edits of');
  console.log('the measured window that arrived within the drain; "converged": clients whose document (state vector and edited');
  console.log('cells) equals the first client\'s at the end. Server CPU and RSS: all instances together; PostgreSQL and Redis');
  console.log('are in "other CPU". Each run has its own database and Redis prefix.\n');
  const unavailable = await multiUnavailable(options);
  if (unavailable) {
    console.log(`  skipped: ${unavailable}`);
    return;
  }
  if (options.instances.length === 0 && options.hocuspocusInstances.length === 0) {
    console.log('  skipped: neither Tessera nor Hocuspocus is among BENCH_PEERS');
    return;
  }
  if (withTessera) {
    log(`  warming up this process: Tessera on PostgreSQL, 1 instance, ${quick ? 3 : 8} s (discarded)…`);
    await warmUpMulti({ ...options, warmupMs: 0, measureMs: quick ? 3_000 : 8_000, drainMs: 2_000 });
  }
  const all = await runMulti(options, log);
  console.log();
  console.log(
    table(
      ['server', 'instances', 'edits/s', 'same instance: delivered / expected', 'p50 / p99', 'across instances: delivered / expected', 'p50 / p99', 'converged', 'server CPU', 'client CPU', 'client lag p99', 'other CPU', 'server RSS'],
      all.map((r) => [
        r.label, String(r.instances), r.error ? 'FAILED' : int(r.sendRate), deliveredOf(r.same), latencies(r.same),
        deliveredOf(r.cross), r.cross.expected === 0 ? '—' : latencies(r.cross), `${r.converged} / ${r.clients}`,
        pct(r.serverCpu), pct(r.clientCpu), ms(r.clientLag), pct(Math.max(0, r.otherCpu)), mib(r.memory?.rss),
      ]),
    ),
  );
  for (const r of all) {
    if (r.serverCpuEach && r.serverCpuEach.length > 1) console.log(`  ${r.label}, ${r.instances} instances: CPU per instance ${r.serverCpuEach.map(pct).join(', ')}`);
  }
  // Each server's CPU for the same load against its own on one instance, where both were measured.
  const scaling = all.filter((r) => !r.error && r.instances > 1).flatMap((r) => {
    const one = all.find((o) => o.peer === r.peer && o.instances === 1 && !o.error);
    return one ? [[r.label, `${r.instances} instances`, ratio(r.serverCpu, one.serverCpu)]] : [];
  });
  if (scaling.length > 0) {
    console.log('\nServer CPU for the same load, against the same server on one instance:');
    console.log(table(['server', 'instances', 'CPU ÷ one instance\'s'], scaling));
  }
  // Each Tessera run against Hocuspocus on as many instances, where it ran so (else on 2).
  const hpOn = (instances: number) => all.find((r) => r.peer === 'hocuspocus' && !r.error && r.instances === instances);
  const pairs = all.filter((r) => r.peer === 'tessera' && !r.error && r.instances > 1).flatMap((t) => {
    const hp = hpOn(t.instances) ?? hpOn(2);
    return hp ? [{ t, hp }] : [];
  });
  if (pairs.length > 0) {
    console.log('\nRatios (Tessera ÷ Hocuspocus; below 1 is better for Tessera):');
    console.log(table(
      ['Tessera', 'Hocuspocus', 'same instance p50', 'p99', 'across instances p50', 'p99'],
      pairs.map(({ t, hp }) => [
        `${t.instances} instances`, `${hp.instances} instances`, ratio(t.same.latency.p50, hp.same.latency.p50), ratio(t.same.latency.p99, hp.same.latency.p99),
        ratio(t.cross.latency.p50, hp.cross.latency.p50), ratio(t.cross.latency.p99, hp.cross.latency.p99),
      ]),
    ));
  }
  printProblems(all.map((r) => ({ ...r, label: `${r.label}, ${r.instances} instance(s)` })));
  console.log(`load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')} (above the core count, the numbers are disturbed)`);
}

async function scale(peers: readonly Peer[]): Promise<void> {
  const options: ScaleOptions = { rows: numberEnv('BENCH_ROWS', quick ? 10_000 : 100_000), batch: 1000 };
  const layouts = (process.env.BENCH_SCALE_LAYOUTS ?? 'document,rows').split(',').map((l) => l.trim());
  console.log(`\n## Scale: ${int(options.rows)} rows × 14 columns in the events sheet, built by one client in transactions of ${options.batch} rows`);
  console.log('(Tessera\'s dataset in the document layout, one Yjs document for it); Tessera\'s rows layout (a document per row) imports the');
  console.log('rows as one CSV through the import route instead.');
  console.log('build+replicate: first batch until a second client held every row (rows layout: the upload until the import answered);');
  console.log('quiet after: from then until the server stayed under 5% of a core (its indexes built; over a window longer than the');
  console.log('pause after which a large sheet\'s indexes are built); stop: SIGTERM until exit;');
  console.log('restart: spawn until HTTP answers; cold sync: a new client connecting after the restart until synced = state received');
  console.log('(server work and transfer) + client apply (the client integrating the state: the same work whatever the server);');
  console.log('rows layout instead: first page = GET …/rows?offset=0&limit=100 after the restart, request until its body was read;');
  console.log('row sync = then a stock client of one row\'s room (a row not on that page) until synced; other CPU: the rest of the');
  console.log('machine meanwhile, % of one core; RSS after sync: after the cold sync (rows layout: the first page and the row sync).');
  const skipped = peers.filter((p) => !p.persistent);
  for (const p of skipped) console.log(`  ${p.label}: skipped (no persistence, nothing to restart from)`);
  const results: ScaleResult[] = [];
  for (const peer of peers.filter((p) => p.persistent)) {
    const tessera = peer.id === 'tessera';
    if (!tessera || layouts.includes('document')) results.push(await runScale(peer, options, log));
    if (tessera && layouts.includes('rows')) results.push(await runScaleRows(peer, options, log));
  }
  const dash = (value: string, applies: boolean) => (applies ? value : '—');
  // A page or one row against a whole document's sync is hundreds of times less: two significant digits, not two decimals.
  const times = (a: number | undefined, b: number | undefined) => {
    const shown = ratio(a, b);
    return shown !== '—' && a! / b! < 0.1 ? `${(a! / b!).toPrecision(2)}×` : shown;
  };
  console.log();
  console.log(
    table(
      ['server', 'Yjs state', 'build+replicate', 'quiet after', 'stop', 'restart', 'cold sync', 'state received', 'client apply', 'first page', 'row sync', 'other CPU', 'rows synced', 'RSS idle', 'RSS after sync', 'peak RSS (HWM)'],
      results.map((r) => {
        const rows = r.layout === 'rows';
        return [
          r.label, dash(`${(r.stateBytes / 1e6).toFixed(1)} MB`, !rows), seconds(r.replicateMs), seconds(r.quietMs ?? Number.NaN), seconds(r.stopMs), seconds(r.restartMs),
          seconds(r.coldSyncMs), seconds(r.stateReceivedMs), seconds(r.clientApplyMs), r.firstPage ? ms(r.firstPage.ms, 0) : '—', r.rowSync ? ms(r.rowSync.ms, 0) : '—', pct(r.otherCpu),
          rows ? `${int(r.rowsAfterSync)} of ${int(r.firstPage?.total ?? Number.NaN)}` : int(r.rowsAfterSync), mib(r.idle?.rss), mib(r.afterSync?.rss), mib(r.afterSync?.hwm),
        ];
      }),
    ),
  );
  const exports = results.filter((r) => r.export);
  if (exports.length > 0) {
    console.log();
    console.log(
      table(
        ['server', 'CSV export', 'records', 'size', 'RSS before', 'peak RSS during', 'growth'],
        exports.map((r) => {
          const e = r.export!;
          return [r.label, seconds(e.ms), int(e.records), `${(e.bytes / 1e6).toFixed(1)} MB`, mib(e.rssBefore), mib(e.peakRss), mib(e.peakRss - (e.rssBefore ?? Number.NaN))];
        }),
      ),
    );
  }
  const ours = results.find((r) => r.peer === 'tessera' && r.layout === 'document' && !r.error);
  const rowsLayout = results.find((r) => r.peer === 'tessera' && r.layout === 'rows' && !r.error);
  const hp = results.find((r) => r.peer === 'hocuspocus' && !r.error);
  const growth = (r: ScaleResult | undefined) => (r?.export ? r.export.peakRss - (r.export.rssBefore ?? Number.NaN) : undefined);
  if ((ours || rowsLayout) && hp) {
    console.log('\nRatios (Tessera ÷ Hocuspocus; target ≤ 0.50; the rows layout\'s first page and row sync against the cold sync):');
    console.log(
      table(
        ['metric', ...(ours ? ['document layout'] : []), ...(rowsLayout ? ['rows layout'] : [])],
        [
          ['restart', times(ours?.restartMs, hp.restartMs), times(rowsLayout?.restartMs, hp.restartMs)],
          ['cold sync time (rows layout: first page)', times(ours?.coldSyncMs, hp.coldSyncMs), times(rowsLayout?.firstPage?.ms, hp.coldSyncMs)],
          ['rows layout: one row\'s sync ÷ cold sync', '—', times(rowsLayout?.rowSync?.ms, hp.coldSyncMs)],
          ['RSS after sync', times(ours?.afterSync?.rss, hp.afterSync?.rss), times(rowsLayout?.afterSync?.rss, hp.afterSync?.rss)],
          ['peak RSS (HWM) after sync', times(ours?.afterSync?.hwm, hp.afterSync?.hwm), times(rowsLayout?.afterSync?.hwm, hp.afterSync?.hwm)],
        ].map(([metric, doc, rows]) => [metric!, ...(ours ? [doc!] : []), ...(rowsLayout ? [rows!] : [])]),
      ),
    );
  }
  if (ours && rowsLayout) {
    console.log(`\n${int(options.rows)} rows, Tessera's rows layout against its document layout (÷; below 1 is better for the rows layout):`);
    console.log(
      table(
        ['metric', 'rows layout', 'document layout', 'ratio'],
        [
          ['build (import / client build+replicate)', seconds(rowsLayout.replicateMs), seconds(ours.replicateMs), times(rowsLayout.replicateMs, ours.replicateMs)],
          ['restart', seconds(rowsLayout.restartMs), seconds(ours.restartMs), times(rowsLayout.restartMs, ours.restartMs)],
          ['first rows: first page / cold sync', ms(rowsLayout.firstPage?.ms ?? Number.NaN, 0), seconds(ours.coldSyncMs), times(rowsLayout.firstPage?.ms, ours.coldSyncMs)],
          ['first sync: one row / cold sync', ms(rowsLayout.rowSync?.ms ?? Number.NaN, 0), seconds(ours.coldSyncMs), times(rowsLayout.rowSync?.ms, ours.coldSyncMs)],
          ['RSS idle', mib(rowsLayout.idle?.rss), mib(ours.idle?.rss), times(rowsLayout.idle?.rss, ours.idle?.rss)],
          ['RSS after sync', mib(rowsLayout.afterSync?.rss), mib(ours.afterSync?.rss), times(rowsLayout.afterSync?.rss, ours.afterSync?.rss)],
          ['CSV export', seconds(rowsLayout.export?.ms ?? Number.NaN), seconds(ours.export?.ms ?? Number.NaN), times(rowsLayout.export?.ms, ours.export?.ms)],
          ['CSV export: RSS growth', mib(growth(rowsLayout)), mib(growth(ours)), times(growth(rowsLayout), growth(ours))],
        ],
      ),
    );
  }
  for (const r of [ours, rowsLayout]) {
    if (r?.export) console.log(`${r.label}: CSV export of ${int(options.rows)} rows ${seconds(r.export.ms)} (target ≤ 3 s for 100k rows)`);
  }
  printProblems(results);
  console.log(`load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')} (above the core count, the numbers are disturbed)`);
}

async function sources(): Promise<void> {
  const options = { sources: numberEnv('BENCH_SOURCES', quick ? 200 : 2_000), words: 5_000, anchors: 200 };
  console.log(`\n## Sources: ${int(options.sources)} sources × ${int(options.words)} words in one dataset (Tessera only; its peers keep no sources)`);
  console.log('Reads over HTTP with the admin token, one at a time, against the same reads straight from the SQLite file and');
  console.log('from plain files; the reading pane\'s highlight computation against a naive per-code-point one.');
  await runSources(options, log);
}

/** Tessera only: the web client's bytes per page. */
async function bundle(): Promise<void> {
  console.log('\n## Bytes per page: what Chromium downloads (scripts and stylesheets, nothing cached) to show each page (docs/bundle.md)');
  await runBundleBench(log);
}

/** Tessera only: the peers have no import. */
async function importBench(): Promise<void> {
  const rows = numberEnv('BENCH_ROWS', quick ? 10_000 : 100_000);
  const rate = 10;
  console.log(`\n## Import: a CSV of ${int(rows)} rows × 14 columns into the events sheet while a coder types ${rate} edits/s into the same dataset`);
  console.log('Latency = the coder\'s edit reaching a second client; the same typing without an import, in the same run, is the baseline.');
  const r = await runImportBench({ rows, rate, baselineMs: quick ? 5_000 : 10_000 }, log);
  console.log();
  console.log(table(
    ['rows', 'CSV', 'status', 'inserted', 'import time', 'RSS before', 'peak RSS during', 'RSS after'],
    [[int(r.rows), `${(r.csvBytes / 1e6).toFixed(1)} MB`, String(r.status), int(r.inserted), seconds(r.importMs), mib(r.rssBefore), mib(r.peakRss), mib(r.rssAfter)]],
  ));
  console.log();
  console.log(table(
    ['typing', 'edits', 'p50', 'p99', 'max'],
    [
      ['alone', int(r.baseline.count), ms(r.baseline.p50), ms(r.baseline.p99), ms(r.baseline.max)],
      ['during the import', int(r.during.count), ms(r.during.p50), ms(r.during.p99), ms(r.during.max)],
      ['/healthz during the import', int(r.healthz.count), ms(r.healthz.p50), ms(r.healthz.p99), ms(r.healthz.max)],
    ],
  ));
  console.log(`The two clients (this process) blocked their own event loop for at most ${ms(r.clientLoopMaxMs)} during the import (applying the imported rows): part of the typing latency.`);
  console.log(`load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')} (above the core count, the numbers are disturbed)`);
}

async function main(): Promise<void> {
  const benchmarks = selectedBenchmarks();
  const peers = selectedPeers();
  const cpu = cpus();
  console.log(`# Tessera server benchmarks${quick ? ' (quick mode)' : ''}`);
  console.log(`node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`);
  console.log(`peers: ${peers.map((p) => p.label).join(', ')}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const b of benchmarks) {
    if (b === 'fanout') await fanout(peers);
    else if (b === 'multi') await multi(peers);
    else if (b === 'scale') await scale(peers);
    else if (b === 'import') await importBench();
    else if (b === 'places') {
      console.log('\n## Places: the gazetteer behind GET /api/places (docs/places.md), in a fresh process');
      await runPlacesBench(log);
    }
    else if (b === 'pages') await runPagesBench({ importRows: quick ? 5_000 : 20_000, pageRows: numberEnv('BENCH_ROWS', quick ? 100_000 : 1_000_000) }, log);
    else if (b === 'duplicates') await runDuplicatesBench({ rows: numberEnv('DUPLICATE_ROWS', quick ? 10_000 : 100_000), paths: duplicatesPaths() }, log);
    else if (b === 'anchors') await runSourceAnchorsBench(numberEnv('ANCHOR_ROWS', quick ? 100_000 : 1_000_000), log);
    else if (b === 'paged-clear') await runPagedClearBench(numberEnv('BENCH_ROWS', 1000));
    else if (b === 'convert') await runConvertBench(numberEnv('BENCH_ROWS', quick ? 10_000 : 100_000), log);
    else if (b === 'bundle') await bundle();
    else if (b === 'million') {
      await runMillion({
        rows: numberEnv('BENCH_MILLION_ROWS', quick ? 100_000 : 1_000_000), byImport: process.env.BENCH_MILLION_FILL !== 'sql', browsers: numberEnv('BENCH_BROWSERS', 10), editors: numberEnv('BENCH_EDITORS', 10),
        datasets: numberEnv('BENCH_MILLION_DATASETS', quick ? 2 : 10),
      }, log);
    }
    else if (b === 'million-out') await runMillionOut(numberEnv('BENCH_MILLION_ROWS', quick ? 100_000 : 1_000_000), log);
    else await sources();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

