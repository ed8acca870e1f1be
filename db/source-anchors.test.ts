/**
 * `SourceStore.anchoredRows` on SQLite and PostgreSQL: the rows of a dataset whose cells anchor into a
 * source, by sheet and row id, found whichever slice of the scan they are in, up to the limit; an id
 * that only appears in a cell's text, another source's anchors and another dataset's rows are not listed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/helpers/pg';
import { openDatabase } from './client';
import { openPgDatabase } from './pg/client';
import { PgSourceStore } from './pg/sources';
import type { SharedSourceStore } from './shared/sources';
import { SqliteSourceStore } from './sources';

interface Harness {
  store: SharedSourceStore;
  run(statement: string, params: unknown[]): Promise<void>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const harnesses: Record<string, () => Promise<Harness>> = {
  SQLite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-anchors-'));
    const db = openDatabase(join(dir, 'test.sqlite'));
    cleanups.push(() => {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return { store: new SqliteSourceStore(db), run: async (statement, params) => void db.$client.prepare(statement.replace(/\$\d+/g, '?')).run(...params) };
  },
  PostgreSQL: async () => {
    const database: TestDatabase = await createTestDatabase();
    const db = await openPgDatabase(database.url);
    cleanups.push(async () => {
      await db.$client.end();
      await database.drop();
    });
    return { store: new PgSourceStore(db), run: async (statement, params) => void await db.$client.query(statement, params) };
  },
};

const SOURCE = '01HSRC0000000000000000000A';
const OTHER = '01HSRC0000000000000000000B';
const anchor = (source: string, start: number) => ({ source, start, end: start + 5, exact: 'abcde' });

describe.each(Object.keys(harnesses))('anchored rows on %s', (name) => {
  it('lists the rows anchoring into a source across slices and sheets, up to the limit', async () => {
    const { store, run } = await harnesses[name]!();
    for (const id of ['ds', 'other']) await run("insert into datasets (id, name, template, created_at) values ($1, $2, 'events-statements', 0)", [id, id]);
    for (const [position, sheet] of ['events', 'statements'].entries()) {
      for (const id of ['ds', 'other']) await run('insert into sheets (dataset_id, sheet_id, name, columns, position) values ($1, $2, $3, $4, $5)', [id, sheet, sheet, '[]', position]);
    }
    const row = (dataset: string, sheet: string, rowId: string, cells: object) =>
      run('insert into rows (dataset_id, sheet_id, row_id, cells, created_at, updated_at) values ($1, $2, $3, $4, 0, 0)', [dataset, sheet, rowId, JSON.stringify(cells)]);
    const expected: Array<{ sheet: string; row: string }> = [];
    for (let i = 0; i < 40; i++) {
      const id = `r${String(i).padStart(3, '0')}`;
      // Every seventh row anchors into the source; the rest into another, or only name it in their text.
      const anchored = i % 7 === 3;
      await row('ds', 'events', id, anchored
        ? { summary: 'x', evidence: [anchor(OTHER, 0), anchor(SOURCE, i)] }
        : { summary: i % 2 === 0 ? `see ${SOURCE}` : 'y', evidence: [anchor(OTHER, i)] });
      if (anchored) expected.push({ sheet: 'events', row: id });
    }
    await row('ds', 'statements', 's001', { quote: 'q', evidence: [anchor(SOURCE, 1)] });
    expected.push({ sheet: 'statements', row: 's001' });
    await row('other', 'events', 'r003', { evidence: [anchor(SOURCE, 3)] });

    const listed = await store.anchoredRows('ds', SOURCE, 100, 5);
    expect(listed.map(({ sheet, row: r }) => ({ sheet, row: r }))).toEqual(expected);
    expect(JSON.parse(listed[0]!.cells).evidence[1]).toEqual(anchor(SOURCE, 3));
    // The same in one slice, and cut at the limit.
    expect((await store.anchoredRows('ds', SOURCE, 100)).map((r) => r.row)).toEqual(expected.map((r) => r.row));
    expect((await store.anchoredRows('ds', SOURCE, 3, 5)).map((r) => r.row)).toEqual(expected.slice(0, 3).map((r) => r.row));
    expect(await store.anchoredRows('ds', '01HSRC0000000000000000000C', 100, 5)).toEqual([]);
  });
});
