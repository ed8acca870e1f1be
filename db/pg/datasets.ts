/** The PostgreSQL catalog of datasets. */
import { and, asc, count, eq, like, or } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Column } from '../../model/columns';
import type { Role } from '../../model/roles';
import {
  type DatasetAccess, type DatasetCatalog, type DatasetRecord, type DatasetSettings, type Member,
  type NewDatasetRecord, type NewSourceRecord, type SheetSummary,
} from '../../server/storage';
import type { DocCommit } from '../../server/sync/store';
import type { PgDb } from './client';
import {
  cellChanges, conflicts, datasetMembers, datasets, flags, releases, reviews, roundAdjudications, roundCoders, rounds, rows, sheets, snapshots,
  sources, updates, users,
} from './schema';
import { toDatasetRecord } from '../read-rows';
import { insertSource } from './sources';
import { lockDataset, type PgDocStore } from './store';

export class PgDatasetCatalog implements DatasetCatalog {
  constructor(private readonly db: PgDb, private readonly docs: PgDocStore) {}

  async list(): Promise<DatasetRecord[]> {
    return (await this.db.select().from(datasets).orderBy(asc(datasets.createdAt))).map(toDatasetRecord);
  }

  async get(id: string): Promise<DatasetRecord | undefined> {
    const [row] = await this.db.select().from(datasets).where(eq(datasets.id, id));
    return row && toDatasetRecord(row);
  }

  async sheets(id: string): Promise<SheetSummary[]> {
    // Both read as of one moment.
    return this.db.transaction(async (tx) => {
      const counts = new Map(
        (await tx.select({ sheetId: rows.sheetId, n: count() }).from(rows).where(eq(rows.datasetId, id)).groupBy(rows.sheetId))
          .map((r) => [r.sheetId, r.n]),
      );
      return (await tx.select().from(sheets).where(eq(sheets.datasetId, id)).orderBy(asc(sheets.position)))
        .map((s) => ({ id: s.sheetId, name: s.name, columns: JSON.parse(s.columns) as Column[], rowCount: counts.get(s.sheetId) ?? 0 }));
    }, { isolationLevel: 'repeatable read', accessMode: 'read only' });
  }

  async sheetColumns(id: string, sheetId: string): Promise<Column[] | undefined> {
    const [sheet] = await this.db.select({ columns: sheets.columns }).from(sheets).where(and(eq(sheets.datasetId, id), eq(sheets.sheetId, sheetId)));
    return sheet && (JSON.parse(sheet.columns) as Column[]);
  }

  async create(record: NewDatasetRecord, first: DocCommit, sources: readonly NewSourceRecord[] = []): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // The id taken by a request at the same moment: one stores, the other is told.
      const stored = await tx.insert(datasets).values({
        id: record.id, name: record.name, template: record.template, settings: JSON.stringify(record.settings),
        createdBy: record.createdBy, createdAt: Date.now(), layout: record.layout ?? 'document',
      }).onConflictDoNothing({ target: datasets.id }).returning({ id: datasets.id });
      if (stored.length === 0) return false;
      for (const source of sources) await insertSource(tx, record.id, source);
      await this.docs.write(tx, first);
      return true;
    });
  }

  async updateSettings(id: string, settings: DatasetSettings): Promise<void> {
    await this.db.update(datasets).set({ settings: JSON.stringify(settings) }).where(eq(datasets.id, id));
  }

  async setAccess(id: string, access: DatasetAccess): Promise<void> {
    await this.db.update(datasets).set({ access }).where(eq(datasets.id, id));
  }

  async memberRole(datasetId: string, userId: string): Promise<Role | undefined> {
    const [member] = await this.db.select({ role: datasetMembers.role }).from(datasetMembers)
      .where(and(eq(datasetMembers.datasetId, datasetId), eq(datasetMembers.userId, userId)));
    return member?.role;
  }

  async members(datasetId: string): Promise<Member[]> {
    return (await this.db.select({ userId: datasetMembers.userId, name: users.name, role: datasetMembers.role, addedAt: datasetMembers.addedAt })
      .from(datasetMembers).innerJoin(users, eq(users.id, datasetMembers.userId))
      .where(eq(datasetMembers.datasetId, datasetId)).orderBy(asc(users.name)))
      .map((m) => ({ ...m, addedAt: new Date(m.addedAt).toISOString() }));
  }

  async setMember(datasetId: string, userId: string, role: Role, addedBy: string | null): Promise<void> {
    await this.db.insert(datasetMembers).values({ datasetId, userId, role, addedBy, addedAt: Date.now() })
      .onConflictDoUpdate({ target: [datasetMembers.datasetId, datasetMembers.userId], set: { role } });
  }

  async removeMember(datasetId: string, userId: string): Promise<boolean> {
    const removed = await this.db.delete(datasetMembers)
      .where(and(eq(datasetMembers.datasetId, datasetId), eq(datasetMembers.userId, userId))).returning({ userId: datasetMembers.userId });
    return removed.length > 0;
  }

  async rename(id: string, name: string): Promise<void> {
    await this.db.update(datasets).set({ name }).where(eq(datasets.id, id));
  }

  async setArchived(id: string, at: number | null): Promise<void> {
    await this.db.update(datasets).set({ archivedAt: at }).where(eq(datasets.id, id));
  }

  async delete(id: string): Promise<boolean> {
    let removed: { datasetId: string; sheetId: string }[] = [];
    const deleted = await this.db.transaction(async (tx) => {
      const [found] = await tx.select({ id: datasets.id }).from(datasets).where(eq(datasets.id, id)).for('update');
      if (!found) return false;
      // No commit of its document runs beside the delete (one may still be in flight on another instance).
      await lockDataset(tx, id);
      // The dataset's own document is stored under its id, the documents it owns under `id/…`.
      const rooms = (t: { datasetId: PgColumn }) => or(eq(t.datasetId, id), like(t.datasetId, `${id}/%`));
      await tx.delete(updates).where(rooms(updates));
      await tx.delete(snapshots).where(rooms(snapshots));
      // The read model of the documents it owns (coders' copies of rounds) goes too; the indexes of its large
      // sheets once this commits.
      removed = await tx.select({ datasetId: sheets.datasetId, sheetId: sheets.sheetId }).from(sheets).where(rooms(sheets));
      for (const table of [cellChanges, rows, sheets, reviews, flags, conflicts]) await tx.delete(table).where(rooms(table));
      for (const table of [datasetMembers, sources, roundAdjudications, roundCoders, rounds, releases]) await tx.delete(table).where(eq(table.datasetId, id));
      await tx.delete(datasets).where(eq(datasets.id, id));
      return true;
    });
    for (const s of removed) this.docs.indexes.dropped(s.datasetId, s.sheetId);
    return deleted;
  }
}
