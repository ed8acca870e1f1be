/**
 * Rows by page on a large sheet: the row counts the sheets keep, the column indexes a sheet gets once it holds
 * `LARGE_SHEET_ROWS` rows, and that a page walks them and answers what a scan would. The large sheets' rows are
 * written straight into the server's database (as a bulk import does), then one import into the sheet makes the
 * server see it large.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type SQL } from 'drizzle-orm';
import { drizzle as pgDrizzle } from 'drizzle-orm/node-postgres';
import { PgDialect } from 'drizzle-orm/pg-core';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { CellValue, Column } from '../../model/columns';
import { columnToYMap, deleteRow, getSheet, sheetColumns } from '../../model/document';
import { TEMPLATES } from '../../model/templates';
import type { PgDb } from '../../db/pg/client';
import { pgSheetIndexes } from '../../db/pg/sheet-indexes';
import { keyKind, LARGE_SHEET_ROWS, pgRows, rowsPage, type RowsDialect, sqliteRows } from '../../db/rows-page';
import { columnIndexName, sqliteSheetIndexes, wantedIndexes } from '../../db/sheet-indexes';
import type { RowsPageQuery } from '../../server/storage';
import { createDataset } from '../helpers/api';
import { api, connectSynced } from '../helpers/clients';
import { csvOf, importFile } from '../helpers/import';
import { testDatabaseFor, testOnPostgres } from '../helpers/pg';
import { startServer, type RunningServer } from '../helpers/server';
import { eventually } from '../helpers/eventually';

type Cells = Record<string, CellValue>;

interface Page {
  total: number;
  rows: Array<Record<string, unknown> & { row_id: string }>;
}

/** The server's database, opened beside it (WAL lets SQLite have a second connection; PostgreSQL is a server). */
interface Store {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** `count` rows of a sheet, with these cells, in one transaction. */
  insertRows(datasetId: string, sheetId: string, rows: ReadonlyArray<[string, Cells]>): Promise<void>;
  /** The names of the sheet's column indexes that exist (and are valid). */
  indexes(datasetId: string, sheetId: string): Promise<Set<string>>;
  /** The plan of each statement a page runs, as text, with the page. */
  explainPage(datasetId: string, sheetId: string, columns: readonly Column[], query: RowsPageQuery): Promise<string[]>;
  close(): Promise<void>;
}

async function openStore(server: RunningServer): Promise<Store> {
  if (testOnPostgres) {
    const client = new pg.Client({ connectionString: (await testDatabaseFor(server.dataDir)).url });
    await client.connect();
    const db = pgDrizzle(client) as unknown as PgDb;
    const dialect = new PgDialect();
    const query = async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[];
    const indexes = async (datasetId: string, sheetId: string) =>
      new Set([...(await pgSheetIndexes(db, datasetId, sheetId))].filter(([, valid]) => valid).map(([name]) => name));
    return {
      query,
      indexes,
      async insertRows(datasetId, sheetId, rows) {
        await client.query(`insert into rows (dataset_id, sheet_id, row_id, cells, created_at, updated_at)
          select $1, $2, r, c, 0, 0 from unnest($3::text[], $4::text[]) as x(r, c)`,
        [datasetId, sheetId, rows.map(([id]) => id), rows.map(([, cells]) => JSON.stringify(cells))]);
      },
      async explainPage(datasetId, sheetId, columns, page) {
        const plans: string[] = [];
        await rowsPage(pgRows, {
          run: async <T>(statement: SQL) => {
            const { sql, params } = dialect.sqlToQuery(statement);
            plans.push(JSON.stringify((await client.query(`explain (format json) ${sql}`, params)).rows));
            return (await client.query(sql, params)).rows as T[];
          },
          keptCount: async () => Number((await query<{ n: string }>('select row_count as n from sheets where dataset_id = $1 and sheet_id = $2', [datasetId, sheetId]))[0]!.n),
          indexes: () => indexes(datasetId, sheetId),
          indexName: (columnId, kind) => columnIndexName(pgRows.keys, datasetId, sheetId, columnId, kind),
        }, datasetId, sheetId, columns, page);
        return plans;
      },
      close: () => client.end(),
    };
  }
  const sqlite = new Database(join(server.dataDir, 'tessera.db'));
  sqlite.pragma('busy_timeout = 10000');
  const dialect = new SQLiteSyncDialect();
  const query = async <T>(text: string, params: unknown[] = []) => {
    const statement = sqlite.prepare(text);
    return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[];
  };
  return {
    query,
    async insertRows(datasetId, sheetId, rows) {
      const insert = sqlite.prepare('insert into rows (dataset_id, sheet_id, row_id, cells, created_at, updated_at) values (?, ?, ?, ?, 0, 0)');
      sqlite.transaction(() => { for (const [id, cells] of rows) insert.run(datasetId, sheetId, id, JSON.stringify(cells)); })();
    },
    indexes: async (datasetId, sheetId) => sqliteSheetIndexes(sqlite, datasetId, sheetId),
    async explainPage(datasetId, sheetId, columns, page) {
      const plans: string[] = [];
      await rowsPage(sqliteRows, {
        run: async <T>(statement: SQL) => {
          const { sql, params } = dialect.sqlToQuery(statement);
          plans.push((sqlite.prepare(`explain query plan ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('; '));
          return sqlite.prepare(sql).all(...params) as T[];
        },
        keptCount: async () => (sqlite.prepare('select row_count as n from sheets where dataset_id = ? and sheet_id = ?').get(datasetId, sheetId) as { n: number }).n,
        indexes: async () => sqliteSheetIndexes(sqlite, datasetId, sheetId),
        indexName: (columnId, kind) => columnIndexName(sqliteRows.keys, datasetId, sheetId, columnId, kind),
      }, datasetId, sheetId, columns, page);
      return plans;
    },
    close: async () => { sqlite.close(); },
  };
}

const EVENTS = TEMPLATES['events-statements'].find((s) => s.id === 'events')!.columns;
const COUNTS: Column[] = [{ id: 'n', name: 'N', type: 'number' }, { id: 'label', name: 'Label', type: 'text' }];
const ROWS = LARGE_SHEET_ROWS + 500;
/** The key expressions of the store the tests run on. */
const keys = (testOnPostgres ? pgRows : sqliteRows).keys;
const rowId = (i: number) => `R${String(i).padStart(6, '0')}`;

/** An events row whose cells differ in the ways a sort, a filter or a search must tell apart. */
function eventCells(i: number): Cells {
  const cells: Cells = {};
  const actor = i % 11 === 0 ? '' : `${['alpha', 'Beta', 'GAMMA', 'delta', 'Epsilon'][i % 5]} ${i % 97}`;
  if (i % 17 !== 0) cells.actor1 = actor;
  const type = i % 40 === 0 ? 'AGREE' : i % 40 === 1 ? 'agree' : ['REJECT', 'PROTEST', 'CONSULT'][i % 3]!;
  if (i % 53 !== 0) cells.event_type = type;
  const contexts: CellValue[] = [['military'], ['political', 'military'], [], 'military', ['MILITARY'], ['mili"tary', 'x'],
    ['say "military" now'], 'a "military" b', ['diplomatic']];
  if (i % 10 !== 9) cells.context = contexts[i % 9]!;
  cells.event_date = i % 13 === 0 ? '' : `20${10 + (i % 15)}-0${1 + (i % 9)}-1${i % 10}`;
  cells.summary = i === 12_345 ? 'He said "no comment" in São Paulo' : `Row ${i} of the large sheet`;
  return cells;
}

function countCells(i: number): Cells {
  if (i % 10 === 0) return { n: 'n/a', label: `x${i}` };
  if (i % 10 === 1) return { n: '', label: `x${i}` };
  if (i % 10 === 2) return { label: `x${i}` };
  return { n: ((i * 7919) % 1000) / 10 - 20, label: `x${i}` };
}

/** A text column's sort key as the databases compute it (ASCII case folded; the data here is ASCII). */
function textKey(value: CellValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  const key = (typeof value === 'string' ? value : JSON.stringify(value)).replace(/[A-Z]/g, (c) => c.toLowerCase());
  return key === '' || key === '[]' ? null : key;
}

/** The row ids in the order a page promises: values (text ignoring case, numbers), other values, empty cells; ties by row id. */
function expectedOrder(rows: ReadonlyArray<[string, Cells]>, column: Column, descending: boolean): string[] {
  const flip = descending ? -1 : 1;
  const rank = (cells: Cells): [number, string | number | null] => {
    const value = cells[column.id];
    if (keyKind(column.type) === 'number') {
      if (typeof value === 'number') return [0, value];
      return [textKey(value as CellValue) === null ? 2 : 1, null];
    }
    const key = textKey(value as CellValue);
    return key === null ? [1, null] : [0, key];
  };
  return [...rows].map(([id, cells]) => ({ id, rank: rank(cells) })).sort((a, b) => {
    if (a.rank[0] !== b.rank[0]) return a.rank[0] - b.rank[0];
    const [x, y] = [a.rank[1], b.rank[1]];
    if (x !== null && y !== null && x !== y) return (x < y ? -1 : 1) * flip;
    return (a.id < b.id ? -1 : 1) * flip;
  }).map((r) => r.id);
}

describe('rows by page on a large sheet', () => {
  let server: RunningServer;
  let store: Store;
  const events: Array<[string, Cells]> = [];
  const counts: Array<[string, Cells]> = [];

  const page = async (datasetId: string, sheetId: string, query: string): Promise<Page> => {
    const response = await api(server, `/api/datasets/${datasetId}/sheets/${sheetId}/rows?${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as Page;
  };
  const kept = async (datasetId: string, sheetId: string) => {
    const [row] = await store.query<{ kept: number | string; counted: number | string }>(
      `select row_count as kept, (select count(*) from rows where dataset_id = ${testOnPostgres ? '$1' : '?'} and sheet_id = ${testOnPostgres ? '$2' : '?'}) as counted
       from sheets where dataset_id = ${testOnPostgres ? '$1' : '?'} and sheet_id = ${testOnPostgres ? '$2' : '?'}`,
      testOnPostgres ? [datasetId, sheetId] : [datasetId, sheetId, datasetId, sheetId]);
    return row && { kept: Number(row.kept), counted: Number(row.counted) };
  };

  beforeAll(async () => {
    server = await startServer();
    store = await openStore(server);
  });
  afterAll(async () => {
    await store?.close();
    await server?.dispose();
  });

  it('keeps each sheet\'s row count through inserts, updates, deletes, a sheet\'s removal and the dataset\'s deletion', async () => {
    const id = 'counted';
    await createDataset(server, id);
    const header = ['actor1', 'event_type', 'summary'];
    const imported = await importFile(server, id, 'events', csvOf([header, ...[1, 2, 3, 4, 5].map((i) => [`actor ${i}`, 'AGREE', `row ${i}`])]));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const ids = (await page(id, 'events', 'limit=10')).rows.map((r) => r.row_id);
    expect(ids).toHaveLength(5);
    expect(await kept(id, 'events')).toEqual({ kept: 5, counted: 5 });
    expect((await page(id, 'events', 'limit=1')).total).toBe(5);

    // An update is an upsert of a row that exists: no new row.
    expect((await importFile(server, id, 'events', csvOf([['row_id', 'actor1'], [ids[0]!, 'renamed']]), { query: 'key=row_id' })).status).toBe(200);
    await eventually(async () => expect((await page(id, 'events', 'limit=1')).rows[0]).toMatchObject({ actor1: 'renamed' }));
    expect(await kept(id, 'events')).toEqual({ kept: 5, counted: 5 });

    const client = await connectSynced(server, id);
    try {
      client.doc.transact(() => {
        deleteRow(getSheet(client.doc as Y.Doc, 'events')!, ids[1]!);
        deleteRow(getSheet(client.doc as Y.Doc, 'events')!, ids[2]!);
      });
      await eventually(async () => expect((await page(id, 'events', 'limit=1')).total).toBe(3));
    } finally {
      client.destroy();
    }
    expect(await kept(id, 'events')).toEqual({ kept: 3, counted: 3 });

    // A sheet removed takes its count with it; one added again under its id starts from the rows there are.
    expect((await api(server, `/api/datasets/${id}/sheets`, { body: { id: 'extra', name: 'Extra', columns: COUNTS } })).status).toBe(201);
    expect((await importFile(server, id, 'extra', csvOf([['label'], ['a'], ['b']]))).status).toBe(200);
    await eventually(async () => expect(await kept(id, 'extra')).toEqual({ kept: 2, counted: 2 }));
    expect((await api(server, `/api/datasets/${id}/sheets/extra`, { method: 'DELETE' })).status).toBe(200);
    await eventually(async () => expect(await kept(id, 'extra')).toBeUndefined());
    expect((await api(server, `/api/datasets/${id}/sheets`, { body: { id: 'extra', name: 'Extra again', columns: COUNTS } })).status).toBe(201);
    await eventually(async () => expect(await kept(id, 'extra')).toEqual({ kept: 0, counted: 0 }));
    expect((await page(id, 'extra', 'limit=1')).total).toBe(0);

    expect((await api(server, `/api/datasets/${id}`, { method: 'DELETE', body: { confirm: id } })).status).toBe(200);
    expect(await kept(id, 'events')).toBeUndefined();
    await createDataset(server, id);
    expect(await kept(id, 'events')).toEqual({ kept: 0, counted: 0 });
    expect((await page(id, 'events', 'limit=1')).total).toBe(0);
  });

  it('starts a sheet\'s count from its rows when they were stored before the sheet', async () => {
    await store.insertRows('early', 'first', [['a', {}], ['b', {}], ['c', {}]]);
    await store.query(`insert into sheets (dataset_id, sheet_id, name, columns, position) values ('early', 'first', 'First', '[]', 0)`);
    expect(await kept('early', 'first')).toEqual({ kept: 3, counted: 3 });
    await store.query("delete from rows where dataset_id = 'early'");
    await store.query("delete from sheets where dataset_id = 'early'");
  });

  describe(`a sheet of ${ROWS} rows`, () => {
    const id = 'large';
    let eventIndexes: Map<string, string>;
    let countIndexes: Map<string, string>;

    beforeAll(async () => {
      expect((await api(server, '/api/datasets', { body: { id, name: 'Large', template: 'events-statements', layout: 'rows' } })).status).toBe(201);
      expect((await api(server, `/api/datasets/${id}/sheets`, { body: { id: 'counts', name: 'Counts', columns: COUNTS } })).status).toBe(201);
      for (let i = 0; i < ROWS; i++) {
        events.push([rowId(i), eventCells(i)]);
        counts.push([rowId(i), countCells(i)]);
      }
      await store.insertRows(id, 'events', events);
      await store.insertRows(id, 'counts', counts);
      eventIndexes = wantedIndexes(keys, id, 'events', EVENTS);
      countIndexes = wantedIndexes(keys, id, 'counts', COUNTS);
      // Before its indexes, the same pages come from a scan: the checks below hold either way.
      expect(await store.indexes(id, 'events')).toEqual(new Set());
    }, 120_000);

    const pagesAreRight = async () => {
      const cellsOf = new Map(events);
      const date = EVENTS.find((c) => c.id === 'event_date')!;
      const actor = EVENTS.find((c) => c.id === 'actor1')!;
      expect((await page(id, 'events', 'limit=3')).total).toBe(events.length);
      expect((await page(id, 'counts', 'limit=3')).total).toBe(counts.length);
      const byId = events.map(([rid]) => rid).sort();
      expect((await page(id, 'events', `offset=${byId.length - 150}&limit=100`)).rows.map((r) => r.row_id)).toEqual(byId.slice(-150, -50));
      expect((await page(id, 'events', `sort=-row_id&offset=${byId.length - 40}&limit=100`)).rows.map((r) => r.row_id)).toEqual([...byId].reverse().slice(-40));
      for (const [column, descending] of [[actor, false], [actor, true], [date, true]] as const) {
        const order = expectedOrder(events, column, descending);
        const sort = `sort=${descending ? '-' : ''}${column.id}`;
        expect((await page(id, 'events', `${sort}&limit=50`)).rows.map((r) => r.row_id), sort).toEqual(order.slice(0, 50));
        expect((await page(id, 'events', `${sort}&offset=${ROWS - 120}&limit=100`)).rows.map((r) => r.row_id), `${sort} deep`).toEqual(order.slice(ROWS - 120, ROWS - 20));
        expect((await page(id, 'events', `${sort}&offset=${order.length - 30}&limit=100`)).rows.map((r) => r.row_id), `${sort} last`).toEqual(order.slice(-30));
        // Where the values end and the empty cells begin.
        const lastValue = order.findLastIndex((rid) => textKey(cellsOf.get(rid)![column.id]) !== null);
        expect((await page(id, 'events', `${sort}&offset=${lastValue - 2}&limit=5`)).rows.map((r) => r.row_id)).toEqual(order.slice(lastValue - 2, lastValue + 3));
      }
      const n = COUNTS[0]!;
      for (const descending of [false, true]) {
        const order = expectedOrder(counts, n, descending);
        const sort = `sort=${descending ? '-' : ''}n`;
        for (const offset of [0, Math.floor(ROWS * 0.7) - 3, Math.floor(ROWS * 0.8) - 3, ROWS - 40]) {
          expect((await page(id, 'counts', `${sort}&offset=${offset}&limit=60`)).rows.map((r) => r.row_id), `${sort} at ${offset}`).toEqual(order.slice(offset, offset + 60));
        }
      }

      const matching = (keep: (cells: Cells) => boolean) => events.filter(([, cells]) => keep(cells)).map(([rid]) => rid);
      const filters: Array<[string, string[]]> = [
        ['filter[event_type]=AGREE', matching((c) => c.event_type === 'AGREE')],
        ['filter[event_type]=', matching((c) => textKey(c.event_type as CellValue) === null)],
        ['filter[context]=military', matching((c) => c.context === 'military' || (Array.isArray(c.context) && (c.context as string[]).includes('military')))],
        ['filter[context]=', matching((c) => textKey(c.context as CellValue) === null)],
        ['filter[actor1]=Beta%2012', matching((c) => c.actor1 === 'Beta 12')],
        ['filter[event_type]=AGREE&filter[context]=military', matching((c) => c.event_type === 'AGREE' && (c.context === 'military' || (Array.isArray(c.context) && (c.context as string[]).includes('military'))))],
      ];
      for (const [filter, ids] of filters) {
        const found = await page(id, 'events', `${filter}&limit=1000`);
        expect(found.total, filter).toBe(ids.length);
        expect(found.rows.map((r) => r.row_id), filter).toEqual(ids.slice(0, 1000));
      }
      const agreed = new Set(matching((c) => c.event_type === 'AGREE'));
      const byDate = expectedOrder(events.filter(([rid]) => agreed.has(rid)), date, true);
      expect((await page(id, 'events', 'filter[event_type]=AGREE&sort=-event_date&offset=5&limit=20')).rows.map((r) => r.row_id)).toEqual(byDate.slice(5, 25));

      // Search: quotes, letters beyond ASCII and case, alone and with an indexed filter.
      for (const q of ['said "no comment"', 'são paulo', 'HE SAID']) {
        const found = await page(id, 'events', `q=${encodeURIComponent(q)}`);
        expect(found.rows.map((r) => r.row_id), q).toEqual([rowId(12_345)]);
      }
      const searched = matching((c) => String(c.summary ?? '').toLowerCase().includes('row 1234') && c.event_type === 'REJECT');
      expect(searched.length).toBeGreaterThan(1);
      expect((await page(id, 'events', `q=${encodeURIComponent('Row 1234')}&filter[event_type]=REJECT`)).rows.map((r) => r.row_id)).toEqual(searched);
    };

    it('answers pages from a scan while the sheet has no indexes', async () => {
      await pagesAreRight();
    }, 300_000);

    it('builds a column index per column once the large sheet\'s writes pause', async () => {
      // One import into each sheet: the server sees them large.
      expect((await importFile(server, id, 'events', csvOf([['actor1'], ['alpha 1']]))).status).toBe(200);
      expect((await importFile(server, id, 'counts', csvOf([['label'], ['x']]))).status).toBe(200);
      // The imported rows' ids are made by the server (and sort before the others).
      events.push([(await page(id, 'events', 'limit=1')).rows[0]!.row_id, { actor1: 'alpha 1' }]);
      counts.push([(await page(id, 'counts', 'limit=1')).rows[0]!.row_id, { label: 'x' }]);
      expect(events.at(-1)![0] < rowId(0) && counts.at(-1)![0] < rowId(0)).toBe(true);
      events.sort(([a], [b]) => (a < b ? -1 : 1));
      counts.sort(([a], [b]) => (a < b ? -1 : 1));
      expect(eventIndexes.size).toBe(EVENTS.filter((c) => c.type !== 'evidence').length);
      await eventually(async () => expect(await store.indexes(id, 'events')).toEqual(new Set(eventIndexes.keys())), { timeoutMs: 60_000, what: 'the events sheet\'s indexes' });
      await eventually(async () => expect(await store.indexes(id, 'counts')).toEqual(new Set(countIndexes.keys())), { timeoutMs: 60_000, what: 'the counts sheet\'s indexes' });
    }, 120_000);

    it('walks them: a sorted page, a deep one and a filtered one', async () => {
      const name = (columnId: string) => columnIndexName(keys, id, 'events', columnId, keyKind(EVENTS.find((c) => c.id === columnId)!.type)!);
      // Deep in the sheet (SQLite; PostgreSQL may rather sort a scan of a sheet this small than walk its index that far).
      const sorted = await store.explainPage(id, 'events', EVENTS, { offset: testOnPostgres ? 0 : ROWS - 100, limit: 100, filters: [], sort: { column: 'actor1', descending: true } });
      // The empty cells counted in their range, the page's ids from the index, then the page's rows by id.
      expect(sorted.slice(0, 2).every((plan) => plan.includes(name('actor1'))), sorted.join('\n')).toBe(true);
      const filtered = await store.explainPage(id, 'events', EVENTS, { offset: 0, limit: 100, filters: [['event_type', 'AGREE']] });
      expect(filtered.every((plan) => plan.includes(name('event_type'))), filtered.join('\n')).toBe(true);
      const numbers = await store.explainPage(id, 'counts', COUNTS, { offset: 0, limit: 100, filters: [], sort: { column: 'n', descending: false } });
      expect(numbers.slice(0, 3).every((plan) => plan.includes(columnIndexName(keys, id, 'counts', 'n', 'number'))), numbers.join('\n')).toBe(true);
      await pagesAreRight();
    }, 300_000);

    it('follows the columns: a new column gets its index, a removed one\'s goes', async () => {
      const client = await connectSynced(server, id);
      try {
        client.doc.transact(() => {
          const columns = sheetColumns(getSheet(client.doc as Y.Doc, 'counts')!);
          columns.delete(1, 1);
          columns.push([columnToYMap({ id: 'm', name: 'M', type: 'integer' })]);
        });
        const changed: Column[] = [COUNTS[0]!, { id: 'm', name: 'M', type: 'integer' }];
        const wanted = new Set(wantedIndexes(keys, id, 'counts', changed).keys());
        expect(wanted.has(columnIndexName(keys, id, 'counts', 'label', 'text'))).toBe(false);
        await eventually(async () => expect(await store.indexes(id, 'counts')).toEqual(wanted), { timeoutMs: 60_000, what: 'the indexes of the changed columns' });
      } finally {
        client.destroy();
      }
    }, 120_000);

    it('drops a sheet\'s indexes with the sheet, and the rest with the dataset', async () => {
      expect((await api(server, `/api/datasets/${id}/sheets/counts`, { method: 'DELETE' })).status).toBe(200);
      await eventually(async () => expect(await store.indexes(id, 'counts')).toEqual(new Set()), { timeoutMs: 30_000 });
      expect((await store.indexes(id, 'events')).size).toBe(eventIndexes.size);
      expect((await api(server, `/api/datasets/${id}`, { method: 'DELETE', body: { confirm: id } })).status).toBe(200);
      await eventually(async () => expect(await store.indexes(id, 'events')).toEqual(new Set()), { timeoutMs: 30_000 });
      expect(await kept(id, 'events')).toBeUndefined();
    }, 120_000);
  });
});
