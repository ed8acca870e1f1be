/** The PostgreSQL store of documents, their history and their read model (the contract: `server/sync/store.ts`). */
import { and, eq, inArray, lt, lte, or, sql } from 'drizzle-orm';
import type { CellValue } from '../../model/columns';
import { deletedRowChanges, type DocCommit, type DocStore, IMPORTED_ROW, type InsertedRow, type LoggedSince, type QueuedCommit, type StoredDoc } from '../../server/sync/store';
import type { PgDb, PgTx } from './client';
import { conflicts, flags, reviews, rows, sheets, snapshots, updates } from './schema';
import { touchedSheets } from '../sheet-indexes';
import { PgIndexScheduler } from './sheet-indexes';

const toJson = (value: CellValue | undefined) => (value === undefined ? null : JSON.stringify(value));
const toBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * A whole column of values as one parameter: the hot path inserts with `unnest` of such arrays, a few
 * parameters per statement however many rows, which costs a fraction of a multi-row VALUES list to build.
 */
const array = (values: unknown[]) => sql.param(values);

const camel = (column: string) => column.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

/** Rows per multi-row INSERT: PostgreSQL binds at most 65535 parameters in one statement. */
const INSERT_BATCH = 1000;

/** Documents read per statement of the loads asked for in one turn (`loadQueued`). */
const LOAD_BATCH = 100;

/**
 * Commits per transaction of the commits asked for in one turn (`commitQueued`): a batch's locks are held
 * while all of it is read, built and written, so a clear of thousands of rows holds none of them for long.
 */
const COMMIT_BATCH = 100;
/** Transactions of queued commits running at once: the rest of the pool stays free for loads and reads. */
const COMMIT_TRANSACTIONS = 3;

/**
 * Holds the dataset's advisory lock until the transaction ends. Every commit of a document and every
 * compaction of it take it: sequence numbers of one dataset become visible in the order they were
 * given, and a compaction never runs beside a commit (instances sharing one database included).
 */
export async function lockDataset(tx: PgTx, datasetId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${datasetId}, 0))`);
}

/**
 * `lockDataset` of several datasets (documents), in one statement and in the order of their lock keys:
 * two transactions that lock overlapping sets (two instances batching the same rows) wait for each other
 * in turn, never each for the other. PostgreSQL evaluates a volatile output column after the sort.
 */
async function lockDatasets(tx: PgTx, datasetIds: readonly string[]): Promise<void> {
  await tx.execute(sql`
    SELECT pg_advisory_xact_lock(k)
    FROM (SELECT DISTINCT hashtextextended(id, 0) AS k FROM unnest(${array([...datasetIds])}::text[]) AS id) AS keys
    ORDER BY k`);
}

export class PgDocStore implements DocStore {
  /** Builds a large sheet's column indexes after its writes (`db/pg/sheet-indexes.ts`). */
  readonly indexes: PgIndexScheduler;

  constructor(private readonly db: PgDb) {
    this.indexes = new PgIndexScheduler(db);
  }

  async storedRows(datasetId: string, rowIds: readonly string[]): Promise<Map<string, { sheetId: string; cells: Record<string, CellValue> }>> {
    const found = new Map<string, { sheetId: string; cells: Record<string, CellValue> }>();
    for (let i = 0; i < rowIds.length; i += INSERT_BATCH) {
      const batch = rowIds.slice(i, i + INSERT_BATCH);
      for (const r of await this.db.select({ sheetId: rows.sheetId, rowId: rows.rowId, cells: rows.cells }).from(rows)
        .where(and(eq(rows.datasetId, datasetId), inArray(rows.rowId, [...batch])))) {
        found.set(r.rowId, { sheetId: r.sheetId, cells: JSON.parse(r.cells) as Record<string, CellValue> });
      }
    }
    return found;
  }

  async storedRow(datasetId: string, sheetId: string, rowId: string): Promise<Record<string, CellValue> | null> {
    const [stored] = await this.db.select({ cells: rows.cells }).from(rows)
      .where(and(eq(rows.datasetId, datasetId), eq(rows.sheetId, sheetId), eq(rows.rowId, rowId)));
    return stored ? (JSON.parse(stored.cells) as Record<string, CellValue>) : null;
  }

  async insertRows(datasetId: string, sheetId: string, userId: string, at: number, inserted: readonly InsertedRow[]): Promise<void> {
    if (inserted.length === 0) return;
    const rowIds = array(inserted.map((r) => r.rowId));
    const cells = array(inserted.map((r) => r.cells));
    // One statement: the arrays are sent (and escaped by the driver) once, for the rows and their history both.
    await this.db.execute(sql`
      WITH r AS (SELECT * FROM unnest(${rowIds}::text[], ${cells}::text[]) WITH ORDINALITY AS r(row_id, cells, n)),
      inserted AS (
        INSERT INTO rows (dataset_id, sheet_id, row_id, cells, created_by, created_at, updated_by, updated_at)
        SELECT ${datasetId}, ${sheetId}, r.row_id, r.cells, ${userId}, ${at}::bigint, ${userId}, ${at}::bigint FROM r
        ON CONFLICT (dataset_id, sheet_id, row_id)
        DO UPDATE SET cells = excluded.cells, updated_by = excluded.updated_by, updated_at = excluded.updated_at)
      INSERT INTO cell_changes (dataset_id, sheet_id, row_id, column_id, old, new, user_id, at, note)
      SELECT ${datasetId}, ${sheetId}, r.row_id, ${IMPORTED_ROW}, NULL, r.cells, ${userId}, ${at}::bigint, NULL FROM r
      ORDER BY r.n`);
    this.indexes.touched(datasetId, [sheetId]).catch(() => undefined);
  }

  /** Loads asked for this turn, read together at its end (`loadQueued`). */
  private queuedLoads: Array<{ datasetId: string; resolve(doc: StoredDoc): void; reject(error: unknown): void }> = [];

  /**
   * The documents asked for in one turn are read together, `LOAD_BATCH` to a statement: opening the rooms
   * of a thousand rows costs a few round trips, not some five per row.
   */
  load(datasetId: string): Promise<StoredDoc> {
    return new Promise<StoredDoc>((resolve, reject) => {
      this.queuedLoads.push({ datasetId, resolve, reject });
      if (this.queuedLoads.length === 1) setImmediate(() => this.loadQueued());
    });
  }

  private loadQueued(): void {
    const queued = this.queuedLoads;
    this.queuedLoads = [];
    for (let i = 0; i < queued.length; i += LOAD_BATCH) {
      const batch = queued.slice(i, i + LOAD_BATCH);
      loadAll(this.db, batch.map((q) => q.datasetId)).then(
        (docs) => batch.forEach((q, j) => q.resolve(docs[j]!)),
        (error: unknown) => batch.forEach((q) => q.reject(error)),
      );
    }
  }

  async append(commit: DocCommit): Promise<number> {
    const seq = await this.db.transaction((tx) => this.write(tx, commit));
    this.committed(commit);
    return seq;
  }

  /** After a commit: a removed sheet's indexes go, a sheet that grew large gets them (in the background). */
  private committed(commit: DocCommit): void {
    for (const { sheetId, sheet } of commit.sheets) if (sheet === null) this.indexes.dropped(commit.datasetId, sheetId);
    this.indexes.touched(commit.datasetId, touchedSheets(commit)).catch(() => undefined);
  }

  /** Commits asked for and not yet begun, oldest first (`commitQueued`). */
  private queuedCommits: QueuedCommit[] = [];
  private commitScheduled = false;
  /** Transactions of queued commits running, and the documents they commit. */
  private running = 0;
  private readonly committing = new Set<string>();

  /**
   * The commits of all documents asked for in one turn of the event loop are made together, in batches of
   * up to `COMMIT_BATCH`, each one transaction: a paste or a clear of many rows (each row a document) costs
   * a few round trips per batch instead of some ten per row. While `COMMIT_TRANSACTIONS` batches run, what
   * is asked for meanwhile waits and goes in the next batch (group commit), so batches grow with the load.
   * Each commit is as `commit` of one document alone would be: read under its document's lock, built from
   * what was logged since, written with it. One whose `build` or writes fail is rolled back alone (a
   * savepoint of its own) and fails alone; the others are stored.
   */
  commit(datasetId: string, afterSeq: number, build: (missed: LoggedSince) => DocCommit): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queuedCommits.push({ datasetId, afterSeq, build, resolve, reject });
      if (this.commitScheduled) return;
      this.commitScheduled = true;
      setImmediate(() => {
        this.commitScheduled = false;
        this.commitQueued();
      });
    });
  }

  /** Starts batches of the queued commits while fewer than `COMMIT_TRANSACTIONS` run. */
  private commitQueued(): void {
    while (this.running < COMMIT_TRANSACTIONS && this.queuedCommits.length > 0) {
      // A document at most once per batch, and not while a batch commits it: its commits are made in
      // the order asked, each built from what the one before wrote.
      const batch: QueuedCommit[] = [];
      const later: QueuedCommit[] = [];
      const seen = new Set<string>();
      for (const q of this.queuedCommits) {
        if (batch.length < COMMIT_BATCH && !seen.has(q.datasetId) && !this.committing.has(q.datasetId)) batch.push(q);
        else later.push(q);
        seen.add(q.datasetId);
      }
      this.queuedCommits = later;
      if (batch.length === 0) return;
      this.running++;
      for (const { datasetId } of batch) this.committing.add(datasetId);
      void this.commitBatch(batch).catch(() => undefined).finally(() => {
        this.running--;
        for (const { datasetId } of batch) this.committing.delete(datasetId);
        this.commitQueued();
      });
    }
  }

  private async commitBatch(batch: readonly QueuedCommit[]): Promise<void> {
    const outcomes: Array<{ seq: number; built: DocCommit } | { error: unknown }> = [];
    try {
      await this.db.transaction(async (tx) => {
        outcomes.length = 0;
        const locked = batch.map((q) => q.datasetId);
        await lockDatasets(tx, locked);
        // Read under the locks: nothing of these documents is logged between this read and the writes below.
        const missed = await readSinceAll(tx, batch);
        // Every build in this one turn, as `commit` of one document builds right after its read.
        const built = batch.map((q, i) => {
          try {
            return q.build(missed[i]!);
          } catch (error) {
            outcomes[i] = { error };
            return undefined;
          }
        });
        const toWrite = built.flatMap((commit, i) => (commit ? [{ commit, locked: locked[i]!, i }] : []));
        if (toWrite.length === 0) return;
        // Together in a few statements; should they fail, each again alone, so that only the one that fails fails.
        let seqs: number[] | undefined;
        if (writableTogether(toWrite)) {
          seqs = await tx.transaction((savepoint) => this.writeTogether(savepoint, toWrite.map((w) => w.commit))).catch(() => undefined);
        }
        for (const [j, { commit, locked: key, i }] of toWrite.entries()) {
          // A commit of nothing (another instance made it first) takes no lock: any out of order could deadlock.
          if (seqs || writesNothing(commit)) {
            outcomes[i] = { seq: seqs?.[j] ?? 0, built: commit };
            continue;
          }
          try {
            outcomes[i] = { seq: await tx.transaction((savepoint) => this.write(savepoint, commit, key)), built: commit };
          } catch (error) {
            outcomes[i] = { error };
          }
        }
      });
    } catch (error) {
      // Nothing of the transaction was written.
      for (const { reject } of batch) reject(error);
      return;
    }
    batch.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i]!;
      if ('error' in outcome) return reject(outcome.error);
      this.committed(outcome.built);
      resolve(outcome.seq);
    });
  }

  async since(datasetId: string, afterSeq: number): Promise<LoggedSince> {
    return this.db.transaction((tx) => readSince(tx, datasetId, afterSeq), { isolationLevel: 'repeatable read', accessMode: 'read only' });
  }

  /**
   * Writes a commit inside the caller's transaction (`append` is this in a transaction of its own):
   * the catalog stores a new dataset and its first state together with it.
   */
  async write(tx: PgTx, commit: DocCommit, locked?: string): Promise<number> {
    const { datasetId } = commit;
    const logKey = commit.room ?? datasetId;
    // The lock is the transaction's until it ends: taken again, it costs a round trip and changes nothing.
    if (locked !== logKey) await lockDataset(tx, logKey);
    let lastSeq = 0;
    if (commit.updates.length > 0) {
      const last = commit.updates.length - 1;
      const { rows: seqs } = await tx.execute<{ seq: string }>(sql`
        INSERT INTO updates (dataset_id, "update", state_vector, user_id, at)
        SELECT ${logKey}, u.update, u.state_vector, u.user_id, u.at
        FROM unnest(${array(commit.updates.map((u) => toBuffer(u.update)))}::bytea[],
          ${array(commit.updates.map((_, i) => (i === last && commit.stateVector ? toBuffer(commit.stateVector) : null)))}::bytea[],
          ${array(commit.updates.map((u) => u.userId))}::text[], ${array(commit.updates.map((u) => u.at))}::bigint[])
          WITH ORDINALITY AS u(update, state_vector, user_id, at, n)
        ORDER BY u.n
        RETURNING seq`);
      lastSeq = seqs.reduce((max, r) => Math.max(max, Number(r.seq)), 0);
    }
    const history = [...commit.cells];
    // Deleted rows: their last values, as stored (read in one query), then as this commit changed them.
    const deleted = commit.rows.filter((row) => row.cells === null);
    const storedCells = new Map<string, Record<string, CellValue>>();
    for (let i = 0; i < deleted.length; i += INSERT_BATCH) {
      const keys = deleted.slice(i, i + INSERT_BATCH).map((row) => and(eq(rows.sheetId, row.sheetId), eq(rows.rowId, row.rowId)));
      const found = await tx.select({ sheetId: rows.sheetId, rowId: rows.rowId, cells: rows.cells }).from(rows)
        .where(and(eq(rows.datasetId, datasetId), or(...keys)));
      for (const r of found) storedCells.set(`${r.sheetId}\0${r.rowId}`, JSON.parse(r.cells) as Record<string, CellValue>);
    }
    for (const row of deleted) history.push(...deletedRowChanges(commit, row, storedCells.get(`${row.sheetId}\0${row.rowId}`)));
    for (let i = 0; i < deleted.length; i += INSERT_BATCH) {
      const keys = deleted.slice(i, i + INSERT_BATCH).map((row) => and(eq(rows.sheetId, row.sheetId), eq(rows.rowId, row.rowId)));
      await tx.delete(rows).where(and(eq(rows.datasetId, datasetId), or(...keys)));
    }
    // Rows as they now are, in multi-row upserts: a pasted block is a few statements, not one per row.
    const upserts = commit.rows.filter((row) => row.cells !== null).map((row) => ({
      datasetId, sheetId: row.sheetId, rowId: row.rowId, cells: JSON.stringify(row.cells),
      createdBy: row.userId, createdAt: row.at, updatedBy: row.userId, updatedAt: row.at,
    }));
    if (upserts.length > 0) {
      await tx.execute(sql`
        INSERT INTO rows (dataset_id, sheet_id, row_id, cells, created_by, created_at, updated_by, updated_at)
        SELECT ${datasetId}, r.sheet_id, r.row_id, r.cells, r.user_id, r.at, r.user_id, r.at
        FROM unnest(${array(upserts.map((r) => r.sheetId))}::text[], ${array(upserts.map((r) => r.rowId))}::text[],
          ${array(upserts.map((r) => r.cells))}::text[], ${array(upserts.map((r) => r.createdBy))}::text[],
          ${array(upserts.map((r) => r.createdAt))}::bigint[]) AS r(sheet_id, row_id, cells, user_id, at)
        ON CONFLICT (dataset_id, sheet_id, row_id)
        DO UPDATE SET cells = excluded.cells, updated_by = excluded.updated_by, updated_at = excluded.updated_at`);
    }
    if (history.length > 0) {
      // In order (WITH ORDINALITY): the history is read back by id.
      await tx.execute(sql`
        INSERT INTO cell_changes (dataset_id, sheet_id, row_id, column_id, old, new, user_id, at, note)
        SELECT ${datasetId}, c.sheet_id, c.row_id, c.column_id, c.old, c.new, c.user_id, c.at, c.note
        FROM unnest(${array(history.map((c) => c.sheetId))}::text[], ${array(history.map((c) => c.rowId))}::text[],
          ${array(history.map((c) => c.columnId))}::text[], ${array(history.map((c) => toJson(c.old)))}::text[],
          ${array(history.map((c) => toJson(c.new)))}::text[], ${array(history.map((c) => c.userId))}::text[],
          ${array(history.map((c) => c.at))}::bigint[], ${array(history.map((c) => c.note ?? null))}::text[])
          WITH ORDINALITY AS c(sheet_id, row_id, column_id, old, new, user_id, at, note, n)
        ORDER BY c.n`);
    }
    for (const { sheetId, sheet } of commit.sheets) {
      const key = and(eq(sheets.datasetId, datasetId), eq(sheets.sheetId, sheetId));
      if (sheet === null) {
        await tx.delete(sheets).where(key);
        await tx.delete(rows).where(and(eq(rows.datasetId, datasetId), eq(rows.sheetId, sheetId)));
        continue;
      }
      const columns = JSON.stringify(sheet.columns);
      // The document's position when it has one; a sheet without one goes after the others.
      const [existing] = await tx.select({ position: sheets.position }).from(sheets).where(key);
      if (existing) {
        await tx.update(sheets).set({ name: sheet.name, columns, ...(sheet.position !== undefined && { position: sheet.position }) }).where(key);
      } else {
        const position = sheet.position ?? (await tx.select({ next: sql<number>`coalesce(max(${sheets.position}) + 1, 0)::int` })
          .from(sheets).where(eq(sheets.datasetId, datasetId)))[0]!.next;
        await tx.insert(sheets).values({ datasetId, sheetId, name: sheet.name, columns, position });
      }
    }
    // Review states, their flags and conflicts: a few multi-row statements, however many rows changed.
    if (commit.reviews.length > 0) {
      await tx.insert(reviews).values(commit.reviews.map(({ rowId, status, openFlags }) => ({ datasetId, rowId, status, openFlags })))
        .onConflictDoUpdate({
          target: [reviews.datasetId, reviews.rowId],
          set: { status: sql.raw('excluded.status'), openFlags: sql.raw('excluded.open_flags') },
        });
      await tx.delete(flags).where(and(eq(flags.datasetId, datasetId), inArray(flags.rowId, commit.reviews.map((r) => r.rowId))));
      const rowFlags = commit.reviews.flatMap(({ rowId, flags: those }) => those.map((f) => ({
        datasetId, flagId: f.id, rowId, sheetId: f.sheet, columnId: f.column, reason: f.reason, note: f.note ?? '',
        by: f.by, at: f.at, status: f.status, resolvedBy: f.resolvedBy ?? null, resolvedAt: f.resolvedAt ?? null,
        resolution: f.resolution ?? null, comments: JSON.stringify(f.comments),
      })));
      for (let i = 0; i < rowFlags.length; i += INSERT_BATCH) await tx.insert(flags).values(rowFlags.slice(i, i + INSERT_BATCH));
    }
    if (commit.conflicts.length > 0) {
      const replaced = ['sheet_id', 'row_id', 'column_id', 'kept', 'kept_by', 'lost', 'lost_by', 'at', 'status', 'resolved_by', 'resolved_at'];
      await tx.insert(conflicts).values(commit.conflicts.map((c) => ({
        datasetId, conflictId: c.id, sheetId: c.sheet, rowId: c.row, columnId: c.column, kept: JSON.stringify(c.kept), keptBy: c.keptBy,
        lost: JSON.stringify(c.lost), lostBy: c.lostBy, at: c.at, status: c.status,
        resolvedBy: c.resolvedBy ?? null, resolvedAt: c.resolvedAt ?? null,
      }))).onConflictDoUpdate({
        target: [conflicts.datasetId, conflicts.conflictId],
        set: Object.fromEntries(replaced.map((column) => [camel(column), sql.raw(`excluded.${column}`)])),
      });
    }
    return lastSeq;
  }

  /**
   * `write` of several commits at once (see `writableTogether`), in a few statements however many there
   * are, to the same effect as writing each alone in turn: the sequence number of each.
   */
  private async writeTogether(tx: PgTx, commits: readonly DocCommit[]): Promise<number[]> {
    const logged = commits.flatMap((commit) => commit.updates.map((u, i) => ({
      logKey: commit.room ?? commit.datasetId, update: toBuffer(u.update), userId: u.userId, at: u.at,
      stateVector: i === commit.updates.length - 1 && commit.stateVector ? toBuffer(commit.stateVector) : null,
    })));
    // Each log is one commit's (`writableTogether`): its last sequence number is that commit's.
    const lastSeqs = new Map<string, number>();
    if (logged.length > 0) {
      const { rows: seqs } = await tx.execute<{ dataset_id: string; seq: string }>(sql`
        INSERT INTO updates (dataset_id, "update", state_vector, user_id, at)
        SELECT u.dataset_id, u.update, u.state_vector, u.user_id, u.at
        FROM unnest(${array(logged.map((l) => l.logKey))}::text[], ${array(logged.map((l) => l.update))}::bytea[],
          ${array(logged.map((l) => l.stateVector))}::bytea[], ${array(logged.map((l) => l.userId))}::text[],
          ${array(logged.map((l) => l.at))}::bigint[])
          WITH ORDINALITY AS u(dataset_id, update, state_vector, user_id, at, n)
        ORDER BY u.n
        RETURNING dataset_id, seq`);
      for (const r of seqs) lastSeqs.set(r.dataset_id, Math.max(lastSeqs.get(r.dataset_id) ?? 0, Number(r.seq)));
    }
    const rowKey = (datasetId: string, sheetId: string, rowId: string) => `${datasetId}\0${sheetId}\0${rowId}`;
    // Deleted rows go in one statement that returns their last stored values; no commit of the batch writes another's rows.
    const deleted = commits.flatMap(({ datasetId, rows: changed }) => changed.filter((row) => row.cells === null).map((row) => ({ datasetId, ...row })));
    const storedCells = new Map<string, Record<string, CellValue>>();
    if (deleted.length > 0) {
      const { rows: gone } = await tx.execute<{ dataset_id: string; sheet_id: string; row_id: string; cells: string }>(sql`
        DELETE FROM rows r
        USING unnest(${array(deleted.map((d) => d.datasetId))}::text[], ${array(deleted.map((d) => d.sheetId))}::text[],
          ${array(deleted.map((d) => d.rowId))}::text[]) AS d(dataset_id, sheet_id, row_id)
        WHERE r.dataset_id = d.dataset_id AND r.sheet_id = d.sheet_id AND r.row_id = d.row_id
        RETURNING r.dataset_id, r.sheet_id, r.row_id, r.cells`);
      for (const r of gone) storedCells.set(rowKey(r.dataset_id, r.sheet_id, r.row_id), JSON.parse(r.cells) as Record<string, CellValue>);
    }
    // Each commit's history as `write` makes it (its cell changes, then its deleted rows' last values), commit after commit.
    const history = commits.flatMap((commit) => {
      const changes = [...commit.cells];
      for (const row of commit.rows) {
        if (row.cells === null) changes.push(...deletedRowChanges(commit, row, storedCells.get(rowKey(commit.datasetId, row.sheetId, row.rowId))));
      }
      return changes.map((c) => ({ datasetId: commit.datasetId, ...c }));
    });
    const upserts = commits.flatMap(({ datasetId, rows: changed }) => changed.flatMap((row) => (row.cells === null ? [] : [{
      datasetId, sheetId: row.sheetId, rowId: row.rowId, cells: JSON.stringify(row.cells), userId: row.userId, at: row.at,
    }])));
    if (upserts.length > 0) {
      await tx.execute(sql`
        INSERT INTO rows (dataset_id, sheet_id, row_id, cells, created_by, created_at, updated_by, updated_at)
        SELECT r.dataset_id, r.sheet_id, r.row_id, r.cells, r.user_id, r.at, r.user_id, r.at
        FROM unnest(${array(upserts.map((r) => r.datasetId))}::text[], ${array(upserts.map((r) => r.sheetId))}::text[],
          ${array(upserts.map((r) => r.rowId))}::text[], ${array(upserts.map((r) => r.cells))}::text[],
          ${array(upserts.map((r) => r.userId))}::text[], ${array(upserts.map((r) => r.at))}::bigint[])
          AS r(dataset_id, sheet_id, row_id, cells, user_id, at)
        ON CONFLICT (dataset_id, sheet_id, row_id)
        DO UPDATE SET cells = excluded.cells, updated_by = excluded.updated_by, updated_at = excluded.updated_at`);
    }
    if (history.length > 0) {
      // In order (WITH ORDINALITY): the history is read back by id.
      await tx.execute(sql`
        INSERT INTO cell_changes (dataset_id, sheet_id, row_id, column_id, old, new, user_id, at, note)
        SELECT c.dataset_id, c.sheet_id, c.row_id, c.column_id, c.old, c.new, c.user_id, c.at, c.note
        FROM unnest(${array(history.map((c) => c.datasetId))}::text[], ${array(history.map((c) => c.sheetId))}::text[],
          ${array(history.map((c) => c.rowId))}::text[], ${array(history.map((c) => c.columnId))}::text[],
          ${array(history.map((c) => toJson(c.old)))}::text[], ${array(history.map((c) => toJson(c.new)))}::text[],
          ${array(history.map((c) => c.userId))}::text[], ${array(history.map((c) => c.at))}::bigint[],
          ${array(history.map((c) => c.note ?? null))}::text[])
          WITH ORDINALITY AS c(dataset_id, sheet_id, row_id, column_id, old, new, user_id, at, note, n)
        ORDER BY c.n`);
    }
    const reviewed = commits.flatMap(({ datasetId, reviews: states }) => states.map((state) => ({ datasetId, ...state })));
    if (reviewed.length > 0) {
      for (let i = 0; i < reviewed.length; i += INSERT_BATCH) {
        await tx.insert(reviews).values(reviewed.slice(i, i + INSERT_BATCH).map(({ datasetId, rowId, status, openFlags }) => ({ datasetId, rowId, status, openFlags })))
          .onConflictDoUpdate({
            target: [reviews.datasetId, reviews.rowId],
            set: { status: sql.raw('excluded.status'), openFlags: sql.raw('excluded.open_flags') },
          });
      }
      // Every row's flags are gone before any are written: a flag moved between rows is one row.
      await tx.execute(sql`
        DELETE FROM flags f
        USING unnest(${array(reviewed.map((r) => r.datasetId))}::text[], ${array(reviewed.map((r) => r.rowId))}::text[]) AS r(dataset_id, row_id)
        WHERE f.dataset_id = r.dataset_id AND f.row_id = r.row_id`);
      const rowFlags = reviewed.flatMap(({ datasetId, rowId, flags: those }) => those.map((f) => ({
        datasetId, flagId: f.id, rowId, sheetId: f.sheet, columnId: f.column, reason: f.reason, note: f.note ?? '',
        by: f.by, at: f.at, status: f.status, resolvedBy: f.resolvedBy ?? null, resolvedAt: f.resolvedAt ?? null,
        resolution: f.resolution ?? null, comments: JSON.stringify(f.comments),
      })));
      for (let i = 0; i < rowFlags.length; i += INSERT_BATCH) await tx.insert(flags).values(rowFlags.slice(i, i + INSERT_BATCH));
    }
    const found = commits.flatMap(({ datasetId, conflicts: those }) => those.map((c) => ({ datasetId, ...c })));
    for (let i = 0; i < found.length; i += INSERT_BATCH) {
      const replaced = ['sheet_id', 'row_id', 'column_id', 'kept', 'kept_by', 'lost', 'lost_by', 'at', 'status', 'resolved_by', 'resolved_at'];
      await tx.insert(conflicts).values(found.slice(i, i + INSERT_BATCH).map((c) => ({
        datasetId: c.datasetId, conflictId: c.id, sheetId: c.sheet, rowId: c.row, columnId: c.column, kept: JSON.stringify(c.kept), keptBy: c.keptBy,
        lost: JSON.stringify(c.lost), lostBy: c.lostBy, at: c.at, status: c.status,
        resolvedBy: c.resolvedBy ?? null, resolvedAt: c.resolvedAt ?? null,
      }))).onConflictDoUpdate({
        target: [conflicts.datasetId, conflicts.conflictId],
        set: Object.fromEntries(replaced.map((column) => [camel(column), sql.raw(`excluded.${column}`)])),
      });
    }
    return commits.map((commit) => (commit.updates.length > 0 ? lastSeqs.get(commit.room ?? commit.datasetId)! : 0));
  }

  async compact(datasetId: string, state: Uint8Array, upToSeq: number, stateVector?: Uint8Array): Promise<void> {
    await this.db.transaction(async (tx) => {
      await lockDataset(tx, datasetId);
      const values = { state: toBuffer(state), stateVector: stateVector ? toBuffer(stateVector) : null, upToSeq, at: Date.now() };
      await tx.insert(snapshots).values({ datasetId, ...values })
        .onConflictDoUpdate({ target: snapshots.datasetId, set: values, setWhere: lt(snapshots.upToSeq, upToSeq) });
      await tx.delete(updates).where(and(eq(updates.datasetId, datasetId), lte(updates.seq, upToSeq)));
    });
  }
}

/** Whether a commit has nothing to write: no update, history, row, sheet, review or conflict. */
function writesNothing(commit: DocCommit): boolean {
  const { updates: logged, cells, rows: changed, sheets: sheetStates, reviews: states, conflicts: found } = commit;
  return logged.length + cells.length + changed.length + sheetStates.length + states.length + found.length === 0;
}

/**
 * Whether `writeTogether` writes these commits as writing each alone in turn would: none changes sheets
 * (rare, and its rows' read model depends on the order), each logs to the document it locked (or writes
 * nothing), and no row, review or conflict of the read model is written by two of them.
 */
function writableTogether(toWrite: ReadonlyArray<{ commit: DocCommit; locked: string }>): boolean {
  const seen = new Set<string>();
  const once = (key: string) => !seen.has(key) && seen.add(key) !== undefined;
  for (const { commit, locked } of toWrite) {
    const { datasetId } = commit;
    if (commit.sheets.length > 0) return false;
    if (!writesNothing(commit) && (commit.room ?? datasetId) !== locked) return false;
    if (!commit.rows.every((row) => once(`row\0${datasetId}\0${row.sheetId}\0${row.rowId}`))) return false;
    if (!commit.reviews.every((review) => once(`review\0${datasetId}\0${review.rowId}`))) return false;
    if (!commit.conflicts.every((conflict) => once(`conflict\0${datasetId}\0${conflict.id}`))) return false;
  }
  return true;
}

/**
 * Stored documents, in the order asked: each its snapshot and the updates logged after it, all read in one
 * statement, so as of one moment (a statement sees one snapshot of the database).
 */
async function loadAll(db: PgDb, datasetIds: readonly string[]): Promise<StoredDoc[]> {
  const { rows: found } = await db.execute<{ n: string | number; part: number; seq: string | number; bytes: Buffer; state_vector: Buffer | null }>(sql`
    WITH asked AS (SELECT * FROM unnest(${array([...datasetIds])}::text[]) WITH ORDINALITY AS a(dataset_id, n))
    SELECT a.n, 0 AS part, s.up_to_seq AS seq, s.state AS bytes, s.state_vector FROM asked a
      JOIN snapshots s ON s.dataset_id = a.dataset_id
    UNION ALL
    SELECT a.n, 1 AS part, u.seq, u."update" AS bytes, u.state_vector FROM asked a
      JOIN updates u ON u.dataset_id = a.dataset_id
        AND u.seq > coalesce((SELECT s.up_to_seq FROM snapshots s WHERE s.dataset_id = a.dataset_id), 0)
    ORDER BY n, part, seq`);
  const byAsked = datasetIds.map(() => [] as typeof found);
  for (const r of found) byAsked[Number(r.n) - 1]!.push(r);
  return byAsked.map((rows) => {
    const snap = rows[0]?.part === 0 ? rows[0] : undefined;
    const logged = rows.filter((r) => r.part === 1);
    const last = logged.at(-1);
    const stateVector = last ? last.state_vector : (snap?.state_vector ?? null);
    return {
      snapshot: snap ? new Uint8Array(snap.bytes!) : null,
      updates: logged.map((u) => new Uint8Array(u.bytes)),
      lastSeq: last ? Number(last.seq) : snap ? Number(snap.seq) : 0,
      stateVector: stateVector ? new Uint8Array(stateVector) : null,
    };
  });
}

/**
 * What was logged after `afterSeq`, in one statement (a commit makes it under the lock, so every round trip
 * saved is one less while the lock is held): the snapshot, when one folded part of that, then the updates after it.
 */
async function readSince(tx: PgTx, datasetId: string, afterSeq: number): Promise<LoggedSince> {
  return (await readSinceAll(tx, [{ datasetId, afterSeq }]))[0]!;
}

/** `readSince` of several documents, in one statement; in the order asked. */
async function readSinceAll(tx: PgTx, asked: ReadonlyArray<{ datasetId: string; afterSeq: number }>): Promise<LoggedSince[]> {
  const ids = array(asked.map((a) => a.datasetId));
  const after = array(asked.map((a) => a.afterSeq));
  const { rows: found } = await tx.execute<{ n: string | number; part: number; seq: string | number; bytes: Buffer | null }>(sql`
    WITH asked AS (SELECT * FROM unnest(${ids}::text[], ${after}::bigint[]) WITH ORDINALITY AS a(dataset_id, after_seq, n))
    SELECT a.n, -1 AS part, s.base_seq AS seq, NULL::bytea AS bytes FROM asked a
      JOIN snapshots s ON s.dataset_id = a.dataset_id AND s.base_seq > a.after_seq
    UNION ALL
    SELECT a.n, 0 AS part, s.up_to_seq AS seq, s.state AS bytes FROM asked a
      JOIN snapshots s ON s.dataset_id = a.dataset_id AND s.up_to_seq > a.after_seq
    UNION ALL
    SELECT a.n, 1 AS part, u.seq, u."update" AS bytes FROM asked a
      JOIN updates u ON u.dataset_id = a.dataset_id AND u.seq > a.after_seq
    ORDER BY n, part, seq`);
  const byAsked = asked.map(() => [] as typeof found);
  for (const r of found) byAsked[Number(r.n) - 1]!.push(r);
  return byAsked.map((rows, i) => {
    // The room's log started over after what the reader has (`replacedAfter`): nothing of it is merged.
    if (rows[0]?.part === -1) return { snapshot: null, updates: [], lastSeq: asked[i]!.afterSeq, replaced: true };
    const snap = rows[0]?.part === 0 ? rows[0] : undefined;
    const from = snap ? Number(snap.seq) : asked[i]!.afterSeq;
    // Compaction deletes what its snapshot folds, under the same lock: nothing at or before it is left, but a
    // read never trusts that.
    const logged = rows.filter((r) => r.part === 1 && Number(r.seq) > from);
    return {
      snapshot: snap ? new Uint8Array(snap.bytes!) : null,
      updates: logged.map((u) => ({ seq: Number(u.seq), update: new Uint8Array(u.bytes!) })),
      lastSeq: logged.length > 0 ? Number(logged.at(-1)!.seq) : from,
    };
  });
}
