import { request } from 'node:http';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Anchor, CellValue, Column } from '../../model/columns';
import { columnToYMap, deleteRow, getSheet, insertRow, reviewStatus, sheetColumns, sheetRows } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset, createUser, exportSheet, rowCount, rowHistory, type CreatedUser } from '../helpers/api';
import { api, connectSynced, type Client } from '../helpers/clients';
import { rowsOf, sheetOf } from '../helpers/docs';
import { eventually } from '../helpers/eventually';
import { CSV, csvOf, importFile, XLSX } from '../helpers/import';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const SHEET = 'sheet1';
/** Added to the blank template's `notes` (text): one column of every kind the round trip covers. */
const COLUMNS: Column[] = [
  { id: 'headline', name: 'Headline', type: 'longtext' },
  { id: 'when', name: 'Event date', type: 'date' },
  { id: 'count', name: 'Count', type: 'integer' },
  { id: 'score', name: 'Score', type: 'number' },
  { id: 'confirmed', name: 'Confirmed', type: 'boolean' },
  { id: 'kind', name: 'Kind', type: 'enum', options: ['AGREE', 'REJECT'] },
  { id: 'tags', name: 'Tags', type: 'multi', options: ['diplomatic', 'military', '=cmd'] },
  { id: 'link', name: 'Link', type: 'url' },
  { id: 'evidence', name: 'Evidence', type: 'evidence' },
];
const IDS = ['notes', ...COLUMNS.map((c) => c.id)];
const SOURCE_TEXT = '👍 서울, 2월 22일.\r\nLiu said: “All parties should talk.”\r\nEnd.';
const QUOTE = '“All parties should talk.”';
const QUOTE_AT = [...SOURCE_TEXT.slice(0, SOURCE_TEXT.indexOf(QUOTE))].length;

/** Values that must survive export and import unchanged, one row each (the evidence is added per dataset). */
const ROWS: Array<Record<string, CellValue>> = [
  { notes: '김정은 위원장은 “핵 억제력”을 강조했다', headline: 'line one\nline two', when: '2024-02-22', count: 3, score: -3.5, confirmed: true, kind: 'AGREE', tags: ['diplomatic', 'military'] },
  { notes: 'It’s “typographic” — ‘quoted’', headline: 'CRLF one\r\ntwo\rthree', when: '2024-02', count: 0, score: 1e-7, confirmed: false, kind: 'REJECT', tags: ['=cmd'] },
  { notes: '=HYPERLINK("http://evil.example","click")', headline: '-2+3', when: '2024', count: -12, link: 'https://example.org/a?b=1,2' },
  { notes: "'=already quoted by hand", headline: '  padded  ', tags: ['diplomatic'] },
  { notes: '@SUM(A1:A9)', headline: '\tindented', score: 9007199254740991 },
  { notes: 'He said "no comment", then left', headline: '+1 555 0100', kind: 'AGREE' },
];

/**
 * Import of CSV and XLSX files into a sheet, against a real server and real sockets: round trips with
 * the export, all-or-nothing, partial imports, upserts, review and history, and bad input.
 */
describe('import', () => {
  let server: RunningServer;
  let editor: CreatedUser;
  let count = 0;
  const clients: Client[] = [];

  let bomb: Uint8Array;

  beforeAll(async () => {
    // A real workbook whose sheet is 100 MB of blanks, a few hundred kilobytes compressed. Made before
    // the server starts: seconds of CPU here between two requests would let a keep-alive socket go stale.
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Sheet').addRow(['notes']);
    const parts = unzipSync(new Uint8Array(await workbook.xlsx.writeBuffer()));
    parts['xl/worksheets/sheet1.xml'] = new Uint8Array(100 * 1024 * 1024).fill(0x20);
    bomb = zipSync(parts, { level: 6 });
    server = await startServer();
    editor = await createUser(server, 'ingrid importer', 'editor');
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server.dispose();
  });

  const join = async (dataset: string, token?: string) => {
    const client = await connectSynced(server, dataset, token);
    clients.push(client);
    return client;
  };

  /** A blank dataset whose sheet has COLUMNS, a source, and a synced admin client. */
  async function setUp(): Promise<{ dataset: string; sourceId: string; client: Client }> {
    const dataset = `import-${++count}`;
    await createDataset(server, dataset, 'blank');
    const { body: source } = await api(server, `/api/datasets/${dataset}/sources`, { body: { title: 'Article', text: SOURCE_TEXT } });
    const client = await join(dataset);
    client.doc.transact(() => sheetColumns(sheetOf(client.doc, SHEET)).push(COLUMNS.map(columnToYMap)));
    await eventually(async () => {
      const { body } = await api(server, `/api/datasets/${dataset}`);
      expect(body.sheets[0].columns).toHaveLength(IDS.length);
    }, { what: 'the columns stored' });
    return { dataset, sourceId: source.id as string, client };
  }

  const anchor = (source: string): Anchor => ({ source, start: QUOTE_AT, end: QUOTE_AT + [...QUOTE].length, exact: QUOTE });
  const records = (csv: string) => parse(csv, { bom: true, relax_column_count: false }) as string[][];
  /** The export's records, row_id and the sheet's columns only (provenance differs between writes). */
  const values = (csv: string) => records(csv).map((r) => r.slice(0, 1 + IDS.length));

  it('imports a CSV export back to the same values: Korean, typographic quotes, line breaks, multi, partial dates, formula-like text, evidence', async () => {
    const { dataset, sourceId, client } = await setUp();
    const sheet = sheetOf(client.doc, SHEET);
    client.doc.transact(() => {
      ROWS.forEach((row, i) => insertRow(sheet, newRowId(), i % 2 === 0 ? { ...row, evidence: [anchor(sourceId)] } : row));
    });
    await eventually(async () => expect(await rowCount(server, dataset, SHEET)).toBe(ROWS.length), { what: 'the rows stored' });
    const before = (await exportSheet(server, dataset, SHEET)).text;
    const analysis = (await exportSheet(server, dataset, SHEET, 'excel_safe=0&bom=1')).text;
    expect(before).toContain("'=HYPERLINK");
    expect(before).toContain("''=already");

    // Emptied, then imported from the formula-safe export.
    client.doc.transact(() => { for (const id of [...sheetRows(sheet).keys()]) deleteRow(sheet, id); });
    await eventually(async () => expect(await rowCount(server, dataset, SHEET)).toBe(0), { what: 'the sheet emptied' });
    const imported = await importFile(server, dataset, SHEET, before, { token: editor.token });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toMatchObject({ inserted: ROWS.length, updated: 0, unchanged: 0, rejected: [], written: true });
    await eventually(async () => expect(await rowCount(server, dataset, SHEET)).toBe(ROWS.length), { what: 'the rows imported' });
    expect(values((await exportSheet(server, dataset, SHEET)).text)).toEqual(values(before));
    // The evidence came back whole: `exact` rebuilt from the source text.
    const json = JSON.parse((await exportSheet(server, dataset, SHEET, 'format=json')).text);
    expect(json.rows.filter((r: Record<string, CellValue>) => r.evidence !== null).map((r: Record<string, CellValue>) => r.evidence))
      .toEqual([[anchor(sourceId)], [anchor(sourceId)], [anchor(sourceId)]]);

    // The same file again, keyed on row_id: every record is found and nothing changes.
    const again0 = await importFile(server, dataset, SHEET, before, { query: 'key=row_id' });
    expect(again0.body).toMatchObject({ inserted: 0, updated: 0, unchanged: ROWS.length, rejected: [] });

    // The "CSV for analysis" form (no prefixes, a byte-order mark) imports back the same, apart from the
    // one text that begins with ' followed by a formula: that form cannot tell it from a prefix.
    client.doc.transact(() => { for (const id of [...sheetRows(sheet).keys()]) deleteRow(sheet, id); });
    await eventually(async () => expect(await rowCount(server, dataset, SHEET)).toBe(0), { what: 'the sheet emptied again' });
    const again = await importFile(server, dataset, SHEET, analysis);
    expect(again.body).toMatchObject({ inserted: ROWS.length, rejected: [] });
    const expected = values(analysis).map((r) => r.map((v) => (v === "'=already quoted by hand" ? '=already quoted by hand' : v)));
    expect(values((await exportSheet(server, dataset, SHEET, 'excel_safe=0')).text)).toEqual(expected);
  });

  it('writes nothing when a value is rejected, and says which line, column and value', async () => {
    const { dataset } = await setUp();
    const file = csvOf([
      ['Notes', 'count', 'when', 'confirmed'],
      ['fine', '1', '2024-01-05', 'yes'],
      ['bad count', 'three', '2024-13', 'maybe'],
      ['fine too', '2', '2024', 'no'],
    ]);
    const refused = await importFile(server, dataset, SHEET, file, { token: editor.token });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'unprocessable' });
    expect(refused.body.written).toBe(false);
    expect(refused.body.rejected).toEqual([
      { line: 3, column: 'count', value: 'three', code: 'type', message: expect.stringContaining('Count') },
      { line: 3, column: 'when', value: '2024-13', code: 'date', message: expect.any(String) },
      { line: 3, column: 'confirmed', value: 'maybe', code: 'type', message: expect.any(String) },
    ]);
    // A dry run answers the same; neither wrote a row.
    const dry = await importFile(server, dataset, SHEET, file, { query: 'dry_run=1' });
    expect(dry.status).toBe(422);
    expect(dry.body.rejected).toEqual(refused.body.rejected);
    expect(await rowCount(server, dataset, SHEET)).toBe(0);

    // partial=1 writes the good records.
    const partial = await importFile(server, dataset, SHEET, file, { query: 'partial=1' });
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({ inserted: 2, rejectedTotal: 3, written: true });
    await eventually(async () => expect(await rowCount(server, dataset, SHEET)).toBe(2), { what: 'the good records written' });
    const rows = records((await exportSheet(server, dataset, SHEET)).text);
    expect(rows.slice(1).map((r) => [r[1], r[IDS.indexOf('count') + 1], r[IDS.indexOf('when') + 1], r[IDS.indexOf('confirmed') + 1]]))
      .toEqual([['fine', '1', '2024-01-05', 'true'], ['fine too', '2', '2024', 'false']]);
  });

  it('answers a dry run without writing, with the warnings the grid would mark', async () => {
    const { dataset } = await setUp();
    const file = csvOf([['notes', 'kind', 'tags', 'link'], ['x', 'agree', 'Diplomatic; naval', 'not a link']]);
    const dry = await importFile(server, dataset, SHEET, file, { query: 'dry_run=1' });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ inserted: 1, written: false, rejected: [] });
    expect(dry.body.warnings.map((w: { code: string; column: string; line: number }) => [w.line, w.column, w.code]))
      .toEqual([[2, 'tags', 'code'], [2, 'link', 'url']]);
    expect(await rowCount(server, dataset, SHEET)).toBe(0);
  });

  it('upserts on row_id and on a column: counts inserted, updated and unchanged', async () => {
    const { dataset, client } = await setUp();
    const [a, b] = [newRowId(), newRowId()];
    client.doc.transact(() => {
      insertRow(sheetOf(client.doc, SHEET), a, { notes: 'A', count: 1 });
      insertRow(sheetOf(client.doc, SHEET), b, { notes: 'B', count: 2 });
    });
    await eventually(async () => expect(await rowCount(server, dataset, SHEET)).toBe(2), { what: 'the rows stored' });
    const byId = await importFile(server, dataset, SHEET, csvOf([
      ['row_id', 'notes', 'count'], [a, 'A', '1'], [b, 'B', '20'], ['', 'C', '3'],
    ]), { query: 'key=row_id', token: editor.token });
    expect(byId.body).toMatchObject({ inserted: 1, updated: 1, unchanged: 1, rejected: [] });
    await waitFor(() => sheetRows(sheetOf(client.doc, SHEET)).get(b)?.get('count') === 20, { what: 'the update reaches the client' });

    const byNotes = await importFile(server, dataset, SHEET, csvOf([
      ['Notes', 'Count'], ['A', '100'], ['C', '3'], ['D', '4'],
    ]), { query: 'key=notes', token: editor.token });
    expect(byNotes.body).toMatchObject({ inserted: 1, updated: 1, unchanged: 1, rejected: [] });
    await eventually(() => {
      const rows = rowsOf(client.doc, SHEET).map(([, r]) => [r.notes, r.count]);
      expect(rows).toEqual([['A', 100], ['B', 20], ['C', 3], ['D', 4]]);
    }, { what: 'the upserted rows in the client' });

    // Without a key, an existing row id is refused rather than overwritten.
    const clash = await importFile(server, dataset, SHEET, csvOf([['row_id', 'notes'], [a, 'again']]));
    expect(clash.status).toBe(422);
    expect(clash.body.rejected).toEqual([expect.objectContaining({ line: 2, column: 'row_id', code: 'row_id' })]);
  });

  it('sets an approved row that an upsert changes back to unreviewed, and records the importer in the history', async () => {
    const { dataset, client } = await setUp();
    const row = newRowId();
    insertRow(sheetOf(client.doc, SHEET), row, { notes: 'approved soon' });
    await eventually(async () => expect(await rowCount(server, dataset, SHEET)).toBe(1), { what: 'the row stored' });
    const reviewer = await createUser(server, `rita ${dataset}`, 'reviewer');
    expect((await api(server, `/api/datasets/${dataset}/rows/${row}/approve`, { method: 'POST', token: reviewer.token })).status).toBe(200);
    await waitFor(() => reviewStatus(client.doc, row) === 'approved', { what: 'the approval' });

    const result = await importFile(server, dataset, SHEET, csvOf([['row_id', 'notes'], [row, 'changed by import']]), { query: 'key=row_id', token: editor.token });
    expect(result.body).toMatchObject({ updated: 1 });
    await waitFor(() => reviewStatus(client.doc, row) === 'unreviewed', { what: 'the row unreviewed again' });
    const history = await rowHistory(server, dataset, row);
    expect(history).toContainEqual(expect.objectContaining({ column: 'notes', old: 'approved soon', new: 'changed by import', by: editor.name }));
    expect(history).toContainEqual(expect.objectContaining({ column: 'review_status', old: 'approved', new: 'unreviewed', by: editor.name }));
  });

  it('shows imported rows at once to an open y-websocket client, attributed to the importer', async () => {
    const { dataset } = await setUp();
    const watcher = await join(dataset);
    const result = await importFile(server, dataset, SHEET, csvOf([['notes', 'count'], ['live one', '1'], ['live two', '2']]), { token: editor.token });
    expect(result.body).toMatchObject({ inserted: 2 });
    await waitFor(() => sheetRows(sheetOf(watcher.doc, SHEET)).size === 2, { what: 'the rows reach the client' });
    const [[rowId]] = rowsOf(watcher.doc, SHEET) as [[string, unknown]];
    expect((await rowHistory(server, dataset, rowId)).map((h) => h.by)).toEqual([editor.name, editor.name]);
  });

  it('imports the first sheet of an XLSX workbook: dates, numbers, booleans, shared strings', async () => {
    const { dataset } = await setUp();
    const workbook = new ExcelJS.Workbook();
    const first = workbook.addWorksheet('Events');
    first.addRow(['Notes', 'Event date', 'Count', 'Score', 'Confirmed', 'Tags', 'when']);
    const jan5 = new Date(Date.UTC(2024, 0, 5));
    first.addRow(['서울 “quoted”\nline', jan5, 7, 2.5, true, 'diplomatic; military']);
    first.addRow(['year only', 2024, 0, -1, false, '']);
    first.addRow(['partial text date', '2024-02', 12, 1e-3, 'no', 'military']);
    workbook.addWorksheet('Other').addRow(['not', 'read']);
    // `when` (the column id) and `Event date` (its name) both name one column: refused.
    const both = new Uint8Array(await workbook.xlsx.writeBuffer());
    const duplicate = await importFile(server, dataset, SHEET, both, { type: XLSX });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error.message).toMatch(/"when"/);

    first.getRow(1).getCell(7).value = null;
    const file = new Uint8Array(await workbook.xlsx.writeBuffer());
    const result = await importFile(server, dataset, SHEET, file, { type: XLSX, token: editor.token });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body).toMatchObject({ inserted: 3, rejected: [] });
    const rows = JSON.parse((await exportSheet(server, dataset, SHEET, 'format=json')).text).rows as Array<Record<string, CellValue>>;
    expect(rows.map(({ notes, when, count, score, confirmed, tags }) => ({ notes, when, count, score, confirmed, tags }))).toEqual([
      { notes: '서울 “quoted”\nline', when: '2024-01-05', count: 7, score: 2.5, confirmed: true, tags: ['diplomatic', 'military'] },
      { notes: 'year only', when: '2024', count: 0, score: -1, confirmed: false, tags: null },
      { notes: 'partial text date', when: '2024-02', count: 12, score: 0.001, confirmed: false, tags: ['military'] },
    ]);
  });

  describe('bad input: a clear JSON error, nothing written, the server up', () => {
    let dataset: string;
    beforeAll(async () => { ({ dataset } = await setUp()); });

    const expectError = async (call: Promise<{ status: number; body: any }>, status: number, message?: RegExp) => {
      const { status: got, body } = await call;
      expect(got, JSON.stringify(body)).toBe(status);
      expect(body.error).toMatchObject({ code: expect.any(String), message: message ?? expect.any(String) });
      expect(await rowCount(server, dataset, SHEET)).toBe(0);
      expect((await api(server, '/healthz')).status).toBe(200);
    };

    it('refuses a file that is neither CSV nor XLSX with 415', async () => {
      await expectError(importFile(server, dataset, SHEET, '%PDF-1.7', { type: 'application/pdf' }), 415);
    });

    it('refuses an empty file, a header naming an unknown column, and a duplicate header with 400', async () => {
      await expectError(importFile(server, dataset, SHEET, ''), 400, /empty/);
      await expectError(importFile(server, dataset, SHEET, '\uFEFF'), 400, /empty/);
      await expectError(importFile(server, dataset, SHEET, csvOf([['notes', 'Mood'], ['x', 'y']])), 400, /"Mood"/);
      await expectError(importFile(server, dataset, SHEET, csvOf([['notes', 'Notes'], ['x', 'y']])), 400, /"notes"/);
    });

    it('refuses a CSV whose quoted field never ends with 400, and keeps a stray quote in an unquoted field as text', async () => {
      await expectError(importFile(server, dataset, SHEET, 'notes\r\n"never closed\r\n'), 400, /not valid CSV/);
      const other = (await setUp()).dataset;
      const stray = await importFile(server, other, SHEET, 'notes\r\nHe said "hi" twice\r\n');
      expect(stray.body).toMatchObject({ inserted: 1 });
      const json = JSON.parse((await exportSheet(server, other, SHEET, 'format=json')).text);
      expect(json.rows[0].notes).toBe('He said "hi" twice');
    });

    it('refuses text that is not UTF-8, and a workbook that is no zip, with 400', async () => {
      await expectError(importFile(server, dataset, SHEET, new Uint8Array([0x6e, 0x6f, 0x74, 0x65, 0x73, 0x0d, 0x0a, 0xe9, 0x74, 0xe9])), 400, /UTF-8/);
      await expectError(importFile(server, dataset, SHEET, 'notes\r\nx\r\n', { type: XLSX }), 400, /XLSX/);
    });

    it('refuses a 200 MB body with 413 before reading it', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${server.url}/api/datasets/${dataset}/sheets/${SHEET}/import`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': CSV, 'content-length': String(200 * 1024 * 1024) },
        }, (res) => { resolve(res.statusCode ?? 0); res.resume(); req.destroy(); });
        req.on('error', reject);
        req.write('notes\r\n');
      });
      expect(status).toBe(413);
      expect((await api(server, '/healthz')).status).toBe(200);
    });

    it('cuts off a CSV sent without a length as soon as it passes 100 MiB', async () => {
      const line = `${'x'.repeat(1024 * 1024 - 2)}\r\n`;
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${server.url}/api/datasets/${dataset}/sheets/${SHEET}/import`, {
          method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': CSV },
        }, (res) => { resolve(res.statusCode ?? 0); res.resume(); req.destroy(); });
        req.on('error', () => undefined);
        let sent = 0;
        const more = () => {
          while (sent < 110) {
            sent += 1;
            if (!req.write(sent === 1 ? 'notes\r\n' : line)) return req.once('drain', more);
          }
          req.end();
        };
        more();
        setTimeout(() => reject(new Error('no answer')), 60_000).unref();
      });
      expect(status).toBe(413);
      expect(await rowCount(server, dataset, SHEET)).toBe(0);
    });

    it('refuses a zip bomb before inflating it', async () => {
      expect(bomb.length).toBeLessThan(1024 * 1024);
      await expectError(importFile(server, dataset, SHEET, bomb, { type: XLSX }), 400, /zip bomb/);
    });

    it('refuses a viewer with 403', async () => {
      const viewer = await createUser(server, `vic ${dataset}`, 'viewer');
      await expectError(importFile(server, dataset, SHEET, csvOf([['notes'], ['x']]), { token: viewer.token }), 403);
    });
  });
});
