/**
 * One page of a sheet's rows from the read model, sorted, filtered and searched in the database: the query
 * behind `GET …/sheets/:sheetId/rows`. SQLite and PostgreSQL run the same plan; only how a cell is read out
 * of the row's JSON and how case is ignored differ, and a `RowsDialect` says that.
 *
 * A sheet past `LARGE_SHEET_ROWS` rows has an index per column on the column's sort key (`db/sheet-indexes.ts`,
 * docs/large-sheets.md): the keys below are the expressions those indexes hold, so a page that
 * sorts or filters by a column walks its index; a sheet without them gets the same rows in the same order
 * from a scan. Such a sheet gets a search index too (`db/search-index.ts`), which narrows a search to the rows
 * that may hold its text before the same terms as a scan's decide.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { CellValue, Column } from '../model/columns';
import type { RowsPage, RowsPageQuery } from '../server/storage';
import { ftsQuery, searchable } from './search-index';

/** A sheet gets an index per column once it holds this many rows (docs/large-sheets.md). */
export const LARGE_SHEET_ROWS = 20_000;

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
  /** The sort keys of a column, as SQL over a reference to the cells (`cells` in an index, `r.cells` in a query). */
  keys: KeySql;
  /** Forces a page's scan of `rows r` onto an index the plan knows fits (SQLite; PostgreSQL's planner picks it). */
  indexHint(name: string): SQL;
  /**
   * A term keeping the rows the sheet's search index says may hold `text` (`searchable`), with the hint that
   * has the scan of `rows r` follow it; none where the search's term over the raw cells is what the index serves
   * (PostgreSQL).
   */
  narrowSearch(index: string, text: string): { term: SQL; hint: SQL } | undefined;
  /** How many rows the search index says may hold `text`, as `n` (read from the index alone; SQLite). */
  searchCandidates(index: string, text: string): SQL | undefined;
}

/** The expressions a column's index holds: plain SQL text, identical in `CREATE INDEX` and in the queries. */
export interface KeySql {
  /** The cell as text ignoring case, null when it is empty ('', an empty list or absent): a text column's key. */
  text(cells: string, columnId: string): string;
  /** A number column's class: 0 a number, 1 some other value, 2 empty. */
  numberClass(cells: string, columnId: string): string;
  /** A number column's key: the number, null for the other classes. */
  number(cells: string, columnId: string): string;
  /**
   * What a code column's index keeps besides its key, so that a filter's exact match is answered from the index:
   * the cell as JSON (SQLite: a string quoted, which tells it from a list), or as text (PostgreSQL, whose indexes
   * on expressions are read with their table rows, and answer a count without them only when nothing else is
   * asked of the row).
   */
  exact(cells: string, columnId: string): string;
  /** Whether `exact` is the cell's JSON (else its text). */
  exactIsJson: boolean;
  /** A string as an SQL literal: a partial index is chosen by the literals of its WHERE. */
  literal(value: string): string;
}

const COLUMN_ID = /^[a-z][a-z0-9_]{0,62}$/;

/** A column id as it may stand inside a JSON path: ids are checked, never quoted from user input. */
export function columnPath(columnId: string): string {
  if (!COLUMN_ID.test(columnId)) throw new Error(`Not a column id: ${columnId}`);
  return columnId;
}

/** A string literal in both databases' standard syntax (PostgreSQL's standard_conforming_strings is on). */
const literal = (value: string): string => {
  if (value.includes('\u0000')) throw new Error('A key with a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
};

const sqliteKeys: KeySql = {
  text: (cells, id) => `nullif(nullif(lower(json_extract(${cells}, '$.${columnPath(id)}')), ''), '[]')`,
  numberClass: (cells, id) => `(case when json_type(${cells}, '$.${columnPath(id)}') in ('integer', 'real') then 0 `
    + `when coalesce(json_extract(${cells}, '$.${columnPath(id)}'), '') in ('', '[]') then 2 else 1 end)`,
  number: (cells, id) => `(case when json_type(${cells}, '$.${columnPath(id)}') in ('integer', 'real') then json_extract(${cells}, '$.${columnPath(id)}') end)`,
  exact: (cells, id) => `(${cells} -> '$.${columnPath(id)}')`,
  exactIsJson: true,
  literal,
};

const pgKeys: KeySql = {
  // `json`, not `jsonb`: an index build parses every row once per column, and `json` parses faster.
  text: (cells, id) => `(nullif(nullif(lower(${cells}::json ->> '${columnPath(id)}'), ''), '[]') collate "C")`,
  numberClass: (cells, id) => `(case when json_typeof(${cells}::json -> '${columnPath(id)}') = 'number' then 0 `
    + `when coalesce(${cells}::json ->> '${columnPath(id)}', '') in ('', '[]') then 2 else 1 end)`,
  number: (cells, id) => `(case when json_typeof(${cells}::json -> '${columnPath(id)}') = 'number' then (${cells}::json ->> '${columnPath(id)}')::numeric end)`,
  exact: (cells, id) => `(${cells}::json ->> '${columnPath(id)}')`,
  exactIsJson: false,
  literal,
};

export const sqliteRows: RowsDialect = {
  source: () => sql`rows r`,
  text: (id) => sql.raw(`json_extract(r.cells, '$.${columnPath(id)}')`),
  number: (id) => sql.raw(`(case when json_type(r.cells, '$.${columnPath(id)}') in ('integer', 'real') then json_extract(r.cells, '$.${columnPath(id)}') end)`),
  holds: (id, code) => sql`exists (select 1 from json_each(r.cells, ${`$.${columnPath(id)}`}) where value = ${code})`,
  // SQLite's LIKE ignores the case of ASCII letters only.
  contains: (text, pattern) => sql`${text} like ${pattern} escape '\\'`,
  binary: (text) => text,
  keys: sqliteKeys,
  indexHint: (name) => sql.raw(` indexed by "${name}"`),
  // The rows by rowid, from the index's list: not the sheet's rows by primary key, each looked up in that list.
  narrowSearch: (index, text) => ({
    term: sql`r.rowid in (select rowid from ${sql.raw(`"${index}"`)} where ${sql.raw(`"${index}"`)} match ${ftsQuery(text)})`,
    hint: sql.raw(' not indexed'),
  }),
  searchCandidates: (index, text) => sql`select count(*) as n from ${sql.raw(`"${index}"`)} where ${sql.raw(`"${index}"`)} match ${ftsQuery(text)}`,
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
  keys: pgKeys,
  indexHint: () => sql``,
  narrowSearch: () => undefined,
  searchCandidates: () => undefined,
};

/** How a column is indexed and sorted: by its text, as a code column (text, and the cell's JSON), or by number. */
export type KeyKind = 'text' | 'code' | 'number';

/** The kind of a column's sort key; undefined for columns that are not sorted by value (evidence anchors). */
export function keyKind(type: Column['type']): KeyKind | undefined {
  if (type === 'evidence') return undefined;
  if (type === 'number' || type === 'integer') return 'number';
  if (type === 'enum' || type === 'multi') return 'code';
  return 'text';
}

/** What a column's index holds, in order: its keys, then the row id (ties, and the page's rows without the table). */
export function indexedExpressions(keys: KeySql, kind: KeyKind, columnId: string, cells = 'cells'): string[] {
  if (kind === 'number') return [keys.numberClass(cells, columnId), keys.number(cells, columnId), 'row_id'];
  const text = [keys.text(cells, columnId), 'row_id'];
  return kind === 'code' ? [...text, keys.exact(cells, columnId)] : text;
}

/**
 * A sorted column's rows as consecutive parts, each a range of its index: the cells with a value by that value,
 * then (number columns) the cells holding something else, then the empty cells, each part by row id.
 */
interface Segment {
  where: string;
  /** The keys after the part's own, before the row id. */
  order: string[];
}

function segments(keys: KeySql, kind: KeyKind, columnId: string): { segments: Segment[]; rank: string } {
  if (kind === 'number') {
    const cls = keys.numberClass('r.cells', columnId);
    return {
      segments: [
        { where: `${cls} = 0`, order: [keys.number('r.cells', columnId)] },
        { where: `${cls} = 1`, order: [] },
        { where: `${cls} = 2`, order: [] },
      ],
      rank: cls,
    };
  }
  const key = keys.text('r.cells', columnId);
  return { segments: [{ where: `${key} is not null`, order: [key] }, { where: `${key} is null`, order: [] }], rank: `(${key} is null)` };
}

/** What may be sorted or filtered by besides the sheet's columns: kept outside the cells. */
const ROW_KEYS = new Set(['row_id', 'review_status']);

/** Types whose cells the text search looks in. */
const SEARCHED = new Set<Column['type']>(['text', 'longtext', 'enum', 'multi', 'url', 'date', 'ref']);

/** The query's text as a LIKE pattern matching it anywhere: its own `%`, `_` and `\` are text, not wildcards. */
const anywhere = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Runs a statement and answers its rows. */
export type RunQuery = <T>(statement: SQL) => Promise<T[]>;

/** What a database tells the plan besides the statements it runs. */
export interface RowsPageSource {
  run: RunQuery;
  /** The sheet's kept row count (`sheets.row_count`); undefined when the sheet has no row there. */
  keptCount(): Promise<number | undefined>;
  /** The names of the sheet's column indexes that exist and may be used. */
  indexes(): Promise<ReadonlySet<string>>;
  /** The name of a column's index (whether or not it exists). */
  indexName(columnId: string, kind: KeyKind): string;
  /** The name of the sheet's search index when it exists and may be used (absent: the search scans). */
  searchIndex?(): Promise<string | undefined>;
}

interface PageRow { rowId: string; cells: string; reviewStatus: string }

/**
 * One page of a sheet: its total (the kept count when nothing narrows the sheet), then its rows. Sorted by a
 * column that has its index, or in row-id order, with nothing narrowing the sheet, the page's row ids come from
 * walking an index alone to the offset, and only the page's rows are read; otherwise one statement reads the
 * rows that match, through the index of a filtered column where there is one.
 */
export async function rowsPage(d: RowsDialect, source: RowsPageSource, datasetId: string, sheetId: string, columns: readonly Column[], query: RowsPageQuery): Promise<RowsPage> {
  const k = d.keys;
  const narrowed = query.q !== undefined || query.filters.length > 0 || query.ids !== undefined;
  const indexes = await source.indexes();
  const sort = query.sort?.column ?? 'row_id';
  const direction = query.sort?.descending ? 'desc' : 'asc';
  const sheetRows = `r.dataset_id = ${k.literal(datasetId)} and r.sheet_id = ${k.literal(sheetId)}`;
  const indexOf = (columnId: string): { name: string; kind: KeyKind } | undefined => {
    const column = columns.find((c) => c.id === columnId);
    const kind = column && keyKind(column.type);
    const name = kind && source.indexName(columnId, kind);
    return name && indexes.has(name) ? { name, kind: kind! } : undefined;
  };

  const kept = narrowed ? undefined : await source.keptCount();
  if (kept !== undefined && sort === 'row_id') {
    const ids = await fromNearerEnd(kept, query, direction, async (dir, offset, limit) => (await source.run<{ rowId: string }>(sql`select r.row_id as "rowId"
      from rows r where ${sql.raw(sheetRows)} order by r.row_id ${sql.raw(dir)} limit ${limit} offset ${offset}`)).map((r) => r.rowId));
    return { total: kept, rows: await rowsOf(source.run, sheetRows, ids) };
  }
  const sortIndex = kept !== undefined && !ROW_KEYS.has(sort) ? indexOf(sort) : undefined;
  if (kept !== undefined && sortIndex) {
    const ids = await segmentIds(d, source.run, sheetRows, sortIndex, sort, direction, kept, query);
    return { total: kept, rows: await rowsOf(source.run, sheetRows, ids) };
  }

  const status = sql`coalesce(v.status, 'unreviewed')`;
  const search = await searchIndexFor(d, source, query.q);
  const from = matching(d, columns, query, sheetRows, indexOf, search && { index: search.index, lead: true });
  const total = kept ?? Number((await source.run<{ n: number | string }>(sql`select count(*) as n ${from}`))[0]!.n);
  const order = orderBy(d, columns, sort, direction, status);
  // In row-id order, when the index finds many rows, walking the sheet in that order (each row looked up in the
  // index's list) reaches the page's rows sooner than reading and sorting all of those the index finds.
  const walk = search?.candidates !== undefined && sort === 'row_id' && search.candidates ** 2 > (query.offset + query.limit) * search.rows;
  const pageFrom = walk ? matching(d, columns, query, sheetRows, indexOf, { index: search.index, lead: false }) : from;
  const rows = await source.run<PageRow>(sql`select r.row_id as "rowId", r.cells as cells, ${status} as "reviewStatus" ${pageFrom}
    order by ${order} limit ${query.limit} offset ${query.offset}`);
  return { total, rows: rows.map(parsed) };
}

/**
 * Where rows stand in the order a page is asked in (0 the first): for going to a row that is on no page read yet.
 * A row the search or filters leave out, or that is not in the sheet, has none. In row id order over the whole
 * sheet each is a count along the primary key; otherwise one numbered scan of the rows that match.
 */
export async function rowPositions(
  d: RowsDialect, source: RowsPageSource, datasetId: string, sheetId: string, columns: readonly Column[],
  query: Omit<RowsPageQuery, 'offset' | 'limit'>, rowIds: readonly string[],
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (rowIds.length === 0) return found;
  const k = d.keys;
  const sheetRows = `r.dataset_id = ${k.literal(datasetId)} and r.sheet_id = ${k.literal(sheetId)}`;
  const ids = sql.join(rowIds.map((id) => sql`${id}`), sql`, `);
  const sort = query.sort?.column ?? 'row_id';
  const direction = query.sort?.descending ? 'desc' : 'asc';
  if (sort === 'row_id' && query.q === undefined && query.filters.length === 0 && query.ids === undefined) {
    const present = await source.run<{ rowId: string }>(sql`select r.row_id as "rowId" from rows r where ${sql.raw(sheetRows)} and r.row_id in (${ids})`);
    for (const { rowId } of present) {
      const before = direction === 'asc' ? sql`r.row_id < ${rowId}` : sql`r.row_id > ${rowId}`;
      const [{ n }] = await source.run<{ n: number | string }>(sql`select count(*) as n from rows r where ${sql.raw(sheetRows)} and ${before}`) as [{ n: number | string }];
      found.set(rowId, Number(n));
    }
    return found;
  }
  const status = sql`coalesce(v.status, 'unreviewed')`;
  const search = await searchIndexFor(d, source, query.q);
  const from = matching(d, columns, { ...query, offset: 0, limit: 0 }, sheetRows, () => undefined, search && { index: search.index, lead: true });
  const order = orderBy(d, columns, sort, direction, status);
  const numbered = await source.run<{ rowId: string; n: number | string }>(sql`select t."rowId", t.n from (
    select r.row_id as "rowId", row_number() over (order by ${order}) - 1 as n ${from}) t where t."rowId" in (${ids})`);
  for (const { rowId, n } of numbered) found.set(rowId, Number(n));
  return found;
}

/**
 * Past this share of the sheet's rows, reading the rows the search index finds one by one costs more than
 * reading the whole sheet in order (SQLite): the search scans (docs/large-sheets.md#what-a-large-sheet-gets-a-search-index).
 */
export const SEARCH_INDEX_SHARE = 0.25;

/**
 * The sheet's search index, when it exists, can narrow the text and narrows it enough to be worth it; with how
 * many rows it finds and the sheet holds (SQLite).
 */
async function searchIndexFor(d: RowsDialect, source: RowsPageSource, q: string | undefined): Promise<{ index: string; candidates?: number; rows: number } | undefined> {
  if (q === undefined || !searchable(q)) return undefined;
  const index = await source.searchIndex?.();
  if (index === undefined) return undefined;
  const count = d.searchCandidates(index, q);
  if (!count) return { index, rows: 0 };
  const [{ n }] = await source.run<{ n: number | string }>(count) as [{ n: number | string }];
  const rows = await source.keptCount();
  return rows !== undefined && Number(n) <= rows * SEARCH_INDEX_SHARE ? { index, candidates: Number(n), rows } : undefined;
}

/**
 * `from … where …` of the rows that match a query's search and filters (with their review, as `v`), through a
 * filtered column's index where there is one, and narrowed by the sheet's search index when given (which the
 * scan follows when `lead`, and no filtered column's index leads).
 */
function matching(
  d: RowsDialect, columns: readonly Column[], query: RowsPageQuery, sheetRows: string,
  indexOf: (columnId: string) => { name: string; kind: KeyKind } | undefined, search?: { index: string; lead: boolean },
): SQL {
  const status = sql`coalesce(v.status, 'unreviewed')`;
  const where: SQL[] = [sql.raw(sheetRows)];
  let hint: SQL = sql``;
  let hinted: 'range' | 'list' | undefined;
  // Whether a term reads the row's cells parsed (PostgreSQL parses them once per row for all such terms).
  let readsCells = query.q !== undefined;
  // A few rows by id (the labels of references to them): the primary key finds them.
  if (query.ids !== undefined) where.push(query.ids.length ? sql`r.row_id in (${sql.join(query.ids.map((id) => sql`${id}`), sql`, `)})` : sql`false`);
  for (const [columnId, code] of query.filters) {
    if (columnId === 'review_status') {
      where.push(sql`${status} = ${code}`);
      continue;
    }
    // The same term whether or not the column has its index: the index only makes it fast.
    const column = columns.find((c) => c.id === columnId)!;
    const index = indexOf(columnId);
    // The scan follows one filtered column's index: a range of it, better than a list column's (read whole).
    if (index && (hinted === undefined || (hinted === 'list' && column.type !== 'multi'))) {
      hint = d.indexHint(index.name);
      hinted = column.type === 'multi' ? 'list' : 'range';
    }
    const { term, cells } = filterTerm(d, column, code, keyKind(column.type));
    where.push(term);
    readsCells ||= cells;
  }
  if (query.q) {
    const pattern = anywhere(query.q);
    // A cell holding the text means the row's JSON holds it too (JSON escapes only quotes, backslashes and
    // control characters, none of which such a query has): one match over the raw text first, so that only the
    // rows that pass it have their cells read one by one.
    if (!/["\\\u0000-\u001f]/.test(query.q)) where.push(d.contains(sql`r.cells`, pattern));
    // The search index only narrows (it finds every row holding the text, and maybe others): the terms decide.
    const narrowed = search === undefined ? undefined : d.narrowSearch(search.index, query.q);
    if (narrowed) {
      where.push(narrowed.term);
      // A filtered column's index, when there is one, leads (the index's rows are then looked up in the list).
      if (hinted === undefined && search!.lead) hint = narrowed.hint;
    }
    const searched = columns.filter((c) => SEARCHED.has(c.type)).map((c) => d.contains(d.text(c.id), pattern));
    where.push(searched.length ? sql`(${sql.join(searched, sql` or `)})` : sql`false`);
  }
  return sql`from ${d.source(readsCells)}${hint} left join reviews v on v.dataset_id = r.dataset_id and v.row_id = r.row_id where ${sql.join(where, sql` and `)}`;
}

const parsed = (r: PageRow) => ({ rowId: r.rowId, reviewStatus: r.reviewStatus, cells: JSON.parse(r.cells) as Record<string, CellValue> });

/**
 * The row ids of a page in `direction`, walked from whichever end of the order is nearer: a page 900,000 rows into
 * a sheet of a million is the page 99,900 rows from its end, read the other way round.
 */
async function fromNearerEnd(
  total: number, query: RowsPageQuery, direction: 'asc' | 'desc',
  walk: (direction: 'asc' | 'desc', offset: number, limit: number) => Promise<string[]>,
): Promise<string[]> {
  const { offset, limit } = query;
  if (offset + limit / 2 <= total / 2) return walk(direction, offset, limit);
  const end = Math.min(total, offset + limit);
  if (end <= offset) return [];
  return (await walk(direction === 'asc' ? 'desc' : 'asc', total - end, end - offset)).reverse();
}

/**
 * A page sorted by an indexed column: each part of the order (`segments`) is a range of the column's index, so
 * the page's row ids come from the index alone, however deep the offset. The parts after the first are counted
 * in their range; the first is what the kept count leaves.
 */
async function segmentIds(
  d: RowsDialect, run: RunQuery, sheetRows: string, index: { name: string; kind: KeyKind }, columnId: string,
  direction: 'asc' | 'desc', total: number, query: RowsPageQuery,
): Promise<string[]> {
  const hint = d.indexHint(index.name);
  const { segments: parts } = segments(d.keys, index.kind, columnId);
  const sizes: number[] = [];
  for (const part of parts.slice(1)) {
    const [{ n }] = await run<{ n: number | string }>(sql`select count(*) as n from rows r${hint} where ${sql.raw(`${sheetRows} and ${part.where}`)}`) as [{ n: number | string }];
    sizes.push(Number(n));
  }
  sizes.unshift(Math.max(0, total - sizes.reduce((a, b) => a + b, 0)));
  return fromNearerEnd(total, query, direction, async (dir, offset, limit) => {
    // Read backwards, the parts come in the other order too.
    const order = dir === direction ? parts.map((part, i) => ({ part, size: sizes[i]! })) : parts.map((part, i) => ({ part, size: sizes[i]! })).reverse();
    const ids: string[] = [];
    let skip = offset;
    for (const { part, size } of order) {
      const wanted = limit - ids.length;
      if (wanted <= 0) break;
      if (skip >= size) {
        skip -= size;
        continue;
      }
      const keys = [...part.order, 'r.row_id'].map((key) => `${key} ${dir}`).join(', ');
      const found = await run<{ rowId: string }>(sql`select r.row_id as "rowId" from rows r${hint}
        where ${sql.raw(`${sheetRows} and ${part.where}`)} order by ${sql.raw(keys)} limit ${wanted} offset ${skip}`);
      ids.push(...found.map((r) => r.rowId));
      skip = 0;
    }
    return ids;
  });
}

/** The rows of the given ids, in that order, with their review status. */
async function rowsOf(run: RunQuery, sheetRows: string, ids: readonly string[]): Promise<RowsPage['rows']> {
  if (ids.length === 0) return [];
  const found = await run<PageRow>(sql`select r.row_id as "rowId", r.cells as cells, coalesce(v.status, 'unreviewed') as "reviewStatus"
    from rows r left join reviews v on v.dataset_id = r.dataset_id and v.row_id = r.row_id
    where ${sql.raw(sheetRows)} and r.row_id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`);
  const byId = new Map(found.map((r) => [r.rowId, r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [parsed(row)] : [];
  });
}

/**
 * A filter on a column as its index can answer it: the key equal to the code's, then the exact match, which a
 * code column's index answers too. A list column matches a list holding the code, or the code itself; any other
 * column, the code itself. `cells` is set when the term reads the row's parsed cells.
 */
function filterTerm(d: RowsDialect, column: Column, code: string, kind: KeyKind | undefined): { term: SQL; cells: boolean } {
  const k = d.keys;
  const id = column.id;
  if (kind === 'number') return code === '' ? { term: sql.raw(`${k.numberClass('r.cells', id)} = 2`), cells: false } : { term: d.holds(id, code), cells: true };
  if (kind === undefined) return { term: code === '' ? sql`coalesce(${d.text(id)}, '') in ('', '[]')` : d.holds(id, code), cells: true };
  const key = sql.raw(k.text('r.cells', id));
  if (code === '') return { term: sql`${key} is null`, cells: false };
  const exact = sql.raw(k.exact('r.cells', id));
  const quoted = JSON.stringify(code);
  if (column.type === 'multi') {
    if (!k.exactIsJson) return { term: d.holds(id, code), cells: true };
    // Without a backslash in a list's JSON, its quotes are its strings' own: `"code"` in it is an item.
    return { term: sql`(${exact} = ${quoted} or (${exact} like '[%' and instr(${exact}, ${quoted}) > 0 and (instr(${exact}, '\\') = 0 or ${d.holds(id, code)})))`, cells: true };
  }
  if (kind === 'code') return { term: k.exactIsJson ? sql`${key} = lower(${code}) and (${exact} = ${quoted} or ${d.text(id)} = ${code})` : sql`${key} = lower(${code}) and ${exact} = ${code}`, cells: k.exactIsJson };
  return { term: sql`${key} = lower(${code}) and ${d.text(id)} = ${code}`, cells: true };
}

/**
 * Empty cells last whichever way the column is sorted (as spreadsheets do), then the value (text ignoring case,
 * numbers as numbers, a value that is not a number in a number column after the numbers), then the row id.
 */
function orderBy(d: RowsDialect, columns: readonly Column[], sort: string, direction: 'asc' | 'desc', status: SQL): SQL {
  const dir = sql.raw(direction);
  if (sort === 'row_id') return sql`r.row_id ${dir}`;
  if (sort === 'review_status') return sql`${status} ${dir}, r.row_id ${dir}`;
  const kind = keyKind(columns.find((c) => c.id === sort)!.type) ?? 'text';
  const { segments: parts, rank } = segments(d.keys, kind, sort);
  return sql.raw([rank, ...parts[0]!.order.map((key) => `${key} ${direction}`), `r.row_id ${direction}`].join(', '));
}
