/** The SQLite store of double-coding rounds (`db/shared/rounds.ts`). */
import type { Db } from './client';
import { SharedRoundStore } from './shared/rounds';
import { sqliteQueryStore } from './shared/steps';
import type { SqliteDocStore, Tx } from './store';

export class SqliteRoundStore extends SharedRoundStore {
  constructor(db: Db, docs: SqliteDocStore) {
    super(sqliteQueryStore(db), (tx, commit) => docs.write(tx as unknown as Tx, commit));
  }
}
