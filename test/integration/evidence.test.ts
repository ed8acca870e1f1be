import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../model/codes';
import type { Anchor } from '../../model/columns';
import { insertRow, setCell } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset, createUser, exportSheet, rowCount, type CreatedUser } from '../helpers/api';
import { api, connectSynced, type Client } from '../helpers/clients';
import { storedByUser } from '../helpers/database';
import { cellOf, sheetOf } from '../helpers/docs';
import { eventually } from '../helpers/eventually';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

/** A source with an emoji and a CRLF before the quote: offsets count code points of the text as stored. */
const TEXT = '👍 Seoul, 22 Feb.\r\nLiu said: “All parties concerned should talk.”\r\nEnd.';
const QUOTE = '“All parties concerned should talk.”';
/** Where the quote starts, in code points (one less than its UTF-16 index: the emoji is two units). */
const START = Array.from(TEXT.slice(0, TEXT.indexOf(QUOTE))).length;
const GOOD = (source: string): Anchor => ({ source, start: START, end: START + Array.from(QUOTE).length, exact: QUOTE });

/**
 * Anchors written by stock y-websocket clients: one that names an unknown source (or one of another
 * dataset) or whose `exact` is not the source's text there closes the socket with 4400 and nothing of
 * it is stored; a good one is stored, relayed and exported.
 */
describe('evidence anchors over the sync socket', () => {
  let server: RunningServer;
  let editor: CreatedUser;
  const clients: Client[] = [];
  let count = 0;

  beforeAll(async () => {
    server = await startServer();
    editor = await createUser(server, 'evidence editor', 'editor');
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

  async function setUp() {
    const dataset = `evidence-${++count}`;
    await createDataset(server, dataset);
    const { status, body: source } = await api(server, `/api/datasets/${dataset}/sources`, { body: { title: 'Article', text: TEXT } });
    expect(status).toBe(201);
    const watcher = await join(dataset);
    const row = newRowId();
    insertRow(sheetOf(watcher.doc, 'events'), row, { summary: 'Envoys talk' });
    await eventually(async () => expect(await rowCount(server, dataset, 'events')).toBe(1), { what: 'the row stored' });
    return { dataset, sourceId: source.id as string, watcher, row };
  }

  async function expectRefused(anchors: (sourceId: string, other: string) => Anchor[]) {
    const { dataset, sourceId, watcher, row } = await setUp();
    const other = (await api(server, `/api/datasets/demo/sources`, { body: { title: 'Elsewhere', text: TEXT } })).body.id as string;
    const before = (await exportSheet(server, dataset, 'events', 'format=json')).text;
    const user = await createUser(server, `careless ${dataset}`, 'editor');
    const careless = await join(dataset, user.token);
    setCell(sheetOf(careless.doc, 'events'), row, 'evidence', anchors(sourceId, other));
    await waitFor(() => careless.closes.includes(CloseCode.BadMessage), { what: 'the socket closed with 4400' });
    careless.destroy();

    // An honest edit after it goes through; the refused anchor reached nobody and nothing.
    setCell(sheetOf(watcher.doc, 'events'), row, 'summary', 'after the refusal');
    await eventually(async () => {
      const rows = JSON.parse((await exportSheet(server, dataset, 'events', 'format=json')).text).rows;
      expect(rows[0].summary).toBe('after the refusal');
    }, { what: 'the honest edit stored' });
    expect(cellOf(watcher.doc, 'events', row, 'evidence')).toBeUndefined();
    const fresh = await join(dataset);
    expect(cellOf(fresh.doc, 'events', row, 'evidence')).toBeUndefined();
    expect(await storedByUser(server, user.id)).toEqual({ updates: 0, cellChanges: 0 });
    const after = JSON.parse((await exportSheet(server, dataset, 'events', 'format=json')).text);
    expect(after.rows[0].evidence).toBeNull();
    expect(JSON.parse(before).rows[0].evidence).toBeNull();
  }

  it('refuses an anchor to a source the dataset does not have', async () => {
    await expectRefused(() => [{ ...GOOD('01NOSUCHSOURCE'), source: '01NOSUCHSOURCE' }]);
  });

  it("refuses an anchor to another dataset's source", async () => {
    await expectRefused((_mine, other) => [GOOD(other)]);
  });

  it('refuses an anchor whose exact text is not the slice (offsets counted in UTF-16 units)', async () => {
    // The emoji is two UTF-16 units: the same quote one position later is what a UTF-16 count would give.
    await expectRefused((source) => [{ ...GOOD(source), start: START + 1, end: START + 1 + Array.from(QUOTE).length }]);
  });

  it('refuses a list with one good and one bad anchor, whole', async () => {
    await expectRefused((source) => [GOOD(source), { source, start: 0, end: 5, exact: 'Seoul' }]);
  });

  it('stores a good anchor, relays it, exports it as sourceId:start-end and in the crosswalk, and keeps its source', async () => {
    const { dataset, sourceId, watcher, row } = await setUp();
    const coder = await join(dataset, editor.token);
    await waitFor(() => cellOf(coder.doc, 'events', row, 'summary') === 'Envoys talk', { what: 'the coder synced' });
    const anchor = GOOD(sourceId);
    expect(anchor.start).toBe(TEXT.indexOf(QUOTE) - 1);
    expect(Array.from(TEXT).slice(anchor.start, anchor.end).join('')).toBe(QUOTE);
    setCell(sheetOf(coder.doc, 'events'), row, 'evidence', [anchor]);

    await waitFor(() => JSON.stringify(cellOf(watcher.doc, 'events', row, 'evidence')) === JSON.stringify([anchor]), { what: 'the anchor relayed' });
    await eventually(async () => {
      const csv = parse((await exportSheet(server, dataset, 'events')).text, { columns: true }) as Array<Record<string, string>>;
      expect(csv[0]!.evidence).toBe(`${sourceId}:${anchor.start}-${anchor.end}`);
    }, { what: 'the anchor in the CSV export' });
    const json = JSON.parse((await exportSheet(server, dataset, 'events', 'format=json')).text);
    expect(json.rows[0].evidence).toEqual([anchor]);
    const crosswalk = await api(server, `/api/datasets/${dataset}/evidence/export?format=json`);
    expect(crosswalk.body).toEqual([{ sheet: 'events', row_id: row, source_id: sourceId, start: anchor.start, end: anchor.end, exact: QUOTE }]);
    expect(coder.closes).toEqual([]);
    expect((await api(server, `/api/datasets/${dataset}/sources/${sourceId}`, { method: 'DELETE' })).status).toBe(409);
  });
});

