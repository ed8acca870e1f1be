/**
 * `GET …/sources/:source/anchors` (docs/api.md, docs/sources.md#on-large-sheets): the passages rows anchor
 * to in one source, read from the read model's table of anchors (a row written in its own room included), for
 * both layouts, kept as rows gain anchors, are merged and deleted, and across a restart, over HTTP against the
 * real server (SQLite, or PostgreSQL with TESSERA_TEST_STORE=pg).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Anchor } from '../../model/anchors';
import { deleteRow, getSheet, insertRow, setCell } from '../../model/document';
import { newRowId } from '../../model/ids';
import { rowRoom } from '../../model/rooms';
import { DELETED_KEY, getRowCells, getRowState } from '../../model/row-document';
import { createUser } from '../helpers/api';
import { api, type Client, connectSynced } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { csvOf, importFile } from '../helpers/import';
import { restartServer } from '../helpers/lifecycle';
import { type RunningServer, startServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const TEXT = 'On Wednesday North Korea fired two missiles from Wonsan. Seoul condemned the launch.';
const OTHER = 'Talks in Geneva ended without an agreement.';
const anchor = (source: string, text: string, exact: string): Anchor => ({ source, start: text.indexOf(exact), end: text.indexOf(exact) + exact.length, exact });
const span = (a: Anchor) => `${a.source}:${a.start}-${a.end}`;

let server: RunningServer;
let viewer: string;
const open: Client[] = [];
beforeAll(async () => {
  server = await startServer();
  viewer = (await createUser(server, 'Vera Viewer', 'viewer')).token;
});
afterAll(async () => {
  for (const c of open) c.destroy();
  await server?.dispose();
});

const HEADER = ['event_date', 'date_precision', 'actor1', 'event_type', 'summary', 'evidence'];
const anchorsOf = (dataset: string, source: string, token?: string) => api(server, `/api/datasets/${dataset}/sources/${source}/anchors`, { token });

describe('GET …/sources/:source/anchors', () => {
  it('lists the anchors into one source in a rows dataset, a row written in its room included', async () => {
    const dataset = 'anchors-rows';
    expect((await api(server, '/api/datasets', { body: { id: dataset, name: 'Anchors', template: 'events-statements', layout: 'rows' } })).status).toBe(201);
    const source = (await api(server, `/api/datasets/${dataset}/sources`, { body: { title: 'Launch', text: TEXT } })).body.id as string;
    const other = (await api(server, `/api/datasets/${dataset}/sources`, { body: { title: 'Talks', text: OTHER } })).body.id as string;
    const fired = anchor(source, TEXT, 'North Korea fired two missiles');
    const condemned = anchor(source, TEXT, 'Seoul condemned the launch');
    const talks = anchor(other, OTHER, 'Talks in Geneva');
    const imported = await importFile(server, dataset, 'events', csvOf([HEADER,
      ['2024-02-15', 'day', 'Geneva', 'PROTEST', 'Talks end.', span(talks)],
      ['2024-02-14', 'day', 'North Korea', 'MOBILIZE', 'Missile launch.', `${span(fired)}; ${span(talks)}`],
      ['2024-02-16', 'day', 'Japan', 'PROTEST', 'No evidence.', ''],
    ]));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const page = (await api(server, `/api/datasets/${dataset}/sheets/events/rows?limit=10`)).body as { rows: Array<{ row_id: string; summary: string }> };
    const launch = page.rows.find((r) => r.summary === 'Missile launch.')!.row_id;

    const first = await anchorsOf(dataset, source, viewer);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toEqual({ anchors: [{ sheet: 'events', row: launch, start: fired.start, end: fired.end, exact: fired.exact }], truncated: false });

    // A row coded in its own room: listed with the others.
    const row = newRowId();
    const client = await connectSynced(server, rowRoom(dataset, 'events', row));
    open.push(client);
    client.doc.transact(() => {
      const cells = getRowCells(client.doc);
      cells.set('summary', 'Seoul reacts.');
      cells.set('evidence', [condemned]);
    });
    // Once another client of the row has it, the server applied it (the store writes it up to 20 ms later).
    const watcher = await connectSynced(server, rowRoom(dataset, 'events', row));
    open.push(watcher);
    await waitFor(() => getRowCells(watcher.doc).get('evidence') !== undefined, { what: 'the row reaches the server' });
    const second = await anchorsOf(dataset, source);
    expect(second.body.anchors).toEqual([
      ...[{ sheet: 'events', row: launch, ...fired }, { sheet: 'events', row, ...condemned }]
        .sort((a, b) => (a.row < b.row ? -1 : 1)).map(({ source: _, ...a }) => a),
    ]);
    const talking = await anchorsOf(dataset, other);
    expect(talking.body.anchors.map((a: { exact: string }) => a.exact)).toEqual(['Talks in Geneva', 'Talks in Geneva']);

    expect((await anchorsOf(dataset, '01HQZZZZZZZZZZZZZZZZZZZZZZ')).status).toBe(404);
  });

  it('lists them in a dataset kept as one document too, kept as its document changes', async () => {
    const dataset = 'anchors-doc';
    expect((await api(server, '/api/datasets', { body: { id: dataset, name: 'Anchors doc', template: 'events-statements' } })).status).toBe(201);
    const source = (await api(server, `/api/datasets/${dataset}/sources`, { body: { title: 'Launch', text: TEXT } })).body.id as string;
    const fired = anchor(source, TEXT, 'fired two missiles');
    const imported = await importFile(server, dataset, 'events', csvOf([HEADER, ['2024-02-14', 'day', 'North Korea', 'MOBILIZE', 'Missile launch.', span(fired)]]));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const listed = await anchorsOf(dataset, source);
    expect(listed.body).toEqual({ anchors: [{ sheet: 'events', row: expect.any(String), start: fired.start, end: fired.end, exact: fired.exact }], truncated: false });

    // Edited in the dataset's document: the anchor moves to a row coded there, and goes with its row.
    const row = listed.body.anchors[0].row as string;
    const client = await connectSynced(server, dataset);
    open.push(client);
    const events = getSheet(client.doc, 'events')!;
    const added = newRowId();
    client.doc.transact(() => {
      setCell(events, row, 'evidence', []);
      insertRow(events, added, { summary: 'Coded here.', evidence: [fired] });
    });
    await eventually(async () => expect((await anchorsOf(dataset, source)).body.anchors.map((a: { row: string }) => a.row)).toEqual([added]), { what: 'the anchor in the new row' });
    client.doc.transact(() => deleteRow(events, added));
    await eventually(async () => expect((await anchorsOf(dataset, source)).body).toEqual({ anchors: [], truncated: false }), { what: 'no anchor left' });
  });

  it('keeps them as rows change: an anchor added, moved by a merge, gone with its row; across a restart; none once the source goes', async () => {
    const dataset = 'anchors-kept';
    expect((await api(server, '/api/datasets', { body: { id: dataset, name: 'Anchors kept', template: 'events-statements', layout: 'rows' } })).status).toBe(201);
    const source = (await api(server, `/api/datasets/${dataset}/sources`, { body: { title: 'Launch', text: TEXT } })).body.id as string;
    const [fired, wonsan, condemned] = [anchor(source, TEXT, 'North Korea fired'), anchor(source, TEXT, 'from Wonsan'), anchor(source, TEXT, 'Seoul condemned')];
    const imported = await importFile(server, dataset, 'events', csvOf([HEADER,
      ['2024-02-14', 'day', 'North Korea', 'MOBILIZE', 'Launch.', span(fired)],
      ['2024-02-14', 'day', 'North Korea', 'MOBILIZE', 'Launch again.', span(wonsan)],
      ['2024-02-15', 'day', 'South Korea', 'DISAPPROVE', 'Seoul reacts.', ''],
    ]));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const page = (await api(server, `/api/datasets/${dataset}/sheets/events/rows?limit=10`)).body as { rows: Array<{ row_id: string; summary: string }> };
    const [a, b, c] = ['Launch.', 'Launch again.', 'Seoul reacts.'].map((summary) => page.rows.find((r) => r.summary === summary)!.row_id) as [string, string, string];
    const listed = (...pairs: Array<[string, Anchor]>) => ({
      anchors: pairs.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([row, { source: _, ...at }]) => ({ sheet: 'events', row, ...at })),
      truncated: false,
    });
    const inRoom = async (row: string, change: (client: Client) => void) => {
      const client = await connectSynced(server, rowRoom(dataset, 'events', row));
      open.push(client);
      client.doc.transact(() => change(client));
    };
    expect((await anchorsOf(dataset, source)).body).toEqual(listed([a, fired], [b, wonsan]));

    // An anchor added to a row in its room.
    await inRoom(c, (client) => getRowCells(client.doc).set('evidence', [condemned]));
    await eventually(async () => expect((await anchorsOf(dataset, source)).body).toEqual(listed([a, fired], [b, wonsan], [c, condemned])), { what: 'the added anchor' });

    // A merge: the kept row gains the merged row's anchor, which is no longer the merged row's.
    const merged = await api(server, `/api/datasets/${dataset}/sheets/events/duplicates/merge`, { body: { keep: a, merge: [b] } });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect((await anchorsOf(dataset, source)).body.anchors.filter((x: { row: string }) => x.row !== c))
      .toEqual([{ sheet: 'events', row: a, start: fired.start, end: fired.end, exact: fired.exact }, { sheet: 'events', row: a, start: wonsan.start, end: wonsan.end, exact: wonsan.exact }]);

    // A deleted row's anchors go with it.
    await inRoom(c, (client) => getRowState(client.doc).set(DELETED_KEY, true));
    await eventually(async () => expect((await anchorsOf(dataset, source)).body.anchors.map((x: { row: string }) => x.row)).toEqual([a, a]), { what: 'the deleted row\'s anchor gone' });

    // Read from what the database keeps: the same after a restart.
    const kept = (await anchorsOf(dataset, source)).body;
    for (const client of open.splice(0)) client.destroy();
    expect(await server.stop()).toBe(0);
    const previous = server;
    server = await restartServer(previous);
    try {
      expect((await anchorsOf(dataset, source)).body).toEqual(kept);
      // The source is refused deletion while a row anchors to it; once none does, it goes and lists nothing.
      expect((await api(server, `/api/datasets/${dataset}/sources/${source}`, { method: 'DELETE' })).status).toBe(409);
      await inRoom(a, (client) => getRowCells(client.doc).set('evidence', []));
      await eventually(async () => expect((await anchorsOf(dataset, source)).body).toEqual({ anchors: [], truncated: false }), { what: 'no anchor left' });
      expect((await api(server, `/api/datasets/${dataset}/sources/${source}`, { method: 'DELETE' })).status).toBe(200);
      expect((await anchorsOf(dataset, source)).status).toBe(404);
    } finally {
      for (const client of open.splice(0)) client.destroy();
      await server.dispose();
      server = previous;
    }
  });
});
