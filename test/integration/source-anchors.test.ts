/**
 * `GET …/sources/:source/anchors` (docs/api.md, docs/sources.md#on-large-sheets): the passages rows anchor
 * to in one source, read from the read model (a row written in its own room included), for both layouts,
 * over HTTP against the real server (SQLite, or PostgreSQL with TESSERA_TEST_STORE=pg).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Anchor } from '../../model/anchors';
import { newRowId } from '../../model/ids';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { createUser } from '../helpers/api';
import { api, type Client, connectSynced } from '../helpers/clients';
import { csvOf, importFile } from '../helpers/import';
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

  it('lists them in a dataset kept as one document too', async () => {
    const dataset = 'anchors-doc';
    expect((await api(server, '/api/datasets', { body: { id: dataset, name: 'Anchors doc', template: 'events-statements' } })).status).toBe(201);
    const source = (await api(server, `/api/datasets/${dataset}/sources`, { body: { title: 'Launch', text: TEXT } })).body.id as string;
    const fired = anchor(source, TEXT, 'fired two missiles');
    const imported = await importFile(server, dataset, 'events', csvOf([HEADER, ['2024-02-14', 'day', 'North Korea', 'MOBILIZE', 'Missile launch.', span(fired)]]));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const listed = await anchorsOf(dataset, source);
    expect(listed.body).toEqual({ anchors: [{ sheet: 'events', row: expect.any(String), start: fired.start, end: fired.end, exact: fired.exact }], truncated: false });
  });
});
