/**
 * Sources: a dataset with BENCH_SOURCES sources (default 2,000; 200 with BENCH_QUICK) of 5,000 words each,
 * added over HTTP. Times listing them, searching their texts (`?q=`), opening one (GET with its text) and
 * the reading pane's highlight computation for a source with 200 overlapping anchors; and the server's
 * memory after loading them. Peers in the same run: the same reads straight from the SQLite file
 * (better-sqlite3, no HTTP) and from plain files, and a naive highlight computation. Never asserts.
 */
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codePointLength } from '../model/anchors';
import { segmentText } from '../client/sources/highlights';
import { ADMIN_TOKEN, DATASET, makeTempDir, tessera } from './peers';
import { collectGarbage } from './procs';
import { prng } from './rows';
import { int, mib, ms, ratio, summarize, table } from './stats';

export interface SourcesOptions {
  sources: number;
  words: number;
  anchors: number;
}

const WORDS = [
  'the', 'minister', 'said', 'on', 'Thursday', 'that', 'talks', 'would', 'resume', 'in', 'Seoul', 'and', 'Beijing', 'after', 'a',
  'missile', 'test', 'envoy', 'peninsula', 'dialogue', 'sanctions', 'agreed', 'to', 'continue', 'communicating', 'Pyongyang’s',
  '“constructive', 'role”', 'délégation', 'Zürich', 'naïve', '北京', '😀', 'security', 'council', 'statement', 'of', 'with',
];

/** A deterministic article: `words` words, some accented, CJK or emoji, in paragraphs with CRLF ends. */
export function articleText(seed: number, words: number): string {
  const rand = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    out.push(WORDS[Math.floor(rand() * WORDS.length)]!);
    if (i % 60 === 59) out.push('.\r\n\r\n');
    else out.push(' ');
  }
  return out.join('');
}

/** `count` anchors into a text of `length` code points: passages of 5 to 60 words' worth, many overlapping. */
export function randomAnchors(seed: number, length: number, count: number): Array<{ start: number; end: number; key: string }> {
  const rand = prng(seed);
  return Array.from({ length: count }, (_, i) => {
    const start = Math.floor(rand() * (length - 400));
    return { start, end: start + 30 + Math.floor(rand() * 350), key: `events/row${i}` };
  });
}

/** The obvious way: a list of code points, and each anchor's slice found by scanning the marks so far. */
function naiveHighlights(text: string, anchors: ReadonlyArray<{ start: number; end: number; key: string }>): number {
  const points = Array.from(text);
  const owners: Array<string[] | undefined> = new Array(points.length);
  for (const a of anchors) for (let i = a.start; i < a.end; i++) (owners[i] ??= []).push(a.key);
  let pieces = 0;
  for (let i = 1; i <= points.length; i++) if (i === points.length || owners[i]?.join() !== owners[i - 1]?.join()) pieces++;
  return pieces;
}

async function call(port: number, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/** Runs `fn` `times` times; the per-call times in ms. */
async function timeEach(times: number, fn: (i: number) => unknown): Promise<Float64Array> {
  const out = new Float64Array(times);
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await fn(i);
    out[i] = performance.now() - started;
  }
  return out;
}

export async function runSources(options: SourcesOptions, log: (line: string) => void): Promise<void> {
  const dir = makeTempDir('sources');
  const filesDir = join(dir.path, 'files');
  mkdirSync(filesDir);
  const server = await tessera.start(dir.path);
  try {
    await tessera.prepare(server);
    const port = server.port;
    const idle = server.process.memory();
    log(`  adding ${int(options.sources)} sources of ${int(options.words)} words…`);
    const ids: string[] = [];
    const started = performance.now();
    let bytes = 0;
    // Four requests at a time, as a few people adding sources at once.
    for (let i = 0; i < options.sources; i += 4) {
      const batch = Array.from({ length: Math.min(4, options.sources - i) }, (_, k) => i + k);
      const made = await Promise.all(batch.map(async (n) => {
        const text = articleText(n + 1, options.words);
        bytes += Buffer.byteLength(text);
        writeFileSync(join(filesDir, `${n}.txt`), text);
        const res = await call(port, `/api/datasets/${DATASET}/sources`, { title: `Article ${n + 1}`, text, outlet: 'Bench Wire', publishedAt: '2024-02-22' });
        if (res.status !== 201) throw new Error(`POST sources: ${res.status} ${res.text.slice(0, 200)}`);
        return JSON.parse(res.text).id as string;
      }));
      ids.push(...made);
    }
    const loadMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const loaded = server.process.memory();

    const sqlite = new Database(join(dir.path, 'tessera.db'), { readonly: true });
    const listSql = sqlite.prepare('select source_id, title, url, outlet, published_at, length, sha256 from sources where dataset_id = ? order by created_at, source_id');
    const textSql = sqlite.prepare('select text from sources where dataset_id = ? and source_id = ?');
    const searchSql = sqlite.prepare(`select source_id from sources where dataset_id = ? and (title like ? escape '\\' or text like ? escape '\\')`);
    const pick = prng(7);
    const some = Array.from({ length: 100 }, () => Math.floor(pick() * ids.length));

    let listBytes = 0;
    const list = await timeEach(20, async () => {
      const res = await call(port, `/api/datasets/${DATASET}/sources`);
      listBytes = res.text.length;
    });
    const listRaw = await timeEach(20, () => listSql.all(DATASET));
    const search = await timeEach(10, (i) => call(port, `/api/datasets/${DATASET}/sources?q=${encodeURIComponent(i % 2 ? 'Zürich naïve' : 'no such words')}`));
    const searchRaw = await timeEach(10, (i) => {
      const q = `%${i % 2 ? 'Zürich naïve' : 'no such words'}%`;
      return searchSql.all(DATASET, q, q);
    });
    const open = await timeEach(100, async (i) => {
      const res = await call(port, `/api/datasets/${DATASET}/sources/${ids[some[i]!]}`);
      if (res.status !== 200) throw new Error(`GET source: ${res.status}`);
    });
    const openRaw = await timeEach(100, (i) => textSql.get(DATASET, ids[some[i]!]));
    const openFile = await timeEach(100, (i) => readFileSync(join(filesDir, `${some[i]}.txt`), 'utf8'));
    sqlite.close();
    const afterReads = server.process.memory();

    const text = articleText(1, options.words);
    const length = codePointLength(text);
    const anchors = randomAnchors(3, length, options.anchors);
    let pieces = 0;
    // Warm both, then time.
    for (let i = 0; i < 20; i++) segmentText(text, anchors), naiveHighlights(text, anchors);
    collectGarbage();
    const highlight = await timeEach(200, () => { pieces = segmentText(text, anchors).length; });
    const naive = await timeEach(50, () => naiveHighlights(text, anchors));

    const p50 = (s: Float64Array) => summarize(s).p50;
    const p99 = (s: Float64Array) => summarize(s).p99;
    console.log();
    console.log(`${int(ids.length)} sources, ${(bytes / 1e6).toFixed(0)} MB of text (${int(bytes / ids.length / 1024)} KiB each), added in ${(loadMs / 1000).toFixed(1)} s`
      + ` (${int(ids.length / (loadMs / 1000))}/s, 4 at a time)`);
    console.log(table(
      ['operation', 'Tessera (HTTP) p50', 'p99', 'peer', 'peer p50', 'ratio'],
      [
        ['list (no texts)', ms(p50(list)), ms(p99(list)), 'SQLite select', ms(p50(listRaw)), ratio(p50(list), p50(listRaw))],
        ['search texts ?q=', ms(p50(search)), ms(p99(search)), 'SQLite LIKE', ms(p50(searchRaw)), ratio(p50(search), p50(searchRaw))],
        ['open one (with text)', ms(p50(open), 2), ms(p99(open), 2), 'SQLite select', ms(p50(openRaw), 3), ratio(p50(open), p50(openRaw))],
        ['open one (with text)', '', '', 'file read', ms(p50(openFile), 3), ratio(p50(open), p50(openFile))],
        [`highlights: ${options.anchors} anchors, ${int(options.words)} words → ${int(pieces)} pieces`, ms(p50(highlight), 2), ms(p99(highlight), 2),
          'naive (per code point)', ms(p50(naive), 2), ratio(p50(highlight), p50(naive))],
      ],
    ));
    console.log(`list answer: ${(listBytes / 1024).toFixed(0)} KiB. Highlights are computed in the browser (client/sources/highlights.ts), here in Node.`);
    console.log(table(
      ['server RSS', 'idle', 'after loading', 'after the reads'],
      [['Tessera', mib(idle?.rss), mib(loaded?.rss), mib(afterReads?.rss)]],
    ));
  } finally {
    await server.process.stop();
    dir.remove();
  }
}
