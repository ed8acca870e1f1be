import { and, asc, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import type { CellValue, Column } from '../../model/columns';
import { type CommitPart, docStoreContract, type StoreHarness } from '../../server/sync/store.contract';
import { type DocCommit, emptyCommit } from '../../server/sync/store';
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

/** A row's commit as the `rows` layout makes it: its room's log, its cells in the dataset's read model and history. */
function rowCommit(row: string, value: string, ...bytes: number[]): DocCommit {
  return {
    ...emptyCommit('d1'), room: `d1/rows/events/${row}`,
    updates: bytes.map((b) => ({ update: new Uint8Array([b]), userId: 'u1', at: b })),
    cells: [{ sheetId: 'events', rowId: row, columnId: 'summary', old: undefined, new: value, userId: 'u1', at: 1 }],
    rows: [{ sheetId: 'events', rowId: row, cells: { summary: value }, userId: 'u1', at: 1 }],
  };
}

/** Updates logged, as another connection sees them: only what is committed. */
async function loggedBytes(on: PgDb, room: string): Promise<number[]> {
  const { rows: found } = await on.$client.query<{ update: Buffer }>('SELECT "update" FROM updates WHERE dataset_id = $1 ORDER BY seq', [room]);
  return found.map((r) => [...r.update]).flat();
}

/** Waits until `waiters` transactions wait for an advisory lock. */
async function untilWaitingForLock(on: PgDb, waiters = 1): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 10_000;) {
    const { rows: [found] } = await on.$client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
    if (found!.n >= waiters) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no transaction waited for the lock');
}

describe('PgDocStore commits', () => {
  it('makes the commits of several documents asked for in one turn in one transaction', async () => {
    const db = await emptyDatabase();
    const store = new PgDocStore(db);
    // Another instance holds room r3's lock: the whole batch waits for it, and none of it is stored before.
    const holder = await db.$client.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', ['d1/rows/events/r3']);
      const results = Promise.all(['r1', 'r2', 'r3', 'r4'].map((row, i) => store.commit(`d1/rows/events/${row}`, 0, () => rowCommit(row, row, 11 + i))));
      await untilWaitingForLock(db);
      expect(await loggedBytes(db, 'd1/rows/events/r1')).toEqual([]);
      expect(await store.storedRow('d1', 'events', 'r1')).toBeNull();
      await holder.query('COMMIT');
      const seqs = await results;
      expect(new Set(seqs).size).toBe(4);
    } finally {
      holder.release();
    }
    for (const [i, row] of ['r1', 'r2', 'r3', 'r4'].entries()) {
      expect(await loggedBytes(db, `d1/rows/events/${row}`)).toEqual([11 + i]);
      expect(await store.storedRow('d1', 'events', row)).toEqual({ summary: row });
    }
  });

  it('stores every one of many commits asked for in one turn, and a document committed twice in order', async () => {
    const db = await emptyDatabase();
    const store = new PgDocStore(db);
    const harness = await pgHarness();
    const rowIds = Array.from({ length: 250 }, (_, i) => `r${i}`);
    const missedByAgain: number[][] = [];
    const seqs = await Promise.all([
      ...rowIds.map((row, i) => store.commit(`d1/rows/events/${row}`, 0, () => rowCommit(row, `v${i}`, i % 200))),
      // The same document again in the same turn: built from what the first commit logged.
      store.commit('d1/rows/events/r7', 0, (missed) => {
        missedByAgain.push(missed.updates.flatMap((u) => [...u.update]));
        return rowCommit('r7', 'again', 250);
      }),
    ]);
    expect(missedByAgain).toEqual([[7]]);
    expect(seqs[250]).toBeGreaterThan(seqs[7]!);
    for (const [i, row] of rowIds.entries()) {
      expect(await loggedBytes(db, `d1/rows/events/${row}`)).toEqual(row === 'r7' ? [7, 250] : [i % 200]);
      expect((await store.since(`d1/rows/events/${row}`, 0)).lastSeq).toBe(row === 'r7' ? seqs[250] : seqs[i]);
      expect(await store.storedRow('d1', 'events', row)).toEqual({ summary: row === 'r7' ? 'again' : `v${i}` });
    }
    expect((await harness.history('d1', 'r7')).map((c) => c.new)).toEqual(['v7', 'again']);
  });

  it('rolls back a commit of a batch that fails alone, in its build, its log or its read model; the others are stored', async () => {
    const db = await emptyDatabase();
    const store = new PgDocStore(db);
    const harness = await pgHarness();
    // r2's second update cannot be logged, nor r5's row stored (as a lost disk would refuse them).
    await db.$client.query(`CREATE FUNCTION broken_log() RETURNS trigger AS $$ BEGIN
      IF NEW.dataset_id = 'd1/rows/events/r2' AND NEW."update" = '\\x16'::bytea THEN RAISE EXCEPTION 'broken on purpose'; END IF;
      RETURN NEW; END $$ LANGUAGE plpgsql`);
    await db.$client.query(`CREATE FUNCTION broken_row() RETURNS trigger AS $$ BEGIN
      IF NEW.row_id = 'r5' THEN RAISE EXCEPTION 'broken on purpose'; END IF;
      RETURN NEW; END $$ LANGUAGE plpgsql`);
    await db.$client.query('CREATE TRIGGER broken_log BEFORE INSERT ON updates FOR EACH ROW EXECUTE FUNCTION broken_log()');
    await db.$client.query('CREATE TRIGGER broken_row BEFORE INSERT ON rows FOR EACH ROW EXECUTE FUNCTION broken_row()');
    try {
      const results = await Promise.allSettled([
        store.commit('d1/rows/events/r1', 0, () => rowCommit('r1', 'one', 11)),
        store.commit('d1/rows/events/r2', 0, () => rowCommit('r2', 'two', 21, 22)),
        store.commit('d1/rows/events/r3', 0, () => { throw new Error('refused by its document'); }),
        store.commit('d1/rows/events/r4', 0, () => rowCommit('r4', 'four', 41)),
        store.commit('d1/rows/events/r5', 0, () => rowCommit('r5', 'five', 51)),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled', 'rejected']);
      expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/refused by its document/);
    } finally {
      await db.$client.query('DROP TRIGGER broken_log ON updates; DROP TRIGGER broken_row ON rows; DROP FUNCTION broken_log, broken_row');
    }
    expect(await loggedBytes(db, 'd1/rows/events/r1')).toEqual([11]);
    expect(await loggedBytes(db, 'd1/rows/events/r2')).toEqual([]);
    expect(await loggedBytes(db, 'd1/rows/events/r4')).toEqual([41]);
    expect(await loggedBytes(db, 'd1/rows/events/r5')).toEqual([]);
    for (const [row, value] of [['r1', 'one'], ['r2', null], ['r3', null], ['r4', 'four'], ['r5', null]] as const) {
      expect(await store.storedRow('d1', 'events', row)).toEqual(value === null ? null : { summary: value });
      expect((await harness.history('d1', row)).map((c) => c.new)).toEqual(value === null ? [] : [value]);
    }
  });

  it('lets two instances commit overlapping documents in batches at once: both finish, every update is kept', async () => {
    const db = await emptyDatabase();
    const second = await openPgDatabase(database!.url);
    const holder = await db.$client.connect();
    try {
      const stores = [new PgDocStore(db), new PgDocStore(second)];
      // One batch each, of the same rows, asked for in opposite orders (as two users' selections would be).
      const rowIds = Array.from({ length: 100 }, (_, i) => `r${String(i).padStart(3, '0')}`);
      const orders = [rowIds, [...rowIds].reverse()];
      // A third holds one row's lock until both instances wait: each then holds some of the rows' locks, and
      // taken in the order asked, each would wait for a lock the other holds.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', ['d1/rows/events/r050']);
      const seen = new Map<string, number[][]>();
      const results = Promise.allSettled(stores.flatMap((store, s) => orders[s]!.map((row) => store.commit(`d1/rows/events/${row}`, 0, (missed) => {
        seen.set(row, [...(seen.get(row) ?? []), missed.updates.flatMap((u) => [...u.update])]);
        return { ...emptyCommit('d1'), room: `d1/rows/events/${row}`, updates: [{ update: new Uint8Array([s + 1]), userId: null, at: 1 }] };
      }))));
      await untilWaitingForLock(db, 2);
      await holder.query('COMMIT');
      expect((await results).filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      for (const row of rowIds) {
        const logged = await loggedBytes(db, `d1/rows/events/${row}`);
        expect(logged.toSorted()).toEqual([1, 2]);
        // The second commit of each row was built from the first: it missed nothing.
        expect(seen.get(row)).toEqual([[], [logged[0]]]);
      }
    } finally {
      holder.release();
      await second.$client.end();
    }
  });

  it('loads many documents asked for in one turn, each as stored: compacted or not, unknown ones empty', async () => {
    const db = await emptyDatabase();
    const store = new PgDocStore(db);
    const rowIds = Array.from({ length: 150 }, (_, i) => `r${i}`);
    for (const [i, row] of rowIds.entries()) {
      const seq = await store.append({ ...rowCommit(row, `v${i}`, 1, 2), stateVector: new Uint8Array([i % 256]) });
      if (i % 3 === 0) await store.compact(`d1/rows/events/${row}`, new Uint8Array([9, i % 256]), seq, new Uint8Array([8]));
      if (i % 3 === 0 && i % 2 === 0) await store.append({ ...rowCommit(row, `w${i}`, 3) });
    }
    const loaded = await Promise.all([...rowIds, 'nothing'].map((row) => store.load(`d1/rows/events/${row}`)));
    for (const [i, doc] of loaded.entries()) {
      const room = `d1/rows/events/${rowIds[i] ?? 'nothing'}`;
      const { rows: [last] } = await db.$client.query<{ seq: string | null }>(
        'SELECT greatest((SELECT max(seq) FROM updates WHERE dataset_id = $1), (SELECT up_to_seq FROM snapshots WHERE dataset_id = $1)) AS seq', [room]);
      const lastSeq = Number(last!.seq ?? 0);
      if (i === rowIds.length) expect(doc).toEqual({ snapshot: null, updates: [], lastSeq: 0, stateVector: null });
      else if (i % 3 !== 0) expect(doc).toEqual({ snapshot: null, updates: [new Uint8Array([1]), new Uint8Array([2])], lastSeq, stateVector: new Uint8Array([i % 256]) });
      else if (i % 2 === 0) expect(doc).toEqual({ snapshot: new Uint8Array([9, i % 256]), updates: [new Uint8Array([3])], lastSeq, stateVector: null });
      else expect(doc).toEqual({ snapshot: new Uint8Array([9, i % 256]), updates: [], lastSeq, stateVector: new Uint8Array([8]) });
    }
  });
});
