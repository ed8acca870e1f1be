/** Review that cannot be bypassed: who may resolve a flag and approve a row, through the real server and stock clients. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSheet, reviewStatus, setCell, sheetRows } from '../../model/document';
import { api, connectSynced, type Client } from '../helpers/clients';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

describe('review integrity', () => {
  let server: RunningServer;
  let tokens: Record<'coder' | 'admin2' | 'rita' | 'olga', string>;
  let coder: Client;
  let admin: Client;
  let rowIds: string[];

  beforeAll(async () => {
    server = await startServer();
    const make = async (name: string, role: string) => (await api(server, '/api/users', { body: { name, role } })).body.token as string;
    // The coder's role includes the reviewer's: only the rules below keep them from reviewing their own rows.
    tokens = { coder: await make('cora', 'editor'), admin2: await make('adam', 'admin'), rita: await make('rita', 'reviewer'), olga: await make('olga', 'reviewer') };
    coder = await connectSynced(server, 'demo', tokens.coder);
    admin = await connectSynced(server, 'demo', tokens.admin2);
    rowIds = [...sheetRows(getSheet(coder.doc, 'events')!).keys()].sort();
  });
  afterAll(async () => {
    coder.destroy();
    admin.destroy();
    await server.dispose();
  });

  const post = (token: string, path: string, body: unknown = {}) => api(server, `/api/datasets/demo${path}`, { token, body });
  /** The row's history as the server stored it, once `done` holds for it. */
  const historyWhen = (row: string, done: (entries: any[]) => boolean) => waitFor(async () => {
    const { body } = await api(server, `/api/datasets/demo/history?row=${row}`);
    return done(body) ? (body as any[]) : undefined;
  }, { what: 'history stored' });

  it('keeps a coder from resolving a flag on their own row, or approving it, even when someone else changed it last', async () => {
    const row = rowIds[0]!;
    setCell(getSheet(coder.doc, 'events')!, row, 'summary', 'Coded by Cora');
    await historyWhen(row, (h) => h.some((e) => e.by === 'cora'));
    setCell(getSheet(admin.doc, 'events')!, row, 'location', 'Beijing');
    await historyWhen(row, (h) => h.some((e) => e.by === 'adam'));

    const flag = await post(tokens.rita, '/flags', { sheet: 'events', row, reason: 'wrong_date', note: 'Is it Thursday?' });
    expect(flag.status).toBe(201);
    await waitFor(() => reviewStatus(coder.doc, row) === 'flagged');

    const resolveByCoder = await post(tokens.coder, `/flags/${flag.body.id}/resolve`, { resolution: 'fine' });
    expect(resolveByCoder.status).toBe(403);
    expect(resolveByCoder.body.error.code).toBe('forbidden');
    expect((await post(tokens.coder, `/flags/${flag.body.id}/comments`, { text: 'Checked: it is Thursday', fixed: true })).status).toBe(201);

    // Another reviewer who did not code the row may resolve it.
    expect((await post(tokens.olga, `/flags/${flag.body.id}/resolve`, { resolution: 'agreed' })).status).toBe(200);
    await waitFor(() => reviewStatus(coder.doc, row) === 'unreviewed');

    const approveByCoder = await post(tokens.coder, `/rows/${row}/approve`);
    expect(approveByCoder.status).toBe(409);
    expect(approveByCoder.body.error.message).toMatch(/four eyes/);
    const view = await api(server, `/api/datasets/demo/rows/${row}/review`, { token: tokens.coder });
    expect(view.body).toMatchObject({ canApprove: false, approveRefusal: expect.stringMatching(/four eyes/), coders: expect.arrayContaining(['cora', 'adam']) });
    expect((await post(tokens.admin2, `/rows/${row}/approve`)).status).toBe(409);
    expect((await api(server, `/api/datasets/demo/rows/${row}/review`, { token: tokens.rita })).body).toMatchObject({ canApprove: true });
    expect((await post(tokens.rita, `/rows/${row}/approve`)).status).toBe(200);

    const timeline = await api(server, `/api/datasets/demo/rows/${row}/timeline`);
    const steps = (timeline.body as any[]).filter((e) => e.kind !== 'cell' || e.by !== 'admin').map((e) => [e.kind, e.by]);
    expect(steps).toEqual([
      ['cell', 'cora'], ['cell', 'adam'], ['flagged', 'rita'], ['fixed', 'cora'], ['resolved', 'olga'], ['approved', 'rita'],
    ]);
    expect(timeline.body.find((e: any) => e.kind === 'flagged')).toMatchObject({ reason: 'wrong_date', note: 'Is it Thursday?' });
  });

  it('lets the flag’s author resolve it after the coder fixed the row, and records the reset of an approval by an edit', async () => {
    const row = rowIds[1]!;
    const flag = await post(tokens.rita, '/flags', { sheet: 'events', row, column: 'event_type', reason: 'wrong_event_type' });
    setCell(getSheet(coder.doc, 'events')!, row, 'event_type', 'CONSULT');
    await historyWhen(row, (h) => h.some((e) => e.by === 'cora'));
    expect((await post(tokens.rita, `/flags/${flag.body.id}/resolve`)).status).toBe(200);
    expect((await post(tokens.olga, `/rows/${row}/approve`)).status).toBe(200);
    await waitFor(() => reviewStatus(coder.doc, row) === 'approved');
    setCell(getSheet(coder.doc, 'events')!, row, 'event_type', 'AGREE');
    await waitFor(() => reviewStatus(coder.doc, row) === 'unreviewed');
    const timeline = await waitFor(async () => {
      const { body } = await api(server, `/api/datasets/demo/rows/${row}/timeline`);
      return (body as any[]).some((e) => e.kind === 'reset') ? (body as any[]) : undefined;
    });
    expect(timeline!.filter((e) => e.kind !== 'cell').map((e) => [e.kind, e.by])).toEqual([
      ['flagged', 'rita'], ['resolved', 'rita'], ['approved', 'olga'], ['reset', 'cora'],
    ]);
  });
});
