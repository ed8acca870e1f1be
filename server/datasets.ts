/** Creating datasets, and reading them from the read model (no document needs to be loaded). */
import { and, asc, count, eq } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Column } from '../model/columns';
import { seedDemo } from '../model/demo';
import { initDocument } from '../model/document';
import { DEFAULT_FLAG_REASONS, TEMPLATES, type TemplateId } from '../model/templates';
import type { Db } from '../db/client';
import { datasets, rows, sheets } from '../db/schema';
import { conflict, notFound } from './errors';
import { Changes, observeDocument } from './sync/changes';
import type { DocStore } from './sync/store';

export interface DatasetSettings {
  flagReasons: string[];
  /** Nobody approves a row they were the last to change. */
  fourEyes: boolean;
}

export const DEFAULT_SETTINGS: DatasetSettings = { flagReasons: DEFAULT_FLAG_REASONS, fourEyes: true };

export interface NewDataset {
  id: string;
  name: string;
  template: TemplateId | 'demo';
  createdBy: string | null;
}

/**
 * Creates a dataset with its first document state. The document is built here, and its update,
 * history and read model are stored in the same transaction as the dataset row.
 */
export function createDataset(db: Db, store: DocStore, input: NewDataset): { id: string; name: string } {
  const doc = new Y.Doc();
  const changes = new Changes();
  const stop = observeDocument(doc, () => ({ changes, origin: { userId: input.createdBy } }));
  if (input.template === 'demo') seedDemo(doc);
  else initDocument(doc, input.name, TEMPLATES[input.template]);
  stop();
  db.transaction((tx) => {
    if (tx.select({ id: datasets.id }).from(datasets).where(eq(datasets.id, input.id)).get()) {
      throw conflict(`A dataset with the id "${input.id}" exists already`);
    }
    tx.insert(datasets).values({
      // The demo is an events-statements dataset with rows in it.
      id: input.id, name: input.name, template: input.template === 'demo' ? 'events-statements' : input.template, settings: JSON.stringify(DEFAULT_SETTINGS),
      createdBy: input.createdBy, createdAt: Date.now(),
    }).run();
    store.append(changes.toCommit(input.id, doc));
  });
  doc.destroy();
  return { id: input.id, name: input.name };
}

export function listDatasets(db: Db) {
  return db.select({ id: datasets.id, name: datasets.name, template: datasets.template, createdAt: datasets.createdAt })
    .from(datasets).orderBy(asc(datasets.createdAt)).all()
    .map((d) => ({ ...d, createdAt: new Date(d.createdAt).toISOString() }));
}

export function datasetExists(db: Db, id: string): boolean {
  return db.select({ id: datasets.id }).from(datasets).where(eq(datasets.id, id)).get() !== undefined;
}

export function getDataset(db: Db, id: string) {
  const dataset = db.select().from(datasets).where(eq(datasets.id, id)).get();
  if (!dataset) throw notFound(`No dataset "${id}"`);
  const counts = new Map(
    db.select({ sheetId: rows.sheetId, n: count() }).from(rows).where(eq(rows.datasetId, id)).groupBy(rows.sheetId).all()
      .map((r) => [r.sheetId, r.n]),
  );
  return {
    id: dataset.id,
    name: dataset.name,
    template: dataset.template,
    createdAt: new Date(dataset.createdAt).toISOString(),
    settings: { ...DEFAULT_SETTINGS, ...(JSON.parse(dataset.settings) as Partial<DatasetSettings>) },
    sheets: sheetsOf(db, id).map((s) => ({ ...s, rowCount: counts.get(s.id) ?? 0 })),
  };
}

/** A dataset's sheets in tab order, from the read model. */
export function sheetsOf(db: Db, datasetId: string): Array<{ id: string; name: string; columns: Column[] }> {
  return db.select().from(sheets).where(eq(sheets.datasetId, datasetId)).orderBy(asc(sheets.position)).all()
    .map((s) => ({ id: s.sheetId, name: s.name, columns: JSON.parse(s.columns) as Column[] }));
}

export function datasetSettings(db: Db, id: string): DatasetSettings {
  return getDataset(db, id).settings;
}

export function updateSettings(db: Db, id: string, patch: Partial<DatasetSettings>): DatasetSettings {
  const settings = { ...datasetSettings(db, id), ...patch };
  db.update(datasets).set({ settings: JSON.stringify(settings) }).where(eq(datasets.id, id)).run();
  return settings;
}

/** Who last changed a row, from the read model; undefined if the row does not exist. */
export function rowInfo(db: Db, datasetId: string, rowId: string): { sheetId: string; updatedBy: string | null } | undefined {
  return db.select({ sheetId: rows.sheetId, updatedBy: rows.updatedBy }).from(rows)
    .where(and(eq(rows.datasetId, datasetId), eq(rows.rowId, rowId))).get();
}
