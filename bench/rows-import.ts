/**
 * Filling the events sheet of a dataset in the `rows` layout as users do (CSV files through the import route), and
 * waiting for the server to be done with it: a large sheet's indexes are built by a worker once its writes pause
 * (docs/large-sheets.md), and a figure taken meanwhile is a figure of that build.
 */
import { performance } from 'node:perf_hooks';
import { QUIET_MS } from '../db/sheet-indexes';
import { MAX_ROWS_LAYOUT_IMPORT_CELLS, MAX_ROWS_LAYOUT_IMPORT_ROWS } from '../server/import/limits';
import type { RunningServer } from './server';
import { eventsCsv } from './import';
import { uploadCsv } from './import-rows';
import { readCpuMs, sleep } from './procs';
import { eventRow, prng } from './rows';
import { int, mib, seconds } from './stats';

/** Events rows in one file: as many as the import takes (records and cells) for the `rows` layout. */
export const importFileRows = Math.min(
  MAX_ROWS_LAYOUT_IMPORT_ROWS, Math.floor(MAX_ROWS_LAYOUT_IMPORT_CELLS / Object.keys(eventRow(prng(1), 0)).length),
);

/**
 * `rows` events rows imported into `datasetId`'s events sheet, in files of `importFileRows`, each made and sent
 * as CSV through the import route; each file's time is logged. Resolves with the CSV bytes sent.
 */
export async function importEvents(
  server: RunningServer, datasetId: string, token: string, rows: number, log: (line: string) => void,
): Promise<{ bytes: number }> {
  let bytes = 0;
  for (let done = 0; done < rows; done += importFileRows) {
    const count = Math.min(importFileRows, rows - done);
    const csv = eventsCsv(count);
    bytes += csv.length;
    // Making the file held the event loop for seconds: let it see the keep-alive sockets the server closed
    // meanwhile, or the upload goes out on one of them and fails with EPIPE.
    await sleep(200);
    const started = performance.now();
    const imported = await uploadCsv(`${server.url}/api/datasets/${datasetId}/sheets/events/import`, token, csv).catch((error: unknown) => {
      throw new Error(`import failed: ${(error as Error).message}; the server printed:\n${server.output().slice(-3000)}`);
    });
    if (imported.status !== 200) throw new Error(`import: ${imported.status} ${imported.body.slice(0, 300)}`);
    log(`  imported ${int(count)} rows (${mib(csv.length)} of CSV) in ${seconds(performance.now() - started)}`);
  }
  return { bytes };
}

/**
 * Waits until `/healthz` answered within 200 ms ten times in a row (asked every 500 ms; a refused or reset
 * connection counts as slow); resolves with how long that took and the slowest answer meanwhile.
 */
export async function healthzQuiet(server: RunningServer): Promise<{ took: number; slowest: number }> {
  const started = performance.now();
  let slowest = 0;
  for (let quiet = 0; quiet < 10;) {
    const asked = performance.now();
    const answered = await fetch(`${server.url}/healthz`).then(() => true, () => false);
    const took = answered ? performance.now() - asked : Number.POSITIVE_INFINITY;
    if (answered) slowest = Math.max(slowest, took);
    quiet = took < 200 ? quiet + 1 : 0;
    await sleep(500);
  }
  return { took: performance.now() - started, slowest };
}

/**
 * A window longer than the pause after which a sheet's indexes are built (`QUIET_MS` after its last write), so
 * that a window that begins right after the writes sees the build start.
 */
export const QUIET_WINDOW_MS = QUIET_MS + 5000;

/**
 * Waits until the server process (its worker threads included) used under 5% of a core over QUIET_WINDOW_MS, at
 * most 10 minutes; resolves with how long that took.
 */
export async function serverIdle(server: RunningServer): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 600_000) {
    const before = readCpuMs(server.process.pid!) ?? 0;
    await sleep(QUIET_WINDOW_MS);
    if ((readCpuMs(server.process.pid!) ?? 0) - before < QUIET_WINDOW_MS * 0.05) break;
  }
  return performance.now() - started;
}
