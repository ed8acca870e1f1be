import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSheet, reviewStatus, setCell, sheetRows } from '../../model/document';
import { setReviewStatus } from '../../model/reviews';
import { api, connectSynced, type Client } from '../helpers/clients';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

describe('review: flags, approval and the four-eyes rule', () => {
  let server: RunningServer;
  let tokens: Record<'viewer' | 'reviewer' | 'editor' | 'editor2', string>;
  let editor: Client;
  let rowIds: string[];

  beforeAll(async () => {
    server = await startServer();
    const make = async (name: string, role: string) => (await api(server, '/api/users', { body: { name, role } })).body.token as string;
    tokens = {
      viewer: await make('vera', 'viewer'),
      reviewer: await make('rita', 'reviewer'),
      editor: await make('eddie', 'editor'),
      editor2: await make('edna', 'editor'),
    };
    editor = await connectSynced(server, 'demo', tokens.editor);
    rowIds = [...sheetRows(getSheet(editor.doc, 'events')!).keys()].sort();
  });
  afterAll(async () => {
    editor.destroy();
    await server.dispose();
  });

  const flag = (token: string, body: Record<string, unknown>) => api(server, '/api/datasets/demo/flags', { token, body });
  const approve = (token: string, row: string) => api(server, `/api/datasets/demo/rows/${row}/approve`, { token, method: 'POST' });
  const exportCsv = async (rows: string) => {
    const { body } = await api(server, `/api/datasets/demo/sheets/events/export?rows=${rows}`);
    return parse(body as string, { columns: true }) as Array<Record<string, string>>;
  };

  it('lets a reviewer flag a cell, marks the row flagged for every client, and refuses approval while it is open', async () => {
    const row = rowIds[0]!;
    const created = await flag(tokens.reviewer, { sheet: 'events', row, column: 'event_type', reason: 'wrong_event_type', note: 'MEET?' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ row, column: 'event_type', reason: 'wrong_event_type', by: 'rita', status: 'open' });
    await waitFor(() => reviewStatus(editor.doc, row) === 'flagged', { what: 'flag reaches the editor live' });

    const refused = await approve(tokens.reviewer, row);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('conflict');

    const flagged = await exportCsv('flagged');
    expect(flagged.map((r) => r.row_id)).toEqual([row]);
    expect(flagged[0]).toMatchObject({ review_status: 'flagged', open_flags: '1' });
    expect((await exportCsv('unflagged')).map((r) => r.row_id)).not.toContain(row);

    const reply = await api(server, `/api/datasets/demo/flags/${created.body.id}/comments`, { token: tokens.editor, body: { text: 'Fixed to CONSULT' } });
    expect(reply.status).toBe(201);
    const resolved = await api(server, `/api/datasets/demo/flags/${created.body.id}/resolve`, { token: tokens.reviewer, body: { resolution: 'ok now' } });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedBy: 'rita', resolution: 'ok now' });
    expect(resolved.body.comments).toEqual([expect.objectContaining({ by: 'eddie', text: 'Fixed to CONSULT' })]);
    await waitFor(() => reviewStatus(editor.doc, row) === 'unreviewed', { what: 'row back to unreviewed' });
    expect((await api(server, `/api/datasets/demo/flags/${created.body.id}/resolve`, { token: tokens.reviewer, body: {} })).status).toBe(409);

    expect((await approve(tokens.reviewer, row)).status).toBe(200);
    await waitFor(() => reviewStatus(editor.doc, row) === 'approved', { what: 'approval reaches the editor' });
    expect((await exportCsv('approved')).map((r) => r.row_id)).toEqual([row]);
  });

  it('checks roles and reasons: viewers may not flag, reasons must be in the list, unknown rows are 404', async () => {
    const row = rowIds[1]!;
    expect((await flag(tokens.viewer, { sheet: 'events', row, reason: 'other' })).status).toBe(403);
    const badReason = await flag(tokens.reviewer, { sheet: 'events', row, reason: 'looks_off' });
    expect(badReason.status).toBe(400);
    expect(badReason.body.error.message).toMatch(/looks_off/);
    expect((await flag(tokens.reviewer, { sheet: 'events', row: 'NOPE', reason: 'other' })).status).toBe(404);
    expect((await flag(tokens.reviewer, { sheet: 'events', row, column: 'nope', reason: 'other' })).status).toBe(400);
    expect((await approve(tokens.viewer, row)).status).toBe(403);
    expect((await api(server, '/api/datasets/demo/flags/NOPE/resolve', { token: tokens.reviewer, body: {} })).status).toBe(404);
    expect((await api(server, '/api/datasets/demo/flags/NOPE/comments', { token: tokens.reviewer, body: { text: 'hi' } })).status).toBe(404);
    // An editor (a coder) may flag too: roles include the ones before.
    expect((await flag(tokens.editor, { sheet: 'events', row, reason: 'duplicate' })).status).toBe(201);
  });

  it('refuses approval by the last person who changed the row, unless the dataset turns four eyes off', async () => {
    const row = rowIds[2]!;
    setCell(getSheet(editor.doc, 'events')!, row, 'location', 'Pyongyang');
    await waitFor(async () => (await api(server, `/api/datasets/demo/history?row=${row}`)).body.some((h: any) => h.new === 'Pyongyang'));
    const refused = await approve(tokens.editor, row);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/four eyes/);
    expect((await api(server, '/api/datasets/demo/settings', { token: tokens.editor, method: 'PATCH', body: { fourEyes: false } })).status).toBe(403);
    expect((await api(server, '/api/datasets/demo/settings', { method: 'PATCH', body: { fourEyes: false } })).body.fourEyes).toBe(false);
    expect((await approve(tokens.editor, row)).status).toBe(200);
    await api(server, '/api/datasets/demo/settings', { method: 'PATCH', body: { fourEyes: true } });
  });

  it('sets an approved row back to unreviewed when anyone edits it, and records the approval and the reset in its history', async () => {
    const row = rowIds[3]!;
    expect((await approve(tokens.reviewer, row)).status).toBe(200);
    await waitFor(() => reviewStatus(editor.doc, row) === 'approved');
    setCell(getSheet(editor.doc, 'events')!, row, 'summary', 'Edited after approval');
    await waitFor(() => reviewStatus(editor.doc, row) === 'unreviewed', { what: 'approval voided by the edit' });
    const statusChanges = await waitFor(async () => {
      const { body } = await api(server, `/api/datasets/demo/history?row=${row}`);
      const changes = (body as any[]).filter((h) => h.column === 'review_status').map((h) => [h.old, h.new, h.by]);
      return changes.length === 2 ? changes : undefined;
    });
    expect(statusChanges).toEqual([['unreviewed', 'approved', 'rita'], ['approved', 'unreviewed', 'eddie']]);
  });

  it('closes the socket of a client that writes reviews itself, and keeps nothing of it', async () => {
    const rogue = await connectSynced(server, 'demo', tokens.editor2);
    const row = rowIds[4]!;
    setReviewStatus(rogue.doc, row, 'approved');
    await waitFor(() => rogue.closes.includes(4400), { what: 'rogue socket closed with 4400' });
    rogue.destroy();
    const fresh = await connectSynced(server, 'demo', tokens.editor);
    expect(reviewStatus(fresh.doc, row)).toBe('unreviewed');
    fresh.destroy();
  });
});
