/**
 * Import into a dataset in the `rows` layout (docs/import.md): the history of every imported cell, the
 * grids that show the sheet by page told to read it again, and updates matched by a column's value.
 * On SQLite, and on PostgreSQL with TESSERA_TEST_STORE=pg.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import { type RowDelta, StoreMessage } from '../../model/codes';
import type { CellValue } from '../../model/columns';
import type { HistoryEntry } from '../../model/history';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { createUser, rowHistory } from '../helpers/api';
import { api, connectSynced, type Client } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { csvOf, importFile } from '../helpers/import';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'import-rows';

describe('import into a dataset whose rows are documents of their own', () => {
  let server: RunningServer;
  let ana: { token: string; name: string };
  const open: Client[] = [];

  const page = async () => (await api(server, `/api/datasets/${DATASET}/sheets/events/rows?limit=1000`)).body as {
    total: number; rows: Array<Record<string, CellValue>>;
  };
  const rowWith = async (column: string, value: CellValue) => (await page()).rows.find((r) => r[column] === value);

  beforeAll(async () => {
    server = await startServer();
    ana = await createUser(server, 'ana', 'editor');
    const created = await api(server, '/api/datasets', { body: { id: DATASET, name: 'By row', layout: 'rows' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });

  afterAll(async () => {
    for (const c of open) c.destroy();
    await server?.dispose();
  });

  it('records every imported cell in the history, by the importer, and not the empty ones', async () => {
    const imported = await importFile(server, DATASET, 'events', csvOf([
      ['summary', 'actor1', 'event_type', 'event_date'], ['History one', 'China', 'AGREE', '2024/2/5'], ['History two', '', 'CONSULT', ''],
    ]), { token: ana.token });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    // The sheet's kept count follows (a page's total is read from it).
    expect((await page()).total).toBe(2);
    const one = (await rowWith('summary', 'History one'))!.row_id as string;
    const two = (await rowWith('summary', 'History two'))!.row_id as string;
    const cellsOf = (history: ReadonlyArray<Pick<HistoryEntry, 'sheet' | 'column' | 'by'> & { old: unknown; new: unknown }>) => history.map((h) => [h.sheet, h.column, h.old, h.new, h.by]).sort();
    expect(cellsOf(await rowHistory(server, DATASET, one))).toEqual([
      ['events', 'actor1', null, 'China', 'ana'], ['events', 'event_date', null, '2024-02-05', 'ana'],
      ['events', 'event_type', null, 'AGREE', 'ana'], ['events', 'summary', null, 'History one', 'ana'],
    ]);
    const history = await rowHistory(server, DATASET, two);
    expect(cellsOf(history)).toEqual([['events', 'event_type', null, 'CONSULT', 'ana'], ['events', 'summary', null, 'History two', 'ana']]);
    expect(new Set(history.map((h) => h.at)).size).toBe(1);
    // The dataset's history has them too, one entry per cell.
    const all = (await api(server, `/api/datasets/${DATASET}/history`)).body as HistoryEntry[];
    expect(all.filter((h) => h.row === two).map((h) => h.column).sort()).toEqual(['event_type', 'summary']);

    // A later edit in the row's room follows the imported cells in its history.
    const room = await connectSynced(server, rowRoom(DATASET, 'events', two), ana.token);
    open.push(room);
    getRowCells(room.doc).set('actor1', 'Japan');
    await eventually(async () => expect((await rowHistory(server, DATASET, two)).at(-1)).toMatchObject({ column: 'actor1', old: null, new: 'Japan', by: 'ana' }));
  });

  it('tells the grids of the dataset (acks=1) to read the sheet again once the rows are written', async () => {
    const ws = new WebSocket(`${server.wsUrl}/${DATASET}?acks=1&token=${ana.token}`);
    const deltas: RowDelta[] = [];
    ws.on('message', (data: Buffer) => {
      const decoder = decoding.createDecoder(new Uint8Array(data));
      if (decoding.readVarUint(decoder) === StoreMessage.RowsChanged) deltas.push(...(JSON.parse(decoding.readVarString(decoder)) as RowDelta[]));
    });
    await new Promise((resolve) => ws.once('open', resolve));
    try {
      // Once the socket's room is loaded: a grid connects before it imports.
      await waitFor(() => ws.readyState === WebSocket.OPEN, { what: 'the socket open' });
      const imported = await importFile(server, DATASET, 'events', csvOf([['summary'], ['Announced']]), { token: ana.token });
      expect(imported.status, JSON.stringify(imported.body)).toBe(200);
      await waitFor(() => deltas.some((d) => d.sheet === 'events' && d.row === '' && d.cells === null), { what: 'the sheet announced as changed' });
      // A check writes nothing, and says nothing.
      const before = deltas.length;
      expect((await importFile(server, DATASET, 'events', csvOf([['summary'], ['Only checked']]), { query: 'dry_run=1', token: ana.token })).status).toBe(200);
      await importFile(server, DATASET, 'events', csvOf([['summary'], ['After the check']]), { token: ana.token });
      await waitFor(() => deltas.length > before, { what: 'the second import announced' });
      expect(deltas.length).toBe(before + 1);
    } finally {
      ws.close();
    }
  });

  it('reads an evidence cell that names several sources the import has not read yet', async () => {
    const add = async (title: string, text: string) => (await api(server, `/api/datasets/${DATASET}/sources`, { body: { title, text } })).body.id as string;
    const [first, second, third] = [await add('One', 'Talks resumed in Beijing.'), await add('Two', 'Seoul welcomed the talks.'), await add('Three', 'Tokyo said nothing.')];
    const imported = await importFile(server, DATASET, 'events', csvOf([['summary', 'evidence'], ['Three sources', `${first}:0-13; ${second}:0-5; ${third}:0-5`]]));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const row = await rowWith('summary', 'Three sources');
    expect((row?.evidence as Array<{ source: string; exact: string }>).map((a) => [a.source, a.exact])).toEqual([[first, 'Talks resumed'], [second, 'Seoul'], [third, 'Tokyo']]);
  });

  it('updates the one row with the same value in a key column, inserts the others, and rejects what matches twice', async () => {
    const seeded = await importFile(server, DATASET, 'events', csvOf([
      ['summary', 'actor1', 'event_type'], ['key-a', 'China', 'AGREE'], ['key-b', 'Japan', 'AGREE'], ['key-dup', 'India', ''], ['key-dup', 'Chile', ''],
    ]), { token: ana.token });
    expect(seeded.status, JSON.stringify(seeded.body)).toBe(200);
    const a = (await rowWith('summary', 'key-a'))!.row_id as string;
    const room = await connectSynced(server, rowRoom(DATASET, 'events', a), ana.token);
    open.push(room);

    const byKey = await importFile(server, DATASET, 'events', csvOf([
      ['summary', 'actor1'], ['key-a', 'Brazil'], ['key-b', 'Japan'], ['key-c', 'Peru'],
    ]), { query: 'key=summary', token: ana.token });
    expect(byKey.status, JSON.stringify(byKey.body)).toBe(200);
    expect(byKey.body).toMatchObject({ inserted: 1, updated: 1, unchanged: 1, rejectedTotal: 0 });
    // The update goes through the row's room: an open client sees it, and the columns the file lacks stay.
    await waitFor(() => getRowCells(room.doc).get('actor1') === 'Brazil', { what: 'the update reaches the open row' });
    await eventually(async () => expect(await rowWith('summary', 'key-a')).toMatchObject({ row_id: a, actor1: 'Brazil', event_type: 'AGREE' }));
    expect(await rowWith('summary', 'key-c')).toMatchObject({ actor1: 'Peru' });
    expect((await page()).rows.filter((r) => r.summary === 'key-a')).toHaveLength(1);

    const refused = await importFile(server, DATASET, 'events', csvOf([
      ['summary', 'actor1'], ['key-dup', 'Mali'], ['key-d', 'Chad'], ['key-d', 'Niger'],
    ]), { query: 'key=summary', token: ana.token });
    expect(refused.status).toBe(422);
    expect(refused.body.rejected).toEqual([
      expect.objectContaining({ line: 2, column: 'summary', code: 'key' }), expect.objectContaining({ line: 4, column: 'summary', code: 'key' }),
    ]);
    expect(await rowWith('summary', 'key-d')).toBeUndefined();
    // A row id that is not the matched row's is refused too.
    const other = (await rowWith('summary', 'key-b'))!.row_id as string;
    const wrongId = await importFile(server, DATASET, 'events', csvOf([['row_id', 'summary', 'actor1'], [other, 'key-c', 'Cuba']]), { query: 'key=summary', token: ana.token });
    expect(wrongId.status).toBe(422);
    expect(wrongId.body.rejected).toEqual([expect.objectContaining({ line: 2, column: 'row_id', code: 'row_id' })]);
  });
});
