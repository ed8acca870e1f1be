/**
 * Duplicates are looked for in sheets of up to MAX_DUPLICATE_ROWS rows: every row's keys are compared in the
 * server's memory, so a larger sheet's request is refused with `too_large` (413), saying how many rows it has,
 * rather than taking the memory the other users' work needs. The rows are written straight into the read
 * model, as a bulk import leaves them. On SQLite, and on PostgreSQL with TESSERA_TEST_STORE=pg.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRows } from '../../bench/read-model-rows';
import { MAX_DUPLICATE_ROWS } from '../../model/duplicates';
import { api } from '../helpers/clients';
import { testDatabaseFor, testOnPostgres } from '../helpers/pg';
import { startServer, type RunningServer } from '../helpers/server';

describe('duplicates in a sheet too large to compare', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer();
    expect((await api(server, '/api/datasets', { body: { id: 'big', name: 'Big', layout: 'rows' } })).status).toBe(201);
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('answers 413 past the limit, and the groups at it', async () => {
    const where = testOnPostgres ? (await testDatabaseFor(server.dataDir)).url : join(server.dataDir, 'tessera.db');
    const cells = JSON.stringify({ event_date: '2024-02-22', event_type: 'CONSULT', actor1: 'China', actor2: 'Japan' });
    const at = Date.now();
    await writeRows(where, MAX_DUPLICATE_ROWS, (i) => ['big', `r${String(i).padStart(7, '0')}`, i < 2 ? cells : '{}', at]);
    const atLimit = await api(server, '/api/datasets/big/sheets/events/duplicates?days=1');
    expect(atLimit.status, JSON.stringify(atLimit.body).slice(0, 300)).toBe(200);
    expect(atLimit.body).toEqual([expect.objectContaining({ rows: ['r0000000', 'r0000001'] })]);

    await writeRows(where, 1, () => ['big', 'r-one-more', '{}', at]);
    const past = await api(server, '/api/datasets/big/sheets/events/duplicates?days=1');
    expect(past.status).toBe(413);
    expect(past.body.error).toEqual({
      code: 'too_large',
      message: `Duplicates are looked for in sheets of up to ${MAX_DUPLICATE_ROWS.toLocaleString('en')} rows; this one has ${(MAX_DUPLICATE_ROWS + 1).toLocaleString('en')}`,
      requestId: expect.any(String),
    });
  });
});
