/** The SQLite catalog of datasets. */
import { asc, count, eq } from 'drizzle-orm';
import type { Column } from '../model/columns';
import type { DocCommit } from '../server/sync/store';
import {
  type DatasetCatalog, type DatasetRecord, type DatasetSettings, DEFAULT_SETTINGS, type NewDatasetRecord, type NewSourceRecord, type SheetSummary,
} from '../server/storage';
import type { Db } from './client';
import { datasets, rows, sheets } from './schema';
import { insertSource } from './sources';
import type { SqliteDocStore } from './store';


type DatasetRow = typeof datasets.$inferSelect;

const toRecord = (d: DatasetRow): DatasetRecord => ({
  id: d.id,
  name: d.name,
  template: d.template,
  createdAt: new Date(d.createdAt).toISOString(),
  settings: { ...DEFAULT_SETTINGS, ...(JSON.parse(d.settings) as Partial<DatasetSettings>) },
});

export class SqliteDatasetCatalog implements DatasetCatalog {
  constructor(private readonly db: Db, private readonly docs: SqliteDocStore) {}

  list(): DatasetRecord[] {
    return this.db.select().from(datasets).orderBy(asc(datasets.createdAt)).all().map(toRecord);
  }

  get(id: string): DatasetRecord | undefined {
    const row = this.db.select().from(datasets).where(eq(datasets.id, id)).get();
    return row && toRecord(row);
  }

  sheets(id: string): SheetSummary[] {
    const counts = new Map(
      this.db.select({ sheetId: rows.sheetId, n: count() }).from(rows).where(eq(rows.datasetId, id)).groupBy(rows.sheetId).all()
        .map((r) => [r.sheetId, r.n]),
    );
    return this.db.select().from(sheets).where(eq(sheets.datasetId, id)).orderBy(asc(sheets.position)).all()
      .map((s) => ({ id: s.sheetId, name: s.name, columns: JSON.parse(s.columns) as Column[], rowCount: counts.get(s.sheetId) ?? 0 }));
  }

  create(record: NewDatasetRecord, first: DocCommit, sources: readonly NewSourceRecord[] = []): boolean {
    return this.db.transaction((tx) => {
      if (tx.select({ id: datasets.id }).from(datasets).where(eq(datasets.id, record.id)).get()) return false;
      tx.insert(datasets).values({
        id: record.id, name: record.name, template: record.template, settings: JSON.stringify(record.settings),
        createdBy: record.createdBy, createdAt: Date.now(),
      }).run();
      for (const source of sources) insertSource(tx, record.id, source);
      this.docs.write(tx, first);
      return true;
    });
  }

  updateSettings(id: string, settings: DatasetSettings): void {
    this.db.update(datasets).set({ settings: JSON.stringify(settings) }).where(eq(datasets.id, id)).run();
  }
}
