/**
 * One page of a sheet's rows from the read model, sorted, filtered and searched in the database: the query
 * behind `GET …/sheets/:sheetId/rows`. SQLite and PostgreSQL run the same statement; only how a cell is read
 * out of the row's JSON and how case is ignored differ, and a `RowsDialect` says that.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Column } from '../model/columns';
import type { RowsPageQuery } from '../server/storage';

/** How one database reads cells out of `rows.cells` (JSON text) and matches text. */
export interface RowsDialect {
  /** The rows table as `r`, with whatever the cell expressions read from when `cells` (they are used). */
  source(cells: boolean): SQL;
  /** The cell as text (arrays and objects as JSON), null when absent. */
  text(columnId: string): SQL;
  /** The cell as a number when it holds one, else null. */
  number(columnId: string): SQL;
  /** True when the cell is a list (`multi`) holding `code`, or is `code` itself. */
  holds(columnId: string, code: string): SQL;
  /** `text` contains `pattern` (a LIKE pattern with `\` as escape), ignoring case. */
  contains(text: SQL, pattern: string): SQL;
  /** A sort key's text, compared byte by byte (the same order in both databases). */
  binary(text: SQL): SQL;
}

const COLUMN_ID = /^[a-z][a-z0-9_]{0,62}$/;

/** A column id as it may stand inside a JSON path: ids are checked, never quoted from user input. */
export function columnPath(columnId: string): string {
  if (!COLUMN_ID.test(columnId)) throw new Error(`Not a column id: ${columnId}`);
  return columnId;
}

export const sqliteRows: RowsDialect = {
  source: () => sql`rows r`,
  text: (id) => sql.raw(`json_extract(r.cells, '$.${columnPath(id)}')`),
  number: (id) => sql.raw(`(case when json_type(r.cells, '$.${columnPath(id)}') in ('integer', 'real') then json_extract(r.cells, '$.${columnPath(id)}') end)`),
  holds: (id, code) => sql`exists (select 1 from json_each(r.cells, ${`$.${columnPath(id)}`}) where value = ${code})`,
  // SQLite's LIKE ignores the case of ASCII letters only.
  contains: (text, pattern) => sql`${text} like ${pattern} escape '\\'`,
  binary: (text) => text,
};

export const pgRows: RowsDialect = {
  // The cells are JSON text: parsed once per row (`offset 0` keeps PostgreSQL from inlining the parse into
  // every expression that reads a cell, which made a search over ten text columns parse each row ten times).
  source: (cells) => (cells ? sql`rows r cross join lateral (select r.cells::jsonb as j offset 0) x` : sql`rows r`),
  text: (id) => sql.raw(`(x.j ->> '${columnPath(id)}')`),
  number: (id) => sql.raw(`(case when jsonb_typeof(x.j -> '${columnPath(id)}') = 'number' then (x.j ->> '${columnPath(id)}')::numeric end)`),
  holds: (id, code) => sql`(case jsonb_typeof(x.j -> ${columnPath(id)}) when 'array' then jsonb_exists(x.j -> ${columnPath(id)}, ${code}) else (x.j ->> ${columnPath(id)}) = ${code} end)`,
  contains: (text, pattern) => sql`${text} ilike ${pattern} escape '\\'`,
  binary: (text) => sql`${text} collate "C"`,
};

/** What a page may be sorted or filtered by besides the sheet's columns: kept outside the cells. */
const ROW_KEYS = new Set(['row_id', 'review_status']);

/** Types whose cells the text search looks in. */
const SEARCHED = new Set<Column['type']>(['text', 'longtext', 'enum', 'multi', 'url', 'date', 'ref']);

/** The query's text as a LIKE pattern matching it anywhere: its own `%`, `_` and `\` are text, not wildcards. */
const anywhere = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The statements of a page and of its total. */
export function rowsPageStatements(d: RowsDialect, datasetId: string, sheetId: string, columns: readonly Column[], query: RowsPageQuery): { page: SQL; total: SQL } {
  const status = sql`coalesce(v.status, 'unreviewed')`;
  const where: SQL[] = [sql`r.dataset_id = ${datasetId}`, sql`r.sheet_id = ${sheetId}`];
  for (const [columnId, code] of query.filters) {
    if (columnId === 'review_status') where.push(sql`${status} = ${code}`);
    else if (code === '') where.push(sql`coalesce(${d.text(columnId)}, '') in ('', '[]')`);
    else where.push(d.holds(columnId, code));
  }
  if (query.q) {
    const pattern = anywhere(query.q);
    // A cell holding the text means the row's JSON holds it too (JSON escapes only quotes, backslashes and
    // control characters, none of which such a query has): one match over the raw text first, so that only the
    // rows that pass it have their cells read one by one.
    if (!/["\\\u0000-\u001f]/.test(query.q)) where.push(d.contains(sql`r.cells`, pattern));
    const searched = columns.filter((c) => SEARCHED.has(c.type)).map((c) => d.contains(d.text(c.id), pattern));
    where.push(searched.length ? sql`(${sql.join(searched, sql` or `)})` : sql`false`);
  }
  const readsCells = query.q !== undefined || query.filters.some(([id]) => !ROW_KEYS.has(id)) || !ROW_KEYS.has(query.sort?.column ?? 'row_id');
  const from = sql`from ${d.source(readsCells)} left join reviews v on v.dataset_id = r.dataset_id and v.row_id = r.row_id where ${sql.join(where, sql` and `)}`;
  const direction = sql.raw(query.sort?.descending ? 'desc nulls last' : 'asc nulls last');
  const order = sortKeys(d, columns, query, status).map((key) => sql`${key} ${direction}`);
  return {
    page: sql`select r.row_id as "rowId", r.cells as cells, ${status} as "reviewStatus" ${from}
      order by ${sql.join(order, sql`, `)} limit ${query.limit} offset ${query.offset}`,
    total: sql`select count(*) as n ${from}`,
  };
}

/**
 * Empty cells last whichever way the column is sorted (as spreadsheets do), then the value (text ignoring case,
 * numbers as numbers, a value that is not a number in a number column after the numbers), then the row id.
 */
function sortKeys(d: RowsDialect, columns: readonly Column[], query: RowsPageQuery, status: SQL): SQL[] {
  const by = query.sort?.column;
  if (by === undefined || by === 'row_id') return [sql`r.row_id`];
  if (by === 'review_status') return [status, sql`r.row_id`];
  const column = columns.find((c) => c.id === by)!;
  const text = d.text(by);
  const empty = sql`(case when coalesce(${text}, '') in ('', '[]') then 1 else 0 end)`;
  const value = column.type === 'number' || column.type === 'integer' ? d.number(by) : d.binary(sql`lower(${text})`);
  // Empty cells go last in both directions: their key is flipped with the direction.
  return [query.sort?.descending ? sql`(1 - ${empty})` : empty, value, sql`r.row_id`];
}
