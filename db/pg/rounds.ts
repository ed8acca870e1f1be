/** The PostgreSQL store of double-coding rounds (`db/shared/rounds.ts`). */
import { SharedRoundStore } from '../shared/rounds';
import { pgQueryStore } from '../shared/steps';
import type { PgDb, PgTx } from './client';
import type { PgDocStore } from './store';

export class PgRoundStore extends SharedRoundStore {
  constructor(db: PgDb, docs: PgDocStore) {
    super(pgQueryStore(db), (tx, commit) => docs.write(tx as unknown as PgTx, commit));
  }
}
