import { monotonicFactory } from 'ulid';

/** Row ids: 1–64 chars of [0-9A-Za-z_-], made by the client, time-sortable. */
export const ROW_ID = /^[0-9A-Za-z_-]{1,64}$/;
/** Column ids are immutable: ^[a-z][a-z0-9_]{0,62}$ */
export const COLUMN_ID = /^[a-z][a-z0-9_]{0,62}$/;
/**
 * Dataset ids: the one rule for the API's validation, the new-dataset form and the page addresses.
 * They appear in addresses, socket rooms and export file names.
 */
export const DATASET_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** The dataset id rule in words, for error messages. */
export const DATASET_ID_RULE = 'ids are 1–63 lowercase letters, digits and dashes, starting with a letter or digit';
/** Sheet ids follow the column id rule. */
export const SHEET_ID = COLUMN_ID;

export function isDatasetId(value: string): boolean {
  return DATASET_ID.test(value);
}

const nextUlid = monotonicFactory();

/** A new, time-sortable row id (ULID); ids made in one process are strictly increasing. */
export function newRowId(now: number = Date.now()): string {
  return nextUlid(now);
}
