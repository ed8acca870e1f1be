/** Creating datasets: the first document state is built here and stored with the dataset's record. */
import * as Y from 'yjs';
import { seedDemo } from '../model/demo';
import { getSheet, initDocument, setCell } from '../model/document';
import { SEED_ARTICLE } from '../model/seed-article';
import { TEMPLATES, type TemplateId } from '../model/templates';
import { conflict } from './errors';
import { demoAnchors } from './sources/demo-source';
import { sourceRecord } from './sources/sources';
import { type DatasetCatalog, DEFAULT_SETTINGS, type NewSourceRecord } from './storage';
import { Changes, observeDocument } from './sync/changes';

export interface NewDataset {
  id: string;
  name: string;
  template: TemplateId | 'demo';
  createdBy: string | null;
}

/** Creates a dataset; `409` if the id is taken. */
export function createDataset(catalog: DatasetCatalog, input: NewDataset): { id: string; name: string } {
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
  const created = catalog.create({
    id: input.id,
    name: input.name,
    // The demo is an events-statements dataset with rows in it.
    template: input.template === 'demo' ? 'events-statements' : input.template,
    settings: DEFAULT_SETTINGS,
    createdBy: input.createdBy,
  }, changes.toCommit(input.id, doc), sources);
  doc.destroy();
  if (!created) throw conflict(`A dataset with the id "${input.id}" exists already`);
  return { id: input.id, name: input.name };
}
