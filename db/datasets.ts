/** The SQLite catalog of datasets. */
import { and, asc, count, eq, like, or } from 'drizzle-orm';
import type { Column } from '../model/columns';
import type { DocCommit } from '../server/sync/store';
import type { Role } from '../model/roles';
import {
  type DatasetAccess, type DatasetCatalog, type DatasetRecord, type DatasetSettings, type Member,
  type NewDatasetRecord, type NewSourceRecord, type SheetSummary,
} from '../server/storage';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from './client';
import {
  cellChanges, conflicts, datasetMembers, datasets, flags, releases, reviews, roundAdjudications, roundCoders, rounds, rows, sheets, snapshots,
  sources, updates, users,
} from './schema';
import { toDatasetRecord } from './read-rows';
import { insertSource } from './sources';
import type { SqliteDocStore } from './store';


export class SqliteDatasetCatalog implements DatasetCatalog {
  constructor(private readonly db: Db, private readonly docs: SqliteDocStore) {}

  async list(): Promise<DatasetRecord[]> {
    return this.db.select().from(datasets).orderBy(asc(datasets.createdAt)).all().map(toDatasetRecord);
  }

  async get(id: string): Promise<DatasetRecord | undefined> {
    const row = this.db.select().from(datasets).where(eq(datasets.id, id)).get();
    return row && toDatasetRecord(row);
  }

  async sheets(id: string): Promise<SheetSummary[]> {
    const counts = new Map(
      this.db.select({ sheetId: rows.sheetId, n: count() }).from(rows).where(eq(rows.datasetId, id)).groupBy(rows.sheetId).all()
        .map((r) => [r.sheetId, r.n]),
    );
    return this.db.select().from(sheets).where(eq(sheets.datasetId, id)).orderBy(asc(sheets.position)).all()
      .map((s) => ({ id: s.sheetId, name: s.name, columns: JSON.parse(s.columns) as Column[], rowCount: counts.get(s.sheetId) ?? 0 }));
  }

  async sheetColumns(id: string, sheetId: string): Promise<Column[] | undefined> {
    const sheet = this.db.select({ columns: sheets.columns }).from(sheets).where(and(eq(sheets.datasetId, id), eq(sheets.sheetId, sheetId))).get();
    return sheet && (JSON.parse(sheet.columns) as Column[]);
  }

  async create(record: NewDatasetRecord, first: DocCommit, sources: readonly NewSourceRecord[] = []): Promise<boolean> {
    return this.db.transaction((tx) => {
      if (tx.select({ id: datasets.id }).from(datasets).where(eq(datasets.id, record.id)).get()) return false;
      tx.insert(datasets).values({
        id: record.id, name: record.name, template: record.template, settings: JSON.stringify(record.settings),
        createdBy: record.createdBy, createdAt: Date.now(), layout: record.layout ?? 'document',
      }).run();
      for (const source of sources) insertSource(tx, record.id, source);
      this.docs.write(tx, first);
      return true;
    });
  }

  async updateSettings(id: string, settings: DatasetSettings): Promise<void> {
    this.db.update(datasets).set({ settings: JSON.stringify(settings) }).where(eq(datasets.id, id)).run();
  }

  async setAccess(id: string, access: DatasetAccess): Promise<void> {
    this.db.update(datasets).set({ access }).where(eq(datasets.id, id)).run();
  }

  async memberRole(datasetId: string, userId: string): Promise<Role | undefined> {
    return this.db.select({ role: datasetMembers.role }).from(datasetMembers)
      .where(and(eq(datasetMembers.datasetId, datasetId), eq(datasetMembers.userId, userId))).get()?.role;
  }

  async members(datasetId: string): Promise<Member[]> {
    return this.db.select({ userId: datasetMembers.userId, name: users.name, role: datasetMembers.role, addedAt: datasetMembers.addedAt })
      .from(datasetMembers).innerJoin(users, eq(users.id, datasetMembers.userId))
      .where(eq(datasetMembers.datasetId, datasetId)).orderBy(asc(users.name)).all()
      .map((m) => ({ ...m, addedAt: new Date(m.addedAt).toISOString() }));
  }

  async setMember(datasetId: string, userId: string, role: Role, addedBy: string | null): Promise<void> {
    this.db.insert(datasetMembers).values({ datasetId, userId, role, addedBy, addedAt: Date.now() })
      .onConflictDoUpdate({ target: [datasetMembers.datasetId, datasetMembers.userId], set: { role } }).run();
  }

  async removeMember(datasetId: string, userId: string): Promise<boolean> {
    return this.db.delete(datasetMembers)
      .where(and(eq(datasetMembers.datasetId, datasetId), eq(datasetMembers.userId, userId))).run().changes > 0;
  }

  async rename(id: string, name: string): Promise<void> {
    this.db.update(datasets).set({ name }).where(eq(datasets.id, id)).run();
  }

  async setArchived(id: string, at: number | null): Promise<void> {
    this.db.update(datasets).set({ archivedAt: at }).where(eq(datasets.id, id)).run();
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction((tx) => {
      if (!tx.select({ id: datasets.id }).from(datasets).where(eq(datasets.id, id)).get()) return false;
      // The dataset's own document is stored under its id, the documents it owns under `id/…`.
      const rooms = (t: { datasetId: SQLiteColumn }) => or(eq(t.datasetId, id), like(t.datasetId, `${id}/%`));
      tx.delete(updates).where(rooms(updates)).run();
      tx.delete(snapshots).where(rooms(snapshots)).run();
      // The read model of the documents it owns (coders' copies of rounds) goes too; first the indexes of its
      // large sheets, which would otherwise be updated row by row.
      for (const s of tx.select({ datasetId: sheets.datasetId, sheetId: sheets.sheetId }).from(sheets).where(rooms(sheets)).all()) this.docs.indexes.dropped(s.datasetId, s.sheetId);
      for (const table of [cellChanges, rows, sheets, reviews, flags, conflicts]) tx.delete(table).where(rooms(table)).run();
      for (const table of [datasetMembers, sources, roundAdjudications, roundCoders, rounds, releases]) tx.delete(table).where(eq(table.datasetId, id)).run();
      tx.delete(datasets).where(eq(datasets.id, id)).run();
      return true;
    });
  }
}
