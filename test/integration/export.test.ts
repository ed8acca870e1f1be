import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue, Column } from '../../model/columns';
import { columnToYMap, insertRow, sheetColumns } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset, createUser, exportSheet, rowCount } from '../helpers/api';
import { api, connectSynced, type Client } from '../helpers/clients';
import { sheetOf } from '../helpers/docs';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'export';
const SHEET = 'sheet1';
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

/** Added to the blank template's `notes`: `headline` goes first, so display order differs from creation order. */
const HEADLINE: Column = { id: 'headline', name: 'Headline', type: 'text' };
const ADDED: Column[] = [
  { id: 'code', name: 'Code', type: 'text' },
  { id: 'count', name: 'Count', type: 'integer' },
  { id: 'score', name: 'Score', type: 'number' },
  { id: 'confirmed', name: 'Confirmed', type: 'boolean' },
  { id: 'tags', name: 'Tags', type: 'multi', options: ['diplomatic', 'military', '=cmd'] },
];
const HEADER = ['row_id', 'headline', 'notes', 'code', 'count', 'score', 'confirmed', 'tags',
  'review_status', 'open_flags', 'created_by', 'created_at', 'updated_by', 'updated_at'];

/** Hostile text, each in its own row's headline, with how the CSV must render it by default. */
const HOSTILE_TEXT: Array<{ text: string; csv: string }> = [
  { text: 'He said "no comment"', csv: 'He said "no comment"' },
  { text: 'Rio de Janeiro, BRA', csv: 'Rio de Janeiro, BRA' },
  { text: 'line one\nline two', csv: 'line one\nline two' },
  { text: 'line one\r\nline two', csv: 'line one\r\nline two' },
  { text: 'carriage\rreturn', csv: 'carriage\rreturn' },
  { text: '=HYPERLINK("http://evil.example","click")', csv: '\'=HYPERLINK("http://evil.example","click")' },
  { text: '+1 555 0100', csv: "'+1 555 0100" },
  { text: '-2+3', csv: "'-2+3" },
  { text: '@SUM(A1:A9)', csv: "'@SUM(A1:A9)" },
  { text: '\tindented', csv: "'\tindented" },
  { text: '\rstarts with CR', csv: "'\rstarts with CR" },
  { text: 'a=b is fine in the middle', csv: 'a=b is fine in the middle' },
  { text: '김정은 / 金正恩', csv: '김정은 / 金正恩' },
  { text: 'emoji 🚀 and family 👩‍👩‍👧 and flag 🇰🇷', csv: 'emoji 🚀 and family 👩‍👩‍👧 and flag 🇰🇷' },
  { text: 'It’s “typographic”', csv: 'It’s “typographic”' },
  { text: '  padded  ', csv: '  padded  ' },
];

/** Rows of other kinds: codes, numbers, booleans, multi. */
const TYPED_ROWS: Array<Record<string, CellValue>> = [
  { headline: 'leading zeros', code: '036', count: 0, score: -3.5, confirmed: false, tags: ['diplomatic', 'military'] },
  { headline: 'negative numbers', code: '-036', count: -12, score: -0.25, confirmed: true, tags: ['=cmd'] },
  { headline: 'big and small', count: 9007199254740991, score: 1e-7, tags: [] },
];

describe('export round trip', () => {
  let server: RunningServer;
  let writer: Client;
  /** Row ids in the order written, which is also row-id order (ULIDs). */
  const rowIds: string[] = [];
  const rowsValues: Array<Record<string, CellValue>> = [];

  beforeAll(async () => {
    server = await startServer();
    await createDataset(server, DATASET, 'blank');
    const editor = await createUser(server, 'exporter', 'admin');
    writer = await connectSynced(server, DATASET, editor.token);
    const sheet = sheetOf(writer.doc, SHEET);
    writer.doc.transact(() => {
      sheetColumns(sheet).insert(0, [columnToYMap(HEADLINE)]);
      sheetColumns(sheet).push(ADDED.map(columnToYMap));
    });
    const values = [...HOSTILE_TEXT.map(({ text }) => ({ headline: text, notes: text })), ...TYPED_ROWS];
    for (const row of values) {
      const id = newRowId();
      rowIds.push(id);
      rowsValues.push(row);
      insertRow(sheet, id, row);
    }
    await waitFor(async () => (await rowCount(server, DATASET, SHEET)) === rowIds.length, { what: 'the rows in the read model' });
  });
  afterAll(async () => {
    writer.destroy();
    await server.dispose();
  });

  const parseCsv = (text: string) => parse(text, { relax_column_count: false }) as string[][];

  describe('CSV', () => {
    it('writes UTF-8 CSV with a header of row_id, the columns in display order, then review and provenance columns', async () => {
      const { status, headers, text } = await exportSheet(server, DATASET, SHEET);
      expect(status).toBe(200);
      expect(headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/i);
      expect(parseCsv(text)[0]).toEqual(HEADER);
    });

    it('ends every record with CRLF and never a bare LF or CR outside quoted fields', async () => {
      const { text } = await exportSheet(server, DATASET, SHEET);
      expect(text.endsWith('\r\n')).toBe(true);
      const outsideQuotes = text.replace(/"(?:[^"]|"")*"/g, '');
      expect(outsideQuotes.split('\r\n')).toHaveLength(rowIds.length + 2);
      expect(outsideQuotes.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    });

    it('has no byte-order mark by default, and one with bom=1', async () => {
      const plain = await exportSheet(server, DATASET, SHEET);
      expect([...plain.bytes.slice(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf]);
      expect(plain.text.startsWith('row_id,')).toBe(true);
      const withBom = await exportSheet(server, DATASET, SHEET, 'bom=1');
      expect([...withBom.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(parse(withBom.text, { bom: true })).toEqual(parseCsv(plain.text));
    });

    it('parses back to every hostile value, with a quote prefix only on formula-like text', async () => {
      const records = parseCsv((await exportSheet(server, DATASET, SHEET)).text).slice(1);
      expect(records.map((r) => r[0])).toEqual(rowIds);
      expect(records.slice(0, HOSTILE_TEXT.length).map((r) => [r[1], r[2]]))
        .toEqual(HOSTILE_TEXT.map(({ csv }) => [csv, csv]));
    });

    it('writes the text as it is with excel_safe=0', async () => {
      const records = parseCsv((await exportSheet(server, DATASET, SHEET, 'excel_safe=0')).text).slice(1);
      expect(records.slice(0, HOSTILE_TEXT.length).map((r) => r[1])).toEqual(HOSTILE_TEXT.map(({ text }) => text));
    });

    it('keeps codes as text, writes numbers and booleans plainly and never prefixes a number, joins multi with "; "', async () => {
      const records = parseCsv((await exportSheet(server, DATASET, SHEET)).text).slice(1 + HOSTILE_TEXT.length);
      const byId = (r: string[]) => Object.fromEntries(HEADER.map((h, i) => [h, r[i]]));
      expect(records.map(byId).map(({ code, count, score, confirmed, tags }) => ({ code, count, score, confirmed, tags }))).toEqual([
        { code: '036', count: '0', score: '-3.5', confirmed: 'false', tags: 'diplomatic; military' },
        { code: "'-036", count: '-12', score: '-0.25', confirmed: 'true', tags: "'=cmd" },
        { code: '', count: '9007199254740991', score: '1e-7', confirmed: '', tags: '' },
      ]);
    });

    it('fills the review and provenance columns: unreviewed, no open flags, the writer by name, ISO 8601 UTC times', async () => {
      const records = parseCsv((await exportSheet(server, DATASET, SHEET)).text).slice(1);
      for (const r of records) {
        const row = Object.fromEntries(HEADER.map((h, i) => [h, r[i]]));
        expect(row).toMatchObject({ review_status: 'unreviewed', open_flags: '0', created_by: 'exporter', updated_by: 'exporter' });
        expect(row.created_at).toMatch(ISO_UTC);
        expect(row.updated_at).toMatch(ISO_UTC);
      }
    });

    it('serves a download with a file name', async () => {
      const { headers } = await exportSheet(server, DATASET, SHEET);
      expect(headers.get('content-disposition')).toMatch(/attachment; filename="export-sheet1\.csv"/);
    });
  });

  describe('JSON', () => {
    it('keeps every value with its own JSON type and never prefixes anything', async () => {
      const { status, headers, text } = await exportSheet(server, DATASET, SHEET, 'format=json');
      expect(status).toBe(200);
      expect(headers.get('content-type')).toMatch(/^application\/json/);
      const body = JSON.parse(text);
      expect(body).toMatchObject({ dataset: DATASET, sheet: SHEET });
      expect(body.exportedAt).toMatch(ISO_UTC);
      expect((body.columns as Column[]).map((c) => c.id)).toEqual(HEADER.slice(1, 8));
      expect((body.columns as Column[]).find((c) => c.id === 'tags')).toMatchObject({ type: 'multi', options: ['diplomatic', 'military', '=cmd'] });
      const rows = body.rows as Array<Record<string, CellValue>>;
      expect(rows.map((r) => Object.keys(r))).toEqual(rows.map(() => HEADER));
      expect(rows.map((r) => r.row_id)).toEqual(rowIds);
      const columns = HEADER.slice(1, 8);
      expect(rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]]))))
        .toEqual(rowsValues.map((v) => Object.fromEntries(columns.map((c) => [c, v[c] ?? null]))));
      expect(rows.map((r) => [r.review_status, r.open_flags, r.created_by])).toEqual(rows.map(() => ['unreviewed', 0, 'exporter']));
    });
  });

  describe('row filters and bad requests', () => {
    it('exports every row for rows=all and rows=unflagged, none for approved and flagged while nothing is reviewed', async () => {
      const count = async (rows: string) => {
        const { status, text } = await exportSheet(server, DATASET, SHEET, `format=json&rows=${rows}`);
        expect(status).toBe(200);
        return (JSON.parse(text).rows as unknown[]).length;
      };
      expect(await count('all')).toBe(rowIds.length);
      expect(await count('unflagged')).toBe(rowIds.length);
      expect(await count('approved')).toBe(0);
      expect(await count('flagged')).toBe(0);
      const approvedCsv = parseCsv((await exportSheet(server, DATASET, SHEET, 'rows=approved')).text);
      expect(approvedCsv).toEqual([HEADER]);
    });

    it('answers an unknown format or row filter with 400 and the error envelope', async () => {
      for (const query of ['format=xlsx', 'rows=some']) {
        const { status, body } = await api(server, `/api/datasets/${DATASET}/sheets/${SHEET}/export?${query}`);
        expect(status, query).toBe(400);
        expect(body).toMatchObject({ error: { code: 'bad_request', message: expect.any(String) } });
      }
    });

    it('answers an unknown sheet or dataset with 404', async () => {
      for (const path of [`/api/datasets/${DATASET}/sheets/nope/export`, '/api/datasets/nope/sheets/events/export']) {
        const { status, body } = await api(server, path);
        expect(status, path).toBe(404);
        expect(body).toMatchObject({ error: { code: 'not_found' } });
      }
    });

    it('lets a viewer export', async () => {
      const viewer = await createUser(server, 'export viewer', 'viewer');
      const { status, text } = await exportSheet(server, DATASET, SHEET, '', viewer.token);
      expect(status).toBe(200);
      expect(parseCsv(text)).toHaveLength(rowIds.length + 1);
    });
  });

  it('exports a removed column no more', async () => {
    const columns = sheetColumns(sheetOf(writer.doc, SHEET));
    const index = columns.toArray().findIndex((c) => c.get('id') === 'code');
    columns.delete(index, 1);
    await waitFor(async () => !parseCsv((await exportSheet(server, DATASET, SHEET)).text)[0]!.includes('code'), { what: 'the column gone from the export' });
    const header = parseCsv((await exportSheet(server, DATASET, SHEET)).text)[0];
    expect(header).toEqual(HEADER.filter((h) => h !== 'code'));
  });
});
