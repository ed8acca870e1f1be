/** The SQLite store of releases (`db/shared/releases.ts`). */
import type { Db } from './client';
import { SharedReleaseStore } from './shared/releases';
import { sqliteQueryStore } from './shared/steps';

export class SqliteReleaseStore extends SharedReleaseStore {
  constructor(db: Db) {
    super(sqliteQueryStore(db));
  }
}
