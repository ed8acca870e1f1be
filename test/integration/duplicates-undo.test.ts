/**
 * Taking back a merge of duplicates in a dataset whose rows are documents of their own (layout `rows`,
 * docs/actors-and-duplicates.md#undoing-a-merge), over HTTP and the rows' rooms against the real server (SQLite, or
 * PostgreSQL with TESSERA_TEST_STORE=pg): the merged row comes back under its id with its cells, the kept
 * row's cells the merge wrote are set back unless someone changed them since, the reference points at its
 * row again; only the user who merged may take it back, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { type CreatedUser, createUser, rowCount, rowHistory } from '../helpers/api';
import { api, type Client, connectSynced } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { csvOf, importFile } from '../helpers/import';
import { type RunningServer, startServer } from '../helpers/server';

const DATASET = 'dups-undo';
const TEXT = 'On Wednesday North Korea fired two missiles from Wonsan. Seoul condemned the launch.';
const span = (exact: string) => `${TEXT.indexOf(exact)}-${TEXT.indexOf(exact) + exact.length}`;

let server: RunningServer;
let editor: CreatedUser;
let other: CreatedUser;
const open: Client[] = [];

beforeAll(async () => {
  server = await startServer();
  [editor, other] = await Promise.all([createUser(server, 'Undo Editor', 'editor'), createUser(server, 'Other Editor', 'editor')]);
});
afterAll(async () => {
  for (const c of open) c.destroy();
  await server?.dispose();
});

interface Page { total: number; rows: Array<Record<string, unknown> & { row_id: string }> }
const rows = async (sheet: string): Promise<Page> => (await api(server, `/api/datasets/${DATASET}/sheets/${sheet}/rows?limit=100`)).body as Page;
const post = (what: 'merge' | 'unmerge', body: unknown, token = editor.token) =>
  api(server, `/api/datasets/${DATASET}/sheets/events/duplicates/${what}`, { token, body });

describe('POST …/duplicates/unmerge in the rows layout', () => {
  it('brings the merged row back and sets back what the merge wrote, leaving a later edit of another user', async () => {
    expect((await api(server, '/api/datasets', { body: { id: DATASET, name: 'Undo dups', template: 'events-statements', layout: 'rows' } })).status).toBe(201);
    const source = (await api(server, `/api/datasets/${DATASET}/sources`, { body: { title: 'Launch', text: TEXT } })).body.id as string;
    const header = ['event_date', 'date_precision', 'actor1', 'event_type', 'location', 'summary', 'cameo_code', 'source_url', 'evidence'];
    const imported = await importFile(server, DATASET, 'events', csvOf([header,
      ['2024-02-14', 'day', 'North Korea', 'MOBILIZE', 'Wonsan', 'Missile launch.', '', '', `${source}:${span('North Korea fired two missiles')}`],
      ['2024-02-15', 'day', 'North Korea', 'MOBILIZE', 'Wonsan', 'Two missiles.', '15x', 'https://kcna.example/1', `${source}:${span('fired two missiles from Wonsan')}`],
    ]));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const events = (await rows('events')).rows;
    const [a, b] = [events.find((r) => r.summary === 'Missile launch.')!.row_id, events.find((r) => r.summary === 'Two missiles.')!.row_id];
    const statement = await importFile(server, DATASET, 'statements', csvOf([['speaker', 'quote', 'event_id'], ['Seoul', 'We condemn it.', b]]));
    expect(statement.status, JSON.stringify(statement.body)).toBe(200);

    expect((await post('merge', { keep: a, merge: [b] })).body).toMatchObject({ filled: ['cameo_code', 'source_url'], anchors: 1, refs: 1 });
    // Someone else changes a cell the merge filled: that value stays through the undo.
    const theirs = await connectSynced(server, rowRoom(DATASET, 'events', a), other.token);
    open.push(theirs);
    getRowCells(theirs.doc).set('source_url', 'https://yonhap.example/2');
    await eventually(async () => expect((await rows('events')).rows.find((r) => r.row_id === a)?.source_url).toBe('https://yonhap.example/2'));

    // Only the user who merged takes it back.
    expect((await post('unmerge', { keep: a, merge: [b] }, other.token)).status).toBe(409);
    const undone = await post('unmerge', { keep: a, merge: [b] });
    expect(undone.status, JSON.stringify(undone.body)).toBe(200);
    expect(undone.body).toEqual({ keep: a, restored: [b], cells: 2, refs: 1 });

    const after = (await rows('events')).rows;
    expect(after.map((r) => r.row_id).sort()).toEqual([a, b].sort());
    const kept = after.find((r) => r.row_id === a)!;
    expect(kept.cameo_code ?? null).toBeNull();
    expect(kept.source_url).toBe('https://yonhap.example/2');
    expect((kept.evidence as Array<{ exact: string }>).map((x) => x.exact)).toEqual(['North Korea fired two missiles']);
    expect(after.find((r) => r.row_id === b)).toMatchObject({ summary: 'Two missiles.', cameo_code: '15x', source_url: 'https://kcna.example/1' });
    expect((await rows('statements')).rows[0]!.event_id).toBe(b);
    await eventually(async () => expect(await rowCount(server, DATASET, 'events')).toBe(2), { what: 'the row count' });
    // The history has the merge, then the row's cells back.
    const history = await rowHistory(server, DATASET, b);
    expect(history).toContainEqual(expect.objectContaining({ column: 'row_id', old: b, new: a, by: 'Undo Editor' }));
    expect(history.at(-1)).toMatchObject({ by: 'Undo Editor', old: null });

    // Taken back once: the merge is no longer the rows' last change.
    expect((await post('unmerge', { keep: a, merge: [b] })).status).toBe(409);
    // And merged again (a redo) the same way.
    expect((await post('merge', { keep: a, merge: [b] })).status).toBe(200);
    expect((await rows('events')).rows.map((r) => r.row_id)).toEqual([a]);

    // Below the editor role nobody takes a merge back (the permission matrix cannot make a merge to undo).
    const viewer = await createUser(server, 'Undo Viewer', 'viewer');
    const refused = await post('unmerge', { keep: a, merge: [b] }, viewer.token);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
  });

  it('gives each row back its review: the kept row its approval, the merged row its status, flag and thread', async () => {
    const reviewer = await createUser(server, 'Undo Reviewer', 'reviewer');
    const header = ['event_date', 'date_precision', 'actor1', 'event_type', 'location', 'summary'];
    const imported = await importFile(server, DATASET, 'events', csvOf([header,
      ['2024-03-01', 'day', 'Japan', 'CONSULT', 'Tokyo', 'Talks in Tokyo.'],
      ['2024-03-01', 'day', 'Japan', 'CONSULT', 'Tokyo', 'Tokyo talks.'],
    ]));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const events = (await rows('events')).rows;
    const [a, b] = [events.find((r) => r.summary === 'Talks in Tokyo.')!.row_id, events.find((r) => r.summary === 'Tokyo talks.')!.row_id];
    expect((await api(server, `/api/datasets/${DATASET}/rows/${a}/approve`, { method: 'POST', token: reviewer.token })).status).toBe(200);
    const flag = await api(server, `/api/datasets/${DATASET}/flags`, { token: reviewer.token, body: { sheet: 'events', row: b, reason: 'other', note: 'Which talks?' } });
    expect(flag.status, JSON.stringify(flag.body)).toBe(201);
    const comment = await api(server, `/api/datasets/${DATASET}/flags/${flag.body.id}/comments`, { token: editor.token, body: { text: 'The second round.' } });
    expect(comment.status, JSON.stringify(comment.body)).toBe(201);
    const review = async (row: string) => (await api(server, `/api/datasets/${DATASET}/rows/${row}/review`)).body as { status: string; openFlags: number };

    expect((await post('merge', { keep: a, merge: [b] })).body).toMatchObject({ flags: 1 });
    await eventually(async () => expect(await review(a)).toMatchObject({ status: 'flagged', openFlags: 1 }));

    const undone = await post('unmerge', { keep: a, merge: [b] });
    expect(undone.status, JSON.stringify(undone.body)).toBe(200);
    await eventually(async () => expect(await review(a)).toMatchObject({ status: 'approved', openFlags: 0 }), { what: 'the kept row approved again' });
    await eventually(async () => expect(await review(b)).toMatchObject({ status: 'flagged', openFlags: 1 }), { what: 'the merged row flagged again' });
    const flags = (await api(server, `/api/datasets/${DATASET}/flags?row=${b}`)).body as Array<{ id: string; row: string; comments: Array<{ text: string }> }>;
    expect(flags).toEqual([expect.objectContaining({ id: flag.body.id, row: b, status: 'open', comments: [expect.objectContaining({ text: 'The second round.' })] })]);
    expect((await api(server, `/api/datasets/${DATASET}/flags?row=${a}`)).body).toEqual([]);
    // The grids hear it as the rows' own changes; the history tells what the merge took and the undo gave back.
    const historyB = await rowHistory(server, DATASET, b);
    expect(historyB).toContainEqual(expect.objectContaining({ column: 'row_id', old: b, new: a, merge: { kept: a, merged: [b], flags: [flag.body.id] } }));
    expect(historyB.filter((e) => e.column === 'review_status').map((e) => [e.old, e.new])).toEqual([['unreviewed', 'flagged'], ['flagged', 'unreviewed'], ['unreviewed', 'flagged']]);
  });
});
