import type { Storage } from '../server/storage';
import type { Db } from './client';
import { SqliteDatasetCatalog } from './datasets';
import { SqliteReadModel } from './read-model';
import { SqliteDocStore } from './store';

/** Everything the server stores, on one SQLite database. */
export function sqliteStorage(db: Db): Storage {
  const docs = new SqliteDocStore(db);
  return { docs, datasets: new SqliteDatasetCatalog(db, docs), readModel: new SqliteReadModel(db) };
}
