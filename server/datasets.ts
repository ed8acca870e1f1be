/**
 * Creating and shaping datasets: the first document state is built here and stored with the dataset's
 * record; deleting, and adding, renaming, moving and deleting sheets (renaming, archiving and access are
 * `server/admin/datasets.ts`). Creating and deleting a dataset are written to the audit log, with who did it.
 */
import * as Y from 'yjs';
import { CloseCode } from '../model/codes';
import type { Column } from '../model/columns';
import { seedDemo } from '../model/demo';
import {
  createSheet, getSheet, getSheets, initDocument, orderedSheetIds, setCell, SHEET_KEYS, SHEET_POSITION_KEY, sheetName,
  sheetPosition, sheetRows,
} from '../model/document';
import { SEED_ARTICLE } from '../model/seed-article';
import { TEMPLATES, type TemplateId } from '../model/templates';
import { badRequest, conflict, notFound } from './errors';
import { demoAnchors } from './sources/demo-source';
import { sourceRecord } from './sources/sources';
import { type DatasetCatalog, type DatasetLayout, DEFAULT_SETTINGS, type NewSourceRecord, type Storage } from './storage';
import { Changes, observeDocument } from './sync/changes';
import type { DocRegistry } from './sync/registry';

export interface NewDataset {
  id: string;
  name: string;
  template: TemplateId | 'demo';
  createdBy: string | null;
  /** `document` unless given; the demo is made in the document layout. */
  layout?: DatasetLayout;
}


/**
 * Creates a dataset; `409` if the id is taken. `audited`: the creation is in the audit log, by `createdBy`,
 * written in the creation's own transaction.
 */
export async function createDataset(
  catalog: DatasetCatalog, input: NewDataset, audited = false,
): Promise<{ id: string; name: string }> {
  if (input.template === 'demo' && input.layout === 'rows') throw badRequest('The demo is made with its rows in its document');
  const doc = new Y.Doc();
  const changes = new Changes();
  const stop = observeDocument(doc, () => ({ changes, origin: { userId: input.createdBy } }));
  const sources: NewSourceRecord[] = [];
  if (input.template === 'demo') {
    seedDemo(doc);
    // The demo holds the seed article as a source, and its rows anchor into it.
    const article = sourceRecord(SEED_ARTICLE, input.createdBy);
    sources.push(article);
    doc.transact(() => {
      for (const { sheet, row, anchors } of demoAnchors(doc, article.id, article.text)) setCell(getSheet(doc, sheet)!, row, 'evidence', anchors);
    });
  } else {
    initDocument(doc, input.name, TEMPLATES[input.template]);
  }
  stop();
  const created = await catalog.create({
    id: input.id,
    name: input.name,
    // The demo is an events-statements dataset with rows in it.
    template: input.template === 'demo' ? 'events-statements' : input.template,
    settings: DEFAULT_SETTINGS,
    createdBy: input.createdBy,
    layout: input.layout ?? 'document',
  }, changes.toCommit(input.id, doc), sources, audited ? [{ actorId: input.createdBy, action: 'dataset.create', target: input.id, detail: { name: input.name, template: input.template } }] : []);
  doc.destroy();
  if (!created) throw conflict(`A dataset with the id "${input.id}" exists already`);
  return { id: input.id, name: input.name };
}

// ---- shaping a dataset: its name, archive, deletion, and its sheets ----

/** History entries of a sheet being added, renamed or deleted: no row, this column, the sheet's names as values. */
export const SHEET_HISTORY_COLUMN = 'sheet';

/** What goes with a dataset when it is deleted, counted: rows per sheet, releases, sources, double-coding rounds. */
export interface DatasetContents {
  sheets: Array<{ id: string; name: string; rows: number }>;
  releases: number;
  sources: number;
  rounds: number;
}

export async function datasetContents(storage: Pick<Storage, 'datasets' | 'releases' | 'sources' | 'rounds'>, id: string): Promise<DatasetContents> {
  const [sheets, releases, sources, rounds] = await Promise.all([
    storage.datasets.sheets(id), storage.releases.list(id), storage.sources.list(id), storage.rounds.list(id),
  ]);
  return {
    sheets: sheets.map((s) => ({ id: s.id, name: s.name, rows: s.rowCount })),
    releases: releases.length, sources: sources.length, rounds: rounds.length,
  };
}

/**
 * Deletes a dataset and everything stored for it. Its documents are unloaded first, without storing
 * what they still held, and their sockets closed with 4404, so nothing is written for it afterwards.
 * The audit entry, written in the deletion's transaction, keeps its name and what went with it, since
 * nothing else of it is left to tell.
 */
export async function deleteDataset(storage: Storage, registry: DocRegistry, id: string, actor: { userId: string }): Promise<void> {
  const dataset = await storage.datasets.get(id);
  if (!dataset) throw notFound(`No dataset "${id}"`);
  const contents = await datasetContents(storage, id);
  await registry.drop(id, CloseCode.NotFound, 'Dataset deleted');
  if (!await storage.datasets.delete(id, [{ actorId: actor.userId, action: 'dataset.delete', target: id, detail: { name: dataset.name, ...contents } }])) {
    throw notFound(`No dataset "${id}"`);
  }
}

export interface NewSheet {
  id?: string;
  name: string;
  columns?: Column[];
}

/** Adds a sheet as the last tab; `409` if the id is taken. */
export function addSheet(registry: DocRegistry, datasetId: string, input: NewSheet, userId: string): Promise<{ id: string; name: string; columns: Column[] }> {
  const columns = input.columns ?? [];
  return registry.with(datasetId, (shared) => shared.transact({ userId }, (doc, record) => {
    const sheets = getSheets(doc);
    const id = input.id ?? sheetIdFromName(input.name, new Set(sheets.keys()));
    if (sheets.has(id)) throw conflict(`A sheet with the id "${id}" exists already`);
    createSheet(doc, { id, name: input.name, columns });
    setPositions(doc, [...orderedSheetIds(doc).filter((s) => s !== id), id]);
    record({ sheetId: id, rowId: '', columnId: SHEET_HISTORY_COLUMN, old: undefined, new: input.name });
    return { id, name: input.name, columns };
  }));
}

/** Renames a sheet and/or moves it to `position` (0 is the first tab). */
export async function changeSheet(registry: DocRegistry, datasetId: string, sheetId: string, patch: { name?: string; position?: number }, userId: string): Promise<void> {
  await registry.with(datasetId, (shared) => shared.transact({ userId }, (doc, record) => {
    const sheet = getSheet(doc, sheetId);
    if (!sheet) throw notFound(`No sheet "${sheetId}"`);
    const old = sheetName(sheet);
    if (patch.name !== undefined && patch.name !== old) {
      sheet.set(SHEET_KEYS.name, patch.name);
      record({ sheetId, rowId: '', columnId: SHEET_HISTORY_COLUMN, old, new: patch.name });
    }
    if (patch.position !== undefined) {
      const others = orderedSheetIds(doc).filter((s) => s !== sheetId);
      others.splice(Math.min(patch.position, others.length), 0, sheetId);
      setPositions(doc, others);
    }
  }));
}

/**
 * Deletes a sheet. Its rows are deleted first, each in the history as a row delete is (every cell
 * changed to nothing, by whom and when), then the sheet itself, recorded as a history entry with no
 * row; both are stored in one transaction.
 */
export function deleteSheet(registry: DocRegistry, datasetId: string, sheetId: string, userId: string): Promise<{ id: string; name: string; rowCount: number }> {
  return registry.with(datasetId, async (shared) => {
    const found = shared.read((doc) => {
      const sheet = getSheet(doc, sheetId);
      return sheet && { name: sheetName(sheet), rowCount: sheetRows(sheet).size };
    });
    if (!found) throw notFound(`No sheet "${sheetId}"`);
    // In the `rows` layout: its open row documents first, so that none stores a row after the sheet's rows are gone.
    await registry.dropSheet(datasetId, sheetId);
    // Rows deleted inside a sheet that is deleted in the same transaction raise no events: two steps.
    await shared.transact({ userId }, (doc) => {
      const rows = sheetRows(getSheet(doc, sheetId)!);
      for (const rowId of [...rows.keys()]) rows.delete(rowId);
    });
    await shared.transact({ userId }, (doc, record) => {
      getSheets(doc).delete(sheetId);
      record({ sheetId, rowId: '', columnId: SHEET_HISTORY_COLUMN, old: found.name, new: undefined });
    });
    // And any opened meanwhile (its room's check may have run before the sheet was gone).
    await registry.dropSheet(datasetId, sheetId);
    return { id: sheetId, ...found };
  });
}

/** Writes positions 0, 1, 2… in the given order, touching only those that change. */
function setPositions(doc: Y.Doc, order: readonly string[]): void {
  order.forEach((id, position) => {
    const sheet = getSheet(doc, id);
    if (sheet && sheetPosition(sheet) !== position) sheet.set(SHEET_POSITION_KEY, position);
  });
}

/** A sheet id made from a name: `Actors 2024` → `actors_2024`, unique in the dataset. */
function sheetIdFromName(name: string, taken: ReadonlySet<string>): string {
  let base = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 50);
  if (!/^[a-z]/.test(base)) base = `sheet_${base}`.replace(/_+$/, '');
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
  return id;
}
