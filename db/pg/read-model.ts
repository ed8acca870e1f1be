/**
 * The PostgreSQL read model: history, export rows, progress counts, flags and row authors, read from the
 * tables each document commit keeps in step with the document (see store.ts). The queries are the
 * SQLite read model's (`db/read-model.ts`), in PostgreSQL's dialect.
 */
import { aliasedTable, and, asc, count, desc, eq, gt, gte, ne, sql, type SQL } from 'drizzle-orm';
import type { CellValue, Column } from '../../model/columns';
import type { ConflictRecord, ConflictStatus } from '../../model/conflicts';
import type { HistoryEntry } from '../../model/history';
import type { FlagRecord } from '../../model/reviews';
import type {
  ExportRow, FlagFilter, ProgressCounts, ReadModel, RowAuthors, RowFilter, RowReview, RowsPage, RowsPageQuery, SheetSummary,
} from '../../server/storage';
import type { PgDb } from './client';
import { cellChanges, conflicts, flags, reviews, rows, sheets, users } from './schema';
import { type RowsPageSource, pgRows, rowPositions, rowsPage } from '../rows-page';
import { columnIndexName } from '../sheet-indexes';
import { pgSheetIndexes } from './sheet-indexes';
import { DATASET_HISTORY_LIMIT, EXPORT_PAGE, fromJson, TIMELINE_LIMIT, toConflict, toFlag } from '../read-rows';
import { historyEntries } from '../history-entries';
import { IMPORTED_ROW } from '../../server/sync/store';

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

export class PgReadModel implements ReadModel {
  constructor(private readonly db: PgDb) {}

  async history(datasetId: string, rowId?: string): Promise<HistoryEntry[]> {
    const db = this.db;
    return (await db.select({
      sheet: cellChanges.sheetId, row: cellChanges.rowId, column: cellChanges.columnId,
      old: cellChanges.old, new: cellChanges.new, by: users.name, at: cellChanges.at, note: cellChanges.note,
    }).from(cellChanges).leftJoin(users, eq(users.id, cellChanges.userId))
      .where(and(eq(cellChanges.datasetId, datasetId), rowId === undefined ? undefined : eq(cellChanges.rowId, rowId)))
      .orderBy(asc(cellChanges.id)).limit(rowId === undefined ? DATASET_HISTORY_LIMIT : Number.MAX_SAFE_INTEGER)
      .then((records) => historyEntries(records, rowId === undefined ? DATASET_HISTORY_LIMIT : undefined)));
  }

  /** Keyset-paginated: no cursor is held open between pages. */
  async *exportRows(datasetId: string, sheetId: string, filter: RowFilter): AsyncGenerator<ExportRow> {
    const query = (after: string) => this.db.select({
      rowId: rows.rowId, cells: rows.cells, status: reviews.status, openFlags: reviews.openFlags,
      createdBy: creator.name, createdAt: rows.createdAt, updatedBy: updater.name, updatedAt: rows.updatedAt,
    }).from(rows)
      .leftJoin(reviews, and(eq(reviews.datasetId, rows.datasetId), eq(reviews.rowId, rows.rowId)))
      .leftJoin(creator, eq(creator.id, rows.createdBy))
      .leftJoin(updater, eq(updater.id, rows.updatedBy))
      .where(and(eq(rows.datasetId, datasetId), eq(rows.sheetId, sheetId), gt(rows.rowId, after), filterCondition(filter)))
      .orderBy(asc(rows.rowId)).limit(EXPORT_PAGE);
    const iso = isoCache();
    let after = '';
    for (;;) {
      const page = await query(after);
      for (const r of page) {
        yield {
          rowId: r.rowId,
          cells: JSON.parse(r.cells) as Record<string, CellValue>,
          reviewStatus: r.status ?? 'unreviewed',
          openFlags: r.openFlags ?? 0,
          createdBy: r.createdBy,
          createdAt: iso(r.createdAt),
          updatedBy: r.updatedBy,
          updatedAt: iso(r.updatedAt),
        };
      }
      if (page.length < EXPORT_PAGE) return;
      after = page.at(-1)!.rowId;
    }
  }

  rowsPage(datasetId: string, sheetId: string, columns: readonly Column[], query: RowsPageQuery): Promise<RowsPage> {
    return rowsPage(pgRows, this.pageSource(datasetId, sheetId), datasetId, sheetId, columns, query);
  }

  rowPositions(datasetId: string, sheetId: string, columns: readonly Column[], query: Omit<RowsPageQuery, 'offset' | 'limit'>, rowIds: readonly string[]): Promise<Map<string, number>> {
    return rowPositions(pgRows, this.pageSource(datasetId, sheetId), datasetId, sheetId, columns, query, rowIds);
  }

  private pageSource(datasetId: string, sheetId: string): RowsPageSource {
    const db = this.db;
    return {
      run: async <T>(statement: SQL) => (await db.execute(statement)).rows as T[],
      keptCount: async () => (await db.select({ n: sheets.rowCount }).from(sheets).where(and(eq(sheets.datasetId, datasetId), eq(sheets.sheetId, sheetId))))[0]?.n,
      indexes: async () => new Set([...(await pgSheetIndexes(db, datasetId, sheetId))].filter(([, valid]) => valid).map(([name]) => name)),
      indexName: (columnId, kind) => columnIndexName(pgRows.keys, datasetId, sheetId, columnId, kind),
    };
  }

  async progress(datasetId: string, sheets: readonly SheetSummary[]): Promise<ProgressCounts> {
    const db = this.db;
    const status = sql<string>`coalesce(${reviews.status}, 'unreviewed')`;
    const withReview = and(eq(reviews.datasetId, rows.datasetId), eq(reviews.rowId, rows.rowId));
    const statusCounts = await db.select({ sheet: rows.sheetId, status, n: count() }).from(rows).leftJoin(reviews, withReview)
      .where(eq(rows.datasetId, datasetId)).groupBy(rows.sheetId, status);
    const coders = await db.select({ name: sql<string>`coalesce(${users.name}, '(unknown)')`, sheet: rows.sheetId, rows: count() }).from(rows)
      .leftJoin(users, eq(users.id, rows.createdBy))
      .where(eq(rows.datasetId, datasetId)).groupBy(users.name, rows.sheetId);
    const day = sql<string>`to_char(to_timestamp(${rows.createdAt} / 1000.0) at time zone 'UTC', 'YYYY-MM-DD')`;
    const days = await db.select({ day, rows: count() }).from(rows).where(eq(rows.datasetId, datasetId)).groupBy(day).orderBy(day);

    const timeline: ProgressCounts['timeline'] = [];
    for (const sheet of sheets) {
      const dateColumn = sheet.columns.find((c) => c.type === 'date');
      if (!dateColumn) continue;
      const label = sheet.columns.find((c) => c.id === 'summary') ?? sheet.columns.find((c) => c.type === 'longtext' || c.type === 'text');
      const kind = sheet.columns.find((c) => c.type === 'enum' && c.id !== 'date_precision');
      const field = (id: string | undefined) => sql<string | null>`(${rows.cells}::jsonb ->> ${id ?? '__none__'})`;
      const dated = await db.select({
        row: rows.rowId, date: field(dateColumn.id), label: field(label?.id), kind: field(kind?.id), status,
      }).from(rows).leftJoin(reviews, withReview)
        .where(and(eq(rows.datasetId, datasetId), eq(rows.sheetId, sheet.id))).limit(TIMELINE_LIMIT);
      for (const r of dated) if (typeof r.date === 'string' && r.date !== '') timeline.push({ ...r, date: r.date, sheet: sheet.id });
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
    return (await this.db.select().from(flags).where(where).orderBy(asc(flags.at), asc(flags.flagId))).map(toFlag);
  }

  async flag(datasetId: string, flagId: string): Promise<FlagRecord | undefined> {
    const [row] = await this.db.select().from(flags).where(and(eq(flags.datasetId, datasetId), eq(flags.flagId, flagId)));
    return row && toFlag(row);
  }

  async rowReview(datasetId: string, rowId: string): Promise<RowReview | undefined> {
    const [row] = await this.db.select({ sheetId: rows.sheetId, status: reviews.status, openFlags: reviews.openFlags }).from(rows)
      .leftJoin(reviews, and(eq(reviews.datasetId, rows.datasetId), eq(reviews.rowId, rows.rowId)))
      .where(and(eq(rows.datasetId, datasetId), eq(rows.rowId, rowId))).limit(1);
    return row && { sheetId: row.sheetId, status: row.status ?? 'unreviewed', openFlags: row.openFlags ?? 0 };
  }

  async rowAuthors(datasetId: string, rowIds: readonly string[]): Promise<Map<string, RowAuthors>> {
    const out = new Map<string, RowAuthors>();
    // PostgreSQL binds at most 65535 parameters: ask in chunks.
    for (let i = 0; i < rowIds.length; i += 5000) {
      const inChunk = sql.join(rowIds.slice(i, i + 5000).map((id) => sql`${id}`), sql`, `);
      const { rows: authors } = await this.db.execute<{ row: string; name: string; since: boolean }>(sql`
        WITH approval AS (
          SELECT row_id, max(id) AS id FROM cell_changes
          WHERE dataset_id = ${datasetId} AND row_id IN (${inChunk}) AND column_id = 'review_status' AND new = '"approved"'
          GROUP BY row_id)
        SELECT c.row_id AS row, u.name AS name, bool_or(c.id > coalesce(a.id, 0)) AS since
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
    return (await this.db.selectDistinct({ name: users.name }).from(cellChanges).innerJoin(users, eq(users.id, cellChanges.userId))
      .where(and(
        eq(cellChanges.datasetId, datasetId), eq(cellChanges.rowId, rowId), gte(cellChanges.at, sinceMs),
        ne(cellChanges.columnId, 'review_status'),
      ))).map((r) => r.name);
  }

  async conflicts(datasetId: string, status?: ConflictStatus): Promise<ConflictRecord[]> {
    return (await this.db.select().from(conflicts)
      .where(and(eq(conflicts.datasetId, datasetId), status ? eq(conflicts.status, status) : undefined))
      .orderBy(asc(conflicts.at), asc(conflicts.conflictId))).map(toConflict);
  }

  async rowConflicts(datasetId: string, rowId: string): Promise<ConflictRecord[]> {
    return (await this.db.select().from(conflicts).where(and(eq(conflicts.datasetId, datasetId), eq(conflicts.rowId, rowId)))
      .orderBy(asc(conflicts.at), asc(conflicts.conflictId))).map(toConflict);
  }

  async conflict(datasetId: string, conflictId: string): Promise<ConflictRecord | undefined> {
    const [row] = await this.db.select().from(conflicts).where(and(eq(conflicts.datasetId, datasetId), eq(conflicts.conflictId, conflictId)));
    return row && toConflict(row);
  }

  async lastCellAuthor(datasetId: string, sheetId: string, rowId: string, columnId: string): Promise<string | null | undefined> {
    const [last] = await this.db.select({ name: users.name }).from(cellChanges).leftJoin(users, eq(users.id, cellChanges.userId))
      .where(and(
        eq(cellChanges.datasetId, datasetId), eq(cellChanges.rowId, rowId), eq(cellChanges.sheetId, sheetId),
        // The cell's own changes, or an imported row's record that holds the cell.
        sql`(${cellChanges.columnId} = ${columnId} OR (${cellChanges.columnId} = ${IMPORTED_ROW} AND (${cellChanges.new}::jsonb -> ${columnId}) IS NOT NULL))`,
      ))
      .orderBy(desc(cellChanges.id)).limit(1);
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
