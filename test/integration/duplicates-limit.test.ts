/**
 * Duplicates in a sheet of any size: up to KEPT_ROWS rows each row's keys are kept between requests and compared
 * in the server's memory; a larger sheet is swept in date order through its date column's index, holding a
 * window of days (docs/actors-and-duplicates.md#how-fast). Both answer the same groups: those that comparing
 * every row with every other finds (`findDuplicates`, worked out here from the same cells). The rows are written
 * straight into the read model, as a bulk import leaves them: a sheet larger than the keys kept, of tricky rows
 * and empty ones. On SQLite, and on PostgreSQL with TESSERA_TEST_STORE=pg.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRows } from '../../bench/read-model-rows';
import { keyReader } from '../../server/duplicates/duplicates';
import { KEPT_ROWS } from '../../server/duplicates/keys-cache';
import { type Comparable, type DuplicateKeys, findDuplicates } from '../../server/duplicates/score';
import { api } from '../helpers/clients';
import { counts, execute } from '../helpers/database';
import { cellsOf, trickyDuplicateRows } from '../helpers/duplicate-rows';
import { testDatabaseFor, testOnPostgres } from '../helpers/pg';
import { startServer, type RunningServer } from '../helpers/server';

/** The events template's sheet compares by all of them. */
const EVENTS: Comparable = { type: true, actors: true, place: true, evidence: true };

describe('duplicates in a sheet larger than the keys kept', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer();
    expect((await api(server, '/api/datasets', { body: { id: 'big', name: 'Big', layout: 'rows' } })).status).toBe(201);
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('answers the groups of comparing every row, swept past the limit and from kept keys below it', async () => {
    const where = testOnPostgres ? (await testDatabaseFor(server.dataDir)).url : join(server.dataDir, 'tessera.db');
    // More than a page of the sweep's (2,000 rows), each date on a few hundred rows: pages end inside a date.
    const records = trickyDuplicateRows(5000, 11);
    const at = Date.now();
    // The tricky rows, then empty ones up to one more than the keys are kept for.
    await writeRows(where, KEPT_ROWS + 1, (i) => (i < records.length
      ? ['big', records[i]!.rowId, JSON.stringify(cellsOf(records[i]!)), at]
      : ['big', `f${String(i).padStart(7, '0')}`, '{}', at]));
    const keys = records.map(keyReader([undefined, undefined], true)).filter((k): k is DuplicateKeys => k !== null);
    const ask = async (days: number) => {
      const answer = await api(server, `/api/datasets/big/sheets/events/duplicates?days=${days}`);
      expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(200);
      return answer.body;
    };

    const expected = findDuplicates(keys, 1, EVENTS);
    expect(expected.length).toBeGreaterThan(20);
    expect(await ask(1)).toEqual(expected);
    expect(await ask(3)).toEqual(findDuplicates(keys, 3, EVENTS));
    expect(await ask(0)).toEqual(findDuplicates(keys, 0, EVENTS));

    // A dismissed group is read with the sweep's rows.
    const dismissed = [expected[0]!.rows];
    expect((await api(server, '/api/datasets/big/sheets/events/duplicates/dismiss', { body: { rows: dismissed[0] } })).status).toBe(200);
    const afterDismissal = findDuplicates(keys, 1, EVENTS, dismissed);
    expect(afterDismissal).not.toEqual(expected);
    expect(await ask(1)).toEqual(afterDismissal);

    // The empty rows gone, the sheet's keys are kept again: the same groups.
    await execute(server, [["delete from rows where dataset_id = 'big' and sheet_id = 'events' and row_id like 'f%'", []]]);
    expect((await counts(server, { n: ["select row_count as n from sheets where dataset_id = ? and sheet_id = 'events'", 'big'] })).n).toBe(records.length);
    expect(await ask(1)).toEqual(afterDismissal);
    expect(await ask(3)).toEqual(findDuplicates(keys, 3, EVENTS, dismissed));
  });
});
