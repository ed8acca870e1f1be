/**
 * Duplicates of a sheet larger than the keys kept, asked for again after edits (docs/actors-and-duplicates.md#how-fast):
 * the pairs the first sweep found are kept, and a later request sweeps again only around the rows written since.
 * Each answer must be the groups of comparing every row with every other as the sheet is then (`findDuplicates`,
 * worked out here from the same cells): after a row's date moves far away, a row is deleted, a new row joins a
 * group, a group is dismissed. The sheet's rows are written straight into the read model (as a bulk import leaves
 * them, long before); the edits as the read model's per-row writes make them, and through a row's own room. On
 * SQLite, and on PostgreSQL with TESSERA_TEST_STORE=pg.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRows } from '../../bench/read-model-rows';
import { newRowId } from '../../model/ids';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { keyReader } from '../../server/duplicates/duplicates';
import { type Comparable, type DuplicateKeys, findDuplicates } from '../../server/duplicates/score';
import type { DuplicateKeyRecord } from '../../server/duplicates/store';
import { createUser } from '../helpers/api';
import { api, type Client, connectSynced } from '../helpers/clients';
import { execute } from '../helpers/database';
import { cellsOf, trickyDuplicateRows } from '../helpers/duplicate-rows';
import { eventually } from '../helpers/eventually';
import { testDatabaseFor, testOnPostgres } from '../helpers/pg';
import { startServer, type RunningServer } from '../helpers/server';

const EVENTS: Comparable = { type: true, actors: true, place: true, evidence: true };
const DATASET = 'swept';

let server: RunningServer;
const open: Client[] = [];

beforeAll(async () => {
  // Every sheet past 1,000 rows is swept.
  server = await startServer({ env: { DUPLICATES_KEPT_ROWS: '1000' } });
  expect((await api(server, '/api/datasets', { body: { id: DATASET, name: 'Swept', layout: 'rows' } })).status).toBe(201);
});
afterAll(async () => {
  for (const c of open) c.destroy();
  await server?.dispose();
});

describe('duplicates of a swept sheet after edits', () => {
  it('answers the groups of comparing every row after each edit, from the pairs kept', async () => {
    const where = testOnPostgres ? (await testDatabaseFor(server.dataDir)).url : join(server.dataDir, 'tessera.db');
    const rows = new Map(trickyDuplicateRows(3000, 21).map((r) => [r.rowId, r]));
    // Written long before the first request: only the edits below are rows written since.
    const long = Date.now() - 3_600_000;
    const initial = [...rows.values()];
    await writeRows(where, initial.length, (i) => [DATASET, initial[i]!.rowId, JSON.stringify(cellsOf(initial[i]!)), long]);
    const expected = (days: number, dismissed: string[][] = []) =>
      findDuplicates([...rows.values()].map(keyReader([undefined, undefined], true)).filter((k): k is DuplicateKeys => k !== null), days, EVENTS, dismissed);
    const ask = async (days: number) => {
      const answer = await api(server, `/api/datasets/${DATASET}/sheets/events/duplicates?days=${days}`);
      expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(200);
      return answer.body;
    };
    /** A row rewritten as the read model's per-row write leaves it: its cells, written now. */
    const rewrite = async (record: DuplicateKeyRecord) => {
      rows.set(record.rowId, record);
      await execute(server, [['update rows set cells = ?, updated_at = ? where dataset_id = ? and sheet_id = ? and row_id = ?',
        [JSON.stringify(cellsOf(record)), Date.now(), DATASET, 'events', record.rowId]]]);
    };

    const before = expected(1);
    expect(before.length).toBeGreaterThan(20);
    expect(await ask(1)).toEqual(before);
    expect(await ask(0)).toEqual(expected(0));

    // A row of a group moves its date years away.
    await rewrite({ ...rows.get(before[0]!.rows[0]!)!, date: '1999-06-15' });
    expect(await ask(1)).toEqual(expected(1));
    expect(expected(1)).not.toEqual(before);
    // A row of another group is deleted.
    const gone = before[1]!.rows[0]!;
    rows.delete(gone);
    await execute(server, [['delete from rows where dataset_id = ? and sheet_id = ? and row_id = ?', [DATASET, 'events', gone]]]);
    expect(await ask(1)).toEqual(expected(1));
    // The other `days` kept its own pairs: right too.
    expect(await ask(0)).toEqual(expected(0));

    // A new row joins a group, written in its own room: a copy of a member's date, type and actors.
    const member = rows.get(before[2]!.rows[0]!)!;
    const added: DuplicateKeyRecord = { rowId: newRowId(), date: member.date, type: member.type, actors: member.actors, place: null, location: null, evidence: null };
    const client = await connectSynced(server, rowRoom(DATASET, 'events', added.rowId));
    open.push(client);
    client.doc.transact(() => {
      for (const [column, value] of Object.entries(cellsOf(added))) getRowCells(client.doc).set(column, value as string);
    });
    rows.set(added.rowId, added);
    const joined = expected(1);
    expect(joined.find((g) => g.rows.includes(member.rowId))?.rows).toContain(added.rowId);
    await eventually(async () => expect(await ask(1)).toEqual(joined), { what: 'the new row in its group' });

    // Then its date moves away, in its room.
    getRowCells(client.doc).set('event_date', '2001-01-01');
    rows.set(added.rowId, { ...added, date: '2001-01-01' });
    await eventually(async () => expect(await ask(1)).toEqual(expected(1)), { what: 'the new row out of its group' });

    // A dismissal needs no new sweep, and is heeded.
    const dismissed = [expected(1)[0]!.rows];
    expect((await api(server, `/api/datasets/${DATASET}/sheets/events/duplicates/dismiss`, { body: { rows: dismissed[0] } })).status).toBe(200);
    expect(await ask(1)).toEqual(expected(1, dismissed));
    expect(await ask(3)).toEqual(expected(3, dismissed));
  });
});
