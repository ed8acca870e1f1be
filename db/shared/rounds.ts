/** The store of double-coding rounds, on either database: the round, its coders, and the adjudication decisions. */
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { AdjudicationRecord, RoundRecord, RoundStore } from '../../server/storage';
import type { DocCommit } from '../../server/sync/store';
import { toAdjudicationRecord, toRoundRecord } from '../read-rows';
import { call, exec, first, type QueryDb, type QueryStore, rows, transaction } from './steps';

export class SharedRoundStore implements RoundStore {
  /** `writeDoc` writes a document commit inside the caller's transaction (the store's `write`). */
  constructor(private readonly store: QueryStore, private readonly writeDoc: (tx: QueryDb, commit: DocCommit) => unknown) {}

  create(round: RoundRecord, copies: readonly DocCommit[]): Promise<void> {
    const { writeDoc, store: { t: { rounds, roundCoders } } } = this;
    return this.store.run(transaction(function* (tx) {
      yield* exec(tx.insert(rounds).values({
        datasetId: round.datasetId, roundId: round.id, name: round.name, sheetId: round.sheetId,
        rows: JSON.stringify(round.rows), columns: JSON.stringify(round.columns), levels: JSON.stringify(round.levels),
        samplePercent: round.sample?.percent ?? null, sampleSeed: round.sample?.seed ?? null,
        createdBy: round.createdBy, createdAt: round.createdAt,
      }));
      yield* exec(tx.insert(roundCoders).values(round.coders.map((c, position) => ({
        datasetId: round.datasetId, roundId: round.id, userId: c.userId, position, submittedAt: c.submittedAt,
      }))));
      for (const copy of copies) yield* call(() => writeDoc(tx, copy));
    }));
  }

  list(datasetId: string): Promise<RoundRecord[]> {
    const { db, t: { rounds, roundCoders } } = this.store;
    return this.store.run(function* () {
      const found = yield* rows(db.select().from(rounds).where(eq(rounds.datasetId, datasetId))
        .orderBy(desc(rounds.createdAt), desc(rounds.roundId)));
      // Every round's coders in one query, in the order each round listed them.
      const coders = yield* rows(db.select({ roundId: roundCoders.roundId, userId: roundCoders.userId, submittedAt: roundCoders.submittedAt })
        .from(roundCoders).where(eq(roundCoders.datasetId, datasetId)).orderBy(asc(roundCoders.position)));
      return found.map((r) => toRoundRecord(r, coders.filter((c) => c.roundId === r.roundId)
        .map(({ userId, submittedAt }) => ({ userId, submittedAt }))));
    }());
  }

  get(datasetId: string, roundId: string): Promise<RoundRecord | undefined> {
    const { db, t: { rounds, roundCoders } } = this.store;
    return this.store.run(function* () {
      const found = yield* first(db.select().from(rounds).where(and(eq(rounds.datasetId, datasetId), eq(rounds.roundId, roundId))));
      if (!found) return undefined;
      const coders = yield* rows(db.select({ userId: roundCoders.userId, submittedAt: roundCoders.submittedAt }).from(roundCoders)
        .where(and(eq(roundCoders.datasetId, datasetId), eq(roundCoders.roundId, roundId))).orderBy(asc(roundCoders.position)));
      return toRoundRecord(found, coders);
    }());
  }

  async submit(datasetId: string, roundId: string, userId: string, at: number): Promise<boolean> {
    const { db, t: { roundCoders } } = this.store;
    const submitted = await this.store.run(rows(db.update(roundCoders).set({ submittedAt: at })
      .where(and(eq(roundCoders.datasetId, datasetId), eq(roundCoders.roundId, roundId), eq(roundCoders.userId, userId), isNull(roundCoders.submittedAt)))
      .returning({ userId: roundCoders.userId })));
    return submitted.length === 1;
  }

  async sheetRows(datasetId: string, sheetId: string): Promise<string[]> {
    const { db, t: { rows: stored } } = this.store;
    const found = await this.store.run(rows(db.select({ rowId: stored.rowId }).from(stored)
      .where(and(eq(stored.datasetId, datasetId), eq(stored.sheetId, sheetId))).orderBy(asc(stored.rowId))));
    return found.map((r) => r.rowId);
  }

  saveAdjudication(datasetId: string, a: AdjudicationRecord): Promise<void> {
    const { db, t: { roundAdjudications } } = this.store;
    const values = { value: JSON.stringify(a.value), coderValues: JSON.stringify(a.coderValues), userId: a.userId, at: a.at };
    return this.store.run(exec(db.insert(roundAdjudications).values({ datasetId, roundId: a.roundId, rowId: a.rowId, columnId: a.columnId, ...values })
      .onConflictDoUpdate({
        target: [roundAdjudications.datasetId, roundAdjudications.roundId, roundAdjudications.rowId, roundAdjudications.columnId],
        set: values,
      })));
  }

  async adjudications(datasetId: string, roundId: string): Promise<AdjudicationRecord[]> {
    const { db, t: { roundAdjudications } } = this.store;
    return (await this.store.run(rows(db.select().from(roundAdjudications)
      .where(and(eq(roundAdjudications.datasetId, datasetId), eq(roundAdjudications.roundId, roundId))))))
      .map(toAdjudicationRecord);
  }
}
