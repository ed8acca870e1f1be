import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../model/columns';
import { docStoreContract, type StoreHarness } from '../server/sync/store.contract';
import { emptyCommit } from '../server/sync/store';
import { openDatabase, type Db } from './client';
import { cellChanges, rows } from './schema';
import { SqliteDocStore } from './store';

const fromJson = (value: string | null): CellValue => (value === null ? null : (JSON.parse(value) as CellValue));

function sqliteHarness(db: Db, cleanup: () => void = () => {}): StoreHarness {
  return {
    store: new SqliteDocStore(db),
    history: (datasetId, rowId) =>
      db.select().from(cellChanges)
        .where(and(eq(cellChanges.datasetId, datasetId), eq(cellChanges.rowId, rowId)))
        .orderBy(asc(cellChanges.id)).all()
        .map((c) => ({ sheetId: c.sheetId, rowId: c.rowId, columnId: c.columnId, old: fromJson(c.old), new: fromJson(c.new), userId: c.userId, at: c.at })),
    readRow: (datasetId, sheetId, rowId) => {
      const row = db.select().from(rows)
        .where(and(eq(rows.datasetId, datasetId), eq(rows.sheetId, sheetId), eq(rows.rowId, rowId))).get();
      return row && {
        cells: JSON.parse(row.cells) as Record<string, CellValue>,
        createdBy: row.createdBy, createdAt: row.createdAt, updatedBy: row.updatedBy, updatedAt: row.updatedAt,
      };
    },
    close: () => {
      db.$client.close();
      cleanup();
    },
  };
}

const tempDirs: string[] = [];
afterAll(() => { for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true }); });

function onTempFile(): StoreHarness {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
  tempDirs.push(dir);
  return sqliteHarness(openDatabase(join(dir, 'nested', 'tessera.db')));
}

docStoreContract('SqliteDocStore on a temp file', onTempFile);
docStoreContract('SqliteDocStore on :memory:', () => sqliteHarness(openDatabase(':memory:')));

describe('SqliteDocStore on a file', () => {
  it('keeps what was appended and compacted when the database is opened again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
    tempDirs.push(dir);
    const file = join(dir, 'tessera.db');
    const first = openDatabase(file);
    const store = new SqliteDocStore(first);
    const s1 = store.append({ ...emptyCommit('d1'), updates: [{ update: new Uint8Array([1, 2, 3]), userId: null, at: 1 }] });
    store.compact('d1', new Uint8Array([9, 9]), s1);
    const s2 = store.append({ ...emptyCommit('d1'), updates: [{ update: new Uint8Array([4]), userId: null, at: 2 }] });
    first.$client.close();

    const again = openDatabase(file);
    const { snapshot, updates, lastSeq } = new SqliteDocStore(again).load('d1');
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
