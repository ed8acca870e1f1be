/** The PostgreSQL store of double-coding rounds: the round, its coders, and the adjudication decisions. */
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { AdjudicationRecord, RoundRecord, RoundStore } from '../../server/storage';
import type { DocCommit } from '../../server/sync/store';
import type { PgDb } from './client';
import { roundAdjudications, roundCoders, rounds } from './schema';
import { toAdjudicationRecord, toRoundRecord } from '../read-rows';
import type { PgDocStore } from './store';

type RoundRow = typeof rounds.$inferSelect;

export class PgRoundStore implements RoundStore {
  constructor(private readonly db: PgDb, private readonly docs: PgDocStore) {}

  async create(round: RoundRecord, copies: readonly DocCommit[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(rounds).values({
        datasetId: round.datasetId, roundId: round.id, name: round.name, sheetId: round.sheetId,
        rows: JSON.stringify(round.rows), columns: JSON.stringify(round.columns), levels: JSON.stringify(round.levels),
        samplePercent: round.sample?.percent ?? null, sampleSeed: round.sample?.seed ?? null,
        createdBy: round.createdBy, createdAt: round.createdAt,
      });
      await tx.insert(roundCoders).values(round.coders.map((c, position) => ({
        datasetId: round.datasetId, roundId: round.id, userId: c.userId, position, submittedAt: c.submittedAt,
      })));
      for (const copy of copies) await this.docs.write(tx, copy);
    });
  }

  async list(datasetId: string): Promise<RoundRecord[]> {
    const found = await this.db.select().from(rounds).where(eq(rounds.datasetId, datasetId))
      .orderBy(desc(rounds.createdAt), desc(rounds.roundId));
    return Promise.all(found.map((r) => this.record(r)));
  }

  async get(datasetId: string, roundId: string): Promise<RoundRecord | undefined> {
    const [found] = await this.db.select().from(rounds).where(and(eq(rounds.datasetId, datasetId), eq(rounds.roundId, roundId)));
    return found && this.record(found);
  }

  async submit(datasetId: string, roundId: string, userId: string, at: number): Promise<boolean> {
    const submitted = await this.db.update(roundCoders).set({ submittedAt: at })
      .where(and(eq(roundCoders.datasetId, datasetId), eq(roundCoders.roundId, roundId), eq(roundCoders.userId, userId), isNull(roundCoders.submittedAt)))
      .returning({ userId: roundCoders.userId });
    return submitted.length === 1;
  }

  async saveAdjudication(datasetId: string, a: AdjudicationRecord): Promise<void> {
    const values = { value: JSON.stringify(a.value), coderValues: JSON.stringify(a.coderValues), userId: a.userId, at: a.at };
    await this.db.insert(roundAdjudications).values({ datasetId, roundId: a.roundId, rowId: a.rowId, columnId: a.columnId, ...values })
      .onConflictDoUpdate({
        target: [roundAdjudications.datasetId, roundAdjudications.roundId, roundAdjudications.rowId, roundAdjudications.columnId],
        set: values,
      });
  }

  async adjudications(datasetId: string, roundId: string): Promise<AdjudicationRecord[]> {
    return (await this.db.select().from(roundAdjudications)
      .where(and(eq(roundAdjudications.datasetId, datasetId), eq(roundAdjudications.roundId, roundId))))
      .map(toAdjudicationRecord);
  }

  private async record(r: RoundRow): Promise<RoundRecord> {
    const coders = await this.db.select({ userId: roundCoders.userId, submittedAt: roundCoders.submittedAt }).from(roundCoders)
      .where(and(eq(roundCoders.datasetId, r.datasetId), eq(roundCoders.roundId, r.roundId)))
      .orderBy(asc(roundCoders.position));
    return toRoundRecord(r, coders);
  }
}
