/** Reads a sheet's rows for export from the read model, a page at a time, so memory stays flat. */
import { aliasedTable, and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import type { CellValue } from '../../model/columns';
import type { Db } from '../../db/client';
import { reviews, rows, users } from '../../db/schema';

export const ROW_FILTERS = ['all', 'approved', 'flagged', 'unflagged'] as const;
export type RowFilter = (typeof ROW_FILTERS)[number];

export interface ExportRow {
  rowId: string;
  cells: Record<string, CellValue>;
  reviewStatus: string;
  openFlags: number;
  createdBy: string | null;
  createdAt: string;
  updatedBy: string | null;
  updatedAt: string;
}

const PAGE = 2000;
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

/** Yields the rows of a sheet in row-id order, keyset-paginated (no cursor is held between pages). */
export function* exportRows(db: Db, datasetId: string, sheetId: string, filter: RowFilter): Generator<ExportRow> {
  const query = db.select({
    rowId: rows.rowId, cells: rows.cells, status: reviews.status, openFlags: reviews.openFlags,
    createdBy: creator.name, createdAt: rows.createdAt, updatedBy: updater.name, updatedAt: rows.updatedAt,
  }).from(rows)
    .leftJoin(reviews, and(eq(reviews.datasetId, rows.datasetId), eq(reviews.rowId, rows.rowId)))
    .leftJoin(creator, eq(creator.id, rows.createdBy))
    .leftJoin(updater, eq(updater.id, rows.updatedBy))
    .where(and(eq(rows.datasetId, datasetId), eq(rows.sheetId, sheetId), gt(rows.rowId, sql.placeholder('after')), filterCondition(filter)))
    .orderBy(asc(rows.rowId)).limit(PAGE).prepare();
  const iso = isoCache();
  let after = '';
  for (;;) {
    const page = query.all({ after });
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
    if (page.length < PAGE) return;
    after = page.at(-1)!.rowId;
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
