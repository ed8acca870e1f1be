/** The catalog of datasets, on either database. */
import { and, type AnyColumn, asc, eq, like, lte, or } from 'drizzle-orm';
import type { Column } from '../../model/columns';
import type { Role } from '../../model/roles';
import type {
  DatasetCatalog, DatasetChange, DatasetRecord, DatasetSettings, LayoutConversion, Member, MemberChange, NewAuditEntry, NewDatasetRecord, NewSourceRecord, SheetSummary,
  UserRecord,
} from '../../server/storage';
import type { DocCommit } from '../../server/sync/store';
import { toDatasetRecord } from '../read-rows';
import { writeAudit } from './audit';
import { insertSource } from './sources';
import { call, exec, first, type QueryDb, type QueryStore, rows, snapshot, transaction } from './steps';

/** What the catalog needs of the store's document store, each database its own way. */
export interface CatalogDocs {
  /** Writes a document commit inside the caller's transaction. */
  write(tx: QueryDb, commit: DocCommit): unknown;
  /** Holds the dataset against commits of its documents until the transaction ends (PostgreSQL; SQLite has one writer). */
  lock(tx: QueryDb, datasetId: string): unknown;
  /** A deleted sheet's column indexes go. */
  dropIndexes(datasetId: string, sheetId: string): void;
  /**
   * When: SQLite drops them inside the delete's transaction, before its rows (which would otherwise update
   * them row by row); PostgreSQL once the delete has committed.
   */
  dropIndexesWhen: 'before rows' | 'after commit';
}

export class SharedDatasetCatalog implements DatasetCatalog {
  constructor(private readonly store: QueryStore, private readonly docs: CatalogDocs) {}

  async list(): Promise<DatasetRecord[]> {
    const { db, t: { datasets } } = this.store;
    return (await this.store.run(rows(db.select().from(datasets).orderBy(asc(datasets.createdAt))))).map(toDatasetRecord);
  }

  async listFor(userId: string): Promise<Array<DatasetRecord & { memberRole: Role | undefined }>> {
    const { db, t: { datasets, datasetMembers } } = this.store;
    // The user's memberships joined in: one query however many datasets there are.
    const listed = await this.store.run(rows(db.select({ dataset: datasets, memberRole: datasetMembers.role }).from(datasets)
      .leftJoin(datasetMembers, and(eq(datasetMembers.datasetId, datasets.id), eq(datasetMembers.userId, userId)))
      .orderBy(asc(datasets.createdAt))));
    return listed.map(({ dataset, memberRole }) => ({ ...toDatasetRecord(dataset), memberRole: memberRole ?? undefined }));
  }

  async get(id: string): Promise<DatasetRecord | undefined> {
    const { db, t: { datasets } } = this.store;
    const row = await this.store.run(first(db.select().from(datasets).where(eq(datasets.id, id))));
    return row && toDatasetRecord(row);
  }

  sheets(id: string): Promise<SheetSummary[]> {
    const { sheets } = this.store.t;
    // Each sheet keeps its row count (triggers on `rows`): read, not counted, so that a million-row sheet
    // costs no more to list than an empty one.
    return this.store.run(snapshot(function* (tx) {
      return (yield* rows(tx.select().from(sheets).where(eq(sheets.datasetId, id)).orderBy(asc(sheets.position))))
        .map((s) => ({ id: s.sheetId, name: s.name, columns: JSON.parse(s.columns) as Column[], rowCount: Number(s.rowCount) }));
    }));
  }

  async sheetColumns(id: string, sheetId: string): Promise<Column[] | undefined> {
    const { db, t: { sheets } } = this.store;
    const sheet = await this.store.run(first(db.select({ columns: sheets.columns }).from(sheets).where(and(eq(sheets.datasetId, id), eq(sheets.sheetId, sheetId)))));
    return sheet && (JSON.parse(sheet.columns) as Column[]);
  }

  create(record: NewDatasetRecord, firstCommit: DocCommit, sources: readonly NewSourceRecord[] = [], audit: readonly NewAuditEntry[] = []): Promise<boolean> {
    const { docs, store: { t } } = this;
    const { datasets } = t;
    return this.store.run(transaction(function* (tx) {
      // The id taken by a request at the same moment: one stores, the other is told.
      const stored = yield* rows(tx.insert(datasets).values({
        id: record.id, name: record.name, template: record.template, settings: JSON.stringify(record.settings),
        createdBy: record.createdBy, createdAt: Date.now(), layout: record.layout ?? 'document',
      }).onConflictDoNothing({ target: datasets.id }).returning({ id: datasets.id }));
      if (stored.length === 0) return false;
      for (const source of sources) yield* insertSource(tx, t, record.id, source);
      yield* call(() => docs.write(tx, firstCommit));
      yield* writeAudit(tx, t, audit);
      return true;
    }));
  }

  updateSettings(id: string, settings: DatasetSettings): Promise<void> {
    const { db, t: { datasets } } = this.store;
    return this.store.run(exec(db.update(datasets).set({ settings: JSON.stringify(settings) }).where(eq(datasets.id, id))));
  }

  async memberRole(datasetId: string, userId: string): Promise<Role | undefined> {
    const { db, t: { datasetMembers } } = this.store;
    return (await this.store.run(first(db.select({ role: datasetMembers.role }).from(datasetMembers)
      .where(and(eq(datasetMembers.datasetId, datasetId), eq(datasetMembers.userId, userId))))))?.role;
  }

  async members(datasetId: string): Promise<Member[]> {
    const { db, t: { datasetMembers, users } } = this.store;
    return (await this.store.run(rows(db.select({ userId: datasetMembers.userId, name: users.name, role: datasetMembers.role, addedAt: datasetMembers.addedAt })
      .from(datasetMembers).innerJoin(users, eq(users.id, datasetMembers.userId))
      .where(eq(datasetMembers.datasetId, datasetId)).orderBy(asc(users.name)))))
      .map((m) => ({ ...m, addedAt: new Date(m.addedAt).toISOString() }));
  }

  changeMember(datasetId: string, userName: string, decide: (user: UserRecord | undefined, role: Role | undefined) => MemberChange): Promise<UserRecord> {
    const { store } = this;
    const { t } = store;
    const { users, datasetMembers } = t;
    return store.run(transaction(function* (tx) {
      const user = yield* first(tx.select({ id: users.id, name: users.name, role: users.role }).from(users).where(eq(users.name, userName)));
      const member = and(eq(datasetMembers.datasetId, datasetId), eq(datasetMembers.userId, user?.id ?? ''));
      const current = user && (yield* first(store.forUpdate(tx.select({ role: datasetMembers.role }).from(datasetMembers).where(member))))?.role;
      const change = decide(user, current);
      if (!user) throw new Error(`changeMember: "${userName}" does not exist, and decide did not refuse`);
      if (change.role === null) {
        if (current !== undefined) yield* exec(tx.delete(datasetMembers).where(member));
      } else if (change.role !== current) {
        yield* exec(tx.insert(datasetMembers).values({ datasetId, userId: user.id, role: change.role, addedBy: change.addedBy, addedAt: Date.now() })
          .onConflictDoUpdate({ target: [datasetMembers.datasetId, datasetMembers.userId], set: { role: change.role } }));
      }
      yield* writeAudit(tx, t, change.audit);
      return user;
    }));
  }

  changeDataset(id: string, decide: (dataset: DatasetRecord | undefined) => DatasetChange): Promise<DatasetRecord> {
    const { store } = this;
    const { t } = store;
    const { datasets } = t;
    return store.run(transaction(function* (tx) {
      const row = yield* first(store.forUpdate(tx.select().from(datasets).where(eq(datasets.id, id))));
      const change = decide(row && toDatasetRecord(row));
      if (!row) throw new Error(`changeDataset: "${id}" does not exist, and decide did not refuse`);
      const set = {
        ...(change.name !== undefined && { name: change.name }),
        ...(change.access !== undefined && { access: change.access }),
        ...(change.archivedAt !== undefined && { archivedAt: change.archivedAt }),
      };
      if (Object.keys(set).length > 0) yield* exec(tx.update(datasets).set(set).where(eq(datasets.id, id)));
      yield* writeAudit(tx, t, change.audit);
      return toDatasetRecord({ ...row, ...set });
    }));
  }

  async delete(id: string, audit: readonly NewAuditEntry[] = []): Promise<boolean> {
    const { docs, store, store: { t } } = this;
    let removed: Array<{ datasetId: string; sheetId: string }> = [];
    const deleted = await store.run(transaction(function* (tx) {
      if (!(yield* first(store.forUpdate(tx.select({ id: t.datasets.id }).from(t.datasets).where(eq(t.datasets.id, id)))))) return false;
      // No commit of its document runs beside the delete (one may still be in flight on another instance).
      yield* call(() => docs.lock(tx, id));
      // The dataset's own document is stored under its id, the documents it owns under `id/…`.
      const rooms = (table: { datasetId: AnyColumn }) => or(eq(table.datasetId, id), like(table.datasetId, `${id}/%`));
      yield* exec(tx.delete(t.updates).where(rooms(t.updates)));
      yield* exec(tx.delete(t.snapshots).where(rooms(t.snapshots)));
      // The read model of the documents it owns (coders' copies of rounds) goes too, and the indexes of its large sheets.
      removed = yield* rows(tx.select({ datasetId: t.sheets.datasetId, sheetId: t.sheets.sheetId }).from(t.sheets).where(rooms(t.sheets)));
      if (docs.dropIndexesWhen === 'before rows') for (const s of removed) docs.dropIndexes(s.datasetId, s.sheetId);
      for (const table of [t.cellChanges, t.rows, t.sheets, t.reviews, t.flags, t.conflicts]) yield* exec(tx.delete(table).where(rooms(table)));
      for (const table of [t.datasetMembers, t.sources, t.roundAdjudications, t.roundCoders, t.rounds, t.releases, t.releaseParts]) {
        yield* exec(tx.delete(table).where(eq(table.datasetId, id)));
      }
      yield* exec(tx.delete(t.datasets).where(eq(t.datasets.id, id)));
      yield* writeAudit(tx, t, audit);
      return true;
    }));
    if (docs.dropIndexesWhen === 'after commit') for (const s of removed) docs.dropIndexes(s.datasetId, s.sheetId);
    return deleted;
  }

  convertToRows(conversion: LayoutConversion): Promise<{ outcome: 'converted'; rows: Record<string, number> } | { outcome: 'not document' }> {
    const { docs, store } = this;
    const { t } = store;
    const { datasetId: id, legacyRoom, at } = conversion;
    return store.run(transaction(function* (tx) {
      const dataset = yield* first(store.forUpdate(tx.select({ name: t.datasets.name, layout: t.datasets.layout }).from(t.datasets).where(eq(t.datasets.id, id))));
      if (dataset?.layout !== 'document') return { outcome: 'not document' as const };
      // Every commit of its document before this one is in the read model; none runs beside it (another instance's
      // waits for the lock, then finds the log started over).
      yield* call(() => docs.lock(tx, id));
      const sheets = yield* rows(tx.select().from(t.sheets).where(eq(t.sheets.datasetId, id)).orderBy(asc(t.sheets.position)));
      const { state, stateVector } = conversion.build(dataset.name, sheets.map((s) => ({ id: s.sheetId, name: s.name, columns: JSON.parse(s.columns) as Column[] })));
      yield* exec(tx.update(t.updates).set({ datasetId: legacyRoom }).where(eq(t.updates.datasetId, id)));
      yield* exec(tx.update(t.snapshots).set({ datasetId: legacyRoom }).where(eq(t.snapshots.datasetId, id)));
      // The new document is logged as the room's first update, then folded into a snapshot the log starts over from.
      const seq = Number(yield* call(() => docs.write(tx, {
        datasetId: id, updates: [{ update: state, userId: conversion.userId, at }], stateVector,
        cells: [], rows: [], sheets: [], reviews: [], conflicts: [],
      })));
      yield* exec(tx.insert(t.snapshots).values({
        datasetId: id, state: Buffer.from(state), stateVector: Buffer.from(stateVector), upToSeq: seq, at, baseSeq: seq,
      }));
      yield* exec(tx.delete(t.updates).where(and(eq(t.updates.datasetId, id), lte(t.updates.seq, seq))));
      yield* exec(tx.update(t.datasets).set({ layout: 'rows', convertedAt: at }).where(eq(t.datasets.id, id)));
      const counts = Object.fromEntries(sheets.map((s) => [s.sheetId, Number(s.rowCount)]));
      yield* writeAudit(tx, t, conversion.audit.map((entry) => ({ ...entry, detail: { ...entry.detail, rows: counts } })));
      return { outcome: 'converted' as const, rows: counts };
    }));
  }
}
