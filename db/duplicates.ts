/**
 * Duplicate detection's reads and its dismissed groups, SQLite. The keys query is one statement for both
 * databases (`duplicateKeysStatement`, with the rows-page dialect for reading cells out of the row's JSON).
 */
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { DuplicateColumns } from '../server/duplicates/columns';
import type { DuplicateKeyRecord, DuplicateStore } from '../server/duplicates/store';
import type { Db } from './client';
import { type RowsDialect, sqliteRows } from './rows-page';
import { duplicateDismissals } from './schema';

/**
 * A sheet's rows with a date (and an event type, when compared by one), only the cells compared, in blocking
 * order: event type, then date (ISO dates sort as text, byte by byte in both databases), then row id.
 */
export function duplicateKeysStatement(d: RowsDialect, datasetId: string, sheetId: string, columns: DuplicateColumns): SQL {
  const text = (id: string | undefined) => (id === undefined ? sql`null` : d.text(id));
  const where: SQL[] = [sql`r.dataset_id = ${datasetId}`, sql`r.sheet_id = ${sheetId}`, sql`${d.text(columns.date)} is not null`];
  if (columns.type) where.push(sql`${d.text(columns.type)} is not null`);
  const actors = columns.actors.map((id, i) => sql`${d.text(id)} as ${sql.raw(`"actor${i}"`)}`);
  return sql`select r.row_id as "rowId", ${d.text(columns.date)} as "date", ${text(columns.type)} as "type",
    ${text(columns.place)} as "place", ${text(columns.location)} as "location", ${text(columns.evidence)} as "evidence"
    ${actors.length > 0 ? sql`, ${sql.join(actors, sql`, `)}` : sql``}
    from ${d.source(true)} where ${sql.join(where, sql` and `)}
    order by ${columns.type ? sql`${d.binary(d.text(columns.type))}, ` : sql``}${d.binary(d.text(columns.date))}, r.row_id`;
}

/** A record of the keys query as the store answers it. */
export function toKeyRecord(row: Record<string, unknown>, columns: DuplicateColumns): DuplicateKeyRecord {
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    rowId: String(row.rowId), date: str(row.date), type: str(row.type), place: str(row.place), location: str(row.location),
    evidence: str(row.evidence), actors: columns.actors.map((_, i) => str(row[`actor${i}`])),
  };
}

/** A dismissed group as stored: its row ids, sorted, joined by spaces (row ids have none). */
export const groupKey = (rows: readonly string[]): string => [...new Set(rows)].sort().join(' ');

export class SqliteDuplicateStore implements DuplicateStore {
  constructor(private readonly db: Db) {}

  async keys(datasetId: string, sheetId: string, columns: DuplicateColumns): Promise<DuplicateKeyRecord[]> {
    return this.db.all<Record<string, unknown>>(duplicateKeysStatement(sqliteRows, datasetId, sheetId, columns)).map((r) => toKeyRecord(r, columns));
  }

  async dismissed(datasetId: string, sheetId: string): Promise<string[][]> {
    return this.db.select({ rows: duplicateDismissals.rows }).from(duplicateDismissals)
      .where(and(eq(duplicateDismissals.datasetId, datasetId), eq(duplicateDismissals.sheetId, sheetId))).all()
      .map((r) => r.rows.split(' '));
  }

  async dismiss(datasetId: string, sheetId: string, rows: readonly string[], userId: string, at: number): Promise<boolean> {
    return this.db.insert(duplicateDismissals).values({ datasetId, sheetId, rows: groupKey(rows), dismissedBy: userId, dismissedAt: at })
      .onConflictDoNothing().run().changes === 1;
  }
}
