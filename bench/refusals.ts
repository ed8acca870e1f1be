/**
 * `npx tsx bench/refusals.ts`: what refused changes cost on a large dataset. Builds an events sheet of
 * BENCH_ROWS rows (default 20000) through a stock client, then sends five updates that break the document
 * layout (each a row that is not a map, from a fresh client id) over bare sockets, one after the other.
 * Prints how long each took to be refused (send → close 4400) and how slow /healthz answered meanwhile
 * (polled back to back). Never asserts.
 */
import http from 'node:http';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { getSheet, insertRow, sheetRows } from '../model/document';
import { newRowId } from '../model/ids';
import { ADMIN_TOKEN, DATASET, makeTempDir, tessera } from './peers';
import { sleep } from './procs';
import { eventRow, prng } from './rows';
import { int, ms, summarize, table } from './stats';

const ROWS = Number(process.env.BENCH_ROWS) || 20_000;
const REFUSALS = 5;
const BATCH = 1000;

/** A y-websocket sync update frame. */
function updateFrame(update: Uint8Array): Uint8Array {
  const frame = new Uint8Array(update.length + 8);
  let n = 0;
  frame[n++] = 0; // sync
  frame[n++] = 2; // update
  let len = update.length;
  while (len > 0x7f) {
    frame[n++] = (len & 0x7f) | 0x80;
    len >>>= 7;
  }
  frame[n++] = len;
  frame.set(update, n);
  return frame.subarray(0, n + update.length);
}

async function api(port: number, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** One GET /healthz on a new connection; resolves with its status. */
function healthz(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

/** Polls /healthz back to back until stopped; returns every answer's latency in ms. */
function pollHealth(port: number): { stop: () => Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const status = await healthz(port);
      if (status !== 200) throw new Error(`/healthz answered ${status}`);
      latencies.push(performance.now() - started);
      await sleep(5);
    }
  })();
  return { stop: async () => { running = false; await loop; return latencies; } };
}

/** Sends `update` over a bare socket as `token`'s user; resolves with the close code and the time it took. */
async function sendAndWaitForClose(port: number, token: string, update: Uint8Array): Promise<{ code: number; ms: number }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/${DATASET}?token=${encodeURIComponent(token)}`);
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const started = performance.now();
  ws.send(updateFrame(update));
  const code = await closed;
  return { code, ms: performance.now() - started };
}

async function main(): Promise<void> {
  const dir = makeTempDir('refusals');
  const server = await tessera.start(dir.path);
  try {
    await tessera.prepare(server);
    const writer = tessera.connect(server);
    await writer.whenSynced(30_000);
    const rand = prng(1);
    for (let start = 0; start < ROWS; start += BATCH) {
      writer.doc.transact(() => {
        const sheet = getSheet(writer.doc, 'events')!;
        for (let i = start; i < Math.min(ROWS, start + BATCH); i++) insertRow(sheet, newRowId(), eventRow(rand, i));
      });
    }
    const stored = async () => (await api(server.port, `/api/datasets/${DATASET}`)).sheets.find((s: { id: string }) => s.id === 'events').rowCount as number;
    // A stale keep-alive connection may be reset once: ask again.
    for (let deadline = performance.now() + 120_000; (await stored().catch(() => -1)) !== ROWS;) {
      if (performance.now() > deadline) throw new Error('rows not stored in time');
      await sleep(200);
    }
    const editor = (await api(server.port, '/api/users', { name: 'careless', role: 'editor' })) as { token: string };
    const base = Y.encodeStateAsUpdate(writer.doc);

    // Each violation from a fresh client on a copy of the document, so none depends on another.
    const violations: Uint8Array[] = [];
    for (let i = 0; i < REFUSALS; i++) {
      const copy = new Y.Doc();
      Y.applyUpdate(copy, base);
      let update: Uint8Array | null = null;
      copy.on('update', (u: Uint8Array) => { update = u; });
      (sheetRows(getSheet(copy, 'events')!) as unknown as Y.Map<unknown>).set(newRowId(), 'a row as plain text');
      violations.push(update!);
      copy.destroy();
    }

    const poller = pollHealth(server.port);
    await sleep(200);
    const refusals: Array<{ code: number; ms: number }> = [];
    const started = performance.now();
    for (const update of violations) refusals.push(await sendAndWaitForClose(server.port, editor.token, update));
    const totalMs = performance.now() - started;
    await sleep(200);
    const latencies = await poller.stop();
    const rowsAfter = await stored();
    writer.destroy();

    console.log(`${int(ROWS)} rows; ${REFUSALS} refusals one after the other\n`);
    console.log(table(['refusal', 'close code', 'send → close'], refusals.map((r, i) => [String(i + 1), String(r.code), ms(r.ms)])));
    console.log(`\nall ${REFUSALS}: ${ms(totalMs)}`);
    const health = summarize(Float64Array.from(latencies));
    console.log(`/healthz during them: ${health.count} answers, p50 ${ms(health.p50)}, p99 ${ms(health.p99)}, max ${ms(health.max)}`);
    console.log(`rows stored afterwards: ${int(rowsAfter)}`);
  } catch (error) {
    console.error(server.process.recentOutput());
    throw error;
  } finally {
    await server.process.stop();
    dir.remove();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
