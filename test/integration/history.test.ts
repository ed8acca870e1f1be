import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { deleteRow, getSheet, insertRow, setCell } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset, createUser, exportSheet, rowHistory, type HistoryEntry } from '../helpers/api';
import { api, connect, connectSynced, type Client } from '../helpers/clients';
import { cellOf, sheetOf } from '../helpers/docs';
import { waitForValue } from '../helpers/eventually';
import { openRawSocket, syncFrame } from '../helpers/raw-socket';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'history';
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('history attribution', () => {
  let server: RunningServer;
  let ana: Client;
  let ben: Client;
  const tokens = { ana: '', ben: '' };

  beforeAll(async () => {
    server = await startServer();
    await createDataset(server, DATASET);
    tokens.ana = (await createUser(server, 'Ana Editor', 'editor')).token;
    tokens.ben = (await createUser(server, 'Ben Editor', 'editor')).token;
    ana = await connectSynced(server, DATASET, tokens.ana);
    ben = await connectSynced(server, DATASET, tokens.ben);
  });
  afterAll(async () => {
    ana.destroy();
    ben.destroy();
    await server.dispose();
  });

  /** Makes an edit on `by`, waits until `other` has it, so the next edit is not concurrent with it. */
  async function edit(by: Client, other: Client, rowId: string, column: string, value: string | null): Promise<void> {
    setCell(sheetOf(by.doc, 'events'), rowId, column, value);
    await waitFor(() => (cellOf(other.doc, 'events', rowId, column) ?? null) === value, { what: `${column} = ${value} synced` });
  }

  async function historyOf(rowId: string, length: number): Promise<HistoryEntry[]> {
    return waitForValue(async () => {
      const entries = await rowHistory(server, DATASET, rowId);
      return entries.length >= length ? entries : undefined;
    }, { what: `${length} history entries of ${rowId}` });
  }

  async function exported(rowId: string): Promise<Record<string, string> | undefined> {
    const records = parse((await exportSheet(server, DATASET, 'events')).text, { columns: true }) as Array<Record<string, string>>;
    return records.find((r) => r.row_id === rowId);
  }

  it('lists every cell change of a row oldest first, with old and new values and who made it', async () => {
    const rowId = newRowId();
    insertRow(sheetOf(ana.doc, 'events'), rowId, { actor1: 'China', summary: 'first draft' });
    await waitFor(() => cellOf(ben.doc, 'events', rowId, 'summary') === 'first draft', { what: 'the new row synced' });
    await edit(ben, ana, rowId, 'summary', 'second draft');
    await edit(ana, ben, rowId, 'location', 'Beijing');
    await edit(ben, ana, rowId, 'location', null);
    await edit(ana, ben, rowId, 'summary', 'third draft');

    const history = await historyOf(rowId, 6);
    const plain = history.map(({ sheet, row, column, old, new: now, by }) => ({ sheet, row, column, old, new: now, by }));
    const entry = (column: string, old: string | null, now: string | null, by: string) => ({ sheet: 'events', row: rowId, column, old, new: now, by });
    // The two cells of the new row came in one transaction, in no promised order.
    expect(plain.slice(0, 2)).toEqual(expect.arrayContaining([
      entry('actor1', null, 'China', 'Ana Editor'),
      entry('summary', null, 'first draft', 'Ana Editor'),
    ]));
    expect(plain.slice(2)).toEqual([
      entry('summary', 'first draft', 'second draft', 'Ben Editor'),
      entry('location', null, 'Beijing', 'Ana Editor'),
      entry('location', 'Beijing', null, 'Ben Editor'),
      entry('summary', 'second draft', 'third draft', 'Ana Editor'),
    ]);
    for (const h of history) expect(h.at).toMatch(ISO_UTC);
    const times = history.map((h) => Date.parse(h.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('gives a write made without seeing the value before it the value its writer replaced as the old value', async () => {
    const rowId = newRowId();
    insertRow(sheetOf(ana.doc, 'events'), rowId, { location: 'Seoul' });
    await waitFor(() => cellOf(ben.doc, 'events', rowId, 'location') === 'Seoul', { what: 'the new row synced' });
    // Ben's copy as it is now: an offline tab edits it after Ana's change, and its write wins (a larger client id).
    const seen = Y.encodeStateAsUpdate(ben.doc);
    await edit(ana, ben, rowId, 'location', 'Beijing');
    await historyOf(rowId, 2);
    const tab = new Y.Doc();
    tab.clientID = ana.doc.clientID + 1;
    Y.applyUpdate(tab, seen);
    setCell(sheetOf(tab, 'events'), rowId, 'location', 'Tokyo');
    const offline = connect(server, DATASET, tokens.ben, { connect: false });
    try {
      Y.applyUpdate(offline.doc, Y.encodeStateAsUpdate(tab));
      offline.provider.connect();
      const history = await historyOf(rowId, 3);
      expect(cellOf(ana.doc, 'events', rowId, 'location')).toBe('Tokyo');
      expect(history.map(({ column, old, new: now, by }) => ({ column, old, new: now, by }))).toEqual([
        { column: 'location', old: null, new: 'Seoul', by: 'Ana Editor' },
        { column: 'location', old: 'Seoul', new: 'Beijing', by: 'Ana Editor' },
        // Ben replaced Seoul: he never saw Beijing (a conflict records that it was lost).
        { column: 'location', old: 'Seoul', new: 'Tokyo', by: 'Ben Editor' },
      ]);
    } finally {
      offline.destroy();
    }
  });

  it('shows who created a row and who changed it last in the export', async () => {
    const rowId = newRowId();
    insertRow(sheetOf(ana.doc, 'events'), rowId, { actor1: 'United States' });
    await waitFor(() => cellOf(ben.doc, 'events', rowId, 'actor1') === 'United States', { what: 'the new row synced' });
    await waitFor(async () => (await exported(rowId))?.created_by === 'Ana Editor', { what: 'the row exported' });
    expect(await exported(rowId)).toMatchObject({ created_by: 'Ana Editor', updated_by: 'Ana Editor' });

    await edit(ben, ana, rowId, 'actor2', 'China');
    const afterBen = await waitForValue(async () => {
      const row = await exported(rowId);
      return row?.updated_by === 'Ben Editor' ? row : undefined;
    }, { what: "ben's change in the export" });
    expect(afterBen).toMatchObject({ created_by: 'Ana Editor', updated_by: 'Ben Editor', actor2: 'China' });
    expect(Date.parse(afterBen.updated_at!)).toBeGreaterThanOrEqual(Date.parse(afterBen.created_at!));

    await edit(ana, ben, rowId, 'actor2', 'PRC');
    await waitFor(async () => (await exported(rowId))?.updated_by === 'Ana Editor', { what: "ana's change in the export" });
    expect(await exported(rowId)).toMatchObject({ created_by: 'Ana Editor', updated_by: 'Ana Editor', actor2: 'PRC' });
  });

  it("records a deleted row's cells as changed to nothing by the one who deleted it", async () => {
    const rowId = newRowId();
    insertRow(sheetOf(ana.doc, 'events'), rowId, { actor1: 'North Korea', cameo_code: '036' });
    await waitFor(() => cellOf(ben.doc, 'events', rowId, 'actor1') === 'North Korea', { what: 'the new row synced' });
    await historyOf(rowId, 2);
    deleteRow(sheetOf(ben.doc, 'events'), rowId);

    const history = await historyOf(rowId, 4);
    expect(history.slice(2).map(({ column, old, new: now, by }) => ({ column, old, new: now, by }))).toEqual(expect.arrayContaining([
      { column: 'actor1', old: 'North Korea', new: null, by: 'Ben Editor' },
      { column: 'cameo_code', old: '036', new: null, by: 'Ben Editor' },
    ]));
    expect(history).toHaveLength(4);
    await waitFor(async () => (await exported(rowId)) === undefined, { what: 'the row gone from the export' });
  });

  /**
   * Changes made on a replica of `client`'s document as separate transactions, each its own update,
   * sent as `token`'s in one TCP write: the server applies them in one turn and stores them in one flush.
   * Callers wait for the result in the history.
   */
  async function sendInOneGo(client: Client, token: string, ...transactions: Array<(doc: Y.Doc) => void>): Promise<void> {
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(client.doc));
    const updates: Uint8Array[] = [];
    replica.on('update', (u: Uint8Array) => updates.push(u));
    for (const change of transactions) replica.transact(() => change(replica));
    const socket = openRawSocket(server, DATASET, token);
    await socket.opened;
    socket.sendTogether(updates.map((u) => syncFrame(2, u)));
    socket.ws.close();
  }

  it('records the deletion of a row made and deleted in quick succession', async () => {
    const rowId = newRowId();
    await sendInOneGo(ana, tokens.ana,
      (doc) => insertRow(getSheet(doc, 'events')!, rowId, { actor1: 'short-lived' }),
      (doc) => deleteRow(getSheet(doc, 'events')!, rowId));
    const history = await historyOf(rowId, 1);
    expect(history.map(({ column, old, new: now, by }) => ({ column, old, new: now, by }))).toEqual([
      { column: 'actor1', old: null, new: 'short-lived', by: 'Ana Editor' },
      { column: 'actor1', old: 'short-lived', new: null, by: 'Ana Editor' },
    ]);
  });

  it('records the values a row had just before it was deleted, even right after a change', async () => {
    const rowId = newRowId();
    insertRow(sheetOf(ana.doc, 'events'), rowId, { actor1: 'before' });
    await waitFor(() => cellOf(ben.doc, 'events', rowId, 'actor1') === 'before', { what: 'the new row synced' });
    await historyOf(rowId, 1);
    await sendInOneGo(ben, tokens.ben,
      (doc) => setCell(getSheet(doc, 'events')!, rowId, 'actor1', 'after'),
      (doc) => deleteRow(getSheet(doc, 'events')!, rowId));

    const history = await historyOf(rowId, 3);
    expect(history.map(({ column, old, new: now, by }) => ({ column, old, new: now, by }))).toEqual([
      { column: 'actor1', old: null, new: 'before', by: 'Ana Editor' },
      { column: 'actor1', old: 'before', new: 'after', by: 'Ben Editor' },
      { column: 'actor1', old: 'after', new: null, by: 'Ben Editor' },
    ]);
  });

  it('keeps the history of rows apart, and answers an unknown dataset with 404', async () => {
    const one = newRowId();
    const two = newRowId();
    insertRow(sheetOf(ana.doc, 'events'), one, { actor1: 'one' });
    insertRow(sheetOf(ben.doc, 'events'), two, { actor1: 'two' });
    const historyOne = await historyOf(one, 1);
    const historyTwo = await historyOf(two, 1);
    expect(historyOne.map((h) => [h.row, h.new, h.by])).toEqual([[one, 'one', 'Ana Editor']]);
    expect(historyTwo.map((h) => [h.row, h.new, h.by])).toEqual([[two, 'two', 'Ben Editor']]);
    expect((await api(server, `/api/datasets/nope/history?row=${one}`)).status).toBe(404);
  });
});
