import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import ExcelJS from 'exceljs';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset, createUser, type CreatedUser } from '../helpers/api';
import { CSV, csvOf, importFile, XLSX } from '../helpers/import';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'imports';
const SHEET = 'sheet1';
const MiB = 1024 * 1024;

/** The server process's peak resident memory so far (VmHWM), in bytes. */
function peakRss(server: RunningServer): number {
  const status = readFileSync(`/proc/${server.process.pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) * 1024;
}

/** Overwrites the uncompressed size that the zip's central directory declares for `name`. */
function declareSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const copy = zip.slice();
  const view = new DataView(copy.buffer);
  let eocd = copy.length - 22;
  while (view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  let at = view.getUint32(eocd + 16, true);
  for (let n = view.getUint16(eocd + 10, true); n > 0; n--) {
    const nameLength = view.getUint16(at + 28, true);
    if (new TextDecoder().decode(copy.subarray(at + 46, at + 46 + nameLength)) === name) {
      view.setUint32(at + 24, size, true);
      return copy;
    }
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  throw new Error(`no ${name} in the zip`);
}

/** A CSV import whose body is sent in two parts: the import runs, waiting for the rest, until `finish`. */
function slowImport(server: RunningServer, token: string) {
  const req = request(`${server.url}/api/datasets/${DATASET}/sheets/${SHEET}/import`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': CSV },
  });
  const slow = {
    answered: false,
    answer: new Promise<{ status: number; body: any }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => { text += chunk.toString(); });
        res.on('end', () => {
          slow.answered = true;
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        });
      });
      req.on('error', reject);
    }),
    finish: () => req.end('second\r\n'),
  };
  req.write('notes\r\nfirst\r\n');
  return slow;
}

/**
 * Imports against a real server: an XLSX whose zip directory under-declares a part costs no more than
 * the part declared, and one user runs one import at once.
 */
describe('import load', () => {
  let server: RunningServer;
  let editors: CreatedUser[];
  let bomb: Uint8Array;

  beforeAll(async () => {
    // A real workbook whose sheet is 200 MB of blanks (about 200 KB compressed) while the directory
    // says 1,000 bytes: small enough to pass the ratio check, so it is inflated. Made before the server
    // starts: seconds of CPU here would slow the server's start on two cores.
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Sheet').addRow(['notes']);
    const parts = unzipSync(new Uint8Array(await workbook.xlsx.writeBuffer()));
    parts['xl/worksheets/sheet1.xml'] = new Uint8Array(200 * MiB).fill(0x20);
    bomb = declareSize(zipSync(parts, { level: 9 }), 'xl/worksheets/sheet1.xml', 1000);
    server = await startServer();
    await createDataset(server, DATASET, 'blank');
    editors = [];
    for (const name of ['edda', 'egon', 'elke', 'emil']) editors.push(await createUser(server, name, 'editor'));
  });
  afterAll(() => server.dispose());

  it('refuses an XLSX whose directory under-declares a part with 400, inflating no more than it declared', async () => {
    expect(bomb.length).toBeLessThan(MiB);
    const before = peakRss(server);
    const one = await importFile(server, DATASET, SHEET, bomb, { type: XLSX, token: editors[0]!.token });
    expect(one.status).toBe(400);
    expect(one.body.error.message).toMatch(/declared size: refused as a zip bomb/);
    // Four at once, by four editors.
    const four = await Promise.all(editors.map((e) => importFile(server, DATASET, SHEET, bomb, { type: XLSX, token: e.token })));
    expect(four.map((r) => r.status)).toEqual([400, 400, 400, 400]);
    // Inflating the part whole takes 200 MiB at least, twice that while its buffer grows (+403 MiB
    // for the first one before inflating stopped at the declared size; now +8 MiB, +35 MiB for all five).
    expect(peakRss(server) - before).toBeLessThan(128 * MiB);
  });

  it('runs one import per user at once: their next one gets 429 with Retry-After while other users import', async () => {
    const [edda, egon] = editors as [CreatedUser, CreatedUser];
    const csv = csvOf([['notes'], ['probe']]);
    // Her dry runs go through until the slow import holds her turn; one that got there first sends the
    // slow import away with 429, and it starts again.
    let running = slowImport(server, edda.token);
    await waitFor(async () => {
      if (running.answered) running = slowImport(server, edda.token);
      return (await importFile(server, DATASET, SHEET, csv, { query: 'dry_run=1', token: edda.token })).status === 429;
    }, { what: 'her second import to be refused while the first runs' });
    const refused = await fetch(`${server.url}/api/datasets/${DATASET}/sheets/${SHEET}/import`, {
      method: 'POST', headers: { authorization: `Bearer ${edda.token}`, 'content-type': CSV }, body: csv,
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect((await refused.json()).error.code).toBe('rate_limited');

    // Someone else imports meanwhile.
    expect((await importFile(server, DATASET, SHEET, csv, { token: egon.token })).status).toBe(200);

    running.finish();
    const done = await running.answer;
    expect(done.status).toBe(200);
    expect(done.body.inserted).toBe(2);
    // Her turn is back.
    expect((await importFile(server, DATASET, SHEET, csv, { query: 'dry_run=1', token: edda.token })).status).toBe(200);
  });
});
