/**
 * A row, a flag or an edit that clients have received is there for every route that takes a row or
 * flag id, though the read model has it only once the store has written it (the server broadcasts a
 * change when it applies it, and stores it up to 20 ms and a write later). Real server, stock clients.
 *
 * To hold the read model back for as long as a test needs, whatever makes the store's write slow is
 * made certain: the dataset's commits fail (a trigger in the server's own database, as a full disk
 * fails them), so the document applies and broadcasts while the store keeps retrying. Then the trigger
 * is dropped and everything reaches the read model.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { getSheet, insertRow, reviewStatus, setCell, sheetRows } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset, createUser, rowHistory } from '../helpers/api';
import { api, connectSynced, type Client } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { testDatabaseFor, testOnPostgres } from '../helpers/pg';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'fresh';

describe('rows only the live document has yet', () => {
  let server: RunningServer;
  const tokens: Record<string, string> = {};
  let ana: Client;
  let rita: Client;
  /** Runs SQL in the server's database, beside the server. */
  let sql: { run(statement: string): Promise<void>; close(): Promise<void> };

  const events = (c: Client) => getSheet(c.doc, 'events')!;
  const call = (who: string, path: string, body?: unknown) => api(server, `/api/datasets/${DATASET}${path}`, { token: tokens[who], body });

  /** Every commit of the dataset fails from now on; the server keeps what it applied and retries. */
  const holdStore = () => sql.run(testOnPostgres
    ? `CREATE FUNCTION hold_fresh() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'held by the test'; END $$ LANGUAGE plpgsql;
       CREATE TRIGGER hold_fresh BEFORE INSERT ON updates FOR EACH ROW WHEN (NEW.dataset_id = '${DATASET}') EXECUTE FUNCTION hold_fresh()`
    : `CREATE TRIGGER hold_fresh BEFORE INSERT ON updates WHEN NEW.dataset_id = '${DATASET}' BEGIN SELECT RAISE(ABORT, 'held by the test'); END`);
  const releaseStore = () => sql.run(testOnPostgres
    ? 'DROP TRIGGER IF EXISTS hold_fresh ON updates; DROP FUNCTION IF EXISTS hold_fresh()'
    : 'DROP TRIGGER IF EXISTS hold_fresh');

  beforeAll(async () => {
    server = await startServer();
    for (const [name, role] of [['ana', 'editor'], ['rita', 'reviewer'], ['olga', 'reviewer']] as const) tokens[name] = (await createUser(server, name, role)).token;
    await createDataset(server, DATASET);
    ana = await connectSynced(server, DATASET, tokens.ana);
    rita = await connectSynced(server, DATASET, tokens.rita);
    if (testOnPostgres) {
      const client = new pg.Client({ connectionString: (await testDatabaseFor(server.dataDir)).url });
      await client.connect();
      sql = { run: async (statement) => { await client.query(statement); }, close: () => client.end() };
    } else {
      const sqlite = new Database(join(server.dataDir, 'tessera.db'), { timeout: 5000 });
      sql = { run: async (statement) => { sqlite.exec(statement); }, close: async () => { sqlite.close(); } };
    }
  });
  afterAll(async () => {
    ana.destroy();
    rita.destroy();
    await sql.close();
    await server.dispose();
  });

  it('flags, comments, resolves and approves rows that clients have and the read model has not yet', async () => {
    await holdStore();
    onTestFinished(releaseStore);
    const [flagged, approved, own] = [newRowId(), newRowId(), newRowId()];
    ana.doc.transact(() => {
      for (const row of [flagged, approved, own]) insertRow(events(ana), row, { actor1: 'China', summary: `Row ${row}` });
    });
    await waitFor(() => [flagged, approved, own].every((row) => sheetRows(events(rita)).has(row)), { what: 'the rows reach the reviewer' });
    // The read model does not have them: only the document does.
    expect(await rowHistory(server, DATASET, flagged)).toEqual([]);

    const view = await call('rita', `/rows/${flagged}/review`);
    expect(view.status, JSON.stringify(view.body)).toBe(200);
    expect(view.body).toMatchObject({ row: flagged, sheet: 'events', status: 'unreviewed', openFlags: 0, canApprove: true });

    const flag = await call('rita', '/flags', { sheet: 'events', row: flagged, column: 'actor1', reason: 'wrong_actor' });
    expect(flag.status, JSON.stringify(flag.body)).toBe(201);
    await waitFor(() => reviewStatus(ana.doc, flagged) === 'flagged', { what: 'the flag reaches the coder' });
    const fixed = await call('ana', `/flags/${flag.body.id}/comments`, { text: 'It was Japan', fixed: true });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(201);
    // Ana coded the row: she answers the flag, and someone else resolves it, though her edit is not stored yet.
    const byCoder = await call('ana', `/flags/${flag.body.id}/resolve`, {});
    expect(byCoder.status, JSON.stringify(byCoder.body)).toBe(403);
    const resolved = await call('rita', `/flags/${flag.body.id}/resolve`, { resolution: 'fixed' });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);

    const approval = await call('rita', `/rows/${approved}/approve`, {});
    expect(approval.status, JSON.stringify(approval.body)).toBe(200);
    // Four eyes holds for what is not stored yet: Ana made this row.
    const ownApproval = await call('ana', `/rows/${own}/approve`, {});
    expect(ownApproval.status, JSON.stringify(ownApproval.body)).toBe(409);
    expect(ownApproval.body.error.message).toMatch(/four eyes/);
    expect((await call('ana', `/rows/${own}/review`)).body).toMatchObject({ canApprove: false, approveRefusal: expect.stringMatching(/four eyes/) });
    expect((await call('olga', '/approve', { rows: [own] })).body).toEqual({ approved: [own], refused: [] });

    await releaseStore();
    await eventually(async () => {
      const flags = (await call('rita', `/flags?row=${flagged}`)).body;
      expect(flags).toEqual([expect.objectContaining({ id: flag.body.id, status: 'resolved', comments: [expect.objectContaining({ text: 'It was Japan', kind: 'fixed' })] })]);
    }, { timeoutMs: 15_000, what: 'the flag stored' });
    for (const [row, by] of [[approved, 'rita'], [own, 'olga']] as const) {
      expect((await rowHistory(server, DATASET, row)).at(-1)).toMatchObject({ column: 'review_status', new: 'approved', by });
    }
    expect((await call('ana', `/rows/${own}/review`)).body).toMatchObject({ status: 'approved', coders: ['ana'] });
  });

  it('flags and approves rows the moment they reach a reviewer\'s grid', async () => {
    const [flagged, approved] = [newRowId(), newRowId()];
    const answers = new Promise<Array<{ status: number; body: unknown }>>((resolve) => {
      const rows = sheetRows(events(rita));
      const onRows = () => {
        if (!rows.has(flagged) || !rows.has(approved)) return;
        rows.unobserve(onRows);
        // In the turn the rows arrive: well before the server's store write of them.
        void Promise.all([
          call('rita', '/flags', { sheet: 'events', row: flagged, reason: 'wrong_date' }),
          call('rita', `/rows/${approved}/approve`, {}),
        ]).then(resolve);
      };
      rows.observe(onRows);
    });
    ana.doc.transact(() => {
      insertRow(events(ana), flagged, { summary: 'Flag me' });
      insertRow(events(ana), approved, { summary: 'Approve me' });
    });
    const [flag, approval] = await answers;
    expect(flag!.status, JSON.stringify(flag!.body)).toBe(201);
    expect(approval!.status, JSON.stringify(approval!.body)).toBe(200);
    await waitFor(() => reviewStatus(ana.doc, flagged) === 'flagged' && reviewStatus(ana.doc, approved) === 'approved');
  });

  it('still finds a row from the read model once it is stored, and refuses the coder\'s approval of it', async () => {
    const row = newRowId();
    insertRow(events(ana), row, { summary: 'Stored first' });
    await eventually(async () => expect(await rowHistory(server, DATASET, row)).not.toEqual([]));
    setCell(events(ana), row, 'actor1', 'Chile');
    await eventually(async () => expect((await rowHistory(server, DATASET, row)).map((h) => h.column)).toContain('actor1'));
    expect((await call('ana', `/rows/${row}/approve`, {})).status).toBe(409);
    expect((await call('rita', `/rows/${row}/approve`, {})).status).toBe(200);
    expect((await call('rita', `/rows/${newRowId()}/approve`, {})).status).toBe(404);
  });
});
