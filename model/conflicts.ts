/**
 * The `conflicts` root of a dataset's document (and, in the `rows` layout, of a row's own document, with
 * that row's conflicts): cells two people changed without having seen each other's change. One value was kept (the one Yjs chose); the other is recorded here with both authors
 * until someone resolves it. The server is the only writer; these functions are what it writes with,
 * and what clients read with.
 */
import * as Y from 'yjs';
import type { Anchor, CellValue } from './columns';
import { ROOTS } from './document';

/** A cell's value as a conflict records it: `null` when the cell was empty. */
export type ConflictValue = CellValue | Anchor[];

export const CONFLICT_STATUSES = ['open', 'resolved'] as const;
export type ConflictStatus = (typeof CONFLICT_STATUSES)[number];

export interface ConflictRecord {
  id: string;
  sheet: string;
  row: string;
  column: string;
  /** The value the cell kept. */
  kept: ConflictValue;
  /** Name of whoever wrote the kept value (null if unknown). */
  keptBy: string | null;
  /** The value that was replaced without its author having seen the other one. */
  lost: ConflictValue;
  lostBy: string | null;
  /** ISO 8601 UTC: when the server applied the second of the two changes. */
  at: string;
  status: ConflictStatus;
  resolvedBy?: string;
  resolvedAt?: string;
}

export type YConflict = Y.Map<unknown>;

export const getConflicts = (doc: Y.Doc) => doc.getMap<YConflict>(ROOTS.conflicts);

/** Records an open conflict. */
export function addConflict(doc: Y.Doc, conflict: Omit<ConflictRecord, 'status'>): void {
  const entry = new Y.Map<unknown>();
  for (const [key, value] of Object.entries({ ...conflict, status: 'open' })) entry.set(key, value);
  getConflicts(doc).set(conflict.id, entry);
}

/**
 * Writes a conflict as plain data (open or resolved) in place of what the document had under its id: a
 * row's document takes over a conflict kept in the dataset's document before, and a grid's own copy of
 * the conflicts it was told of.
 */
export function putConflict(doc: Y.Doc, record: ConflictRecord): void {
  const entry = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(record)) if (value !== undefined) entry.set(key, value);
  getConflicts(doc).set(record.id, entry);
}

export function findConflict(doc: Y.Doc, conflictId: string): YConflict | undefined {
  const entry = getConflicts(doc).get(conflictId);
  return entry instanceof Y.Map ? entry : undefined;
}

/** Closes a conflict. */
export function resolveConflict(entry: YConflict, by: string, at: string): void {
  entry.set('status', 'resolved');
  entry.set('resolvedBy', by);
  entry.set('resolvedAt', at);
}

/** A conflict entry as plain data; missing or malformed fields read as empty. */
export function readConflict(id: string, entry: YConflict): ConflictRecord {
  const text = (key: string) => {
    const value = entry.get(key);
    return typeof value === 'string' ? value : '';
  };
  const name = (key: string) => {
    const value = entry.get(key);
    return typeof value === 'string' ? value : null;
  };
  const record: ConflictRecord = {
    id,
    sheet: text('sheet'),
    row: text('row'),
    column: text('column'),
    kept: (entry.get('kept') ?? null) as ConflictValue,
    keptBy: name('keptBy'),
    lost: (entry.get('lost') ?? null) as ConflictValue,
    lostBy: name('lostBy'),
    at: text('at'),
    status: entry.get('status') === 'resolved' ? 'resolved' : 'open',
  };
  const resolvedBy = name('resolvedBy');
  const resolvedAt = name('resolvedAt');
  if (resolvedBy !== null) record.resolvedBy = resolvedBy;
  if (resolvedAt !== null) record.resolvedAt = resolvedAt;
  return record;
}

/** The conflict entries of `ids` as plain data (ids no longer in the document are left out). */
export function conflictRecords(doc: Y.Doc, ids: Iterable<string>): ConflictRecord[] {
  const records: ConflictRecord[] = [];
  for (const id of ids) {
    const entry = findConflict(doc, id);
    if (entry) records.push(readConflict(id, entry));
  }
  return records;
}

/** Every conflict entry of a document as plain data, oldest first. */
export function allConflicts(doc: Y.Doc): ConflictRecord[] {
  return conflictRecords(doc, getConflicts(doc).keys()).sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
}
