/**
 * Double coding in a dataset whose rows are documents of their own (layout `rows`): a round draws its
 * rows from the read model (listed and sampled), each coder's copy holds only the round's rows with
 * their context, and an adjudication is written into the row's own room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSheet, sheetRows, setCell } from '../../model/document';
import { MAX_ROUND_ROWS } from '../../model/http';
import { newRowId } from '../../model/ids';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { createUser, rowHistory } from '../helpers/api';
import { api, connectSynced, type Client } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { csvOf, importFile } from '../helpers/import';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'rounds-by-row';
const ROWS = Array.from({ length: 20 }, () => newRowId()).sort();

describe('double coding in the rows layout', () => {
  let server: RunningServer;
  const tokens: Record<string, string> = {};
  const open: Client[] = [];
  const client = async (room: string, token?: string) => {
    const c = await connectSynced(server, room, token);
    open.push(c);
    return c;
  };
  let roundId: string;
  let rows: string[];

  beforeAll(async () => {
    server = await startServer();
    for (const name of ['ana', 'ben']) tokens[name] = (await createUser(server, name, 'editor')).token;
    expect((await api(server, '/api/datasets', { body: { id: DATASET, name: 'Rounds by row', layout: 'rows' } })).status).toBe(201);
    for (const [i, row] of ROWS.entries()) {
      const c = await client(rowRoom(DATASET, 'events', row));
      c.doc.transact(() => {
        getRowCells(c.doc).set('summary', `Summary ${i}`);
        getRowCells(c.doc).set('event_type', 'CONSULT');
      });
    }
    await eventually(async () => expect(((await api(server, `/api/datasets/${DATASET}/sheets/events/rows`)).body as { total: number }).total).toBe(ROWS.length));
  });
  afterAll(async () => {
    for (const c of open) c.destroy();
    await server.dispose();
  });

  it('makes a round of listed and sampled rows, and names a row the sheet lacks', async () => {
    const body = { sheet: 'events', columns: ['event_type'], coders: ['ana', 'ben'] };
    const missing = await api(server, `/api/datasets/${DATASET}/rounds`, { body: { ...body, rows: [ROWS[0], 'missing'] } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/row "missing"/);
    const made = await api(server, `/api/datasets/${DATASET}/rounds`, { body: { ...body, rows: [ROWS[0]], sample: { percent: 25, seed: 7 } } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    roundId = made.body.id;
    rows = made.body.rows;
    // The listed row and 25% of the sheet's 20 rows drawn from the others.
    expect(rows[0]).toBe(ROWS[0]);
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => ROWS.includes(r))).toBe(true);
  });

  it("gives each coder a copy of the round's rows only, with their context and the round's columns empty", async () => {
    const ana = await client(`${DATASET}/rounds/${roundId}`, tokens.ana);
    const sheet = getSheet(ana.doc, 'events')!;
    expect([...sheetRows(sheet).keys()].sort()).toEqual([...rows].sort());
    const i = ROWS.indexOf(rows[0]!);
    expect(sheetRows(sheet).get(rows[0]!)?.get('summary')).toBe(`Summary ${i}`);
    expect(sheetRows(sheet).get(rows[0]!)?.get('event_type')).toBeUndefined();
  });

  it("writes an adjudication into the row's own room, with every coder's value in the history", async () => {
    const [ana, ben] = [await client(`${DATASET}/rounds/${roundId}`, tokens.ana), await client(`${DATASET}/rounds/${roundId}`, tokens.ben)];
    const row = rows[1]!;
    setCell(getSheet(ana.doc, 'events')!, row, 'event_type', 'AGREE');
    setCell(getSheet(ben.doc, 'events')!, row, 'event_type', 'REJECT');
    await eventually(async () => {
      const units = (await api(server, `/api/datasets/${DATASET}/rounds/${roundId}/units?column=event_type`)).body as Array<{ row: string; values: Record<string, unknown>; current: unknown }>;
      expect(units.find((u) => u.row === row)).toMatchObject({ values: { ana: 'AGREE', ben: 'REJECT' }, current: 'CONSULT' });
    });
    const watcher = await client(rowRoom(DATASET, 'events', row));
    const decided = await api(server, `/api/datasets/${DATASET}/rounds/${roundId}/adjudicate`, { body: { row, column: 'event_type', value: 'REJECT' } });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    await waitFor(() => getRowCells(watcher.doc).get('event_type') === 'REJECT', { what: "the decision in the row's room" });
    expect((await rowHistory(server, DATASET, row)).at(-1)).toMatchObject({
      column: 'event_type', old: 'CONSULT', new: 'REJECT', by: 'admin', adjudication: { round: roundId, values: { ana: 'AGREE', ben: 'REJECT' } },
    });
    const units = (await api(server, `/api/datasets/${DATASET}/rounds/${roundId}/units?column=event_type`)).body as Array<{ row: string; current: unknown }>;
    expect(units.find((u) => u.row === row)?.current).toBe('REJECT');
  });

  it('refuses a sample that would make a round larger than a copy may be, and says how much fits', async () => {
    const big = 'rounds-by-row-big';
    expect((await api(server, '/api/datasets', { body: { id: big, name: 'Big', layout: 'rows' } })).status).toBe(201);
    const count = MAX_ROUND_ROWS + 500;
    const imported = await importFile(server, big, 'events', csvOf([['summary'], ...Array.from({ length: count }, (_, i) => [`Row ${i}`])]));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const body = { sheet: 'events', columns: ['event_type'], coders: ['ana', 'ben'] };
    const refused = await api(server, `/api/datasets/${big}/rounds`, { body: { ...body, sample: { percent: 100 } } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/round of 10,500 rows; a round holds at most 10,000 .*sample at most 95\.2%/);
    expect((await api(server, `/api/datasets/${big}/rounds`)).body).toEqual([]);
    const made = await api(server, `/api/datasets/${big}/rounds`, { body: { ...body, sample: { percent: 95.2 } } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.rows).toHaveLength(Math.ceil(count * 0.952));
  });
});
