/** Numbers for the progress view: rows per status and per coder, rows coded per day, dated rows for a timeline. */
import { and, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { reviews, rows, users } from '../db/schema';
import { getDataset } from './datasets';

export function progress(db: Db, datasetId: string) {
  const dataset = getDataset(db, datasetId);
  const status = sql<string>`coalesce(${reviews.status}, 'unreviewed')`;
  const statusCounts = db.select({ sheet: rows.sheetId, status, n: count() }).from(rows)
    .leftJoin(reviews, and(eq(reviews.datasetId, rows.datasetId), eq(reviews.rowId, rows.rowId)))
    .where(eq(rows.datasetId, datasetId)).groupBy(rows.sheetId, status).all();
  const coders = db.select({ name: sql<string>`coalesce(${users.name}, '(unknown)')`, sheet: rows.sheetId, rows: count() }).from(rows)
    .leftJoin(users, eq(users.id, rows.createdBy))
    .where(eq(rows.datasetId, datasetId)).groupBy(users.name, rows.sheetId).all();
  const day = sql<string>`strftime('%Y-%m-%d', ${rows.createdAt} / 1000, 'unixepoch')`;
  const days = db.select({ day, rows: count() }).from(rows).where(eq(rows.datasetId, datasetId)).groupBy(day).orderBy(day).all();

  const timeline = dataset.sheets.flatMap((sheet) => {
    const dateColumn = sheet.columns.find((c) => c.type === 'date');
    if (!dateColumn) return [];
    const label = sheet.columns.find((c) => c.id === 'summary') ?? sheet.columns.find((c) => c.type === 'longtext' || c.type === 'text');
    const kind = sheet.columns.find((c) => c.type === 'enum' && c.id !== 'date_precision');
    const path = (id: string | undefined) => (id ? `$.${id}` : '$.__none__');
    return db.select({
      row: rows.rowId,
      date: sql<string | null>`json_extract(${rows.cells}, ${path(dateColumn.id)})`,
      label: sql<string | null>`json_extract(${rows.cells}, ${path(label?.id)})`,
      kind: sql<string | null>`json_extract(${rows.cells}, ${path(kind?.id)})`,
      status,
    }).from(rows)
      .leftJoin(reviews, and(eq(reviews.datasetId, rows.datasetId), eq(reviews.rowId, rows.rowId)))
      .where(and(eq(rows.datasetId, datasetId), eq(rows.sheetId, sheet.id))).limit(5000).all()
      .filter((r) => typeof r.date === 'string' && r.date !== '')
      .map((r) => ({ ...r, sheet: sheet.id }));
  });

  return {
    sheets: dataset.sheets.map((sheet) => {
      const statuses = { unreviewed: 0, approved: 0, flagged: 0 } as Record<string, number>;
      for (const s of statusCounts) if (s.sheet === sheet.id) statuses[s.status] = s.n;
      return { id: sheet.id, name: sheet.name, rowCount: sheet.rowCount, statuses };
    }),
    coders,
    days,
    timeline,
  };
}
