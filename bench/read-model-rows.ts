/**
 * Rows of an events sheet straight into the read model's `rows` table of a SQLite file or a PostgreSQL database,
 * BATCH per transaction, as a bulk import would and without the server: how the benchmarks of large sheets fill
 * them quickly. The sheet's kept row count follows by its triggers; no history is written.
 */
import Database from 'better-sqlite3';
import pg from 'pg';

const BATCH = 50_000;

/** A row: dataset, row id, cells as JSON, time (ms). */
export type ReadModelRow = readonly [datasetId: string, rowId: string, cells: string, at: number];

/** `count` rows, the `i`th of them `row(i)`, into the sheet `sheetId` at `where` (a SQLite file or a `postgres…` URL). */
export async function writeRows(where: string, count: number, row: (i: number) => ReadModelRow, sheetId = 'events'): Promise<void> {
  const batchOf = (from: number) => Array.from({ length: Math.min(count, from + BATCH) - from }, (_, k) => row(from + k));
  if (where.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: where });
    await client.connect();
    try {
      for (let from = 0; from < count; from += BATCH) {
        const batch = batchOf(from);
        await client.query(`insert into rows (dataset_id, sheet_id, row_id, cells, created_at, updated_at)
          select d, $5, r, c, t, t from unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) as x(d, r, c, t)`,
        [...[0, 1, 2, 3].map((k) => batch.map((b) => b[k])), sheetId]);
      }
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(where);
  db.pragma('busy_timeout = 10000');
  const insert = db.prepare('insert into rows (dataset_id, sheet_id, row_id, cells, created_at, updated_at) values (?, ?, ?, ?, ?, ?)');
  const batch = db.transaction((from: number) => {
    for (const [d, r, c, t] of batchOf(from)) insert.run(d, sheetId, r, c, t, t);
  });
  try {
    for (let from = 0; from < count; from += BATCH) batch(from);
  } finally {
    db.close();
  }
}
