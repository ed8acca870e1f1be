import { monotonicFactory } from 'ulid';

/** Row ids: 1–64 chars of [0-9A-Za-z_-] (CONTRACT §5). */
export const ROW_ID = /^[0-9A-Za-z_-]{1,64}$/;
/** Column ids are immutable: ^[a-z][a-z0-9_]{0,62}$ */
export const COLUMN_ID = /^[a-z][a-z0-9_]{0,62}$/;
/** Dataset ids (CONTRACT §3). */
export const DATASET_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Sheet ids follow the column id rule. */
export const SHEET_ID = COLUMN_ID;

const nextUlid = monotonicFactory();

/** A new, time-sortable row id (ULID); ids made in one process are strictly increasing. */
export function newRowId(now: number = Date.now()): string {
  return nextUlid(now);
}
