import type { Db } from '../db/client';
import type { Logger } from './logger';
import type { DocRegistry } from './sync/registry';
import type { DocStore } from './sync/store';

/** What the routes need, built once by `createApp`. */
export interface Services {
  db: Db;
  store: DocStore;
  registry: DocRegistry;
  log: Logger;
}
