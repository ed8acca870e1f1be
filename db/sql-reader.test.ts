/**
 * A rows page is read on a connection of a worker thread's own: the server's event loop turns while a long read
 * runs, the read sees every commit made before it, a statement that fails rejects alone, and an in-memory
 * database is read on its own connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './client';
import { SqliteReader } from './sql-reader';

const dir = mkdtempSync(join(tmpdir(), 'tessera-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A read that takes the better part of a second: counting to two million. */
const LONG_READ = 'with recursive n(i) as (select 1 union all select i + 1 from n where i < 2000000) select count(*) as n from n';
const ROW = 'select row_id as "rowId", cells from rows where dataset_id = ? and sheet_id = ? and row_id = ?';

function insertRow(sqlite: ReturnType<typeof openDatabase>['$client'], rowId: string, cells: string): void {
  sqlite.prepare('insert into rows (dataset_id, sheet_id, row_id, cells, created_at, updated_at) values (?, ?, ?, ?, 0, 0)')
    .run('d1', 'events', rowId, cells);
}

describe('reading a rows page off the event loop', () => {
  it('lets the event loop turn while a long read runs, and answers it', async () => {
    const db = openDatabase(join(dir, 'long.sqlite'));
    const reader = new SqliteReader(db.$client);
    try {
      const read = reader.all<{ n: number }>(LONG_READ, []);
      let turned = false;
      setTimeout(() => { turned = true; }, 0);
      expect(await read).toEqual([{ n: 2_000_000 }]);
      expect(turned).toBe(true);
    } finally {
      await reader.close();
      db.$client.close();
    }
  });

  it('sees every commit made before the read, and a failed statement rejects alone', async () => {
    const db = openDatabase(join(dir, 'commits.sqlite'));
    const reader = new SqliteReader(db.$client);
    try {
      insertRow(db.$client, 'r1', '{"summary":"First"}');
      expect(await reader.all(ROW, ['d1', 'events', 'r1'])).toEqual([{ rowId: 'r1', cells: '{"summary":"First"}' }]);
      db.$client.prepare('update rows set cells = ? where row_id = ?').run('{"summary":"Second"}', 'r1');
      expect(await reader.all(ROW, ['d1', 'events', 'r1'])).toEqual([{ rowId: 'r1', cells: '{"summary":"Second"}' }]);
      await expect(reader.all('select * from no_such_table', [])).rejects.toThrow(/no such table/);
      expect(await reader.all(ROW, ['d1', 'events', 'r1'])).toHaveLength(1);
    } finally {
      await reader.close();
      db.$client.close();
    }
  });

  it('reads an in-memory database on its own connection', async () => {
    const db = openDatabase(':memory:');
    const reader = new SqliteReader(db.$client);
    insertRow(db.$client, 'r1', '{}');
    expect(await reader.all(ROW, ['d1', 'events', 'r1'])).toEqual([{ rowId: 'r1', cells: '{}' }]);
    await reader.close();
    db.$client.close();
  });
});
