/** The SQLite directory of users, their browser sessions, one-time sign-in links and the audit log (`db/shared/users.ts`). */
import type { Db } from './client';
import { sqliteQueryStore } from './shared/steps';
import { SharedUserDirectory } from './shared/users';

export class SqliteUserDirectory extends SharedUserDirectory {
  constructor(db: Db) {
    super(sqliteQueryStore(db));
  }
}
