/** The PostgreSQL directory of users, their browser sessions, one-time sign-in links and the audit log (`db/shared/users.ts`). */
import { pgQueryStore } from '../shared/steps';
import { SharedUserDirectory } from '../shared/users';
import type { PgDb } from './client';

export class PgUserDirectory extends SharedUserDirectory {
  constructor(db: PgDb) {
    super(pgQueryStore(db));
  }
}
