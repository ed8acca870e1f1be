import type { Storage } from '../server/storage';
import { backfillFlags } from './backfill';
import type { Db } from './client';
import { SqliteDatasetCatalog } from './datasets';
import { SqliteDuplicateStore } from './duplicates';
import { SqliteReadModel } from './read-model';
import { SqliteRoundStore } from './rounds';
import { SqliteReleaseStore } from './releases';
import { SqliteSourceStore } from './sources';
import { SqliteDocStore } from './store';
import { SqliteUserDirectory } from './users';

/** Everything the server stores, on one SQLite database (data migrations done). */
export function sqliteStorage(db: Db): Storage {
  const docs = new SqliteDocStore(db);
  backfillFlags(db, docs);
  const storage: Storage = {
    // better-sqlite3 reads synchronously and every write happens in a later event-loop turn: a read that
    // awaits only these methods runs in one turn, so it sees one state.
    snapshot: (read) => read(storage),
    ping: async () => { db.$client.prepare('select 1').get(); },
    docs, datasets: new SqliteDatasetCatalog(db, docs), readModel: new SqliteReadModel(db), users: new SqliteUserDirectory(db),
    sources: new SqliteSourceStore(db), rounds: new SqliteRoundStore(db, docs),
    releases: new SqliteReleaseStore(db), duplicates: new SqliteDuplicateStore(db),
  };
  return storage;
}
