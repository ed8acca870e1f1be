/**
 * A large sheet's search index (docs/large-sheets.md#what-a-large-sheet-gets-a-search-index): built once the
 * sheet's writes pause, without holding up the server, and answering every search exactly as a scan does —
 * the same rows, in the same order, with the same total — whatever the text holds (`%`, `_`, quotes,
 * backslashes, fewer than three characters, letters outside ASCII); and a row written after it is built is
 * found by the next search.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue, Column } from '../../model/columns';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { columnIndexName, sqliteSheetIndexes, wantedIndexes } from '../../db/sheet-indexes';
import { LARGE_SHEET_ROWS, pgRows, rowsPage, type RowsPageSource, sqliteRows } from '../../db/rows-page';
import { hasSqliteSearchIndex, SEARCH_BULK_ROWS, searchIndexName, sqliteSearchIndexState } from '../../db/search-index';
import type { RowsPageQuery } from '../../server/storage';
import { api, type Client, connectSynced } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { csvOf, importFile } from '../helpers/import';
import { testDatabaseFor, testOnPostgres } from '../helpers/pg';
import { startServer, type RunningServer } from '../helpers/server';

type Cells = Record<string, CellValue>;

interface Page {
  total: number;
  rows: Array<Record<string, unknown> & { row_id: string }>;
}

const DATASET = 'searched';
const SHEET = 'notes';
const COLUMNS: Column[] = [
  { id: 'label', name: 'Label', type: 'text' },
  { id: 'notes', name: 'Notes', type: 'longtext' },
  // Not searched: a text only a number cell holds is found by no search, index or not.
  { id: 'n', name: 'N', type: 'number' },
];
const ROWS = LARGE_SHEET_ROWS + 300;
const rowId = (i: number) => `R${String(i).padStart(6, '0')}`;

/** Texts a search must match exactly as the scan does; one on every 97th row. */
const SPECIAL = [
  "50% off at O'Brien's", 'a_b and a-b', 'say "hi" from C:\\dir\\file', 'Zürich', 'ZÜRICH, Genève 🙂 smile',
  'tab\there', '100%_done \\ back', 'São Paulo', 'SÃO PAULO',
];

function cells(i: number): Cells {
  const row: Cells = { label: `Row ${i} (item ${i})`, n: i % 1000 === 0 ? 777_777 : i };
  if (i % 97 === 0) row.notes = SPECIAL[(i / 97) % SPECIAL.length]!;
  else if (i % 5 !== 0) row.notes = `plain note ${i % 13} of the large sheet`;
  return row;
}

/** The searches compared, each with the rest of its page's query. */
const SEARCHES: Array<[string, string]> = [
  ['item 1', 'limit=50'], ['ITEM 12', 'limit=50&offset=20'], ['item 1', 'sort=-label&limit=30&offset=100'],
  ['50%', 'limit=50'], ['%', 'limit=50'], ['_', 'limit=50'], ['a_b', 'limit=50'], ['100%_', 'limit=50'],
  ["O'Brien", 'limit=50'], ["o'b", 'limit=50'], ['"hi"', 'limit=50'], ['C:\\dir', 'limit=50'], ['\\', 'limit=50'], ['\\ back', 'limit=50'],
  ['tab\th', 'limit=50'], ['ab', 'limit=50'], ['zü', 'limit=50'], ['Zürich', 'limit=50'], ['ZÜRICH', 'limit=50'], ['zürich', 'limit=50'],
  ['genève', 'limit=50'], ['GENÈVE', 'limit=50'], ['🙂 sm', 'limit=50'], ['são', 'sort=-n&limit=50'], ['SÃO PAULO', 'limit=50'],
  ['777777', 'limit=50'], ['text no row holds', 'limit=50'], ['row 2030', 'sort=n&limit=50'], [' (', 'limit=50&offset=20000'],
  ['plain note 1', 'sort=-label&limit=50&offset=5000'],
];

/** The server's database, opened beside it: pages without the search index, the plan of one with it, and its state. */
interface Store {
  /** The page as a scan answers it (SQLite: not told of the index; PostgreSQL: bitmap scans, the only way to a GIN index, off). */
  pageWithout(query: RowsPageQuery): Promise<{ total: number; ids: string[] }>;
  /**
   * The page through the search index whenever the text allows it (however many rows it finds: the server
   * scans instead past a share of the sheet), and whether its plan read the index.
   */
  pageWith(query: RowsPageQuery): Promise<{ total: number; ids: string[]; used: boolean }>;
  /** Whether the search index exists (and is valid). */
  searchIndexed(): Promise<boolean>;
  /** Whether the search index is being built now (its build running, the column indexes there). */
  searchBuilding(): Promise<boolean>;
  /** What is left of the search index once dropped (SQLite: its table, shadow tables and triggers; PostgreSQL: the index). */
  leftovers(): Promise<string[]>;
  close(): Promise<void>;
}

/** A page's source on the server's database; with the search index, a kept count so large that the index always narrows. */
const source = (run: RowsPageSource['run'], kept: () => Promise<number>, searchIndex?: string): RowsPageSource => ({
  run,
  keptCount: searchIndex ? async () => Number.MAX_SAFE_INTEGER : kept,
  indexes: async () => new Set(),
  indexName: (columnId, kind) => columnIndexName((testOnPostgres ? pgRows : sqliteRows).keys, DATASET, SHEET, columnId, kind),
  ...(searchIndex && { searchIndex: async () => searchIndex }),
});

async function openStore(server: RunningServer): Promise<Store> {
  const name = searchIndexName(DATASET, SHEET);
  if (testOnPostgres) {
    const client = new pg.Client({ connectionString: (await testDatabaseFor(server.dataDir)).url });
    await client.connect();
    const dialect = new PgDialect();
    const kept = async () => Number((await client.query('select row_count as n from sheets where dataset_id = $1 and sheet_id = $2', [DATASET, SHEET])).rows[0].n);
    const searchIndexed = async () => (await client.query('select 1 from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = $1 and i.indisvalid', [name])).rows.length > 0;
    return {
      async pageWithout(query) {
        await client.query('begin');
        try {
          await client.query('set local enable_bitmapscan = off');
          const page = await rowsPage(pgRows, source(async <T>(statement: SQL) => {
            const { sql, params } = dialect.sqlToQuery(statement);
            return (await client.query(sql, params)).rows as T[];
          }, kept), DATASET, SHEET, COLUMNS, query);
          return { total: page.total, ids: page.rows.map((r) => r.rowId) };
        } finally {
          await client.query('rollback');
        }
      },
      async pageWith(query) {
        const plans: string[] = [];
        const page = await rowsPage(pgRows, source(async <T>(statement: SQL) => {
          const { sql, params } = dialect.sqlToQuery(statement);
          plans.push(JSON.stringify((await client.query(`explain (format json) ${sql}`, params)).rows));
          return (await client.query(sql, params)).rows as T[];
        }, kept, name), DATASET, SHEET, COLUMNS, query);
        return { total: page.total, ids: page.rows.map((r) => r.rowId), used: plans.some((plan) => plan.includes(name)) };
      },
      searchIndexed,
      searchBuilding: async () => (await client.query(`select 1 from pg_stat_progress_create_index p join pg_class c on c.oid = p.index_relid
        where c.relname = $1`, [name])).rows.length > 0,
      leftovers: async () => (await client.query('select relname from pg_class where relname = $1', [name])).rows.map((r) => r.relname as string),
      close: () => client.end(),
    };
  }
  const sqlite = new Database(join(server.dataDir, 'tessera.db'));
  // Told at once when another connection holds the write lock (`searchBuilding`), not after waiting for it.
  sqlite.pragma('busy_timeout = 0');
  const dialect = new SQLiteSyncDialect();
  const kept = async () => (sqlite.prepare('select row_count as n from sheets where dataset_id = ? and sheet_id = ?').get(DATASET, SHEET) as { n: number }).n;
  const run = (plans?: string[]) => async <T>(statement: SQL) => {
    const { sql, params } = dialect.sqlToQuery(statement);
    plans?.push((sqlite.prepare(`explain query plan ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('; '));
    return sqlite.prepare(sql).all(...params) as T[];
  };
  const columnIndexes = new Set(wantedIndexes(sqliteRows.keys, DATASET, SHEET, COLUMNS).keys());
  return {
    async pageWithout(query) {
      const page = await rowsPage(sqliteRows, source(run(), kept), DATASET, SHEET, COLUMNS, query);
      return { total: page.total, ids: page.rows.map((r) => r.rowId) };
    },
    async pageWith(query) {
      const plans: string[] = [];
      const page = await rowsPage(sqliteRows, source(run(plans), kept, name), DATASET, SHEET, COLUMNS, query);
      return { total: page.total, ids: page.rows.map((r) => r.rowId), used: plans.some((plan) => plan.includes(`SCAN ${name} VIRTUAL TABLE`)) };
    },
    searchIndexed: async () => hasSqliteSearchIndex(sqlite, DATASET, SHEET),
    // Started after the column indexes, and filled a step at a time: there, not yet whole.
    searchBuilding: async () => sqliteSearchIndexState(sqlite, DATASET, SHEET) === 'filling',
    leftovers: async () => (sqlite.prepare('select name from sqlite_master where substr(name, 1, ?) = ?').all(name.length, name) as { name: string }[]).map((r) => r.name),
    close: async () => { sqlite.close(); },
  };
}

const queryOf = (q: string, rest: string): RowsPageQuery => {
  const params = new URLSearchParams(rest);
  const sort = params.get('sort');
  return {
    q, filters: [], offset: Number(params.get('offset') ?? 0), limit: Number(params.get('limit')),
    ...(sort && { sort: { column: sort.replace(/^-/, ''), descending: sort.startsWith('-') } }),
  };
};

describe(`the search index of a sheet of ${ROWS} rows`, () => {
  let server: RunningServer;
  let store: Store;
  const open: Client[] = [];

  const search = async (q: string, rest = 'limit=50'): Promise<Page> => {
    const response = await api(server, `/api/datasets/${DATASET}/sheets/${SHEET}/rows?q=${encodeURIComponent(q)}&${rest}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as Page;
  };

  beforeAll(async () => {
    server = await startServer();
    store = await openStore(server);
    expect((await api(server, '/api/datasets', { body: { id: DATASET, name: 'Searched', template: 'blank', layout: 'rows' } })).status).toBe(201);
    expect((await api(server, `/api/datasets/${DATASET}/sheets`, { body: { id: SHEET, name: 'Notes', columns: COLUMNS } })).status).toBe(201);
    // Written straight into the read model (as a bulk import does), in one transaction.
    const rows = Array.from({ length: ROWS }, (_, i) => [rowId(i), JSON.stringify(cells(i))] as const);
    if (testOnPostgres) {
      const client = new pg.Client({ connectionString: (await testDatabaseFor(server.dataDir)).url });
      await client.connect();
      await client.query(`insert into rows (dataset_id, sheet_id, row_id, cells, created_at, updated_at)
        select $1, $2, r, c, 0, 0 from unnest($3::text[], $4::text[]) as x(r, c)`, [DATASET, SHEET, rows.map(([id]) => id), rows.map(([, c]) => c)]);
      await client.end();
    } else {
      const sqlite = new Database(join(server.dataDir, 'tessera.db'));
      sqlite.pragma('busy_timeout = 10000');
      const insert = sqlite.prepare('insert into rows (dataset_id, sheet_id, row_id, cells, created_at, updated_at) values (?, ?, ?, ?, 0, 0)');
      sqlite.transaction(() => { for (const [id, c] of rows) insert.run(DATASET, SHEET, id, c); })();
      sqlite.close();
    }
  }, 120_000);
  afterAll(async () => {
    for (const client of open) client.destroy();
    await store?.close();
    await server?.dispose();
  });

  it('is built once the large sheet\'s writes pause, while /healthz and the searches go on answering', async () => {
    expect(await store.searchIndexed()).toBe(false);
    // One import makes the server see the sheet large: its indexes are built once its writes pause.
    expect((await importFile(server, DATASET, SHEET, csvOf([['label', 'notes'], ['imported before the index', 'first']]))).status).toBe(200);
    let answeredWhileBuilding = 0;
    const started = Date.now();
    while (!(await store.searchIndexed())) {
      expect(Date.now() - started, 'the search index is built within a minute').toBeLessThan(60_000);
      if (!(await store.searchBuilding())) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      expect((await api(server, '/healthz')).status).toBe(200);
      // A write of the server's own connection (a sign-in's session) waits for a step of the build, not for all of it.
      if (answeredWhileBuilding === 0) {
        const signIn = await fetch(`${server.url}/api/session`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: server.adminToken }),
        });
        expect(signIn.status).toBe(200);
      }
      // Answered before the build ended: the build holds neither the server's event loop nor its writes.
      if (await store.searchBuilding()) answeredWhileBuilding++;
    }
    expect(answeredWhileBuilding).toBeGreaterThan(0);
    expect((await search('imported before the index')).total).toBe(1);
  }, 120_000);

  it('answers every search as a scan does: the same rows in the same order, and the same total', async () => {
    for (const [q, rest] of SEARCHES) {
      const what = `q=${JSON.stringify(q)} ${rest}`;
      const without = await store.pageWithout(queryOf(q, rest));
      // The server's page (through the index, or a scan when the index would find too many rows)…
      const page = await search(q, rest);
      expect({ total: page.total, ids: page.rows.map((r) => r.row_id) }, what).toEqual(without);
      // …and the page through the index whatever it finds, whenever the text has three characters or more
      // and none that the cells' JSON holds escaped.
      const { used, ...through } = await store.pageWith(queryOf(q, rest));
      expect(through, what).toEqual(without);
      const narrows = [...q].length >= 3 && !/["\\\t]/.test(q);
      // PostgreSQL's planner may prefer to read a small sheet whole for a common text; a rare one is below.
      if (!testOnPostgres || !narrows) expect(used, what).toBe(narrows);
    }
    for (const q of ['Zürich', 'text no row holds', 'qwertyuiop']) expect((await store.pageWith(queryOf(q, 'limit=50'))).used, q).toBe(true);
    // The ones that tell something apart.
    expect((await search('777777')).total).toBe(0);
    expect((await search('a_b')).total).toBeGreaterThan(0);
    expect((await search('item 1')).total).toBeGreaterThan(1000);
    expect((await search('text no row holds')).total).toBe(0);
  }, 120_000);

  it('finds a row imported, and a row edited in its room, after it is built', async () => {
    expect((await importFile(server, DATASET, SHEET, csvOf([['label', 'notes'], ['brand new qwertyuiop row', '']]))).status).toBe(200);
    await eventually(async () => expect((await search('qwertyuiop')).rows.map((r) => r.label)).toEqual(['brand new qwertyuiop row']));

    const edited = rowId(4321);
    expect((await search('(item 4321)')).rows.map((r) => r.row_id)).toEqual([edited]);
    const room = await connectSynced(server, rowRoom(DATASET, SHEET, edited));
    open.push(room);
    getRowCells(room.doc).set('label', 'relabelled zxcvbnm');
    await eventually(async () => expect((await search('zxcvbnm')).rows.map((r) => r.row_id)).toEqual([edited]));
    expect((await search('(item 4321)')).total).toBe(0);
    expect(await store.pageWith(queryOf('zxcvbnm', 'limit=50'))).toEqual({ total: 1, ids: [edited], used: true });
    expect(await store.pageWith(queryOf('(item 4321)', 'limit=50'))).toEqual({ total: 0, ids: [], used: true });
  }, 60_000);

  it('is built again after an import of many rows (SQLite drops it rather than keep it row by row)', async () => {
    const imported = await importFile(server, DATASET, SHEET, csvOf([['label', 'notes'], ...Array.from({ length: SEARCH_BULK_ROWS }, (_, i) => [`bulk row ${i}`, 'poiuytrewq'])]));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    // Rebuilt only once the writes have paused: gone until then on SQLite; kept on PostgreSQL.
    expect(await store.searchIndexed()).toBe(testOnPostgres);
    expect(await store.pageWithout(queryOf('poiuytrewq', 'limit=5'))).toMatchObject({ total: SEARCH_BULK_ROWS });
    await eventually(async () => expect(await store.searchIndexed()).toBe(true), { timeoutMs: 60_000, what: 'the search index built again' });
    expect(await store.pageWith(queryOf('poiuytrewq', 'limit=5'))).toMatchObject({ total: SEARCH_BULK_ROWS, used: true });
    expect((await search('poiuytrewq', 'limit=5')).total).toBe(SEARCH_BULK_ROWS);
    expect((await search('zxcvbnm')).total).toBe(1);
  }, 120_000);

  it('goes with its sheet', async () => {
    expect((await store.leftovers()).length).toBeGreaterThan(0);
    expect((await api(server, `/api/datasets/${DATASET}/sheets/${SHEET}`, { method: 'DELETE' })).status).toBe(200);
    await eventually(async () => expect(await store.leftovers()).toEqual([]), { timeoutMs: 30_000 });
  }, 60_000);
});
