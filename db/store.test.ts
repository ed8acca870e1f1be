import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import type { CellValue, Column } from '../model/columns';
import {
  ATOMICITY_CASE, type CommitPart, DOC_STORE_CASES, docStoreContract, type StoreHarness,
} from '../server/sync/store.contract';
import { emptyCommit, type DocCommit, type DocStore, type LoggedSince } from '../server/sync/store';
import { openDatabase, type Db } from './client';
import { cellChanges, reviews, rows, sheets } from './schema';
import { SqliteReadModel } from './read-model';
import { SqliteDocStore } from './store';

const fromJson = (value: string | null): CellValue => (value === null ? null : (JSON.parse(value) as CellValue));

/** The table each part of a commit is written to. */
const TABLES: Record<CommitPart, string> = { log: 'updates', history: 'cell_changes', rows: 'rows', sheets: 'sheets', reviews: 'reviews', flags: 'flags', conflicts: 'conflicts' };

function sqliteHarness(db: Db, store: DocStore = new SqliteDocStore(db)): StoreHarness {
  return {
    store,
    history: async (datasetId, rowId) =>
      db.select().from(cellChanges)
        .where(and(eq(cellChanges.datasetId, datasetId), eq(cellChanges.rowId, rowId)))
        .orderBy(asc(cellChanges.id)).all()
        .map((c) => ({
          sheetId: c.sheetId, rowId: c.rowId, columnId: c.columnId, old: fromJson(c.old), new: fromJson(c.new), userId: c.userId, at: c.at,
          ...(c.note !== null && { note: c.note }),
        })),
    readRow: async (datasetId, sheetId, rowId) => {
      const row = db.select().from(rows)
        .where(and(eq(rows.datasetId, datasetId), eq(rows.sheetId, sheetId), eq(rows.rowId, rowId))).get();
      return row && {
        cells: JSON.parse(row.cells) as Record<string, CellValue>,
        createdBy: row.createdBy, createdAt: row.createdAt, updatedBy: row.updatedBy, updatedAt: row.updatedAt,
      };
    },
    readSheet: async (datasetId, sheetId) => {
      const sheet = db.select().from(sheets).where(and(eq(sheets.datasetId, datasetId), eq(sheets.sheetId, sheetId))).get();
      return sheet && { name: sheet.name, columns: JSON.parse(sheet.columns) as Column[] };
    },
    readReview: async (datasetId, rowId) => {
      const review = db.select().from(reviews).where(and(eq(reviews.datasetId, datasetId), eq(reviews.rowId, rowId))).get();
      return review && { status: review.status, openFlags: review.openFlags, flags: await new SqliteReadModel(db).flags(datasetId, { row: rowId }) };
    },
    readConflict: (datasetId, conflictId) => new SqliteReadModel(db).conflict(datasetId, conflictId),
    readRowConflicts: (datasetId, rowId) => new SqliteReadModel(db).rowConflicts(datasetId, rowId),
    breakWrites: async (part) => {
      // Triggers that abort the statement, and with it the transaction, as a full disk would.
      const table = TABLES[part];
      for (const event of ['INSERT', 'UPDATE', 'DELETE']) {
        db.$client.exec(`CREATE TRIGGER broken_${table}_${event.toLowerCase()} BEFORE ${event} ON ${table} BEGIN SELECT RAISE(ABORT, 'broken on purpose'); END`);
      }
      return async () => {
        for (const event of ['insert', 'update', 'delete']) db.$client.exec(`DROP TRIGGER broken_${table}_${event}`);
      };
    },
    close: async () => {
      db.$client.close();
    },
  };
}

/**
 * A store that writes each part of a commit in a transaction of its own: it keeps every part of the
 * contract but atomicity, so the contract's atomicity case must fail for it.
 */
class PartByPartStore implements DocStore {
  constructor(private readonly inner: DocStore) {}

  load(datasetId: string) {
    return this.inner.load(datasetId);
  }

  storedRow(datasetId: string, sheetId: string, rowId: string) {
    return this.inner.storedRow(datasetId, sheetId, rowId);
  }

  storedRows(datasetId: string, rowIds: readonly string[]) {

    return this.inner.storedRows(datasetId, rowIds);

  }

  async append(commit: DocCommit): Promise<number> {
    const { datasetId } = commit;
    const seq = await this.inner.append({ ...emptyCommit(datasetId), room: commit.room, updates: commit.updates, stateVector: commit.stateVector });
    // The history of a deleted row needs the commit's own cell changes beside the row.
    await this.inner.append({ ...emptyCommit(datasetId), cells: commit.cells, rows: commit.rows });
    await this.inner.append({ ...emptyCommit(datasetId), sheets: commit.sheets });
    await this.inner.append({ ...emptyCommit(datasetId), reviews: commit.reviews });
    await this.inner.append({ ...emptyCommit(datasetId), conflicts: commit.conflicts });
    return seq;
  }

  async commit(datasetId: string, afterSeq: number, build: (missed: LoggedSince) => DocCommit): Promise<number> {
    return this.append(build(await this.inner.since(datasetId, afterSeq)));
  }

  since(datasetId: string, afterSeq: number) {
    return this.inner.since(datasetId, afterSeq);
  }

  compact(datasetId: string, state: Uint8Array, upToSeq: number, stateVector?: Uint8Array): Promise<void> {
    return this.inner.compact(datasetId, state, upToSeq, stateVector);
  }
}

const tempDirs: string[] = [];
afterAll(() => { for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true }); });

async function onTempFile(): Promise<StoreHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
  tempDirs.push(dir);
  return sqliteHarness(openDatabase(join(dir, 'nested', 'tessera.db')));
}

docStoreContract('SqliteDocStore on a temp file', onTempFile);
docStoreContract('SqliteDocStore on :memory:', async () => sqliteHarness(openDatabase(':memory:')));

describe('the DocStore contract itself', () => {
  /** Runs one case of the contract on a fresh store; returns what it threw. */
  async function runCase(title: string, makeStore: (db: Db) => DocStore): Promise<unknown> {
    const db = openDatabase(':memory:');
    const h = sqliteHarness(db, makeStore(db));
    try {
      await DOC_STORE_CASES[title]!(h);
      return undefined;
    } catch (error) {
      return error;
    } finally {
      await h.close();
    }
  }

  it('catches a store that writes a commit in several transactions, in its atomicity case only', async () => {
    const partByPart = (db: Db) => new PartByPartStore(new SqliteDocStore(db));
    const failure = await runCase(ATOMICITY_CASE, partByPart);
    expect((failure as Error | undefined)?.name).toBe('AssertionError');
    expect((failure as Error).message).toMatch(/after a commit whose (history|rows|sheets|reviews) failed/);
    for (const title of Object.keys(DOC_STORE_CASES).filter((t) => t !== ATOMICITY_CASE)) {
      expect(await runCase(title, partByPart), title).toBeUndefined();
    }
  });
});

describe('SqliteDocStore on a file', () => {
  it('keeps what was appended and compacted when the database is opened again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
    tempDirs.push(dir);
    const file = join(dir, 'tessera.db');
    const first = openDatabase(file);
    const store = new SqliteDocStore(first);
    const s1 = await store.append({ ...emptyCommit('d1'), updates: [{ update: new Uint8Array([1, 2, 3]), userId: null, at: 1 }] });
    await store.compact('d1', new Uint8Array([9, 9]), s1);
    const s2 = await store.append({ ...emptyCommit('d1'), updates: [{ update: new Uint8Array([4]), userId: null, at: 2 }] });
    first.$client.close();

    const again = openDatabase(file);
    const { snapshot, updates, lastSeq } = await new SqliteDocStore(again).load('d1');
    expect({ snapshot, updates, lastSeq }).toEqual({ snapshot: new Uint8Array([9, 9]), updates: [new Uint8Array([4])], lastSeq: s2 });
    again.$client.close();
  });

  it('opens the database in WAL mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
    tempDirs.push(dir);
    const db = openDatabase(join(dir, 'tessera.db'));
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    db.$client.close();
  });
});

describe('SqliteDocStore commits', () => {
  it('makes the commits of several documents asked for in one turn in one transaction; one that fails is rolled back alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
    tempDirs.push(dir);
    const file = join(dir, 'tessera.db');
    const db = openDatabase(file);
    const other = openDatabase(file);
    const store = new SqliteDocStore(db);
    const logged = (room: string, ...bytes: number[]): DocCommit => ({
      ...emptyCommit(room), updates: bytes.map((b) => ({ update: new Uint8Array([b]), userId: null, at: b })),
    });
    // The second update of room-2 cannot be written (as a full disk would refuse it): its first must not stay either.
    db.$client.exec(`CREATE TRIGGER broken_room_2 BEFORE INSERT ON updates WHEN NEW.dataset_id = 'room-2' AND NEW."update" = X'16'
      BEGIN SELECT RAISE(ABORT, 'broken on purpose'); END`);
    /** Updates stored as another connection sees them: only what is committed. */
    const committed = () => (other.$client.prepare('SELECT count(*) AS n FROM updates').get() as { n: number }).n;
    const seenWhileBuilding: number[] = [];
    const results = await Promise.allSettled([
      store.commit('room-1', 0, () => logged('room-1', 11)),
      store.commit('room-2', 0, () => logged('room-2', 21, 22)),
      store.commit('room-3', 0, () => { throw new Error('refused by its document'); }),
      store.commit('room-4', 0, () => {
        seenWhileBuilding.push(committed());
        return logged('room-4', 41);
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    // room-1 was written before room-4 was built, and not yet committed: one transaction.
    expect(seenWhileBuilding).toEqual([0]);
    expect(committed()).toBe(2);
    expect((await store.load('room-1')).updates).toEqual([new Uint8Array([11])]);
    expect((await store.load('room-2')).updates).toEqual([]);
    expect((await store.load('room-4')).updates).toEqual([new Uint8Array([41])]);
    other.$client.close();
    db.$client.close();
  });
});
