/**
 * Writing a cell's own value is no change, whoever writes it (a client over the socket, an import, an
 * adjudication): nothing in the history, an approved row stays approved, the row's coders and its
 * `updated_by` stay as they were, and the writer may still approve it (four eyes). Real server, stock
 * y-websocket clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../model/columns';
import { getSheet, insertRow, reviewStatus, setCell, sheetRows } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset, createUser, rowHistory, type HistoryEntry } from '../helpers/api';
import { api, connectSynced, type Client } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { csvOf, importFile } from '../helpers/import';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'same';
/** What the coder enters in each row: several column types, a list among them. */
const VALUES: Record<string, CellValue> = {
  event_date: '2024-03', date_precision: 'month', actor1: 'China', event_type: 'AGREE',
  context: ['military', 'political'], summary: 'Talks agreed',
};

describe('writing a cell\'s own value', () => {
  let server: RunningServer;
  const tokens: Record<string, string> = {};
  const open: Client[] = [];
  let ana: Client;

  const client = async (room: string, who: string) => {
    const c = await connectSynced(server, room, tokens[who]);
    open.push(c);
    return c;
  };
  const events = (c: Client) => getSheet(c.doc, 'events')!;
  const approve = (row: string, who: string) => api(server, `/api/datasets/${DATASET}/rows/${row}/approve`, { body: {}, token: tokens[who] });

  /** A row Ana coded and Eddie approved: where every writer below starts. */
  async function approvedRow(): Promise<string> {
    const row = newRowId();
    insertRow(events(ana), row, VALUES);
    await eventually(async () => expect(await rowHistory(server, DATASET, row)).toHaveLength(Object.keys(VALUES).length));
    const approved = await approve(row, 'eddie');
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await waitFor(() => reviewStatus(ana.doc, row) === 'approved', { what: 'the approval reaches the grid' });
    return row;
  }

  /** What a write of the row's own values must leave as it is. */
  async function state(row: string, viewer: string) {
    const history = await rowHistory(server, DATASET, row);
    const review = (await api(server, `/api/datasets/${DATASET}/rows/${row}/review`, { token: tokens[viewer] })).body;
    const exported = (await api(server, `/api/datasets/${DATASET}/sheets/events/export?format=json`)).body as { rows: Array<Record<string, CellValue>> };
    const record = exported.rows.find((r) => r.row_id === row)!;
    return { history, review, updatedBy: record.updated_by, updatedAt: record.updated_at, status: record.review_status };
  }

  /** Nothing moved since `before`, and `writer` (who wrote the row's own values) may approve it. */
  async function expectNoChange(row: string, before: Awaited<ReturnType<typeof state>>, writer: string) {
    const after = await state(row, writer);
    expect(after.history).toEqual(before.history);
    expect(after.history.filter((h: HistoryEntry) => h.column !== 'review_status').map((h) => h.by)).toEqual(Object.keys(VALUES).map(() => 'ana'));
    expect(after.status).toBe('approved');
    expect(after.review).toMatchObject({ status: 'approved', coders: ['ana'], lastChangedBy: 'ana', sinceApproval: [], canApprove: true });
    expect({ by: after.updatedBy, at: after.updatedAt }).toEqual({ by: 'ana', at: before.updatedAt });
    expect(reviewStatus(ana.doc, row)).toBe('approved');
    const again = await approve(row, writer);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
  }

  beforeAll(async () => {
    server = await startServer();
    tokens.admin = server.adminToken;
    for (const [name, role] of [['ana', 'editor'], ['ben', 'editor'], ['eddie', 'editor']] as const) tokens[name] = (await createUser(server, name, role)).token;
    await createDataset(server, DATASET);
    ana = await client(DATASET, 'ana');
  });
  afterAll(async () => {
    for (const c of open) c.destroy();
    await server.dispose();
  });

  it('a client setting cells to their own values over the socket', async () => {
    const row = await approvedRow();
    const eddie = await client(DATASET, 'eddie');
    await waitFor(() => sheetRows(events(eddie)).has(row));
    const before = await state(row, 'eddie');

    eddie.doc.transact(() => {
      for (const [column, value] of Object.entries(VALUES)) {
        // A fresh array for the list, equal to the one stored.
        setCell(events(eddie), row, column, Array.isArray(value) ? [...value] as string[] : value);
      }
    });
    // Sent after the writes on the same socket: once it is stored, so is everything they caused.
    const marker = newRowId();
    insertRow(events(eddie), marker, { summary: 'later' });
    await eventually(async () => expect(await rowHistory(server, DATASET, marker)).not.toEqual([]));

    await expectNoChange(row, before, 'eddie');
  });

  it('an import by row_id of the values the row holds', async () => {
    const row = await approvedRow();
    const before = await state(row, 'eddie');
    const columns = Object.keys(VALUES);
    const file = csvOf([['row_id', ...columns], [row, ...columns.map((c) => {
      const value = VALUES[c]!;
      return Array.isArray(value) ? value.join('; ') : String(value);
    })]]);
    const imported = await importFile(server, DATASET, 'events', file, { query: 'key=row_id', token: tokens.eddie });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });

    await expectNoChange(row, before, 'eddie');
  });

  it('an adjudication of the value the coders agreed on, which the cell holds already', async () => {
    const row = await approvedRow();
    const created = await api(server, `/api/datasets/${DATASET}/rounds`, {
      body: { sheet: 'events', rows: [row], columns: ['event_type', 'date_precision'], coders: ['ana', 'ben'] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const round = created.body.id as string;
    for (const coder of ['ana', 'ben']) {
      const copy = await client(`${DATASET}/rounds/${round}`, coder);
      copy.doc.transact(() => {
        setCell(events(copy), row, 'event_type', 'AGREE');
        setCell(events(copy), row, 'date_precision', 'month');
      });
      expect((await api(server, `/api/datasets/${DATASET}/rounds/${round}/submit`, { body: {}, token: tokens[coder] })).status).toBe(200);
    }
    const units = (await api(server, `/api/datasets/${DATASET}/rounds/${round}/units`)).body as Array<{ column: string; agreed?: CellValue; current: CellValue }>;
    expect(units.map((u) => [u.column, u.agreed, u.current]).sort()).toEqual([['date_precision', 'month', 'month'], ['event_type', 'AGREE', 'AGREE']]);
    const before = await state(row, 'admin');
    let writes = 0;
    sheetRows(events(ana)).get(row)!.observe(() => { writes += 1; });

    // What *Write all agreed* sends: one adjudication per agreed unit.
    for (const unit of units) {
      const decided = await api(server, `/api/datasets/${DATASET}/rounds/${round}/adjudicate`, { body: { row, column: unit.column, value: unit.agreed } });
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
      expect(decided.body).toMatchObject({ value: unit.agreed, values: { ana: unit.agreed, ben: unit.agreed }, by: 'admin' });
    }
    // The decisions are kept: the units are adjudicated.
    const open = (await api(server, `/api/datasets/${DATASET}/rounds/${round}/units?open=1`)).body as unknown[];
    expect(open).toEqual([]);
    // Nothing was written into the document: a change made after the decisions reaches the grid alone.
    const ben = await client(DATASET, 'ben');
    const marker = newRowId();
    insertRow(events(ben), marker, { summary: 'later' });
    await waitFor(() => sheetRows(events(ana)).has(marker), { what: 'the later change reaches the grid' });
    expect(writes).toBe(0);

    await expectNoChange(row, before, 'admin');
  });
});
