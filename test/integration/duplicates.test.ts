/**
 * Duplicates over HTTP against the real server (SQLite, or PostgreSQL with TESSERA_TEST_STORE=pg): the
 * groups a sheet lists, merging rows (seen live by a stock y-websocket client, recorded in the history,
 * flags and references following the kept row) and dismissing a group for good.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Anchor, CellValue } from '../../model/columns';
import { getSheet, insertRow } from '../../model/document';
import { newRowId } from '../../model/ids';
import { type CreatedUser, createDataset, createUser, rowCount, rowHistory } from '../helpers/api';
import { api, type Client, connectSynced } from '../helpers/clients';
import { cellOf, sheetOf } from '../helpers/docs';
import { eventually } from '../helpers/eventually';
import { type RunningServer, startServer } from '../helpers/server';

const TEXT = 'On Wednesday North Korea fired two missiles from Wonsan. Seoul condemned the launch.';
const at = (exact: string, source: string): Anchor => {
  const start = TEXT.indexOf(exact);
  return { source, start, end: start + exact.length, exact };
};

let server: RunningServer;
let editor: CreatedUser;
let reviewer: CreatedUser;
let viewer: CreatedUser;
const clients: Client[] = [];
let count = 0;

beforeAll(async () => {
  server = await startServer();
  [editor, reviewer, viewer] = await Promise.all([
    createUser(server, 'Dup Editor', 'editor'), createUser(server, 'Dup Reviewer', 'reviewer'), createUser(server, 'Dup Viewer', 'viewer'),
  ]);
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await server?.dispose();
});

/**
 * A dataset with two likely duplicates of one missile launch (A, B: a day apart, the same actor, place and
 * passage; B has a CAMEO code A lacks, a statement refers to B, a reviewer flagged B), a pair with their
 * actors the other way round (E, F), and rows like them that are no duplicates (C: another event type,
 * D: two weeks later).
 */
async function setUp() {
  const dataset = `dups-${++count}`;
  await createDataset(server, dataset);
  const source = (await api(server, `/api/datasets/${dataset}/sources`, { body: { title: 'Launch', text: TEXT } })).body.id as string;
  const watcher = await connectSynced(server, dataset);
  clients.push(watcher);
  const ids = { A: newRowId(), B: newRowId(), C: newRowId(), D: newRowId(), E: newRowId(), F: newRowId(), S: newRowId() };
  const launch: Record<string, CellValue> = { event_type: 'MOBILIZE', date_precision: 'day', actor1: 'North Korea', location: 'Wonsan', summary: 'Missile launch.' };
  watcher.doc.transact(() => {
    const events = sheetOf(watcher.doc, 'events');
    insertRow(events, ids.A, { ...launch, event_date: '2024-02-14', evidence: [at('North Korea fired two missiles', source)] });
    insertRow(events, ids.B, { ...launch, event_date: '2024-02-15', cameo_code: '15x', summary: 'Two missiles.', evidence: [at('fired two missiles from Wonsan', source)] });
    insertRow(events, ids.C, { ...launch, event_date: '2024-02-14', event_type: 'PROTEST' });
    insertRow(events, ids.D, { ...launch, event_date: '2024-03-01' });
    insertRow(events, ids.E, { event_date: '2024-05-01', event_type: 'ASSAULT', actor1: 'Israel', actor2: 'Hamas', summary: 'Clash.' });
    insertRow(events, ids.F, { event_date: '2024-05-01', event_type: 'ASSAULT', actor1: 'hamas', actor2: 'Israel', summary: 'Clashes.' });
    insertRow(sheetOf(watcher.doc, 'statements'), ids.S, { speaker: 'Seoul', quote: 'We condemn it.', event_id: ids.B });
  });
  await eventually(async () => expect(await rowCount(server, dataset, 'events')).toBe(6), { what: 'the rows stored' });
  return { dataset, source, watcher, ids };
}

const duplicates = (dataset: string, query = '', token = viewer.token) => api(server, `/api/datasets/${dataset}/sheets/events/duplicates${query}`, { token });

describe('GET …/sheets/:sheetId/duplicates', () => {
  it('lists groups of rows that likely code the same event, best first, with what they share', async () => {
    const { dataset, ids } = await setUp();
    const { status, body } = await duplicates(dataset, '?days=1');
    expect(status).toBe(200);
    expect(body).toEqual([
      { rows: [ids.A, ids.B].sort(), score: expect.any(Number), reasons: ['date', 'event_type', 'actors', 'place', 'evidence'] },
      { rows: [ids.E, ids.F].sort(), score: expect.any(Number), reasons: ['date', 'event_type', 'actors'] },
    ]);
    expect(body[0].score).toBeGreaterThan(body[1].score);
    for (const g of body) expect(g.score).toBeGreaterThan(0), expect(g.score).toBeLessThanOrEqual(1);
    // A day apart is too far with days=0; the launch two weeks later near enough with days=16 (from the 14th).
    expect((await duplicates(dataset, '?days=0')).body.map((g: { rows: string[] }) => g.rows)).toEqual([[ids.E, ids.F].sort()]);
    expect((await duplicates(dataset, '?days=16')).body.map((g: { rows: string[] }) => g.rows)).toContainEqual([ids.A, ids.B, ids.D].sort());
    // One day when the query does not say.
    expect((await duplicates(dataset)).body).toEqual(body);
  });

  it('answers 400 for days that are no whole number or too many, 404 for a sheet that does not exist', async () => {
    expect((await duplicates('demo', '?days=one')).status).toBe(400);
    expect((await duplicates('demo', '?days=-1')).status).toBe(400);
    expect((await duplicates('demo', '?days=366')).status).toBe(400);
    const missing = await api(server, '/api/datasets/demo/sheets/nothing/duplicates', { token: viewer.token });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('finds none in the demo, whose events are all different', async () => {
    expect((await duplicates('demo')).body).toEqual([]);
    expect((await api(server, '/api/datasets/demo/sheets/statements/duplicates', { token: viewer.token })).body).toEqual([]);
  });
});

describe('POST …/duplicates/merge', () => {
  it('keeps one row with the others’ anchors and values, deletes them, moves their flags and references, live and in the history', async () => {
    const { dataset, watcher, ids } = await setUp();
    const flagged = await api(server, `/api/datasets/${dataset}/flags`, { token: reviewer.token, body: { sheet: 'events', row: ids.B, reason: 'duplicate', note: 'Same as A?' } });
    expect(flagged.status).toBe(201);
    const merge = (body: unknown, token = editor.token) => api(server, `/api/datasets/${dataset}/sheets/events/duplicates/merge`, { token, body });

    expect((await merge({ keep: ids.A, merge: [ids.B] }, reviewer.token)).status).toBe(403);
    expect((await merge({ keep: ids.A, merge: [ids.A] })).status).toBe(400);
    expect((await merge({ keep: ids.A, merge: [] })).status).toBe(400);
    expect((await merge({ keep: ids.A, merge: [ids.B, 'NOSUCHROW'] })).status).toBe(404);
    expect(cellOf(watcher.doc, 'events', ids.B, 'cameo_code')).toBe('15x');

    const merged = await merge({ keep: ids.A, merge: [ids.B] });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body).toEqual({ keep: ids.A, merged: [ids.B], filled: ['cameo_code'], anchors: 1, flags: 1, refs: 1 });

    // A stock client sees the merge at once.
    await eventually(() => expect(cellOf(watcher.doc, 'events', ids.B, 'summary')).toBeUndefined(), { what: 'the merged row gone' });
    expect(cellOf(watcher.doc, 'events', ids.A, 'cameo_code')).toBe('15x');
    expect(cellOf(watcher.doc, 'events', ids.A, 'summary')).toBe('Missile launch.');
    expect((cellOf(watcher.doc, 'events', ids.A, 'evidence') as Anchor[]).map((a) => a.exact)).toEqual(['North Korea fired two missiles', 'fired two missiles from Wonsan']);
    expect(cellOf(watcher.doc, 'statements', ids.S, 'event_id')).toBe(ids.A);
    expect(await rowCount(server, dataset, 'events')).toBe(5);

    // The flag now asks about the kept row, which it flags.
    const flags = await api(server, `/api/datasets/${dataset}/flags`);
    expect(flags.body).toEqual([expect.objectContaining({ id: flagged.body.id, row: ids.A, note: 'Same as A?', status: 'open' })]);
    const review = await api(server, `/api/datasets/${dataset}/rows/${ids.A}/review`);
    expect(review.body).toMatchObject({ status: 'flagged', openFlags: 1 });

    // The history: which rows became which, by whom, beside the cells the merge filled.
    const merge_ = { kept: ids.A, merged: [ids.B] };
    const kept = await rowHistory(server, dataset, ids.A);
    expect(kept).toContainEqual(expect.objectContaining({ column: 'row_id', old: [ids.B], new: ids.A, by: 'Dup Editor', merge: merge_ }));
    expect(kept).toContainEqual(expect.objectContaining({ column: 'cameo_code', old: null, new: '15x', by: 'Dup Editor', merge: merge_ }));
    // On the merged row, also what went with it: its flags (by id) and its cells.
    const gone = await rowHistory(server, dataset, ids.B);
    expect(gone).toContainEqual(expect.objectContaining({ column: 'row_id', old: ids.B, new: ids.A, by: 'Dup Editor', merge: { ...merge_, flags: [flagged.body.id] } }));
    expect(gone).toContainEqual(expect.objectContaining({ column: 'cameo_code', old: '15x', new: null, by: 'Dup Editor', merge: merge_ }));
    expect(await rowHistory(server, dataset, ids.S)).toContainEqual(expect.objectContaining({ column: 'event_id', old: ids.B, new: ids.A, merge: merge_ }));

    // Merged rows are no duplicates any more; merging a row that is gone is 404.
    expect((await duplicates(dataset)).body.map((g: { rows: string[] }) => g.rows)).toEqual([[ids.E, ids.F].sort()]);
    expect((await merge({ keep: ids.A, merge: [ids.B] })).status).toBe(404);
  });
});

describe('POST …/duplicates/dismiss', () => {
  it('keeps a dismissed group from being listed again, once stored', async () => {
    const { dataset, ids } = await setUp();
    const dismiss = (rows: string[], token = editor.token) => api(server, `/api/datasets/${dataset}/sheets/events/duplicates/dismiss`, { token, body: { rows } });
    expect((await dismiss([ids.E, ids.F], reviewer.token)).status).toBe(403);
    expect((await dismiss([ids.E])).status).toBe(400);
    expect((await dismiss([ids.E, ids.E])).status).toBe(400);
    expect((await dismiss([ids.E, 'NOSUCHROW'])).status).toBe(404);

    const first = await dismiss([ids.F, ids.E]);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ rows: [ids.E, ids.F].sort(), dismissed: true });
    expect((await dismiss([ids.E, ids.F])).body).toEqual({ rows: [ids.E, ids.F].sort(), dismissed: false });
    expect((await duplicates(dataset)).body.map((g: { rows: string[] }) => g.rows)).toEqual([[ids.A, ids.B].sort()]);
  });
});
