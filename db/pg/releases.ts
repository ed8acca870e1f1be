/** The PostgreSQL store of releases (`db/shared/releases.ts`). */
import { SharedReleaseStore } from '../shared/releases';
import { pgQueryStore } from '../shared/steps';
import type { PgDb } from './client';

export class PgReleaseStore extends SharedReleaseStore {
  constructor(db: PgDb) {
    super(pgQueryStore(db));
  }
}
