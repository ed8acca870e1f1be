/**
 * A large sheet's indexes are built by a worker thread on a connection of its own: the server's event loop
 * turns and its reads answer while an index is being built, and a commit that arrives meanwhile waits for the
 * build's write lock without blocking, then lands.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEMPLATES } from '../model/templates';
import { emptyCommit } from '../server/sync/store';
import { openDatabase } from './client';
import { LARGE_SHEET_ROWS, sqliteRows } from './rows-page';
import { sqliteIndexScheduler, sqliteSheetIndexes, wantedIndexes } from './sheet-indexes';
import { SqliteDocStore } from './store';

const dir = mkdtempSync(join(tmpdir(), 'tessera-indexes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('building a large sheet\'s indexes', () => {
  it('runs off the event loop, and a commit meanwhile waits for it and lands', async () => {
    const db = openDatabase(join(dir, 'large.sqlite'));
    const sqlite = db.$client;
    const store = new SqliteDocStore(db);
    const columns = TEMPLATES['events-statements'].find((s) => s.id === 'events')!.columns;
    sqlite.prepare('insert into sheets (dataset_id, sheet_id, name, columns, position) values (?, ?, ?, ?, 0)')
      .run('d1', 'events', 'Events', JSON.stringify(columns));
    const insert = sqlite.prepare('insert into rows (dataset_id, sheet_id, row_id, cells, created_at, updated_at) values (?, ?, ?, ?, 0, 0)');
    sqlite.transaction(() => {
      for (let i = 0; i < LARGE_SHEET_ROWS; i++) insert.run('d1', 'events', `r${i}`, JSON.stringify({ [columns[0]!.id]: `value ${i % 977}`, [columns[1]!.id]: String(i) }));
    })();

    const scheduler = sqliteIndexScheduler(sqlite);
    scheduler.touched('d1', ['events']);
    // The build starts once the sheet's writes have paused; each statement runs in the worker, so this thread
    // sees one running (built here, an index would appear without that).
    while (!scheduler.slow.busy && sqliteSheetIndexes(sqlite, 'd1', 'events').size === 0) await turn();
    expect(scheduler.slow.busy).toBe(true);
    // Code on this thread runs while the statement does: the loop is not held.
    expect((sqlite.prepare('select row_count as n from sheets where sheet_id = ?').get('events') as { n: number }).n).toBe(LARGE_SHEET_ROWS);
    expect(scheduler.slow.busy).toBe(true);

    const commit = emptyCommit('d1');
    commit.rows.push({ sheetId: 'events', rowId: 'during', cells: { [columns[0]!.id]: 'typed while indexing' }, userId: null, at: 1 });
    const stored = store.append(commit);
    await stored;
    expect(sqlite.prepare('select cells from rows where row_id = ?').get('during')).toEqual({ cells: JSON.stringify({ [columns[0]!.id]: 'typed while indexing' }) });

    await scheduler.idle();
    const wanted = wantedIndexes(sqliteRows.keys, 'd1', 'events', columns);
    expect(wanted.size).toBeGreaterThan(5);
    expect(sqliteSheetIndexes(sqlite, 'd1', 'events')).toEqual(new Set(wanted.keys()));
    await scheduler.slow.close();
    sqlite.close();
  });

  it('lets a write of the server\'s connection wait for a running statement, and holds the next back until it is done', async () => {
    const db = openDatabase(join(dir, 'held.sqlite'));
    const sqlite = db.$client;
    const slow = sqliteIndexScheduler(sqlite).slow;
    const tables = () => (sqlite.prepare("select name from sqlite_master where type = 'table' and name like 'held_%' order by name").all() as { name: string }[]).map((r) => r.name);
    // A statement that runs for a while in the worker, holding the write lock.
    const running = slow.exec(`begin immediate; create table held_first (n);
      insert into held_first with recursive k(n) as (select 1 union all select n + 1 from k where n < 1000000) select n from k; commit;`);
    while (!slow.busy) await turn();
    const holding = slow.hold();
    let held = false;
    void holding.then(() => { held = true; });
    await turn();
    // Not while the statement runs (its lock would be waited for in the driver's busy wait, holding the loop).
    expect(slow.busy).toBe(true);
    expect(held).toBe(false);
    const release = await holding;
    expect(slow.busy).toBe(false);
    await running;
    // While held, the next statement does not start: the write has the lock to itself.
    const next = slow.exec('create table held_second (n)');
    for (let i = 0; i < 5; i++) await turn();
    expect(slow.busy).toBe(false);
    sqlite.exec('create table held_write (n)');
    expect(tables()).toEqual(['held_first', 'held_write']);
    release();
    release();
    await next;
    expect(tables()).toEqual(['held_first', 'held_second', 'held_write']);
    await slow.close();
    sqlite.close();
  });
});
