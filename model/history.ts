/** One cell change as the history API reports it; its schema is in the HTTP contract. */
export type { HistoryEntry } from './http';
