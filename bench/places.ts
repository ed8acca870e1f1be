/**
 * Places (docs/places.md): the gazetteer behind `GET /api/places`, in a fresh Node process of its own so
 * that its memory is its own. Measures the first load as the server does it, in a worker thread (time,
 * and the longest the main thread's event loop waited meanwhile), what the gazetteer keeps in memory
 * once loaded (heap and array buffers after a full GC),
 * and the time of a search, typed as a coder types: every prefix of 40 place names, alone and narrowed
 * to their country, after one warm-up pass. Targets: p95 < 20 ms, memory < 60 MiB. Never asserts.
 *
 * `npm run bench -- places`, or alone: `node --expose-gc --import tsx bench/places.ts --child`.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { int, mib, ms, percentile, table } from './stats';

/** Names a coder of the seed article and of wider news would type, with the country a row would give. */
const NAMES: Array<[string, string]> = [
  ['Seoul', 'KOR'], ['Pyongyang', 'PRK'], ['Rio', 'BRA'], ['Rio de Janeiro', 'BRA'], ['Sao Paulo', 'BRA'], ['Baengnyeong', 'KOR'],
  ['Yeonpyeong', 'KOR'], ['Panmunjom', 'KOR'], ['Kaesong', 'PRK'], ['Busan', 'KOR'], ['Beijing', 'CHN'], ['Shanghai', 'CHN'],
  ['Washington', 'USA'], ['San Francisco', 'USA'], ['New York', 'USA'], ['Moscow', 'RUS'], ['Vladivostok', 'RUS'], ['Tokyo', 'JPN'],
  ['Osaka', 'JPN'], ['Kyiv', 'UKR'], ['Kharkiv', 'UKR'], ['Gaza', 'PSE'], ['Khan Younis', 'PSE'], ['Tel Aviv', 'ISR'], ['Beirut', 'LBN'],
  ['Damascus', 'SYR'], ['Aleppo', 'SYR'], ['Khartoum', 'SDN'], ['El Fasher', 'SDN'], ['Goma', 'COD'], ['Mogadishu', 'SOM'],
  ['Bamako', 'MLI'], ['Port-au-Prince', 'HTI'], ['Bogotá', 'COL'], ['Caracas', 'VEN'], ['Mexico City', 'MEX'], ['Kabul', 'AFG'],
  ['Karachi', 'PAK'], ['Dhaka', 'BGD'], ['Naypyidaw', 'MMR'],
];

interface ChildResult {
  loadMs: number;
  places: number;
  heapMiB: number;
  buffersMiB: number;
  queries: number;
  world: number[];
  country: number[];
  firstMs: number;
  loopMaxMs: number;
  served: number[];
  first: Array<[string, string]>;
}

/** Every prefix of every name, as typed, alone and narrowed to the name's country. */
function typedQueries(): Array<[string, string | undefined]> {
  const queries: Array<[string, string | undefined]> = [];
  for (const [name, country] of NAMES) {
    for (let n = 1; n <= name.length; n++) queries.push([name.slice(0, n), undefined], [name.slice(0, n), country]);
  }
  return queries;
}

async function child(): Promise<void> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc');
  // Twice, a turn apart: what a stream or a timer still held after the first is gone by the second.
  const gc = async () => {
    collect();
    await new Promise((resolve) => setImmediate(resolve));
    collect();
  };
  const { Gazetteer } = await import('../server/places/gazetteer');
  const { searchPlaces } = await import('../server/places/search');
  const queries = typedQueries();

  // The gazetteer itself, in this thread: what it keeps, and what a search costs.
  await gc();
  const before = process.memoryUsage();
  let start = performance.now();
  let g: InstanceType<typeof Gazetteer> | null = await Gazetteer.load();
  const loadMs = performance.now() - start;
  await gc();
  const after = process.memoryUsage();
  for (const [q, country] of queries) g.search(q, { country, limit: 20 });
  const world: number[] = [];
  const narrowed: number[] = [];
  for (const [q, country] of queries) {
    const t = performance.now();
    g.search(q, { country, limit: 20 });
    (country === undefined ? world : narrowed).push(performance.now() - t);
  }
  const places = g.size;
  const first = NAMES.slice(0, 6).map(([name]): [string, string] => [name, `${g!.search(name, { limit: 1 })[0]?.name ?? '—'}`]);
  g = null;
  await gc();

  // As the server searches: through its worker thread, the first search reading the gazetteer.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  start = performance.now();
  await searchPlaces('Seoul', { limit: 20 });
  const firstMs = performance.now() - start;
  loop.disable();
  const served: number[] = [];
  for (const [q, country] of queries) {
    const t = performance.now();
    await searchPlaces(q, { country, limit: 20 });
    served.push(performance.now() - t);
  }
  const result: ChildResult = {
    loadMs, places, heapMiB: (after.heapUsed - before.heapUsed) / 2 ** 20, buffersMiB: (after.arrayBuffers - before.arrayBuffers) / 2 ** 20,
    queries: queries.length, world, country: narrowed, firstMs, loopMaxMs: loop.max / 1e6, served, first,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'places.ts'), '--child'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    proc.on('error', reject);
    proc.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as ChildResult) : reject(new Error(`the places bench exited with ${code}`))));
  });
}

export async function runPlacesBench(log: (line: string) => void): Promise<void> {
  log('  loading the gazetteer in a fresh process and searching…');
  const r = await runChild();
  const stats = (values: number[]) => {
    const sorted = Float64Array.from(values).sort();
    return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
  };
  const row = (label: string, values: number[]) => {
    const s = stats(values);
    return [label, int(s.count), ms(s.p50, 2), ms(s.p95, 2), ms(s.p99, 2), ms(s.max, 2)];
  };
  console.log();
  console.log(table(
    ['places', 'read in one thread', 'heap kept', 'array buffers kept', 'first search through the worker', 'main event loop held at most meanwhile'],
    [[int(r.places), ms(r.loadMs, 0), mib(r.heapMiB * 2 ** 20), mib(r.buffersMiB * 2 ** 20), ms(r.firstMs, 0), ms(r.loopMaxMs)]],
  ));
  console.log();
  console.log(table(
    ['searches (limit 20, as typed)', 'count', 'p50', 'p95', 'p99', 'max'],
    [
      row('search itself, the whole world', r.world), row('search itself, in the row\'s country', r.country),
      row('through the worker (what GET /api/places waits)', r.served),
    ],
  ));
  console.log(`Targets: p95 < 20 ms, kept memory (heap + array buffers) < 60 MiB. First answers: ${r.first.map(([q, a]) => `${q} → ${a}`).join(', ')}.`);
  console.log(`load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')} (above the core count, the numbers are disturbed)`);
}

if (process.argv.includes('--child')) {
  child().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
