/**
 * `GET …/sheets/:sheetId/rows`: a sheet a page at a time, from the read model (never the whole sheet in
 * memory), sorted, filtered and searched by the database. The read model is written in the same transaction
 * as the update log, so a page reflects every edit a client has been acknowledged for. `id=…` (repeated)
 * narrows a page to the rows of those ids: how the paged grid reads the labels of the rows its `ref` cells name.
 *
 * `GET …/sheets/:sheetId/row-positions?row=ID&row=…`: where those rows stand in the order a page is asked in (the
 * same `sort`, `q` and filters), so that a grid can go to a row it has not read (docs/api.md#rows-export-and-import).
 */
import { Hono } from 'hono';
import type { Column } from '../../model/columns';
import { ROW_ID } from '../../model/ids';
import type { Services } from '../context';
import { badRequest, notFound } from '../errors';
import type { RowsPageQuery } from '../storage';
import type { DatasetEnv } from './dataset-scope';

/** Rows one page holds at most; a larger `limit` is cut to it. */
export const ROWS_PAGE_LIMIT = 1000;
const DEFAULT_LIMIT = 200;
/** Rows one `row-positions` question may name. */
const POSITIONS_LIMIT = 200;
/** Longest search text: longer ones are no real query, and each is matched against every text cell. */
const MAX_QUERY_CHARS = 200;

/** Row ids one request may name (`id=…&id=…`): the references shown on a few pages. */
export const ROWS_BY_ID_LIMIT = 200;

/** Columns a page may be sorted or filtered by besides the sheet's own. */
const ROW_KEYS = new Set(['row_id', 'review_status']);
const FILTER = /^filter\[([^\]]*)\]$/;

export function rowRoutes({ storage }: Services) {
  return new Hono<DatasetEnv>()
    .get('/sheets/:sheetId/rows', async (c) => {
      const { id } = c.get('dataset');
      const sheetId = c.req.param('sheetId');
      const columns = await storage.datasets.sheetColumns(id, sheetId);
      if (!columns) throw notFound(`No sheet "${sheetId}" in dataset "${id}"`);
      const query = parseQuery(new URL(c.req.url).searchParams, columns);
      const page = await storage.readModel.rowsPage(id, sheetId, columns, query);
      return c.json({
        total: page.total,
        offset: query.offset,
        rows: page.rows.map(({ rowId, cells, reviewStatus }) => ({
          row_id: rowId,
          ...Object.fromEntries(columns.map((column) => [column.id, cells[column.id] ?? null])),
          review_status: reviewStatus,
        })),
      });
    })
    .get('/sheets/:sheetId/row-positions', async (c) => {
      const { id } = c.get('dataset');
      const sheetId = c.req.param('sheetId');
      const columns = await storage.datasets.sheetColumns(id, sheetId);
      if (!columns) throw notFound(`No sheet "${sheetId}" in dataset "${id}"`);
      const params = new URL(c.req.url).searchParams;
      const { offset: _offset, limit: _limit, ...query } = parseQuery(params, columns);
      const rowIds = [...new Set(params.getAll('row').filter((r) => r !== ''))];
      if (rowIds.length === 0) throw badRequest('Name at least one row: `row=ROWID`, repeated for more');
      if (rowIds.length > POSITIONS_LIMIT) throw badRequest(`At most ${POSITIONS_LIMIT} rows at once (got ${rowIds.length})`);
      const found = await storage.readModel.rowPositions(id, sheetId, columns, query, rowIds);
      return c.json({ positions: Object.fromEntries(rowIds.map((row) => [row, found.get(row) ?? null])) });
    });
}

/** Reads and checks the query string: every name it uses is one of the sheet's columns. */
export function parseQuery(params: URLSearchParams, columns: readonly Column[]): RowsPageQuery {
  const known = (id: string) => ROW_KEYS.has(id) || columns.some((column) => column.id === id);
  const count = (name: string, fallback: number) => {
    const raw = params.get(name);
    if (raw === null || raw === '') return fallback;
    if (!/^\d{1,9}$/.test(raw)) throw badRequest(`"${name}" must be a whole number of rows, 0 or more (got "${raw}")`);
    return Number(raw);
  };
  const query: RowsPageQuery = {
    offset: count('offset', 0),
    limit: Math.min(count('limit', DEFAULT_LIMIT), ROWS_PAGE_LIMIT),
    filters: [],
  };
  const sort = params.get('sort');
  if (sort) {
    const descending = sort.startsWith('-');
    const column = descending ? sort.slice(1) : sort;
    if (!known(column)) throw badRequest(`Cannot sort by "${column}": the sheet has no such column`);
    query.sort = { column, descending };
  }
  const q = params.get('q')?.trim();
  if (q) {
    if (q.length > MAX_QUERY_CHARS) throw badRequest(`The search text is longer than ${MAX_QUERY_CHARS} characters`);
    query.q = q;
  }
  const ids = params.getAll('id');
  if (ids.length > 0) {
    if (ids.length > ROWS_BY_ID_LIMIT) throw badRequest(`At most ${ROWS_BY_ID_LIMIT} row ids at once (got ${ids.length})`);
    const bad = ids.find((id) => !ROW_ID.test(id));
    if (bad !== undefined) throw badRequest(`Not a row id: "${bad.slice(0, 80)}"`);
    query.ids = [...new Set(ids)];
  }
  for (const [name, value] of params) {
    const filter = FILTER.exec(name);
    if (!filter) continue;
    const column = filter[1]!;
    if (!known(column) || column === 'row_id') throw badRequest(`Cannot filter by "${column}": the sheet has no such column`);
    query.filters.push([column, value]);
  }
  return query;
}
