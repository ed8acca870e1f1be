/**
 * Converting a dataset from its whole document to rows by page (`npm run bench -- convert`, BENCH_ROWS rows,
 * 100,000 unless given): a `document` dataset of that many events rows is written straight into a SQLite
 * file (one commit, as a client would have made it), then the server converts it. Printed: the conversion's
 * time against what building the whole document from the same stored bytes takes in this process (what a
 * conversion that read the document would cost at least; this one reads the read model's sheets instead),
 * the server's RSS before, at its peak and after, the longest answer of `/healthz` while it ran, and the
 * first page of rows after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { getSheet, insertRow } from '../model/document';
import { ulid } from 'ulid';
import { openStorage } from '../db/open';
import { createDataset } from '../server/datasets';
import { Changes, observeDocument } from '../server/sync/changes';
import { events } from './duplicates';
import { readMemory, sampleMemory } from './procs';
import { startBenchServer } from './server';
import { mib, ms } from './stats';

const DATASET = 'growing';

/** Writes a `document` dataset holding `count` events rows into `dataDir`; returns the time to build its document from the store. */
async function fill(dataDir: string, count: number): Promise<number> {
  const { storage, close } = await openStorage({ dbFile: join(dataDir, 'tessera.db') });
  try {
    await createDataset(storage.datasets, { id: DATASET, name: 'Growing', template: 'events-statements', createdBy: null });
    const doc = new Y.Doc();
    for (const piece of (await storage.docs.load(DATASET)).updates) Y.applyUpdate(doc, piece);
    const changes = new Changes();
    const stop = observeDocument(doc, () => ({ changes, origin: { userId: null } }));
    const sheet = getSheet(doc, 'events')!;
    const now = Date.now() - 3_600_000;
    const rows = events(count);
    doc.transact(() => rows.forEach((row, i) => insertRow(sheet, ulid(now - count + i), row)));
    stop();
    await storage.docs.append(changes.toCommit(DATASET, doc));
    doc.destroy();
    // The floor: the whole document built from what is stored, as the conversion builds it.
    const started = performance.now();
    const stored = await storage.docs.load(DATASET);
    const built = new Y.Doc();
    built.transact(() => {
      for (const piece of [...(stored.snapshot ? [stored.snapshot] : []), ...stored.updates]) Y.applyUpdate(built, piece);
    });
    const floor = performance.now() - started;
    built.destroy();
    return floor;
  } finally {
    await close();
  }
}

export async function runConvertBench(count: number, log: (line: string) => void): Promise<void> {
  log(`\n## Converting a ${count.toLocaleString('en')}-row dataset from its whole document to rows by page (SQLite)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-convert-'));
  try {
    const filled = performance.now();
    const floor = await fill(dataDir, count);
    log(`- written in ${ms(performance.now() - filled, 0)}; its whole document built from the store in this process: ${ms(floor, 0)} (what reading the document would cost)`);
    const server = await startBenchServer({ dataDir });
    try {
      const pid = server.process.pid!;
      const before = readMemory(pid)?.rss;
      const peak = sampleMemory(pid);
      let longest = 0;
      let converting = true;
      const pings = (async () => {
        while (converting) {
          const sent = performance.now();
          await fetch(`${server.url}/healthz`).catch(() => undefined);
          longest = Math.max(longest, performance.now() - sent);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      const started = performance.now();
      const response = await fetch(`${server.url}/api/datasets/${DATASET}/layout`, {
        method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ layout: 'rows' }),
      });
      const took = performance.now() - started;
      converting = false;
      await pings;
      const highest = peak.stop();
      if (response.status !== 200) throw new Error(`conversion answered ${response.status}: ${await response.text()}`);
      const after = readMemory(pid)?.rss;
      const pageStarted = performance.now();
      const page = await fetch(`${server.url}/api/datasets/${DATASET}/sheets/events/rows?limit=100`, { headers: { authorization: `Bearer ${server.adminToken}` } });
      const pageTook = performance.now() - pageStarted;
      const { total } = (await page.json()) as { total: number };
      log(`- conversion: ${ms(took, 0)} (${(took / floor).toFixed(3)}× building the document); /healthz at most ${ms(longest, 0)} while it ran`);
      log(`- server RSS: ${mib(before)} before, ${mib(highest)} at the peak, ${mib(after)} after`);
      log(`- then the first page of rows: ${ms(pageTook, 0)} (${total.toLocaleString('en')} rows)`);
    } finally {
      await server.dispose();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
