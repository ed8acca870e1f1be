import { and, eq, inArray, lt, lte, sql } from 'drizzle-orm';
import type { Statement } from 'better-sqlite3';
import type { CellValue } from '../model/columns';
import { deletedRowChanges, type DocCommit, type DocStore, IMPORTED_ROW, type InsertedRow, type LoggedSince, type QueuedCommit, replacedAfter, type StoredDoc } from '../server/sync/store';
import type { Db } from './client';

/** A Drizzle transaction on the SQLite database. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
import { conflicts, flags, reviews, rows, sheets, snapshots, updates } from './schema';
import { type SqliteIndexScheduler, sqliteIndexScheduler, touchedSheets } from './sheet-indexes';

/** Row ids per `IN (…)` lookup: well under SQLite's limit of bound parameters. */
const LOOKUP_BATCH = 500;
/** Rows per multi-row INSERT of an import's new rows: one statement runs per this many rows, not per row. */
const INSERT_BATCH = 100;

const toJson = (value: CellValue | undefined) => (value === undefined ? null : JSON.stringify(value));
const toBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The SQLite store of documents, their history and their read model. */
export class SqliteDocStore implements DocStore {
  /**
   * The hot path — one flush per event-loop turn, up to thousands of history rows when a block of rows
   * is pasted — runs on the driver's own prepared statements: about five times faster than going
   * through the query builder for every row. The rest goes through Drizzle.
   */
  private readonly statements: Record<'insertUpdate' | 'insertChange' | 'upsertRow' | 'rowCells' | 'deleteRow' | 'snapshot' | 'snapshotSeq' | 'loggedSince', Statement>;
  /** Builds a large sheet's column indexes after its writes (`db/sheet-indexes.ts`). */
  readonly indexes: SqliteIndexScheduler;

  constructor(private readonly db: Db) {
    const sqlite = db.$client;
    this.indexes = sqliteIndexScheduler(sqlite);
    this.statements = {
      insertUpdate: sqlite.prepare(
        'INSERT INTO updates (dataset_id, "update", state_vector, user_id, at) VALUES (?, ?, ?, ?, ?)',
      ),
      insertChange: sqlite.prepare(
        'INSERT INTO cell_changes (dataset_id, sheet_id, row_id, column_id, old, new, user_id, at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      upsertRow: sqlite.prepare(
        `INSERT INTO rows (dataset_id, sheet_id, row_id, cells, created_by, created_at, updated_by, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (dataset_id, sheet_id, row_id)
         DO UPDATE SET cells = excluded.cells, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      ),
      rowCells: sqlite.prepare('SELECT cells FROM rows WHERE dataset_id = ? AND sheet_id = ? AND row_id = ?'),
      deleteRow: sqlite.prepare('DELETE FROM rows WHERE dataset_id = ? AND sheet_id = ? AND row_id = ?'),
      // Read on every load and commit of a document (each row of a `rows` dataset is one).
      snapshot: sqlite.prepare('SELECT state, state_vector AS stateVector, up_to_seq AS upToSeq FROM snapshots WHERE dataset_id = ?'),
      snapshotSeq: sqlite.prepare('SELECT up_to_seq AS upToSeq, base_seq AS baseSeq FROM snapshots WHERE dataset_id = ?'),
      loggedSince: sqlite.prepare(
        'SELECT seq, "update", state_vector AS stateVector FROM updates WHERE dataset_id = ? AND seq > ? ORDER BY seq',
      ),
    };
  }

  /** Multi-row statements of an import's new rows (rows and their history records), by their number of rows. */
  private readonly inserts = new Map<number, { rows: Statement; history: Statement }>();

  private insertStatements(count: number): { rows: Statement; history: Statement } {
    let statements = this.inserts.get(count);
    if (!statements) {
      const sqlite = this.db.$client;
      const tuples = (tuple: string) => Array.from({ length: count }, () => tuple).join(', ');
      statements = {
        rows: sqlite.prepare(`INSERT INTO rows (dataset_id, sheet_id, row_id, cells, created_by, created_at, updated_by, updated_at)
          VALUES ${tuples('(?, ?, ?, ?, ?, ?, ?, ?)')}
          ON CONFLICT (dataset_id, sheet_id, row_id)
          DO UPDATE SET cells = excluded.cells, updated_by = excluded.updated_by, updated_at = excluded.updated_at`),
        history: sqlite.prepare(`INSERT INTO cell_changes (dataset_id, sheet_id, row_id, column_id, old, new, user_id, at, note)
          VALUES ${tuples(`(?, ?, ?, '${IMPORTED_ROW}', NULL, ?, ?, ?, NULL)`)}`),
      };
      this.inserts.set(count, statements);
    }
    return statements;
  }

  async insertRows(datasetId: string, sheetId: string, userId: string, at: number, inserted: readonly InsertedRow[]): Promise<void> {
    // As `commit`: an index being built in the worker holds the write lock; wait for it rather than fail busy.
    await this.indexes.writable();
    const rowParams: unknown[] = [];
    const historyParams: unknown[] = [];
    this.db.$client.transaction(() => {
      this.indexes.bulkWrite(datasetId, sheetId, inserted.length);
      for (let i = 0; i < inserted.length; i += INSERT_BATCH) {
        const batch = inserted.slice(i, i + INSERT_BATCH);
        const statements = this.insertStatements(batch.length);
        rowParams.length = 0;
        historyParams.length = 0;
        for (const { rowId, cells } of batch) {
          rowParams.push(datasetId, sheetId, rowId, cells, userId, at, userId, at);
          historyParams.push(datasetId, sheetId, rowId, cells, userId, at);
        }
        statements.rows.run(rowParams);
        statements.history.run(historyParams);
      }
    })();
    this.indexes.touched(datasetId, [sheetId]);
  }

  async load(datasetId: string): Promise<StoredDoc> {
    return this.loadNow(datasetId);
  }

  async storedRows(datasetId: string, rowIds: readonly string[]): Promise<Map<string, { sheetId: string; cells: Record<string, CellValue> }>> {
    const found = new Map<string, { sheetId: string; cells: Record<string, CellValue> }>();
    for (let i = 0; i < rowIds.length; i += LOOKUP_BATCH) {
      const batch = rowIds.slice(i, i + LOOKUP_BATCH);
      for (const r of this.db.select({ sheetId: rows.sheetId, rowId: rows.rowId, cells: rows.cells }).from(rows)
        .where(and(eq(rows.datasetId, datasetId), inArray(rows.rowId, batch))).all()) {
        found.set(r.rowId, { sheetId: r.sheetId, cells: JSON.parse(r.cells) as Record<string, CellValue> });
      }
    }
    return found;
  }

  async storedRow(datasetId: string, sheetId: string, rowId: string): Promise<Record<string, CellValue> | null> {
    const stored = this.statements.rowCells.get(datasetId, sheetId, rowId) as { cells: string } | undefined;
    return stored ? (JSON.parse(stored.cells) as Record<string, CellValue>) : null;
  }

  /** `load`, synchronously (for the data migrations run at start). */
  loadNow(datasetId: string): StoredDoc {
    return this.db.transaction(() => {
      const snap = this.statements.snapshot.get(datasetId) as { state: Buffer; stateVector: Buffer | null; upToSeq: number } | undefined;
      const after = snap?.upToSeq ?? 0;
      const logged = this.statements.loggedSince.all(datasetId, after) as Array<{ seq: number; update: Buffer; stateVector: Buffer | null }>;
      const last = logged.at(-1);
      const stateVector = last ? last.stateVector : (snap?.stateVector ?? null);
      return {
        snapshot: snap ? new Uint8Array(snap.state) : null,
        updates: logged.map((u) => new Uint8Array(u.update)),
        lastSeq: last?.seq ?? after,
        stateVector: stateVector ? new Uint8Array(stateVector) : null,
      };
    });
  }

  async append(commit: DocCommit): Promise<number> {
    if (this.indexes.building) await this.indexes.writable();
    return this.appendNow(commit);
  }

  /** Commits asked for this turn, made together at its end (`commitQueued`). */
  private queuedCommits: QueuedCommit[] = [];

  /**
   * The commits of all documents asked for in one turn of the event loop are made in one SQLite
   * transaction, each in a savepoint of its own: a paste or a clear of many rows (each row a document)
   * writes the database once per turn instead of once per row. A commit whose `build` or writes fail is
   * rolled back alone and fails alone; the others are stored.
   */
  commit(datasetId: string, afterSeq: number, build: (missed: LoggedSince) => DocCommit): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queuedCommits.push({ datasetId, afterSeq, build, resolve, reject });
      if (this.queuedCommits.length === 1) setImmediate(() => void this.commitQueued());
    });
  }

  private async commitQueued(): Promise<void> {
    // A large sheet's index being built holds the write lock in a worker: wait for it here, not in the driver.
    if (this.indexes.building) await this.indexes.writable().catch(() => undefined);
    const queued = this.queuedCommits;
    this.queuedCommits = [];
    if (queued.length === 0) return;
    const outcomes: Array<{ seq: number; built: DocCommit } | { error: unknown }> = [];
    try {
      // One writer at a time: better-sqlite3's transaction is synchronous, nothing runs beside it.
      this.db.transaction((tx) => {
        for (const { datasetId, afterSeq, build } of queued) {
          try {
            let built!: DocCommit;
            const seq = tx.transaction((savepoint) => this.write(savepoint, built = build(this.readSince(savepoint, datasetId, afterSeq))));
            outcomes.push({ seq, built });
          } catch (error) {
            outcomes.push({ error });
          }
        }
      });
    } catch (error) {
      // Nothing of the transaction was written.
      for (const { reject } of queued) reject(error);
      return;
    }
    queued.forEach(({ datasetId, resolve, reject }, i) => {
      const outcome = outcomes[i]!;
      if ('error' in outcome) return reject(outcome.error);
      this.indexes.touched(datasetId, touchedSheets(outcome.built));
      resolve(outcome.seq);
    });
  }

  async since(datasetId: string, afterSeq: number): Promise<LoggedSince> {
    return this.db.transaction((tx) => this.readSince(tx, datasetId, afterSeq));
  }

  /** Inside a transaction (`tx`): on better-sqlite3 the driver's statements take part in it. */
  private readSince(_tx: Tx, datasetId: string, afterSeq: number): LoggedSince {
    const snap = this.statements.snapshotSeq.get(datasetId) as { upToSeq: number; baseSeq: number } | undefined;
    const folded = snap !== undefined && snap.upToSeq > afterSeq;
    if (snap && replacedAfter(snap.baseSeq, afterSeq)) return { snapshot: null, updates: [], lastSeq: afterSeq, replaced: true };
    const snapshot = folded ? (this.statements.snapshot.get(datasetId) as { state: Buffer }).state : null;
    const from = folded ? snap.upToSeq : afterSeq;
    const logged = this.statements.loggedSince.all(datasetId, from) as Array<{ seq: number; update: Buffer }>;
    return {
      snapshot: snapshot ? new Uint8Array(snapshot) : null,
      updates: logged.map((u) => ({ seq: u.seq, update: new Uint8Array(u.update) })),
      lastSeq: logged.at(-1)?.seq ?? from,
    };
  }

  /** `append`, synchronously (for the data migrations run at start). */
  appendNow(commit: DocCommit): number {
    const seq = this.db.transaction((tx) => this.write(tx, commit));
    this.indexes.touched(commit.datasetId, touchedSheets(commit));
    return seq;
  }

  /**
   * Writes a commit inside the caller's transaction (`append` is this in a transaction of its own):
   * the catalog stores a new dataset and its first state together with it.
   */
  write(tx: Tx, commit: DocCommit): number {
    const { datasetId } = commit;
    const logKey = commit.room ?? datasetId;
    const s = this.statements;
    {
      let lastSeq = 0;
      commit.updates.forEach((u, i) => {
        const stateVector = i === commit.updates.length - 1 && commit.stateVector ? toBuffer(commit.stateVector) : null;
        lastSeq = Number(s.insertUpdate.run(logKey, toBuffer(u.update), stateVector, u.userId, u.at).lastInsertRowid);
      });
      const history = [...commit.cells];
      for (const row of commit.rows) {
        if (row.cells === null) {
          const stored = s.rowCells.get(datasetId, row.sheetId, row.rowId) as { cells: string } | undefined;
          history.push(...deletedRowChanges(commit, row, stored && (JSON.parse(stored.cells) as Record<string, CellValue>)));
          if (stored) s.deleteRow.run(datasetId, row.sheetId, row.rowId);
          continue;
        }
        s.upsertRow.run(datasetId, row.sheetId, row.rowId, JSON.stringify(row.cells), row.userId, row.at, row.userId, row.at);
      }
      for (const c of history) {
        s.insertChange.run(datasetId, c.sheetId, c.rowId, c.columnId, toJson(c.old), toJson(c.new), c.userId, c.at, c.note ?? null);
      }
      for (const { sheetId, sheet } of commit.sheets) {
        const key = and(eq(sheets.datasetId, datasetId), eq(sheets.sheetId, sheetId));
        if (sheet === null) {
          this.indexes.dropped(datasetId, sheetId);
          tx.delete(sheets).where(key).run();
          tx.delete(rows).where(and(eq(rows.datasetId, datasetId), eq(rows.sheetId, sheetId))).run();
          continue;
        }
        const columns = JSON.stringify(sheet.columns);
        // The document's position when it has one; a sheet without one goes after the others.
        if (tx.select({ position: sheets.position }).from(sheets).where(key).get()) {
          tx.update(sheets).set({ name: sheet.name, columns, ...(sheet.position !== undefined && { position: sheet.position }) }).where(key).run();
        } else {
          const position = sheet.position ?? tx.select({ next: sql<number>`coalesce(max(${sheets.position}) + 1, 0)` })
            .from(sheets).where(eq(sheets.datasetId, datasetId)).get()!.next;
          tx.insert(sheets).values({ datasetId, sheetId, name: sheet.name, columns, position }).run();
        }
      }
      for (const { rowId, status, openFlags } of commit.reviews) {
        tx.insert(reviews).values({ datasetId, rowId, status, openFlags })
          .onConflictDoUpdate({ target: [reviews.datasetId, reviews.rowId], set: { status, openFlags } })
          .run();
        tx.delete(flags).where(and(eq(flags.datasetId, datasetId), eq(flags.rowId, rowId))).run();
      }
      // Every row's flags are gone before any are written: a flag moved between rows of the commit is one row.
      for (const { rowId, flags: rowFlags } of commit.reviews) {
        if (rowFlags.length === 0) continue;
        tx.insert(flags).values(rowFlags.map((f) => ({
          datasetId, flagId: f.id, rowId, sheetId: f.sheet, columnId: f.column, reason: f.reason, note: f.note ?? '',
          by: f.by, at: f.at, status: f.status, resolvedBy: f.resolvedBy ?? null, resolvedAt: f.resolvedAt ?? null,
          resolution: f.resolution ?? null, comments: JSON.stringify(f.comments),
        }))).run();
      }
      for (const c of commit.conflicts) {
        const values = {
          sheetId: c.sheet, rowId: c.row, columnId: c.column, kept: JSON.stringify(c.kept), keptBy: c.keptBy,
          lost: JSON.stringify(c.lost), lostBy: c.lostBy, at: c.at, status: c.status,
          resolvedBy: c.resolvedBy ?? null, resolvedAt: c.resolvedAt ?? null,
        };
        tx.insert(conflicts).values({ datasetId, conflictId: c.id, ...values })
          .onConflictDoUpdate({ target: [conflicts.datasetId, conflicts.conflictId], set: values })
          .run();
      }
      return lastSeq;
    }
  }

  async compact(datasetId: string, state: Uint8Array, upToSeq: number, stateVector?: Uint8Array): Promise<void> {
    if (this.indexes.building) await this.indexes.writable();
    this.db.transaction((tx) => {
      const values = { state: toBuffer(state), stateVector: stateVector ? toBuffer(stateVector) : null, upToSeq, at: Date.now() };
      tx.insert(snapshots).values({ datasetId, ...values })
        .onConflictDoUpdate({ target: snapshots.datasetId, set: values, setWhere: lt(snapshots.upToSeq, upToSeq) })
        .run();
      tx.delete(updates).where(and(eq(updates.datasetId, datasetId), lte(updates.seq, upToSeq))).run();
    });
  }
}
