/**
 * A dataset whose rows are documents of their own (layout `rows`): a stock y-websocket client reads and
 * writes a row in its room `DATASET/rows/SHEET/ROW`; the row reaches the paged rows, the history and the
 * exports, other clients of the row live, and survives a restart. The dataset's own room keeps its sheets
 * and takes no rows. Real server, stock clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import { CloseCode, type RowDelta, StoreMessage } from '../../model/codes';
import type { CellValue } from '../../model/columns';
import { type ConflictRecord, addConflict, getConflicts, readConflict } from '../../model/conflicts';
import { getReviews, getSheet, insertRow, reviewStatus } from '../../model/document';
import { rowFlagRecords, setReviewStatus } from '../../model/reviews';
import { newRowId } from '../../model/ids';
import { rowRoom } from '../../model/rooms';
import { DELETED_KEY, getRowCells, getRowState, rowCells } from '../../model/row-document';
import { createUser, rowHistory } from '../helpers/api';
import { commitWhileStopped, counts, execute } from '../helpers/database';
import { api, connect, connectSynced, type Client } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { csvOf, importFile } from '../helpers/import';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'by-row';
const VALUES: Record<string, CellValue> = {
  event_date: '2024-03-02', actor1: 'China', event_type: 'AGREE', context: ['military', 'political'], summary: 'Talks "agreed"',
};

describe('rows as documents of their own', () => {
  let server: RunningServer;
  const tokens: Record<string, string> = {};
  const open: Client[] = [];

  const client = async (room: string, who = 'ana') => {
    const c = await connectSynced(server, room, tokens[who]);
    open.push(c);
    return c;
  };
  const page = async (query = '') => (await api(server, `/api/datasets/${DATASET}/sheets/events/rows?limit=1000${query}`)).body as {
    total: number; rows: Array<Record<string, CellValue>>;
  };
  const writeRow = (c: Client, values: Record<string, CellValue>) => c.doc.transact(() => {
    for (const [column, value] of Object.entries(values)) getRowCells(c.doc).set(column, value);
  });
  const closedWith = async (c: Client) => waitFor(() => c.closes[0], { what: 'the socket is closed' });
  /** A bare socket on a room (with its query), keeping the type of every message and our row deltas. */
  const listen = (roomAndQuery: string) => {
    const separator = roomAndQuery.includes('?') ? '&' : '?';
    const ws = new WebSocket(`${server.wsUrl}/${roomAndQuery}${separator}token=${tokens.ben}`);
    const messages: Uint8Array[] = [];
    ws.on('message', (data: Buffer) => messages.push(new Uint8Array(data)));
    // The server's first message (its sync step) comes once the socket joined the room: deltas reach it from then on.
    const opened = new Promise((resolve) => ws.once('message', resolve));
    const types = () => messages.map((m) => decoding.readVarUint(decoding.createDecoder(m)));
    const deltas = () => messages.flatMap((m) => {
      const decoder = decoding.createDecoder(m);
      return decoding.readVarUint(decoder) === StoreMessage.RowsChanged ? JSON.parse(decoding.readVarString(decoder)) as RowDelta[] : [];
    });
    return { ws, opened, types, deltas };
  };

  beforeAll(async () => {
    server = await startServer();
    for (const [name, role] of [['ana', 'editor'], ['ben', 'editor'], ['vic', 'viewer'], ['rita', 'reviewer']] as const) tokens[name] = (await createUser(server, name, role)).token;
    const created = await api(server, '/api/datasets', { body: { id: DATASET, name: 'By row', layout: 'rows' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });

  afterAll(async () => {
    for (const c of open) c.destroy();
    await server?.dispose();
  });

  it('says its layout, and keeps its sheets and columns in its own room', async () => {
    const detail = (await api(server, `/api/datasets/${DATASET}`)).body as { layout: string; sheets: Array<{ id: string }> };
    expect(detail.layout).toBe('rows');
    expect(detail.sheets.map((s) => s.id)).toContain('events');
    const dataset = await client(DATASET);
    expect(getSheet(dataset.doc, 'events')?.get('columns')).toBeInstanceOf(Y.Array);
  });

  it('takes a row written in its room into the paged rows and the history, and to the row\'s other clients live', async () => {
    const row = newRowId();
    const ana = await client(rowRoom(DATASET, 'events', row));
    const ben = await client(rowRoom(DATASET, 'events', row), 'ben');
    writeRow(ana, VALUES);
    await waitFor(() => getRowCells(ben.doc).get('summary') === VALUES.summary, { what: "Ben sees Ana's row" });
    await eventually(async () => expect((await page()).rows.find((r) => r.row_id === row)).toMatchObject({ ...VALUES, review_status: 'unreviewed' }));
    const history = await rowHistory(server, DATASET, row);
    expect(history.map((h) => [h.column, h.new, h.by]).sort()).toEqual(Object.entries(VALUES).map(([column, value]) => [column, value, 'ana']).sort());
    getRowCells(ben.doc).set('actor1', 'United States');
    await eventually(async () => expect((await page()).rows.find((r) => r.row_id === row)?.actor1).toBe('United States'));
    const exported = (await api(server, `/api/datasets/${DATASET}/sheets/events/export?format=json`)).body as { rows: Array<Record<string, CellValue>> };
    expect(exported.rows.find((r) => r.row_id === row)).toMatchObject({ ...VALUES, actor1: 'United States' });
  });

  it("sends the grids on the dataset's room each changed row as it now is, and only to those that asked (acks=1)", async () => {
    const grid = listen(`${DATASET}?acks=1`);
    const stock = listen(DATASET);
    await Promise.all([grid.opened, stock.opened]);
    const row = newRowId();
    const ana = await client(rowRoom(DATASET, 'events', row));
    writeRow(ana, VALUES);
    await waitFor(() => grid.deltas().some((d) => d.row === row), { what: 'the row delta reaches the grid' });
    expect(grid.deltas().filter((d) => d.row === row).at(-1)).toEqual({ sheet: 'events', row, cells: VALUES });
    getRowState(ana.doc).set(DELETED_KEY, true);
    await waitFor(() => grid.deltas().some((d) => d.row === row && d.cells === null), { what: 'the deletion reaches the grid' });
    // The stock client heard the same room all along: nothing of ours reached it.
    expect(stock.types()).not.toContain(StoreMessage.RowsChanged);
    expect(stock.types().length).toBeGreaterThan(0);
    grid.ws.close();
    stock.ws.close();
  });

  it('makes a row of a cell given its first, empty value, and takes a rewrite of a value as no change', async () => {
    const row = newRowId();
    const ana = await client(rowRoom(DATASET, 'events', row));
    writeRow(ana, { summary: null });
    await eventually(async () => expect((await page()).rows.find((r) => r.row_id === row)).toMatchObject({ row_id: row }));
    expect(await rowHistory(server, DATASET, row)).toEqual([]);
    writeRow(ana, { summary: 'Talks' });
    await eventually(async () => expect(await rowHistory(server, DATASET, row)).toHaveLength(1));
    const ben = await client(rowRoom(DATASET, 'events', row), 'ben');
    writeRow(ben, { summary: 'Talks' });
    writeRow(ben, { actor1: 'marker' });
    await eventually(async () => expect((await page()).rows.find((r) => r.row_id === row)?.actor1).toBe('marker'));
    expect((await rowHistory(server, DATASET, row)).map((h) => [h.column, h.new, h.by])).toEqual([['summary', 'Talks', 'ana'], ['actor1', 'marker', 'ben']]);
  });

  /**
   * Ana (then Ben, offline from each other) write `location` of a new row: one conflict, as listed once stored.
   * Ana's write is stored first, so the history knows her value before Ben's comes.
   */
  async function conflictIn(row: string) {
    const ana = await client(rowRoom(DATASET, 'events', row));
    writeRow(ana, { summary: 'Talks' });
    const ben = await client(rowRoom(DATASET, 'events', row), 'ben');
    await waitFor(() => getRowCells(ben.doc).get('summary') === 'Talks', { what: 'Ben has the row' });
    ana.provider.disconnect();
    ben.provider.disconnect();
    writeRow(ana, { location: 'Beijing' });
    writeRow(ben, { location: 'Tokyo' });
    ana.provider.connect();
    await eventually(async () => expect((await rowHistory(server, DATASET, row)).some((h) => h.new === 'Beijing')).toBe(true));
    ben.provider.connect();
    const listed = (await waitFor(async () => {
      const all = (await api(server, `/api/datasets/${DATASET}/conflicts?status=open`)).body as Array<ConflictRecord & { kept: string; lost: string }>;
      return all.find((c) => c.row === row);
    }, { what: 'the conflict is listed' }))!;
    return { ana, ben, listed };
  }

  it("records two users' concurrent writes of a row's cell as a conflict in the row's own room, and resolving with the lost value writes it back", async () => {
    const row = newRowId();
    const dataset = await client(DATASET);
    const grid = listen(`${DATASET}?acks=1`);
    await grid.opened;
    const { ana, listed } = await conflictIn(row);
    expect([listed.kept, listed.lost].sort()).toEqual(['Beijing', 'Tokyo']);
    expect({ sheet: listed.sheet, column: listed.column }).toEqual({ sheet: 'events', column: 'location' });
    const names: Record<string, string> = { Beijing: 'ana', Tokyo: 'ben' };
    expect([listed.keptBy, listed.lostBy]).toEqual([names[listed.kept], names[listed.lost]]);
    // In the row's room, for its clients, and in a row delta for the grids; as listed.
    await waitFor(() => getConflicts(ana.doc).has(listed.id), { what: "the conflict in the row's room" });
    expect(readConflict(listed.id, getConflicts(ana.doc).get(listed.id)!)).toEqual({ ...listed, status: 'open' });
    await waitFor(() => grid.deltas().some((d) => d.row === row && d.conflicts?.some((c) => c.id === listed.id)), { what: 'the conflict in a row delta' });
    expect(grid.deltas().findLast((d) => d.row === row && d.conflicts)?.conflicts).toEqual([{ ...listed, status: 'open' }]);

    const resolved = await api(server, `/api/datasets/${DATASET}/conflicts/${listed.id}/resolve`, { body: { value: 'lost' }, token: tokens.ben });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect(resolved.body).toMatchObject({ id: listed.id, status: 'resolved', resolvedBy: 'ben' });
    await waitFor(() => getRowCells(ana.doc).get('location') === listed.lost, { what: 'the lost value is back in the row' });
    // The value and the resolution came in one transaction: a client never sees the one without the other.
    expect(getConflicts(ana.doc).get(listed.id)?.get('status')).toBe('resolved');
    await eventually(async () => expect((await page()).rows.find((r) => r.row_id === row)?.location).toBe(listed.lost));
    const delta = await waitFor(() => grid.deltas().findLast((d) => d.row === row && d.conflicts?.[0]?.status === 'resolved'), { what: 'the resolution in a row delta' });
    expect(delta).toMatchObject({ cells: { location: listed.lost }, conflicts: [{ id: listed.id, resolvedBy: 'ben' }] });
    await eventually(async () => expect((await api(server, `/api/datasets/${DATASET}/conflicts?status=open`)).body).toEqual([]));
    // The dataset's room (synced all along) never held it.
    expect(getConflicts(dataset.doc).size).toBe(0);
    grid.ws.close();
  });

  it("closes a conflict of a row deleted since by keeping the value, and refuses to write the other one into it", async () => {
    const row = newRowId();
    const { ana, listed } = await conflictIn(row);
    await waitFor(() => getConflicts(ana.doc).has(listed.id), { what: "the conflict in the row's room" });
    getRowState(ana.doc).set(DELETED_KEY, true);
    await eventually(async () => expect((await page()).rows.some((r) => r.row_id === row)).toBe(false));

    const lost = await api(server, `/api/datasets/${DATASET}/conflicts/${listed.id}/resolve`, { body: { value: 'lost' }, token: tokens.ben });
    expect(lost.status, JSON.stringify(lost.body)).toBe(409);
    expect(getConflicts(ana.doc).get(listed.id)?.get('status')).toBe('open');
    const kept = await api(server, `/api/datasets/${DATASET}/conflicts/${listed.id}/resolve`, { body: { value: 'kept' }, token: tokens.ben });
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    await waitFor(() => getConflicts(ana.doc).get(listed.id)?.get('status') === 'resolved', { what: "the conflict closed in the row's room" });
    expect(rowCells(ana.doc)).toBeNull();
    await eventually(async () => expect((await api(server, `/api/datasets/${DATASET}/conflicts?status=open`)).body).not.toContainEqual(expect.objectContaining({ id: listed.id })));
  });

  it("refuses a client's write into a row's conflicts, and closes only that socket", async () => {
    const row = newRowId();
    const ana = await client(rowRoom(DATASET, 'events', row));
    writeRow(ana, { summary: 'no conflict here' });
    await eventually(async () => expect((await page()).rows.find((r) => r.row_id === row)?.summary).toBe('no conflict here'));
    const ben = await client(rowRoom(DATASET, 'events', row), 'ben');
    addConflict(ben.doc, { id: 'forged', sheet: 'events', row, column: 'summary', kept: 'a', keptBy: 'ana', lost: 'b', lostBy: 'ben', at: new Date().toISOString() });
    expect(await closedWith(ben)).toBe(CloseCode.BadMessage);
    writeRow(ana, { actor2: 'still working' });
    await eventually(async () => expect((await page()).rows.find((r) => r.row_id === row)?.actor2).toBe('still working'));
    expect((await api(server, `/api/datasets/${DATASET}/conflicts`)).body).not.toContainEqual(expect.objectContaining({ id: 'forged' }));
    const fresh = await client(rowRoom(DATASET, 'events', row), 'ana');
    expect(getConflicts(fresh.doc).size).toBe(0);
  });

  it('reviews a row: flagged, approved by someone who did not code it, and unreviewed again by an edit', async () => {
    const row = newRowId();
    const ana = await client(rowRoom(DATASET, 'events', row));
    writeRow(ana, VALUES);
    await eventually(async () => expect((await page()).rows.some((r) => r.row_id === row)).toBe(true));
    const status = async () => (await page()).rows.find((r) => r.row_id === row)?.review_status;
    const flag = await api(server, `/api/datasets/${DATASET}/flags`, { body: { sheet: 'events', row, column: 'actor1', reason: 'wrong_actor' }, token: tokens.rita });
    expect(flag.status, JSON.stringify(flag.body)).toBe(201);
    expect(await status()).toBe('flagged');
    const resolved = await api(server, `/api/datasets/${DATASET}/flags/${(flag.body as { id: string }).id}/resolve`, { body: {}, token: tokens.rita });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect((await api(server, `/api/datasets/${DATASET}/rows/${row}/approve`, { body: {}, token: tokens.rita })).status).toBe(200);
    expect(await status()).toBe('approved');
    getRowCells(ana.doc).set('summary', 'Changed after the approval');
    await eventually(async () => expect(await status()).toBe('unreviewed'));
    const history = await rowHistory(server, DATASET, row);
    expect(history.filter((h) => h.column === 'review_status').map((h) => [h.old, h.new, h.by]).at(-1)).toEqual(['approved', 'unreviewed', 'ana']);
  });

  it("keeps a row's review in the row's own room: its clients see it live, the grids get it with the row, the dataset's room never holds it", async () => {
    const row = newRowId();
    const ana = await client(rowRoom(DATASET, 'events', row));
    const dataset = await client(DATASET);
    const grid = listen(`${DATASET}?acks=1`);
    await grid.opened;
    writeRow(ana, VALUES);
    await eventually(async () => expect((await page()).rows.some((r) => r.row_id === row)).toBe(true));

    const flag = await api(server, `/api/datasets/${DATASET}/flags`, { body: { sheet: 'events', row, column: 'actor1', reason: 'wrong_actor', note: 'Which China?' }, token: tokens.rita });
    expect(flag.status, JSON.stringify(flag.body)).toBe(201);
    const flagId = (flag.body as { id: string }).id;
    await waitFor(() => reviewStatus(ana.doc, row) === 'flagged', { what: "the flag in the row's room" });
    expect(rowFlagRecords(ana.doc, row)).toMatchObject([{ id: flagId, column: 'actor1', note: 'Which China?', status: 'open', comments: [] }]);
    await waitFor(() => grid.deltas().some((d) => d.row === row && d.review?.status === 'flagged'), { what: 'the review in a row delta' });
    expect(grid.deltas().findLast((d) => d.row === row && d.review)).toMatchObject({ cells: VALUES, review: { status: 'flagged', flags: [{ id: flagId, row }] } });

    const answered = await api(server, `/api/datasets/${DATASET}/flags/${flagId}/comments`, { body: { text: 'The PRC' }, token: tokens.ana });
    expect(answered.status, JSON.stringify(answered.body)).toBe(201);
    await waitFor(() => rowFlagRecords(ana.doc, row)[0]?.comments.length === 1, { what: "the answer in the row's room" });
    expect((await api(server, `/api/datasets/${DATASET}/flags/${flagId}/resolve`, { body: {}, token: tokens.rita })).status).toBe(200);
    expect((await api(server, `/api/datasets/${DATASET}/rows/${row}/approve`, { body: {}, token: tokens.rita })).status).toBe(200);
    await waitFor(() => reviewStatus(ana.doc, row) === 'approved', { what: "the approval in the row's room" });
    const listed = (await api(server, `/api/datasets/${DATASET}/flags?row=${row}`)).body as Array<{ status: string; comments: unknown[] }>;
    expect(listed).toMatchObject([{ status: 'resolved', comments: [{ text: 'The PRC', by: 'ana' }] }]);

    // Everything reached the dataset's client (it is synced), and none of it is in its document.
    await waitFor(() => grid.deltas().some((d) => d.row === row && d.review?.status === 'approved'), { what: 'the approval in a row delta' });
    expect(getReviews(dataset.doc).size).toBe(0);
  });

  it("refuses a client's write into a row's review, and closes only that socket", async () => {
    const row = newRowId();
    const ana = await client(rowRoom(DATASET, 'events', row));
    writeRow(ana, { summary: 'to approve myself' });
    await eventually(async () => expect((await page()).rows.find((r) => r.row_id === row)?.summary).toBe('to approve myself'));
    const ben = await client(rowRoom(DATASET, 'events', row), 'ben');
    setReviewStatus(ben.doc, row, 'approved');
    expect(await closedWith(ben)).toBe(CloseCode.BadMessage);
    writeRow(ana, { actor2: 'still working' });
    await eventually(async () => expect((await page()).rows.find((r) => r.row_id === row)).toMatchObject({ actor2: 'still working', review_status: 'unreviewed' }));
  });

  it('takes over a review kept before rows had their own documents, and an edit unapproves that row', async () => {
    const [flagged, approved] = [newRowId(), newRowId()];
    for (const row of [flagged, approved]) writeRow(await client(rowRoom(DATASET, 'events', row)), { summary: `older ${row}` });
    await eventually(async () => expect((await page()).rows.filter((r) => r.row_id === flagged || r.row_id === approved)).toHaveLength(2));
    // As the dataset's document kept them, projected into the read model (the row documents know nothing of them).
    const oldFlag = newRowId();
    await execute(server, [
      ['insert into reviews (dataset_id, row_id, status, open_flags) values (?, ?, ?, ?)', [DATASET, flagged, 'flagged', 1]],
      ['insert into flags (dataset_id, flag_id, row_id, sheet_id, column_id, reason, note, by, at, status, comments) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [DATASET, oldFlag, flagged, 'events', 'summary', 'other', 'kept before', 'rita', '2026-01-02T03:04:05.000Z', 'open', '[]']],
      ['insert into reviews (dataset_id, row_id, status, open_flags) values (?, ?, ?, ?)', [DATASET, approved, 'approved', 0]],
    ]);
    // A second flag on the first row: the row's document takes the first one over with it.
    const flag = await api(server, `/api/datasets/${DATASET}/flags`, { body: { sheet: 'events', row: flagged, reason: 'duplicate' }, token: tokens.rita });
    expect(flag.status, JSON.stringify(flag.body)).toBe(201);
    const listed = (await api(server, `/api/datasets/${DATASET}/flags?row=${flagged}`)).body as Array<{ id: string; note: string; status: string }>;
    expect(listed.map((f) => [f.id, f.status]).sort()).toEqual([[oldFlag, 'open'], [(flag.body as { id: string }).id, 'open']].sort());
    const watcher = await client(rowRoom(DATASET, 'events', flagged), 'ben');
    expect(rowFlagRecords(watcher.doc, flagged).map((f) => f.note)).toEqual(['kept before', '']);

    // The approved row: an edit in its room sets it back to unreviewed, in the history.
    writeRow(await client(rowRoom(DATASET, 'events', approved)), { summary: 'changed since' });
    await eventually(async () => expect((await page()).rows.find((r) => r.row_id === approved)?.review_status).toBe('unreviewed'));
    const history = await rowHistory(server, DATASET, approved);
    expect(history.filter((h) => h.column === 'review_status').map((h) => [h.old, h.new, h.by])).toEqual([['approved', 'unreviewed', 'ana']]);
  });

  it("resolves a conflict kept in the dataset's document before rows had their own: taken into the row's room, out of the dataset's", async () => {
    const row = newRowId();
    writeRow(await client(rowRoom(DATASET, 'events', row)), { summary: 'older', location: 'Tokyo' });
    await eventually(async () => expect((await page()).rows.find((r) => r.row_id === row)?.location).toBe('Tokyo'));
    // As an older version recorded it: in the dataset's document, projected into the read model.
    for (const c of open.splice(0)) c.destroy();
    expect(await server.stop()).toBe(0);
    const older: ConflictRecord = {
      id: `older-${row}`, sheet: 'events', row, column: 'location', kept: 'Tokyo', keptBy: 'ana', lost: 'Beijing', lostBy: 'ben',
      at: '2026-01-02T03:04:05.000Z', status: 'open',
    };
    await commitWhileStopped(server.dataDir, DATASET, (doc) => addConflict(doc, older), { conflicts: [older] });
    server = await startServer({ dataDir: server.dataDir, adminToken: server.adminToken });

    // It still shows: listed, and (for a client of the older version) in the dataset's room.
    const dataset = await client(DATASET);
    expect(getConflicts(dataset.doc).get(older.id)?.get('status')).toBe('open');
    expect((await api(server, `/api/datasets/${DATASET}/conflicts?status=open`)).body).toContainEqual(older);
    const grid = listen(`${DATASET}?acks=1`);
    await grid.opened;

    // Resolved with the lost value: written back and closed in the row's room, taken out of the dataset's.
    const watcher = await client(rowRoom(DATASET, 'events', row), 'ben');
    const resolved = await api(server, `/api/datasets/${DATASET}/conflicts/${older.id}/resolve`, { body: { value: 'lost' }, token: tokens.ben });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    await waitFor(() => getRowCells(watcher.doc).get('location') === 'Beijing', { what: 'the lost value is back in the row' });
    expect(readConflict(older.id, getConflicts(watcher.doc).get(older.id)!)).toMatchObject({ ...older, status: 'resolved', resolvedBy: 'ben' });
    await waitFor(() => grid.deltas().some((d) => d.row === row && d.conflicts?.some((c) => c.id === older.id && c.status === 'resolved')), { what: 'the resolution in a row delta' });
    await waitFor(() => !getConflicts(dataset.doc).has(older.id), { what: "the conflict out of the dataset's room" });
    await eventually(async () => expect((await api(server, `/api/datasets/${DATASET}/conflicts`)).body)
      .toContainEqual({ ...older, status: 'resolved', resolvedBy: 'ben', resolvedAt: expect.any(String) }));
    expect((await api(server, `/api/datasets/${DATASET}/conflicts/${older.id}/resolve`, { body: { value: 'kept' }, token: tokens.ben })).status).toBe(409);
    grid.ws.close();
  });

  it('imports rows into the read model, which their rooms start from, and updates an open row through its room', async () => {
    const csv = csvOf([['row_id', 'summary', 'actor1', 'event_type'], ['imp-1', 'First "quoted"', 'China', 'AGREE'], ['imp-2', 'Second', 'Japan', 'CONSULT']]);
    const imported = await importFile(server, DATASET, 'events', csv, { token: tokens.ana });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toMatchObject({ inserted: 2, updated: 0, written: true });
    expect((await page()).rows.find((r) => r.row_id === 'imp-1')).toMatchObject({ summary: 'First "quoted"', actor1: 'China', event_type: 'AGREE' });
    expect((await rowHistory(server, DATASET, 'imp-2')).map((h) => [h.column, h.new, h.by]).sort())
      .toEqual([['actor1', 'Japan', 'ana'], ['event_type', 'CONSULT', 'ana'], ['summary', 'Second', 'ana']]);
    // The row's room starts from what was imported; an edit there keeps the rest.
    const ben = await client(rowRoom(DATASET, 'events', 'imp-1'), 'ben');
    expect(getRowCells(ben.doc).toJSON()).toEqual({ summary: 'First "quoted"', actor1: 'China', event_type: 'AGREE' });
    getRowCells(ben.doc).set('actor2', 'United States');
    await eventually(async () => expect((await page()).rows.find((r) => r.row_id === 'imp-1')?.actor2).toBe('United States'));
    // Imported again by row id: the open row changes live, the unchanged one is left alone, a new id is added.
    const again = csvOf([['row_id', 'summary', 'actor1', 'event_type'], ['imp-1', 'First, revised', 'China', 'AGREE'], ['imp-2', 'Second', 'Japan', 'CONSULT'], ['imp-3', 'Third', '', '']]);
    const updated = await importFile(server, DATASET, 'events', again, { query: 'key=row_id', token: tokens.ana });
    expect(updated.body).toMatchObject({ inserted: 1, updated: 1, unchanged: 1, written: true });
    await waitFor(() => getRowCells(ben.doc).get('summary') === 'First, revised', { what: 'the import reaches the open row' });
    expect(getRowCells(ben.doc).get('actor2')).toBe('United States');
    expect((await page()).rows.find((r) => r.row_id === 'imp-3')).toMatchObject({ summary: 'Third' });
    // Without the key, an id in use is refused and nothing of the file is written.
    const refused = await importFile(server, DATASET, 'events', csvOf([['row_id', 'summary'], ['imp-4', 'New'], ['imp-2', 'Clash']]), { token: tokens.ana });
    expect(refused.status).toBe(422);
    expect((await page()).rows.some((r) => r.row_id === 'imp-4')).toBe(false);
  });

  it('keeps a row across a restart, for a client that connects afresh', async () => {
    const row = newRowId();
    const ana = await client(rowRoom(DATASET, 'events', row));
    writeRow(ana, VALUES);
    await eventually(async () => expect((await page()).rows.some((r) => r.row_id === row)).toBe(true));
    for (const c of open.splice(0)) c.destroy();
    expect(await server.stop()).toBe(0);
    server = await startServer({ dataDir: server.dataDir, adminToken: server.adminToken });
    const again = await client(rowRoom(DATASET, 'events', row));
    expect(getRowCells(again.doc).toJSON()).toEqual(VALUES);
  });

  it('deletes a row for good: gone from the pages, and a later write to it is refused', async () => {
    const row = newRowId();
    const ana = await client(rowRoom(DATASET, 'events', row));
    writeRow(ana, VALUES);
    await eventually(async () => expect((await page()).rows.some((r) => r.row_id === row)).toBe(true));
    getRowState(ana.doc).set(DELETED_KEY, true);
    await eventually(async () => expect((await page()).rows.some((r) => r.row_id === row)).toBe(false));
    const history = await rowHistory(server, DATASET, row);
    expect(history.filter((h) => h.new === null || h.new === undefined).map((h) => h.column).sort()).toEqual(Object.keys(VALUES).sort());
    const late = await client(rowRoom(DATASET, 'events', row), 'ben');
    getRowCells(late.doc).set('summary', 'written after the delete');
    expect(await closedWith(late)).toBe(CloseCode.BadMessage);
    expect((await page()).rows.some((r) => r.row_id === row)).toBe(false);
  });

  it("refuses rows written into the dataset's own room, and closes only that socket", async () => {
    const dataset = await client(DATASET);
    const row = newRowId();
    const ana = await client(rowRoom(DATASET, 'events', row));
    insertRow(getSheet(dataset.doc, 'events')!, newRowId(), { summary: 'in the wrong room' });
    expect(await closedWith(dataset)).toBe(CloseCode.BadMessage);
    writeRow(ana, { summary: 'still working' });
    await eventually(async () => expect((await page()).rows.find((r) => r.row_id === row)?.summary).toBe('still working'));
  });

  it("applies nothing a viewer writes into a row's room", async () => {
    const row = newRowId();
    const ana = await client(rowRoom(DATASET, 'events', row));
    writeRow(ana, { summary: 'by Ana' });
    await eventually(async () => expect((await page()).rows.find((r) => r.row_id === row)?.summary).toBe('by Ana'));
    const vic = await client(rowRoom(DATASET, 'events', row), 'vic');
    getRowCells(vic.doc).set('summary', 'by a viewer');
    // Ana's next edit is stored after anything the viewer sent before it (one socket's messages are in order per room).
    const marker = await client(rowRoom(DATASET, 'events', row), 'ben');
    getRowCells(marker.doc).set('actor2', 'marker');
    await eventually(async () => expect((await page()).rows.find((r) => r.row_id === row)?.actor2).toBe('marker'));
    expect((await page()).rows.find((r) => r.row_id === row)?.summary).toBe('by Ana');
    expect(getRowCells(ana.doc).get('summary')).toBe('by Ana');
  });

  it("closes the open rooms of a deleted sheet's rows, so none of them comes back into the read model", async () => {
    const row = newRowId();
    const ana = await client(rowRoom(DATASET, 'statements', row));
    writeRow(ana, { quote: 'said before the sheet went' });
    const statements = async () => (await counts(server, { n: ["select count(*) as n from rows where sheet_id = 'statements' and dataset_id = ?", DATASET] })).n;
    await eventually(async () => expect(await statements()).toBe(1));
    const deleted = await api(server, `/api/datasets/${DATASET}/sheets/statements`, { method: 'DELETE' });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    expect(await closedWith(ana)).toBe(CloseCode.NotFound);
    // A write the client made as the sheet went is not stored.
    writeRow(ana, { quote: 'said after' });
    expect(await statements()).toBe(0);
    const ben = await client(rowRoom(DATASET, 'events', newRowId()), 'ben');
    writeRow(ben, { summary: 'the other sheet still works' });
    await eventually(async () => expect((await page()).rows.some((r) => r.summary === 'the other sheet still works')).toBe(true));
    expect(await statements()).toBe(0);
  });

  it('has no row rooms in a dataset whose rows are in its document, nor for a sheet it lacks', async () => {
    expect((await api(server, '/api/datasets', { body: { id: 'whole', name: 'Whole' } })).status).toBe(201);
    for (const room of [rowRoom('whole', 'events', newRowId()), rowRoom(DATASET, 'nosuchsheet', newRowId())]) {
      const c = connect(server, room, tokens.ana);
      open.push(c);
      expect(await closedWith(c)).toBe(CloseCode.NotFound);
    }
  });
});
