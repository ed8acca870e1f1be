/**
 * Taking back a merge of duplicates in a dataset whose rows are in its document (the default layout,
 * docs/actors-and-duplicates.md#undoing-a-merge), over HTTP against the real server (SQLite, or PostgreSQL with
 * TESSERA_TEST_STORE=pg), watched by a stock y-websocket client: the merged rows come back under their ids
 * exactly as they were (cells, passages, review status, flags with their threads), the kept row as it was,
 * the reference points at its row again, all recorded in the history; only the user who merged takes it
 * back, once, and a value someone else changed since stays theirs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Anchor, CellValue } from '../../model/columns';
import { getReviews, getSheet, insertRow, readRow, reviewStatus, rowFlags, setCell, sheetRows } from '../../model/document';
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
let other: CreatedUser;
let reviewer: CreatedUser;
const clients: Client[] = [];
let count = 0;

beforeAll(async () => {
  server = await startServer();
  [editor, other, reviewer] = await Promise.all([
    createUser(server, 'Doc Undo Editor', 'editor'), createUser(server, 'Doc Other Editor', 'editor'), createUser(server, 'Doc Undo Reviewer', 'reviewer'),
  ]);
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await server?.dispose();
});

/**
 * Three rows of one missile launch (A kept, approved; B with a CAMEO code and a passage A lacks, flagged by a reviewer
 * with a thread; C approved, with a source A lacks) and a statement referring to B.
 */
async function setUp() {
  const dataset = `dups-doc-undo-${++count}`;
  await createDataset(server, dataset);
  const source = (await api(server, `/api/datasets/${dataset}/sources`, { body: { title: 'Launch', text: TEXT } })).body.id as string;
  const watcher = await connectSynced(server, dataset);
  clients.push(watcher);
  const ids = { A: newRowId(), B: newRowId(), C: newRowId(), S: newRowId() };
  const launch: Record<string, CellValue> = { event_type: 'MOBILIZE', date_precision: 'day', actor1: 'North Korea', location: 'Wonsan' };
  watcher.doc.transact(() => {
    const events = sheetOf(watcher.doc, 'events');
    insertRow(events, ids.A, { ...launch, event_date: '2024-02-14', summary: 'Missile launch.', evidence: [at('North Korea fired two missiles', source)] });
    insertRow(events, ids.B, { ...launch, event_date: '2024-02-15', cameo_code: '15x', summary: 'Two missiles.', evidence: [at('fired two missiles from Wonsan', source)] });
    insertRow(events, ids.C, { ...launch, event_date: '2024-02-14', summary: 'Launch.', source_url: 'https://kcna.example/1' });
    insertRow(sheetOf(watcher.doc, 'statements'), ids.S, { speaker: 'Seoul', quote: 'We condemn it.', event_id: ids.B });
  });
  await eventually(async () => expect(await rowCount(server, dataset, 'events')).toBe(3), { what: 'the rows stored' });
  const flag = await api(server, `/api/datasets/${dataset}/flags`, { token: reviewer.token, body: { sheet: 'events', row: ids.B, reason: 'duplicate', note: 'Same as A?' } });
  expect(flag.status).toBe(201);
  expect((await api(server, `/api/datasets/${dataset}/flags/${flag.body.id}/comments`, { token: editor.token, body: { text: 'Looks like it.' } })).status).toBe(201);
  for (const row of [ids.A, ids.C]) expect((await api(server, `/api/datasets/${dataset}/rows/${row}/approve`, { token: reviewer.token, method: 'POST' })).status).toBe(200);
  await eventually(() => expect(getReviews(watcher.doc).get(ids.B)?.toJSON().flags[0]?.comments).toHaveLength(1), { what: 'the thread seen' });
  await eventually(() => expect(reviewStatus(watcher.doc, ids.C)).toBe('approved'), { what: 'the approval seen' });
  const post = (what: 'merge' | 'unmerge', body: unknown, token = editor.token) =>
    api(server, `/api/datasets/${dataset}/sheets/events/duplicates/${what}`, { token, body });
  return { dataset, watcher, ids, flag: flag.body.id as string, post };
}

/** The rows and reviews of a sheet as the stock client holds them. */
function state(client: Client, rows: readonly string[]) {
  const sheet = getSheet(client.doc, 'events')!;
  return Object.fromEntries(rows.map((id) => {
    const row = sheetRows(sheet).get(id);
    return [id, { cells: row ? readRow(row) : null, status: reviewStatus(client.doc, id), flags: rowFlags(client.doc, id) }];
  }));
}

describe('POST …/duplicates/unmerge in a dataset’s document', () => {
  it('brings the merged rows back exactly and the kept row as it was, live and in the history, once, for the user who merged', async () => {
    const { dataset, watcher, ids, flag, post } = await setUp();
    const before = state(watcher, [ids.A, ids.B, ids.C]);

    const merged = await post('merge', { keep: ids.A, merge: [ids.B, ids.C] });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body).toMatchObject({ filled: ['cameo_code', 'source_url'], anchors: 1, flags: 1, refs: 1 });
    await eventually(() => expect(state(watcher, [ids.B]))
      .toEqual({ [ids.B]: { cells: null, status: 'unreviewed', flags: [] } }), { what: 'the merged rows gone' });
    expect(reviewStatus(watcher.doc, ids.A)).toBe('flagged');

    // Below the editor role nobody takes a merge back; another editor cannot take back someone else's.
    expect((await post('unmerge', { keep: ids.A, merge: [ids.B, ids.C] }, reviewer.token)).status).toBe(403);
    const refused = await post('unmerge', { keep: ids.A, merge: [ids.B, ids.C] }, other.token);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('conflict');

    const undone = await post('unmerge', { keep: ids.A, merge: [ids.B, ids.C] });
    expect(undone.status, JSON.stringify(undone.body)).toBe(200);
    expect(undone.body).toEqual({ keep: ids.A, restored: [ids.B, ids.C], cells: 3, refs: 1 });

    // The stock client sees every row and review as it was before the merge, the reference back on B.
    await eventually(() => expect(state(watcher, [ids.A, ids.B, ids.C])).toEqual(before), { what: 'the rows as they were' });
    expect(cellOf(watcher.doc, 'statements', ids.S, 'event_id')).toBe(ids.B);
    await eventually(async () => expect(await rowCount(server, dataset, 'events')).toBe(3), { what: 'the row count' });
    const flags = (await api(server, `/api/datasets/${dataset}/flags`)).body as Array<{ id: string; row: string; comments: unknown[] }>;
    expect(flags).toEqual([expect.objectContaining({ id: flag, row: ids.B, status: 'open', comments: [expect.objectContaining({ text: 'Looks like it.' })] })]);
    expect((await api(server, `/api/datasets/${dataset}/rows/${ids.A}/review`)).body).toMatchObject({ status: 'approved', openFlags: 0 });
    expect((await api(server, `/api/datasets/${dataset}/rows/${ids.C}/review`)).body).toMatchObject({ status: 'approved' });

    // The history has the merge, with what went with each merged row, then the row back as the editor's change.
    const history = await rowHistory(server, dataset, ids.B);
    const merge = { kept: ids.A, merged: [ids.B, ids.C] };
    expect(history).toContainEqual(expect.objectContaining({ column: 'row_id', old: ids.B, new: ids.A, by: 'Doc Undo Editor', merge: { ...merge, flags: [flag] } }));
    expect(history).toContainEqual(expect.objectContaining({ column: 'cameo_code', old: '15x', new: null, merge }));
    expect(history.at(-1)).toMatchObject({ by: 'Doc Undo Editor', old: null });
    expect(history.filter((e) => e.column === 'cameo_code').at(-1)).toMatchObject({ old: null, new: '15x', by: 'Doc Undo Editor' });
    expect(await rowHistory(server, dataset, ids.C)).toContainEqual(expect.objectContaining({ column: 'review_status', old: 'unreviewed', new: 'approved', by: 'Doc Undo Editor' }));
    expect((await rowHistory(server, dataset, ids.A)).filter((e) => e.column === 'cameo_code').at(-1)).toMatchObject({ old: '15x', new: null, by: 'Doc Undo Editor' });

    // Taken back once; merged again (a redo) the same way, and that merge taken back too.
    expect((await post('unmerge', { keep: ids.A, merge: [ids.B, ids.C] })).status).toBe(409);
    expect((await post('merge', { keep: ids.A, merge: [ids.B, ids.C] })).status).toBe(200);
    expect((await post('unmerge', { keep: ids.A, merge: [ids.B, ids.C] })).body).toEqual({ keep: ids.A, restored: [ids.B, ids.C], cells: 3, refs: 1 });
    await eventually(() => expect(state(watcher, [ids.A, ids.B, ids.C])).toEqual(before), { what: 'the rows as they were again' });
  });

  it('leaves a value someone else changed after the merge as they made it, and a flag resolved since resolved', async () => {
    const { dataset, watcher, ids, flag, post } = await setUp();
    expect((await post('merge', { keep: ids.A, merge: [ids.B] })).status).toBe(200);
    await eventually(() => expect(cellOf(watcher.doc, 'events', ids.A, 'cameo_code')).toBe('15x'), { what: 'the merge seen' });
    const edited = await connectSynced(server, dataset, other.token);
    clients.push(edited);
    await eventually(() => expect(cellOf(edited.doc, 'events', ids.A, 'cameo_code')).toBe('15x'), { what: 'the merge seen by the other editor' });
    setCell(sheetOf(edited.doc, 'events'), ids.A, 'cameo_code', '190');
    await eventually(() => expect(cellOf(watcher.doc, 'events', ids.A, 'cameo_code')).toBe('190'), { what: 'their edit seen' });

    // The reviewer resolves the flag the merge moved to the kept row.
    expect((await api(server, `/api/datasets/${dataset}/flags/${flag}/resolve`, { token: reviewer.token, body: { resolution: 'Merged.' } })).status).toBe(200);

    const undone = await post('unmerge', { keep: ids.A, merge: [ids.B] });
    expect(undone.status, JSON.stringify(undone.body)).toBe(200);
    expect(undone.body).toEqual({ keep: ids.A, restored: [ids.B], cells: 1, refs: 1 });
    // The flag goes back to its row as it now is, resolved: the row is not flagged.
    await eventually(() => expect(rowFlags(watcher.doc, ids.B)).toEqual([expect.objectContaining({ id: flag, status: 'resolved', resolution: 'Merged.' })]), { what: 'the flag back' });
    expect([reviewStatus(watcher.doc, ids.A), reviewStatus(watcher.doc, ids.B)]).toEqual(['unreviewed', 'unreviewed']);
    await eventually(() => expect(cellOf(watcher.doc, 'events', ids.B, 'cameo_code')).toBe('15x'), { what: 'the row back' });
    expect(cellOf(watcher.doc, 'events', ids.A, 'cameo_code')).toBe('190');
    expect((cellOf(watcher.doc, 'events', ids.A, 'evidence') as Anchor[]).map((a) => a.exact)).toEqual(['North Korea fired two missiles']);
  });
});
