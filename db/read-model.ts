/**
 * The SQLite read model: history, export rows, progress counts, flags and row authors, read from the
 * tables each document commit keeps in step with the document (see store.ts).
 */
import { aliasedTable, and, asc, count, desc, eq, gt, gte, inArray, ne, sql, type SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import type { CellValue, Column } from '../model/columns';
import type { ConflictRecord, ConflictStatus } from '../model/conflicts';
import type { HistoryEntry } from '../model/history';
import type { FlagRecord } from '../model/reviews';
import type {
  ExportRow, FlagFilter, ProgressCounts, ReadModel, RowAuthors, RowFilter, RowReview, RowsPage, RowsPageQuery, SheetSummary,
} from '../server/storage';
import type { Db } from './client';
import { cellChanges, conflicts, flags, reviews, rows, sheets, users } from './schema';
import { type RowsPageSource, rowPositions, rowsPage, sqliteRows } from './rows-page';
import type { SqliteReader } from './sql-reader';
import { columnIndexName, sqliteSheetIndexes } from './sheet-indexes';
import { hasSqliteSearchIndex, searchIndexName } from './search-index';
import { DATASET_HISTORY_LIMIT, EXPORT_PAGE, fromJson, TIMELINE_LIMIT, toConflict, toFlag } from './read-rows';
import { giveTurns } from '../server/http/turns';
import { IMPORTED_ROW } from '../server/sync/store';
import { historyEntries } from './history-entries';

/** Changes read per query of a dataset's history. */
const HISTORY_PAGE = 1000;

const creator = aliasedTable(users, 'creator');
const updater = aliasedTable(users, 'updater');

function filterCondition(filter: RowFilter): SQL | undefined {
  switch (filter) {
    case 'all': return undefined;
    case 'approved': return eq(reviews.status, 'approved');
    case 'flagged': return gt(reviews.openFlags, 0);
    case 'unflagged': return sql`coalesce(${reviews.openFlags}, 0) = 0`;
  }
}

/** Turns a statement into its text and parameters, for the reader's own connection. */
const sqliteDialect = new SQLiteSyncDialect();

export class SqliteReadModel implements ReadModel {
  /** `reader`: where rows pages are read (`db/sql-reader.ts`); without one, on `db`'s own connection. */
  constructor(private readonly db: Db, private readonly reader?: SqliteReader) {}

  async history(datasetId: string, rowId?: string): Promise<HistoryEntry[]> {
    const changes = (where: SQL | undefined) => this.db.select({
      sheet: cellChanges.sheetId, row: cellChanges.rowId, column: cellChanges.columnId,
      old: cellChanges.old, new: cellChanges.new, by: users.name, at: cellChanges.at, note: cellChanges.note,
    }).from(cellChanges).leftJoin(users, eq(users.id, cellChanges.userId))
      .where(where).orderBy(asc(cellChanges.id)).all();
    if (rowId !== undefined) return historyEntries(changes(and(eq(cellChanges.datasetId, datasetId), eq(cellChanges.rowId, rowId))));
    // A whole dataset's: sorting all its changes in one query holds the server up for as long as that
    // takes (half a second for 140,000). The ids come from the index alone, then the changes a page
    // at a time, with a turn for other requests between pages.
    const ids = this.db.select({ id: cellChanges.id }).from(cellChanges).where(eq(cellChanges.datasetId, datasetId))
      .orderBy(asc(cellChanges.id)).limit(DATASET_HISTORY_LIMIT).all().map((r) => r.id);
    const entries: HistoryEntry[] = [];
    for (let i = 0; i < ids.length && entries.length < DATASET_HISTORY_LIMIT; i += HISTORY_PAGE) {
      if (i > 0) await giveTurns();
      entries.push(...historyEntries(changes(inArray(cellChanges.id, ids.slice(i, i + HISTORY_PAGE))), DATASET_HISTORY_LIMIT - entries.length));
    }
    return entries;
  }

  /** Keyset-paginated: no cursor is held open between pages. Each page is read as arrays (`values`), not as objects by name. */
  async *exportRows(datasetId: string, sheetId: string, filter: RowFilter): AsyncGenerator<ExportRow> {
    const query = this.db.select({
      rowId: rows.rowId, cells: rows.cells, status: reviews.status, openFlags: reviews.openFlags,
      createdBy: creator.name, createdAt: rows.createdAt, updatedBy: updater.name, updatedAt: rows.updatedAt,
    }).from(rows)
      .leftJoin(reviews, and(eq(reviews.datasetId, rows.datasetId), eq(reviews.rowId, rows.rowId)))
      .leftJoin(creator, eq(creator.id, rows.createdBy))
      .leftJoin(updater, eq(updater.id, rows.updatedBy))
      .where(and(eq(rows.datasetId, datasetId), eq(rows.sheetId, sheetId), gt(rows.rowId, sql.placeholder('after')), filterCondition(filter)))
      .orderBy(asc(rows.rowId)).limit(EXPORT_PAGE).prepare();
    type Values = [rowId: string, cells: string, status: string | null, openFlags: number | null, createdBy: string | null, createdAt: number, updatedBy: string | null, updatedAt: number];
    const iso = isoCache();
    let after = '';
    for (;;) {
      const page = query.values({ after }) as Values[];
      for (const [rowId, cells, status, openFlags, createdBy, createdAt, updatedBy, updatedAt] of page) {
        yield {
          rowId,
          cells: JSON.parse(cells) as Record<string, CellValue>,
          reviewStatus: status ?? 'unreviewed',
          openFlags: openFlags ?? 0,
          createdBy,
          createdAt: iso(createdAt),
          updatedBy,
          updatedAt: iso(updatedAt),
        };
      }
      if (page.length < EXPORT_PAGE) return;
      after = page.at(-1)![0];
    }
  }

  rowsPage(datasetId: string, sheetId: string, columns: readonly Column[], query: RowsPageQuery): Promise<RowsPage> {
    return rowsPage(sqliteRows, this.pageSource(datasetId, sheetId), datasetId, sheetId, columns, query);
  }

  rowPositions(datasetId: string, sheetId: string, columns: readonly Column[], query: Omit<RowsPageQuery, 'offset' | 'limit'>, rowIds: readonly string[]): Promise<Map<string, number>> {
    return rowPositions(sqliteRows, this.pageSource(datasetId, sheetId), datasetId, sheetId, columns, query, rowIds);
  }

  private pageSource(datasetId: string, sheetId: string): RowsPageSource {
    const db = this.db;
    return {
      run: async <T>(statement: SQL) => {
        if (!this.reader) return db.all<T>(statement);
        const { sql: text, params } = sqliteDialect.sqlToQuery(statement);
        return this.reader.all<T>(text, params);
      },
      keptCount: async () => db.select({ n: sheets.rowCount }).from(sheets).where(and(eq(sheets.datasetId, datasetId), eq(sheets.sheetId, sheetId))).get()?.n,
      indexes: async () => sqliteSheetIndexes(db.$client, datasetId, sheetId),
      indexName: (columnId, kind) => columnIndexName(sqliteRows.keys, datasetId, sheetId, columnId, kind),
      searchIndex: async () => (hasSqliteSearchIndex(db.$client, datasetId, sheetId) ? searchIndexName(datasetId, sheetId) : undefined),
    };
  }

  async progress(datasetId: string, sheets: readonly SheetSummary[]): Promise<ProgressCounts> {
    const db = this.db;
    const status = sql<string>`coalesce(${reviews.status}, 'unreviewed')`;
    const withReview = and(eq(reviews.datasetId, rows.datasetId), eq(reviews.rowId, rows.rowId));
    const statusCounts = db.select({ sheet: rows.sheetId, status, n: count() }).from(rows).leftJoin(reviews, withReview)
      .where(eq(rows.datasetId, datasetId)).groupBy(rows.sheetId, status).all();
    // Each of these goes through every row of the dataset: other requests get a turn between them.
    await giveTurns();
    const coders = db.select({ name: sql<string>`coalesce(${users.name}, '(unknown)')`, sheet: rows.sheetId, rows: count() }).from(rows)
      .leftJoin(users, eq(users.id, rows.createdBy))
      .where(eq(rows.datasetId, datasetId)).groupBy(users.name, rows.sheetId).all();
    await giveTurns();
    const day = sql<string>`strftime('%Y-%m-%d', ${rows.createdAt} / 1000, 'unixepoch')`;
    const days = db.select({ day, rows: count() }).from(rows).where(eq(rows.datasetId, datasetId)).groupBy(day).orderBy(day).all();

    const timeline: ProgressCounts['timeline'] = [];
    for (const sheet of sheets) {
      await giveTurns();
      const dateColumn = sheet.columns.find((c) => c.type === 'date');
      if (!dateColumn) continue;
      const label = sheet.columns.find((c) => c.id === 'summary') ?? sheet.columns.find((c) => c.type === 'longtext' || c.type === 'text');
      const kind = sheet.columns.find((c) => c.type === 'enum' && c.id !== 'date_precision');
      const path = (id: string | undefined) => (id ? `$.${id}` : '$.__none__');
      timeline.push(...db.select({
        row: rows.rowId,
        date: sql<string | null>`json_extract(${rows.cells}, ${path(dateColumn.id)})`,
        label: sql<string | null>`json_extract(${rows.cells}, ${path(label?.id)})`,
        kind: sql<string | null>`json_extract(${rows.cells}, ${path(kind?.id)})`,
        status,
      }).from(rows).leftJoin(reviews, withReview)
        .where(and(eq(rows.datasetId, datasetId), eq(rows.sheetId, sheet.id))).limit(TIMELINE_LIMIT).all()
        .filter((r): r is typeof r & { date: string } => typeof r.date === 'string' && r.date !== '')
        .map((r) => ({ ...r, sheet: sheet.id })));
    }
    return { statusCounts, coders, days, timeline };
  }

  async flags(datasetId: string, filter: FlagFilter = {}): Promise<FlagRecord[]> {
    const where = and(
      eq(flags.datasetId, datasetId),
      filter.status ? eq(flags.status, filter.status) : undefined,
      filter.reason ? eq(flags.reason, filter.reason) : undefined,
      filter.sheet ? eq(flags.sheetId, filter.sheet) : undefined,
      filter.row ? eq(flags.rowId, filter.row) : undefined,
      filter.by ? eq(flags.by, filter.by) : undefined,
    );
    return this.db.select().from(flags).where(where).orderBy(asc(flags.at), asc(flags.flagId)).all().map(toFlag);
  }

  async flag(datasetId: string, flagId: string): Promise<FlagRecord | undefined> {
    const row = this.db.select().from(flags).where(and(eq(flags.datasetId, datasetId), eq(flags.flagId, flagId))).get();
    return row && toFlag(row);
  }

  /** Prepared once: read after every edit of a row in the `rows` layout (server/review/review.ts). */
  private rowReviewQuery: { get(values: { datasetId: string; rowId: string }): { sheetId: string; status: string | null; openFlags: number | null } | undefined } | null = null;

  async rowReview(datasetId: string, rowId: string): Promise<RowReview | undefined> {
    this.rowReviewQuery ??= this.db.select({ sheetId: rows.sheetId, status: reviews.status, openFlags: reviews.openFlags }).from(rows)
      .leftJoin(reviews, and(eq(reviews.datasetId, rows.datasetId), eq(reviews.rowId, rows.rowId)))
      .where(and(eq(rows.datasetId, sql.placeholder('datasetId')), eq(rows.rowId, sql.placeholder('rowId')))).prepare();
    const row = this.rowReviewQuery.get({ datasetId, rowId });
    return row && { sheetId: row.sheetId, status: (row.status ?? 'unreviewed') as RowReview['status'], openFlags: row.openFlags ?? 0 };
  }

  async rowAuthors(datasetId: string, rowIds: readonly string[]): Promise<Map<string, RowAuthors>> {
    const out = new Map<string, RowAuthors>();
    // SQLite binds at most 32766 variables: ask in chunks.
    for (let i = 0; i < rowIds.length; i += 5000) {
      const inChunk = sql.join(rowIds.slice(i, i + 5000).map((id) => sql`${id}`), sql`, `);
      const authors = this.db.all<{ row: string; name: string; since: number }>(sql`
        WITH approval AS (
          SELECT row_id, max(id) AS id FROM cell_changes
          WHERE dataset_id = ${datasetId} AND row_id IN (${inChunk}) AND column_id = 'review_status' AND new = '"approved"'
          GROUP BY row_id)
        SELECT c.row_id AS row, u.name AS name, max(c.id > coalesce(a.id, 0)) AS since
        FROM cell_changes c JOIN users u ON u.id = c.user_id LEFT JOIN approval a ON a.row_id = c.row_id
        WHERE c.dataset_id = ${datasetId} AND c.row_id IN (${inChunk}) AND c.column_id != 'review_status'
        GROUP BY c.row_id, u.name ORDER BY max(c.id)`);
      for (const { row, name, since } of authors) {
        const entry = out.get(row) ?? { coders: [], lastChangedBy: null, sinceApproval: [] };
        entry.coders.push(name);
        entry.lastChangedBy = name; // ordered by each coder's last change: the last one wins
        if (since) entry.sinceApproval.push(name);
        out.set(row, entry);
      }
    }
    return out;
  }

  async rowEditorsSince(datasetId: string, rowId: string, sinceMs: number): Promise<string[]> {
    return this.db.selectDistinct({ name: users.name }).from(cellChanges).innerJoin(users, eq(users.id, cellChanges.userId))
      .where(and(
        eq(cellChanges.datasetId, datasetId), eq(cellChanges.rowId, rowId), gte(cellChanges.at, sinceMs),
        ne(cellChanges.columnId, 'review_status'),
      )).all().map((r) => r.name);
  }

  async conflicts(datasetId: string, status?: ConflictStatus): Promise<ConflictRecord[]> {
    return this.db.select().from(conflicts)
      .where(and(eq(conflicts.datasetId, datasetId), status ? eq(conflicts.status, status) : undefined))
      .orderBy(asc(conflicts.at), asc(conflicts.conflictId)).all().map(toConflict);
  }

  async rowConflicts(datasetId: string, rowId: string): Promise<ConflictRecord[]> {
    return this.db.select().from(conflicts).where(and(eq(conflicts.datasetId, datasetId), eq(conflicts.rowId, rowId)))
      .orderBy(asc(conflicts.at), asc(conflicts.conflictId)).all().map(toConflict);
  }

  async conflict(datasetId: string, conflictId: string): Promise<ConflictRecord | undefined> {
    const row = this.db.select().from(conflicts).where(and(eq(conflicts.datasetId, datasetId), eq(conflicts.conflictId, conflictId))).get();
    return row && toConflict(row);
  }

  async lastCellAuthor(datasetId: string, sheetId: string, rowId: string, columnId: string): Promise<string | null | undefined> {
    const last = this.db.select({ name: users.name }).from(cellChanges).leftJoin(users, eq(users.id, cellChanges.userId))
      .where(and(
        eq(cellChanges.datasetId, datasetId), eq(cellChanges.rowId, rowId), eq(cellChanges.sheetId, sheetId),
        // The cell's own changes, or an imported row's record that holds the cell.
        sql`(${cellChanges.columnId} = ${columnId} OR (${cellChanges.columnId} = ${IMPORTED_ROW} AND json_type(${cellChanges.new}, ${`$.${columnId}`}) IS NOT NULL))`,
      ))
      .orderBy(desc(cellChanges.id)).limit(1).get();
    return last === undefined ? undefined : last.name;
  }
}

/** ISO 8601 of a time in ms, remembering the last one: rows made together share their times. */
function isoCache(): (ms: number) => string {
  let lastMs = Number.NaN;
  let last = '';
  return (ms) => {
    if (ms !== lastMs) {
      lastMs = ms;
      last = new Date(ms).toISOString();
    }
    return last;
  };
}
