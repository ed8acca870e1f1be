import { and, asc, count, eq, gt, lte, sql } from 'drizzle-orm';
import type { CellValue } from '../model/columns';
import type { DocCommit, DocStore, StoredDoc } from '../server/sync/store';
import type { Db } from './client';
import { cellChanges, reviews, rows, sheets, snapshots, updates } from './schema';

const toJson = (value: CellValue | undefined) => (value === undefined ? null : JSON.stringify(value));

/** The SQLite store of documents, their history and their read model. */
export class SqliteDocStore implements DocStore {
  // The hot path (one flush per event-loop turn, up to thousands of history rows) uses prepared statements.
  private readonly insertUpdate;
  private readonly insertChange;
  private readonly upsertRow;
  private readonly rowCells;
  private readonly deleteRow;

  constructor(private readonly db: Db) {
    const p = sql.placeholder;
    this.insertUpdate = db.insert(updates)
      .values({ datasetId: p('datasetId'), update: p('update'), userId: p('userId'), at: p('at') })
      .returning({ seq: updates.seq }).prepare();
    this.insertChange = db.insert(cellChanges).values({
      datasetId: p('datasetId'), sheetId: p('sheetId'), rowId: p('rowId'), columnId: p('columnId'),
      old: p('old'), new: p('new'), userId: p('userId'), at: p('at'),
    }).prepare();
    this.upsertRow = db.insert(rows).values({
      datasetId: p('datasetId'), sheetId: p('sheetId'), rowId: p('rowId'), cells: p('cells'),
      createdBy: p('userId'), createdAt: p('at'), updatedBy: p('userId'), updatedAt: p('at'),
    }).onConflictDoUpdate({
      target: [rows.datasetId, rows.sheetId, rows.rowId],
      set: { cells: sql`excluded.cells`, updatedBy: sql`excluded.updated_by`, updatedAt: sql`excluded.updated_at` },
    }).prepare();
    const rowKey = and(eq(rows.datasetId, p('datasetId')), eq(rows.sheetId, p('sheetId')), eq(rows.rowId, p('rowId')));
    this.rowCells = db.select({ cells: rows.cells }).from(rows).where(rowKey).prepare();
    this.deleteRow = db.delete(rows).where(rowKey).prepare();
  }

  load(datasetId: string): StoredDoc {
    return this.db.transaction((tx) => {
      const snap = tx.select().from(snapshots).where(eq(snapshots.datasetId, datasetId)).get();
      const after = snap?.upToSeq ?? 0;
      const logged = tx.select({ seq: updates.seq, update: updates.update }).from(updates)
        .where(and(eq(updates.datasetId, datasetId), gt(updates.seq, after)))
        .orderBy(asc(updates.seq)).all();
      return {
        snapshot: snap ? new Uint8Array(snap.state) : null,
        updates: logged.map((u) => new Uint8Array(u.update)),
        lastSeq: logged.at(-1)?.seq ?? after,
      };
    });
  }

  append(commit: DocCommit): number {
    const { datasetId } = commit;
    return this.db.transaction((tx) => {
      let lastSeq = 0;
      for (const u of commit.updates) {
        const update = Buffer.from(u.update.buffer, u.update.byteOffset, u.update.byteLength);
        lastSeq = this.insertUpdate.get({ datasetId, update, userId: u.userId, at: u.at })!.seq;
      }
      const history = [...commit.cells];
      for (const row of commit.rows) {
        const key = { datasetId, sheetId: row.sheetId, rowId: row.rowId };
        if (row.cells === null) {
          const gone = this.rowCells.get(key);
          if (!gone) continue;
          for (const [columnId, old] of Object.entries(JSON.parse(gone.cells) as Record<string, CellValue>)) {
            history.push({ sheetId: row.sheetId, rowId: row.rowId, columnId, old, new: undefined, userId: row.userId, at: row.at });
          }
          this.deleteRow.run(key);
          continue;
        }
        this.upsertRow.run({ ...key, cells: JSON.stringify(row.cells), userId: row.userId, at: row.at });
      }
      for (const change of history) {
        this.insertChange.run({
          datasetId, sheetId: change.sheetId, rowId: change.rowId, columnId: change.columnId,
          old: toJson(change.old), new: toJson(change.new), userId: change.userId, at: change.at,
        });
      }
      for (const { sheetId, sheet } of commit.sheets) {
        const key = and(eq(sheets.datasetId, datasetId), eq(sheets.sheetId, sheetId));
        if (sheet === null) {
          tx.delete(sheets).where(key).run();
          tx.delete(rows).where(and(eq(rows.datasetId, datasetId), eq(rows.sheetId, sheetId))).run();
          continue;
        }
        const columns = JSON.stringify(sheet.columns);
        const existing = tx.select({ position: sheets.position }).from(sheets).where(key).get();
        if (existing) {
          tx.update(sheets).set({ name: sheet.name, columns }).where(key).run();
        } else {
          const position = tx.select({ n: count() }).from(sheets).where(eq(sheets.datasetId, datasetId)).get()!.n;
          tx.insert(sheets).values({ datasetId, sheetId, name: sheet.name, columns, position }).run();
        }
      }
      for (const review of commit.reviews) {
        tx.insert(reviews).values({ datasetId, ...review })
          .onConflictDoUpdate({ target: [reviews.datasetId, reviews.rowId], set: { status: review.status, openFlags: review.openFlags } })
          .run();
      }
      return lastSeq;
    });
  }

  compact(datasetId: string, state: Uint8Array, upToSeq: number): void {
    this.db.transaction((tx) => {
      const blob = Buffer.from(state.buffer, state.byteOffset, state.byteLength);
      tx.insert(snapshots).values({ datasetId, state: blob, upToSeq, at: Date.now() })
        .onConflictDoUpdate({ target: snapshots.datasetId, set: { state: blob, upToSeq, at: Date.now() } })
        .run();
      tx.delete(updates).where(and(eq(updates.datasetId, datasetId), lte(updates.seq, upToSeq))).run();
    });
  }
}
