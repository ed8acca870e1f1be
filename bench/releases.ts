/**
 * Releases of a large sheet: the time to make one (a snapshot of every row, the package zip, stored),
 * its size, the download, the diff against the previous one after 100 edits, and `/healthz` latency
 * while a release is made (making one is a single synchronous step). `npx tsx bench/releases.ts`
 * (ROWS to change the size). Prints numbers; not a test.
 */
import { performance } from 'node:perf_hooks';
import { getSheet, insertRow, setCell } from '../model/document';
import { newRowId } from '../model/ids';
import { api, connectSynced } from '../test/helpers/clients';
import { startBenchServer } from './server';
import { waitFor } from '../test/helpers/wait';
import { eventRow, prng } from './rows';
import { percentile } from './stats';

const ROWS = Number(process.env.ROWS ?? 20_000);

const server = await startBenchServer({ env: { LOG_LEVEL: 'warn', DOC_IDLE_MS: '600000' } });
try {
  const writer = await connectSynced(server, 'demo');
  const events = getSheet(writer.doc, 'events')!;
  const rand = prng(7);
  const ids: string[] = [];
  for (let done = 0; done < ROWS; done += 1000) {
    writer.doc.transact(() => {
      for (let i = 0; i < 1000; i++) {
        const id = newRowId();
        ids.push(id);
        insertRow(events, id, eventRow(rand, done + i));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const stored = (n: number) => waitFor(async () => {
    const { body } = await api(server, '/api/datasets/demo');
    return (body.sheets as Array<{ id: string; rowCount: number }>).find((s) => s.id === 'events')!.rowCount >= n;
  }, { timeoutMs: 300_000, what: 'all rows stored' });
  await stored(ROWS);

  /** Makes a release while polling /healthz; returns its time and the health latencies meanwhile. */
  const release = async () => {
    const health: number[] = [];
    let done = false;
    const started = performance.now();
    const made = api(server, '/api/datasets/demo/releases', { body: {} }).then((r) => { done = true; return r; });
    while (!done) {
      const t = performance.now();
      await fetch(`${server.url}/healthz`);
      health.push(performance.now() - t);
    }
    const { status, body } = await made;
    return { status, version: body.version as string, ms: performance.now() - started, health: health.sort((a, b) => a - b) };
  };

  const first = await release();
  const t0 = performance.now();
  const zip = await (await fetch(`${server.url}/api/datasets/demo/releases/${first.version}/package.zip`, { headers: { authorization: `Bearer ${server.adminToken}` } })).arrayBuffer();
  const downloadMs = performance.now() - t0;

  writer.doc.transact(() => {
    for (let i = 0; i < 100; i++) setCell(events, ids[i * Math.floor(ROWS / 100)]!, 'location', `edited ${i}`);
    insertRow(events, newRowId(), eventRow(rand, ROWS));
  });
  await stored(ROWS + 1 + 9);
  const second = await release();
  const t1 = performance.now();
  const { body: diff } = await api(server, `/api/datasets/demo/releases/${second.version}/diff?from=${first.version}`);
  const diffMs = performance.now() - t1;
  writer.destroy();

  console.log(`${ROWS} event rows (+ the demo's 9 and 5)`);
  console.log(`  first release:  ${first.ms.toFixed(0)} ms (status ${first.status}); /healthz meanwhile p50 ${percentile(first.health, 50).toFixed(1)} ms, max ${Math.max(...first.health).toFixed(0)} ms`);
  console.log(`  package:        ${(zip.byteLength / 1e6).toFixed(2)} MB, downloaded in ${downloadMs.toFixed(0)} ms`);
  console.log(`  second release (with a changelog against the first): ${second.ms.toFixed(0)} ms; /healthz max ${Math.max(...second.health).toFixed(0)} ms`);
  console.log(`  diff of the two: ${diffMs.toFixed(0)} ms, ${diff.sheets.events.changed.length} changed cells, ${diff.sheets.events.added.length} added rows`);
} finally {
  await server.dispose();
}
