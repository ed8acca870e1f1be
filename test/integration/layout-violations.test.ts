import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../../model/codes';
import {
  columnToYMap, getMeta, getReviews, insertRow, setCell, sheetColumns, sheetRows, type YSheet,
} from '../../model/document';
import { newRowId } from '../../model/ids';
import type { Role } from '../../model/roles';
import { api, connectSynced, type Client } from '../helpers/clients';
import { createDataset, createUser, exportSheet, rowCount, rowHistory, type CreatedUser } from '../helpers/api';
import { storedByUser } from '../helpers/database';
import { cellOf, sheetOf } from '../helpers/docs';
import { eventually } from '../helpers/eventually';
import { restartServer } from '../helpers/lifecycle';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

/**
 * The whole document as plain data, every root, taken from its encoded state (what the client would
 * send anyone). Roots are read as maps: the layout has no other kind.
 */
function documentJson(doc: Y.Doc): Record<string, unknown> {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const roots = [...copy.share.keys()].sort();
  const json = Object.fromEntries(roots.map((name) => [name, copy.getMap(name).toJSON()]));
  copy.destroy();
  return json;
}

const events = (doc: Y.Doc): YSheet => sheetOf(doc, 'events');

interface ExportedRow {
  row_id: string;
  [key: string]: unknown;
}

/** What the server shows of a dataset besides the document: its read model (sheets, columns) and export. */
async function serverView(server: RunningServer, dataset: string) {
  const { body } = await api(server, `/api/datasets/${dataset}`);
  const { sheets, ...rest } = body as { sheets: Array<{ rowCount: number }> };
  const exported = JSON.parse((await exportSheet(server, dataset, 'events', 'format=json')).text) as { rows: ExportedRow[]; columns: unknown[] };
  const header = (await exportSheet(server, dataset, 'events')).text.split('\r\n')[0];
  return {
    dataset: { ...rest, sheets: sheets.map(({ rowCount: _, ...sheet }) => sheet) },
    rowCounts: sheets.map((sheet) => sheet.rowCount),
    columns: exported.columns,
    header,
    rows: new Map(exported.rows.map((row) => [row.row_id, row])),
  };
}

/**
 * An editor's (or admin's) client can send any valid Yjs update, including one that breaks the document
 * layout (a bug in a client, or a hostile one). The server refuses it whole: the socket is closed with
 * 4400, nothing of it is applied, stored or sent on, and everyone else keeps working.
 */
describe('updates that break the document layout', () => {
  let server: RunningServer;
  const clients: Client[] = [];
  const servers: RunningServer[] = [];
  let count = 0;

  beforeAll(async () => {
    server = await startServer();
    servers.push(server);
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    // The first server owns the data dir: it goes last.
    for (const s of [...servers].reverse()) await s.dispose();
  });

  const join = async (dataset: string, token?: string) => {
    const client = await connectSynced(server, dataset, token);
    clients.push(client);
    return client;
  };

  interface Scene {
    dataset: string;
    honest: Client;
    watcher: Client;
    careless: Client;
    carelessUser: CreatedUser;
    rowIds: string[];
  }

  /** A dataset with three stored rows, two honest clients and a careless one with `role`. */
  async function setUp(role: Role): Promise<Scene> {
    const dataset = `layout-${++count}`;
    await createDataset(server, dataset);
    const carelessUser = await createUser(server, `careless ${dataset}`, role);
    const honest = await join(dataset);
    const watcher = await join(dataset);
    const rowIds = [newRowId(), newRowId(), newRowId()];
    honest.doc.transact(() => {
      rowIds.forEach((id, i) => insertRow(events(honest.doc), id, { summary: `row ${i}`, actor1: 'China', context: ['military'] }));
    });
    await eventually(async () => expect(await rowCount(server, dataset, 'events')).toBe(3), { what: 'the rows stored' });
    const careless = await join(dataset, carelessUser.token);
    return { dataset, honest, watcher, careless, carelessUser, rowIds };
  }

  /**
   * Has the careless client make `change`, and checks that the server refused it and nothing else
   * suffered: the socket closed with 4400, no other client and no new client sees any of it, the store
   * holds nothing from that user, the read model and the export are as before, and the honest clients'
   * edits still reach each other, the store and the history.
   */
  async function expectRefused(role: Role, change: (doc: Y.Doc) => void): Promise<Scene> {
    const scene = await setUp(role);
    const { dataset, honest, watcher, careless, carelessUser } = scene;
    const documentBefore = documentJson(watcher.doc);
    const viewBefore = await serverView(server, dataset);

    careless.doc.transact(() => change(careless.doc));
    await waitFor(() => careless.closes.includes(CloseCode.BadMessage), { what: 'the careless socket closed with 4400' });
    careless.destroy(); // its provider would reconnect and send the same again

    // An honest edit after the refusal: it reaches the other client, the store and the history.
    const rowId = newRowId();
    setCell(events(honest.doc), rowId, 'summary', 'an honest edit');
    setCell(events(watcher.doc), scene.rowIds[0]!, 'actor1', 'Japan');
    await waitFor(() => cellOf(watcher.doc, 'events', rowId, 'summary') === 'an honest edit', { what: 'the honest edit relayed' });
    await waitFor(() => cellOf(honest.doc, 'events', scene.rowIds[0]!, 'actor1') === 'Japan', { what: "the watcher's edit relayed" });
    await eventually(async () => {
      expect((await rowHistory(server, dataset, rowId)).map((h) => h.new)).toEqual(['an honest edit']);
    }, { what: 'the honest edit in the history' });

    // Everyone converges on the document without the refused change.
    const fresh = await join(dataset);
    const expected = documentJson(honest.doc);
    expect(documentJson(watcher.doc)).toEqual(expected);
    expect(documentJson(fresh.doc)).toEqual(expected);
    expect(Object.keys(expected).sort()).toEqual(Object.keys(documentBefore).sort());
    expect(expected.meta).toEqual(documentBefore.meta);

    expect(await storedByUser(server, carelessUser.id)).toEqual({ updates: 0, cellChanges: 0 });
    const viewAfter = await serverView(server, dataset);
    expect(viewAfter.dataset).toEqual(viewBefore.dataset);
    expect(viewAfter.columns).toEqual(viewBefore.columns);
    expect(viewAfter.header).toBe(viewBefore.header);
    expect(viewBefore.rowCounts[0]).toBe(3);
    expect(viewAfter.rowCounts[0]).toBe(4);
    expect([...viewAfter.rows.keys()].sort()).toEqual([...viewBefore.rows.keys(), rowId].sort());
    // The rows nobody honest touched are exported as they were.
    for (const id of scene.rowIds.slice(1)) expect(viewAfter.rows.get(id)).toEqual(viewBefore.rows.get(id));
    return scene;
  }

  it("refuses an editor's write to meta.name (the dataset's title is the server's)", async () => {
    await expectRefused('editor', (doc) => getMeta(doc).set('name', 'Hijacked title'));
  });

  it("refuses an admin's write to meta.name too", async () => {
    await expectRefused('admin', (doc) => getMeta(doc).set('name', 'Hijacked title'));
  });

  it('refuses a write to a root the document does not have', async () => {
    await expectRefused('admin', (doc) => doc.getMap('evil').set('payload', 'x'));
  });

  it("refuses an editor's write to reviews", async () => {
    await expectRefused('editor', (doc) => getReviews(doc).set('r1', new Y.Map()));
  });

  it('refuses a new row whose cell holds a nested Y.Map', async () => {
    await expectRefused('editor', (doc) => {
      const row = new Y.Map<unknown>();
      row.set('summary', new Y.Map());
      (sheetRows(events(doc)) as Y.Map<unknown>).set(newRowId(), row);
    });
  });

  it('refuses a new row whose cell holds a Y.Text', async () => {
    await expectRefused('editor', (doc) => {
      const row = new Y.Map<unknown>();
      row.set('summary', new Y.Text('typed into a text'));
      (sheetRows(events(doc)) as Y.Map<unknown>).set(newRowId(), row);
    });
  });

  it('refuses a new row whose cell holds a plain object', async () => {
    await expectRefused('editor', (doc) => insertRow(events(doc), newRowId(), { summary: { an: 'object' } as never }));
  });

  it('refuses a row that is not a map', async () => {
    await expectRefused('editor', (doc) => (sheetRows(events(doc)) as Y.Map<unknown>).set(newRowId(), 'a row as plain text'));
  });

  it("refuses an editor replacing a sheet's rows map", async () => {
    await expectRefused('editor', (doc) => events(doc).set('rows', new Y.Map()));
  });

  it("refuses an admin replacing a sheet's rows map: the document, read model and export keep every row", async () => {
    const { honest, rowIds } = await expectRefused('admin', (doc) => events(doc).set('rows', new Y.Map()));
    for (const id of rowIds) expect(sheetRows(events(honest.doc)).has(id)).toBe(true);
  });

  it('refuses an admin column that is not a map', async () => {
    await expectRefused('admin', (doc) => (sheetColumns(events(doc)) as Y.Array<unknown>).push(['a column as plain text']));
  });

  it('refuses an admin column whose id clashes with an export column', async () => {
    await expectRefused('admin', (doc) => sheetColumns(events(doc)).push([columnToYMap({ id: 'review_status', name: 'Status', type: 'text' })]));
  });

  it("refuses an admin changing a column's id", async () => {
    await expectRefused('admin', (doc) => sheetColumns(events(doc)).get(0).set('id', 'renamed'));
  });

  it('keeps the stored log loadable: after kill -9 and a restart the document is what the clients saw', async () => {
    const { dataset, honest } = await expectRefused('admin', (doc) => {
      getMeta(doc).set('name', 'Hijacked');
      events(doc).set('rows', new Y.Map());
    });
    // More honest edits after the refusal, some depending on what came before it.
    const rowId = newRowId();
    honest.doc.transact(() => insertRow(events(honest.doc), rowId, { summary: 'after the refusal' }));
    setCell(events(honest.doc), rowId, 'actor1', 'Kenya');
    await eventually(async () => {
      expect((await rowHistory(server, dataset, rowId)).map((h) => h.new)).toEqual(['after the refusal', 'Kenya']);
    }, { what: 'the edits stored' });
    const expected = documentJson(honest.doc);

    await server.kill();
    server = await restartServer(server);
    servers.push(server);
    const reader = await join(dataset);
    expect(documentJson(reader.doc)).toEqual(expected);
    expect(cellOf(reader.doc, 'events', rowId, 'actor1')).toBe('Kenya');
  });
});
