/**
 * Merging duplicates in a dataset whose rows are documents of their own (layout `rows`,
 * docs/actors-and-duplicates.md#merging), over HTTP against the real server (SQLite, or PostgreSQL with
 * TESSERA_TEST_STORE=pg): the kept row gains the other's passages and values in its own room, a statement
 * referring to the merged row refers to the kept one, the flag moves, the merged row is deleted, and the
 * history says so on every row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedUser, createUser, rowCount, rowHistory } from '../helpers/api';
import { api } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { csvOf, importFile } from '../helpers/import';
import { type RunningServer, startServer } from '../helpers/server';

const DATASET = 'dups-rows';
const TEXT = 'On Wednesday North Korea fired two missiles from Wonsan. Seoul condemned the launch.';
const span = (exact: string) => `${TEXT.indexOf(exact)}-${TEXT.indexOf(exact) + exact.length}`;

let server: RunningServer;
let editor: CreatedUser;
let reviewer: CreatedUser;

beforeAll(async () => {
  server = await startServer();
  [editor, reviewer] = await Promise.all([createUser(server, 'Rows Editor', 'editor'), createUser(server, 'Rows Reviewer', 'reviewer')]);
});
afterAll(async () => server?.dispose());

interface Page { total: number; rows: Array<Record<string, unknown> & { row_id: string; review_status: string }> }
const rows = async (sheet: string): Promise<Page> => (await api(server, `/api/datasets/${DATASET}/sheets/${sheet}/rows?limit=100`)).body as Page;

describe('POST …/duplicates/merge in the rows layout', () => {
  it('merges through the rows’ own documents: passages, values, references, flags, deletion and history', async () => {
    expect((await api(server, '/api/datasets', { body: { id: DATASET, name: 'Rows dups', template: 'events-statements', layout: 'rows' } })).status).toBe(201);
    const source = (await api(server, `/api/datasets/${DATASET}/sources`, { body: { title: 'Launch', text: TEXT } })).body.id as string;
    const header = ['event_date', 'date_precision', 'actor1', 'event_type', 'location', 'summary', 'cameo_code', 'evidence'];
    const imported = await importFile(server, DATASET, 'events', csvOf([header,
      ['2024-02-14', 'day', 'North Korea', 'MOBILIZE', 'Wonsan', 'Missile launch.', '', `${source}:${span('North Korea fired two missiles')}`],
      ['2024-02-15', 'day', 'North Korea', 'MOBILIZE', 'Wonsan', 'Two missiles.', '15x', `${source}:${span('fired two missiles from Wonsan')}`],
      ['2024-02-14', 'day', 'North Korea', 'PROTEST', 'Wonsan', 'Another event.', '', ''],
    ]));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const events = (await rows('events')).rows;
    const [a, b] = [events.find((r) => r.summary === 'Missile launch.')!.row_id, events.find((r) => r.summary === 'Two missiles.')!.row_id];
    const statement = await importFile(server, DATASET, 'statements', csvOf([['speaker', 'quote', 'event_id'], ['Seoul', 'We condemn it.', b]]));
    expect(statement.status, JSON.stringify(statement.body)).toBe(200);
    const s = (await rows('statements')).rows[0]!.row_id;
    const flagged = await api(server, `/api/datasets/${DATASET}/flags`, { token: reviewer.token, body: { sheet: 'events', row: b, reason: 'duplicate', note: 'Same as A?' } });
    expect(flagged.status, JSON.stringify(flagged.body)).toBe(201);
    // The two launches are listed as one group.
    const groups = await api(server, `/api/datasets/${DATASET}/sheets/events/duplicates`);
    expect(groups.body.map((g: { rows: string[] }) => g.rows)).toEqual([[a, b].sort()]);

    const merge = (body: unknown, token = editor.token) => api(server, `/api/datasets/${DATASET}/sheets/events/duplicates/merge`, { token, body });
    expect((await merge({ keep: a, merge: [b, '01HQZZZZZZZZZZZZZZZZZZZZZZ'] })).status).toBe(404);
    expect((await rows('events')).rows.find((r) => r.row_id === b)?.cameo_code).toBe('15x');

    const merged = await merge({ keep: a, merge: [b] });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body).toEqual({ keep: a, merged: [b], filled: ['cameo_code'], anchors: 1, flags: 1, refs: 1 });

    // The kept row has both passages and the other's code; the merged row is gone; the statement follows.
    const after = (await rows('events')).rows;
    expect(after.map((r) => r.row_id)).not.toContain(b);
    const kept = after.find((r) => r.row_id === a)!;
    expect(kept.cameo_code).toBe('15x');
    expect(kept.summary).toBe('Missile launch.');
    expect((kept.evidence as Array<{ exact: string }>).map((x) => x.exact)).toEqual(['North Korea fired two missiles', 'fired two missiles from Wonsan']);
    expect((await rows('statements')).rows[0]!.event_id).toBe(a);
    await eventually(async () => expect(await rowCount(server, DATASET, 'events')).toBe(2), { what: 'the row count' });

    // The flag asks about the kept row, which it flags.
    const flags = await api(server, `/api/datasets/${DATASET}/flags`);
    expect(flags.body).toEqual([expect.objectContaining({ id: flagged.body.id, row: a, status: 'open' })]);
    expect(kept.review_status).toBe('flagged');

    // The history on every row: which rows became which, by whom, beside what the merge wrote.
    const note = { kept: a, merged: [b] };
    const keptHistory = await rowHistory(server, DATASET, a);
    expect(keptHistory).toContainEqual(expect.objectContaining({ column: 'row_id', old: [b], new: a, by: 'Rows Editor', merge: note }));
    expect(keptHistory).toContainEqual(expect.objectContaining({ column: 'cameo_code', old: null, new: '15x', by: 'Rows Editor', merge: note }));
    expect(keptHistory).toContainEqual(expect.objectContaining({ column: 'evidence', by: 'Rows Editor', merge: note }));
    // On the merged row, also the flags it gave the kept row (an undo gives them back).
    expect(await rowHistory(server, DATASET, b)).toContainEqual(expect.objectContaining({ column: 'row_id', old: b, new: a, by: 'Rows Editor', merge: { ...note, flags: [flagged.body.id] } }));
    expect(await rowHistory(server, DATASET, s)).toContainEqual(expect.objectContaining({ column: 'event_id', old: b, new: a, merge: note }));

    // Merged, they are no duplicates; merging the deleted row again is 404.
    expect((await api(server, `/api/datasets/${DATASET}/sheets/events/duplicates`)).body).toEqual([]);
    expect((await merge({ keep: a, merge: [b] })).status).toBe(404);
  });
});
