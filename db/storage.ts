import type { Storage } from '../server/storage';
import { backfillFlags } from './backfill';
import type { Db } from './client';
import { SqliteDatasetCatalog } from './datasets';
import { SqliteReadModel } from './read-model';
import { SqliteRoundStore } from './rounds';
import { SqliteSourceStore } from './sources';
import { SqliteDocStore } from './store';
import { SqliteUserDirectory } from './users';

/** Everything the server stores, on one SQLite database (data migrations done). */
export function sqliteStorage(db: Db): Storage {
  const docs = new SqliteDocStore(db);
  backfillFlags(db, docs);
  return {
    docs, datasets: new SqliteDatasetCatalog(db, docs), readModel: new SqliteReadModel(db), users: new SqliteUserDirectory(db),
    sources: new SqliteSourceStore(db), rounds: new SqliteRoundStore(db, docs),
  };
}
