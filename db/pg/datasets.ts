/** The PostgreSQL catalog of datasets (`db/shared/datasets.ts`). */
import { SharedDatasetCatalog } from '../shared/datasets';
import { pgQueryStore } from '../shared/steps';
import type { PgDb, PgTx } from './client';
import { lockDataset, type PgDocStore } from './store';

export class PgDatasetCatalog extends SharedDatasetCatalog {
  constructor(db: PgDb, docs: PgDocStore) {
    super(pgQueryStore(db), {
      write: (tx, commit) => docs.write(tx as unknown as PgTx, commit),
      lock: (tx, datasetId) => lockDataset(tx as unknown as PgTx, datasetId),
      dropIndexes: (datasetId, sheetId) => docs.indexes.dropped(datasetId, sheetId),
      dropIndexesWhen: 'after commit',
    });
  }
}
