/**
 * `SourceStore.anchors` on SQLite and PostgreSQL: the read model's table of anchors, kept by triggers on
 * `rows` whoever writes them (rows inserted, upserted, changed, deleted, a sheet's or a dataset's rows
 * deleted) and filled by its migration from the rows stored before it; listed by sheet, row id and the
 * order of the row's cells, up to the limit; a list that is not of anchors, an id that only appears in a
 * cell's text, another source's anchors and another dataset's rows are not listed.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle as sqliteDrizzle } from 'drizzle-orm/better-sqlite3';
import { migrate as sqliteMigrate } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as pgDrizzle } from 'drizzle-orm/node-postgres';
import { migrate as pgMigrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../test/helpers/pg';
import { MIGRATIONS, openDatabase } from './client';
import { openPgDatabase, PG_MIGRATIONS } from './pg/client';
import { PgSourceStore } from './pg/sources';
import type { SharedSourceStore } from './shared/sources';
import { SqliteSourceStore } from './sources';

/** Runs a statement with `$1`-style parameters on the database. */
type Run = (statement: string, params?: unknown[]) => Promise<void>;

interface Harness {
  /** Before the table's migration: the database as an older version left it. */
  older: Run;
  /** Applies the migrations left; the store and `run` on the migrated database. */
  upgrade(): Promise<{ store: SharedSourceStore; run: Run }>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A copy of a migrations folder whose journal ends before the migration that made the anchors table. */
function migrationsBeforeAnchors(folder: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'tessera-migrations-'));
  cleanups.push(() => rmSync(copy, { recursive: true, force: true }));
  cpSync(folder, copy, { recursive: true });
  const journalFile = join(copy, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: Array<{ tag: string }> };
  const at = journal.entries.findIndex((e) => e.tag.endsWith('_source_anchors'));
  expect(at).toBeGreaterThan(0);
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
  return copy;
}

const harnesses: Record<string, () => Promise<Harness>> = {
  SQLite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-anchors-'));
    const file = join(dir, 'test.sqlite');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // `$n` as a `?` each, with its value repeated where it is.
    const runOn = (sqlite: Database.Database): Run => async (statement, params = []) =>
      void sqlite.prepare(statement.replace(/\$\d+/g, '?')).run(...[...statement.matchAll(/\$(\d+)/g)].map((m) => params[Number(m[1]) - 1]));
    const old = new Database(file);
    sqliteMigrate(sqliteDrizzle(old), { migrationsFolder: migrationsBeforeAnchors(MIGRATIONS) });
    return {
      older: runOn(old),
      upgrade: async () => {
        old.close();
        const db = openDatabase(file);
        cleanups.push(() => {
          db.$client.close();
        });
        return { store: new SqliteSourceStore(db), run: runOn(db.$client) };
      },
    };
  },
  PostgreSQL: async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const old = new pg.Pool({ connectionString: database.url, max: 1 });
    await pgMigrate(pgDrizzle(old), { migrationsFolder: migrationsBeforeAnchors(PG_MIGRATIONS) });
    return {
      older: async (statement, params) => void await old.query(statement, params),
      upgrade: async () => {
        await old.end();
        const db = await openPgDatabase(database.url);
        cleanups.push(() => db.$client.end());
        return { store: new PgSourceStore(db), run: async (statement, params) => void await db.$client.query(statement, params) };
      },
    };
  },
};

const SOURCE = '01HSRC0000000000000000000A';
const OTHER = '01HSRC0000000000000000000B';
const anchor = (source: string, start: number, exact = 'abcde') => ({ source, start, end: start + [...exact].length, exact });
const listedAs = (sheet: string, row: string, a: ReturnType<typeof anchor>) => ({ sheet, row, start: a.start, end: a.end, exact: a.exact });

/** Statements on `rows` as the stores write them: several rows per statement, upserts that change a row's cells. */
const writer = (run: Run) => ({
  datasets: async (...ids: string[]) => {
    for (const id of ids) {
      await run("insert into datasets (id, name, template, created_at) values ($1, $2, 'events-statements', 0)", [id, id]);
      for (const [position, sheet] of ['events', 'statements'].entries()) {
        await run('insert into sheets (dataset_id, sheet_id, name, columns, position) values ($1, $2, $3, $4, $5)', [id, sheet, sheet, '[]', position]);
      }
    }
  },
  upsert: (dataset: string, sheet: string, rows: Array<[string, object]>) => run(
    `insert into rows (dataset_id, sheet_id, row_id, cells, created_at, updated_at) values ${rows.map((_, i) => `($1, $2, $${3 + 2 * i}, $${4 + 2 * i}, 0, 0)`).join(', ')}
     on conflict (dataset_id, sheet_id, row_id) do update set cells = excluded.cells, updated_at = excluded.updated_at`,
    [dataset, sheet, ...rows.flatMap(([id, cells]) => [id, JSON.stringify(cells)])]),
});

describe.each(Object.keys(harnesses))('the anchors table on %s', (name) => {
  it('fills from the rows stored before its migration, then lists them by sheet, row and cell, up to the limit', async () => {
    const harness = await harnesses[name]!();
    const before = writer(harness.older);
    await before.datasets('ds', 'other');
    const expected: Array<ReturnType<typeof listedAs>> = [];
    const events: Array<[string, object]> = [];
    for (let i = 0; i < 40; i++) {
      const id = `r${String(i).padStart(3, '0')}`;
      // Every seventh row anchors into the source; the rest into another, or only name it in their text.
      if (i % 7 === 3) {
        // Cells in the row's order (not the columns' names'), anchors in the list's order.
        const [later, first, second] = [anchor(SOURCE, i + 100), anchor(SOURCE, i), anchor(SOURCE, i + 50, 'dé🙂')];
        events.push([id, { summary: 'x', zz_evidence: [first, anchor(OTHER, 0), second], aa_more: [later], context: ['a', 'b'] }]);
        expected.push(listedAs('events', id, first), listedAs('events', id, second), listedAs('events', id, later));
      } else {
        events.push([id, { summary: i % 2 === 0 ? `see "source": ${SOURCE}` : 'y', evidence: [anchor(OTHER, i)], place: { name: 'Seoul', lat: 37.5, lon: 127 } }]);
      }
    }
    await before.upsert('ds', 'events', events);
    await before.upsert('ds', 'statements', [['s001', { quote: 'q', evidence: [anchor(SOURCE, 1)] }]]);
    expected.push(listedAs('statements', 's001', anchor(SOURCE, 1)));
    await before.upsert('other', 'events', [['r003', { evidence: [anchor(SOURCE, 3)] }]]);

    const { store } = await harness.upgrade();
    expect(await store.anchors('ds', SOURCE, 100)).toEqual(expected);
    expect(await store.anchors('ds', SOURCE, 4)).toEqual(expected.slice(0, 4));
    expect(await store.anchors('ds', OTHER, 100)).toHaveLength(40);
    expect(await store.anchors('ds', '01HSRC0000000000000000000C', 100)).toEqual([]);
  });

  it('keeps it as rows are inserted, changed, deleted, and as a sheet\'s or a dataset\'s rows go', async () => {
    const harness = await harnesses[name]!();
    const { store, run } = await harness.upgrade();
    const w = writer(run);
    await w.datasets('ds', 'other');
    const [a1, a2, b1] = [anchor(SOURCE, 1), anchor(SOURCE, 2), anchor(OTHER, 3)];
    await w.upsert('ds', 'events', [['r1', { evidence: [a1] }], ['r2', { summary: 'none yet' }], ['r3', { evidence: [b1] }]]);
    await w.upsert('other', 'events', [['r1', { evidence: [a1] }]]);
    expect(await store.anchors('ds', SOURCE, 10)).toEqual([listedAs('events', 'r1', a1)]);

    // An anchor added to a row, one moved from a row to another (as a merge does), one removed with its row.
    await w.upsert('ds', 'events', [['r2', { summary: 'now', evidence: [a2, a1] }], ['r1', { evidence: [] }], ['r4', { evidence: [a2] }]]);
    expect(await store.anchors('ds', SOURCE, 10)).toEqual([listedAs('events', 'r2', a2), listedAs('events', 'r2', a1), listedAs('events', 'r4', a2)]);
    await run('delete from rows where dataset_id = $1 and sheet_id = $2 and row_id = $3', ['ds', 'events', 'r2']);
    expect(await store.anchors('ds', SOURCE, 10)).toEqual([listedAs('events', 'r4', a2)]);
    // A cell changed elsewhere in the row keeps its anchors; another source's are untouched.
    await run('update rows set cells = $1 where dataset_id = $2 and row_id = $3', [JSON.stringify({ summary: 'edited', evidence: [a2] }), 'ds', 'r4']);
    expect(await store.anchors('ds', SOURCE, 10)).toEqual([listedAs('events', 'r4', a2)]);
    expect(await store.anchors('ds', OTHER, 10)).toEqual([listedAs('events', 'r3', b1)]);

    // A sheet's rows deleted, then a dataset's: their anchors go, another dataset's stay.
    await w.upsert('ds', 'statements', [['s1', { evidence: [a1] }]]);
    await run('delete from rows where dataset_id = $1 and sheet_id = $2', ['ds', 'events']);
    expect(await store.anchors('ds', SOURCE, 10)).toEqual([listedAs('statements', 's1', a1)]);
    expect(await store.anchors('ds', OTHER, 10)).toEqual([]);
    await run('delete from rows where dataset_id = $1', ['ds']);
    expect(await store.anchors('ds', SOURCE, 10)).toEqual([]);
    expect(await store.anchors('other', SOURCE, 10)).toEqual([listedAs('events', 'r1', a1)]);
  });

  it('writes and deletes a row whose anchor PostgreSQL cannot read as text (a \\u0000) with the other rows of its statement', async () => {
    const { store, run } = await (await harnesses[name]!()).upgrade();
    const w = writer(run);
    await w.datasets('ds');
    const [odd, plain] = [anchor(SOURCE, 1, 'a\u0000b'), anchor(SOURCE, 2)];
    await w.upsert('ds', 'events', [['r1', { evidence: [odd] }], ['r2', { evidence: [plain] }]]);
    await w.upsert('ds', 'events', [['r1', { summary: 'changed', evidence: [odd] }], ['r3', { evidence: [plain] }]]);
    const listed = await store.anchors('ds', SOURCE, 10);
    expect(listed).toContainEqual(listedAs('events', 'r2', plain));
    expect(listed).toContainEqual(listedAs('events', 'r3', plain));
    // Deleted with it: the other row's anchors go.
    await run('delete from rows where dataset_id = $1 and row_id in ($2, $3)', ['ds', 'r1', 'r2']);
    expect(await store.anchors('ds', SOURCE, 10)).toEqual([listedAs('events', 'r3', plain)]);
  });
});
