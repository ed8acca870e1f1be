import type { Logger } from './logger';
import type { Review } from './review/review';
import type { Rounds } from './rounds/rounds';
import type { Storage } from './storage';
import type { LivePeers } from './sync/live-peers';
import type { DocRegistry } from './sync/registry';
import type { RowFeed } from './sync/row-feed';

/** What the routes need, built once by `createApp`. */
import type { CounterStores } from './http/shared-counters';

export interface Services {
  storage: Storage;
  registry: DocRegistry;
  review: Review;
  /** Open sockets, told at once when who may do what changes. */
  peers: LivePeers;
  /** Double-coding rounds: which copy a coder's socket opens. */
  rounds: Rounds;
  /** Row deltas to the grids of datasets in the `rows` layout. */
  rowFeed: RowFeed;
  log: Logger;
  /** Rate-limit counters shared by every instance (in Redis, with REDIS_URL); each instance's own otherwise. */
  counters?: CounterStores;
}
