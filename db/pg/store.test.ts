import { and, asc, eq } from 'drizzle-orm';
import { afterAll } from 'vitest';
import type { CellValue, Column } from '../../model/columns';
import { type CommitPart, docStoreContract, type StoreHarness } from '../../server/sync/store.contract';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/pg';
import { openPgDatabase, type PgDb } from './client';
import { PgReadModel } from './read-model';
import { cellChanges, reviews, rows, sheets } from './schema';
import { PgDocStore } from './store';

const fromJson = (value: string | null): CellValue => (value === null ? null : (JSON.parse(value) as CellValue));

/** The table each part of a commit is written to. */
const TABLES: Record<CommitPart, string> = { log: 'updates', history: 'cell_changes', rows: 'rows', sheets: 'sheets', reviews: 'reviews', flags: 'flags', conflicts: 'conflicts' };

let database: TestDatabase | undefined;
let db: PgDb | undefined;
afterAll(async () => {
  await db?.$client.end();
  await database?.drop();
});

/** The file's database, emptied for each case. */
async function emptyDatabase(): Promise<PgDb> {
  if (!db) {
    database = await createTestDatabase();
    db = await openPgDatabase(database.url);
    await db.$client.query(`CREATE FUNCTION broken() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'broken on purpose'; END $$ LANGUAGE plpgsql`);
  }
  await db.$client.query('TRUNCATE updates, snapshots, cell_changes, rows, sheets, reviews, flags, conflicts RESTART IDENTITY');
  return db;
}

async function pgHarness(): Promise<StoreHarness> {
  const db = await emptyDatabase();
  const readModel = new PgReadModel(db);
  return {
    store: new PgDocStore(db),
    history: async (datasetId, rowId) =>
      (await db.select().from(cellChanges)
        .where(and(eq(cellChanges.datasetId, datasetId), eq(cellChanges.rowId, rowId)))
        .orderBy(asc(cellChanges.id)))
        .map((c) => ({
          sheetId: c.sheetId, rowId: c.rowId, columnId: c.columnId, old: fromJson(c.old), new: fromJson(c.new), userId: c.userId, at: c.at,
          ...(c.note !== null && { note: c.note }),
        })),
    readRow: async (datasetId, sheetId, rowId) => {
      const [row] = await db.select().from(rows).where(and(eq(rows.datasetId, datasetId), eq(rows.sheetId, sheetId), eq(rows.rowId, rowId)));
      return row && {
        cells: JSON.parse(row.cells) as Record<string, CellValue>,
        createdBy: row.createdBy, createdAt: row.createdAt, updatedBy: row.updatedBy, updatedAt: row.updatedAt,
      };
    },
    readSheet: async (datasetId, sheetId) => {
      const [sheet] = await db.select().from(sheets).where(and(eq(sheets.datasetId, datasetId), eq(sheets.sheetId, sheetId)));
      return sheet && { name: sheet.name, columns: JSON.parse(sheet.columns) as Column[] };
    },
    readReview: async (datasetId, rowId) => {
      const [review] = await db.select().from(reviews).where(and(eq(reviews.datasetId, datasetId), eq(reviews.rowId, rowId)));
      return review && { status: review.status, openFlags: review.openFlags, flags: await readModel.flags(datasetId, { row: rowId }) };
    },
    readConflict: (datasetId, conflictId) => readModel.conflict(datasetId, conflictId),
    readRowConflicts: (datasetId, rowId) => readModel.rowConflicts(datasetId, rowId),
    breakWrites: async (part) => {
      // A trigger that raises, aborting the statement and with it the transaction, as a lost disk would.
      const table = TABLES[part];
      await db.$client.query(`CREATE TRIGGER broken BEFORE INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION broken()`);
      return async () => {
        await db.$client.query(`DROP TRIGGER broken ON ${table}`);
      };
    },
    close: async () => undefined,
  };
}

docStoreContract('PgDocStore on PostgreSQL', pgHarness);
