/**
 * One CSV of ROWS events rows imported into a dataset in the `rows` layout (each row a document of its own),
 * the way `bench/million.ts` fills its sheet, alone: the import's time, the server's RSS peak during it and
 * after, and the server's CPU time. With BENCH_CPU_PROF=DIR the server writes a V8 CPU profile there when it
 * stops (`npx tsx bench/profile-summary.ts DIR/*.cpuprofile` reads it).
 *
 * `npx tsx bench/import-rows.ts` (BENCH_IMPORT_ROWS, default 200,000); TESSERA_TEST_STORE=pg for PostgreSQL.
 * Prints numbers; never asserts.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createUser } from '../test/helpers/api';
import { api } from '../test/helpers/clients';
import { testOnPostgres } from '../test/helpers/pg';
import { startBenchServer } from './server';
import { eventsCsv } from './import';
import { readMemory, sampleMemory, sleep } from './procs';
import { int, mib, seconds } from './stats';

const DATASET = 'bench-import-rows';

/** POSTs a CSV with node:http: a large import answers after minutes, past fetch's own wait for the headers. */
export function uploadCsv(url: string, token: string, csv: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'content-length': Buffer.byteLength(csv) },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(csv);
  });
}

/** The server's user + system CPU time so far (ms), from /proc. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

export async function runImportRows(rows: number, log: (line: string) => void): Promise<void> {
  const profDir = process.env.BENCH_CPU_PROF;
  const server = await startBenchServer({ env: { LOG_LEVEL: 'warn', ...(profDir && { NODE_OPTIONS: `--import ${new URL('./cpu-profile.mjs', import.meta.url).pathname}`, BENCH_CPU_PROF: profDir }) } });
  try {
    const created = await api(server, '/api/datasets', { body: { id: DATASET, name: 'Import into rows', layout: 'rows' } });
    if (created.status !== 201) throw new Error(`creating the dataset: ${created.status} ${JSON.stringify(created.body)}`);
    const editor = await createUser(server, 'Bench editor', 'editor');
    const csv = eventsCsv(rows);
    await sleep(200);
    const pid = server.process.pid!;
    const before = { rss: readMemory(pid)?.rss ?? 0, cpu: cpuMs(pid) };
    const memory = sampleMemory(pid, 20);
    const started = performance.now();
    const imported = await uploadCsv(`${server.url}/api/datasets/${DATASET}/sheets/events/import`, editor.token, csv);
    const took = performance.now() - started;
    const peak = memory.stop();
    if (imported.status !== 200) throw new Error(`import: ${imported.status} ${imported.body.slice(0, 300)}\n${server.output().slice(-3000)}`);
    const cpu = cpuMs(pid) - before.cpu;
    log(`${testOnPostgres ? 'PostgreSQL' : 'SQLite'}: ${int(rows)} rows (${mib(Buffer.byteLength(csv))} of CSV) imported in ${seconds(took)}, `
      + `server CPU ${seconds(cpu)}; RSS before ${mib(before.rss)}, peak ${mib(peak)}, after ${mib(readMemory(pid)?.rss ?? 0)}`);
    const first = (await api(server, `/api/datasets/${DATASET}/sheets/events/rows?limit=1`)).body.rows[0] as Record<string, unknown>;
    const history = await api(server, `/api/datasets/${DATASET}/history?row=${String(first.row_id)}`);
    const filled = Object.entries(first).filter(([k, v]) => k !== 'row_id' && !k.startsWith('created_') && !k.startsWith('updated_')
      && k !== 'review_status' && k !== 'open_flags' && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0));
    log(`  the first row: ${filled.length} cells, ${(history.body as unknown[]).length} history entries (${JSON.stringify(first).slice(0, 200)})`);
    if ((history.body as unknown[]).length !== filled.length) log(`  its history: ${JSON.stringify(history.body).slice(0, 1000)}`);
  } finally {
    await server.stop();
    await server.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runImportRows(Number(process.env.BENCH_IMPORT_ROWS) || 200_000, console.log);
}
