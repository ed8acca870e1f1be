/** The SQLite catalog of datasets (`db/shared/datasets.ts`). */
import type { Db } from './client';
import { SharedDatasetCatalog } from './shared/datasets';
import { sqliteQueryStore } from './shared/steps';
import type { SqliteDocStore, Tx } from './store';

export class SqliteDatasetCatalog extends SharedDatasetCatalog {
  constructor(db: Db, docs: SqliteDocStore) {
    super(sqliteQueryStore(db), {
      write: (tx, commit) => docs.write(tx as unknown as Tx, commit),
      lock: () => undefined,
      dropIndexes: (datasetId, sheetId) => docs.indexes.dropped(datasetId, sheetId),
      dropIndexesWhen: 'before rows',
    });
  }
}
