/**
 * The `conflicts` root of the document, read live (the server is its only writer): the open
 * conflicts by cell, and which rows a transaction touched, so the grid redraws just those. Pure Yjs.
 */
import * as Y from 'yjs';
import { type ConflictRecord, type YConflict, getConflicts, readConflict } from '../../model/conflicts';

export type ConflictListener = (rowIds: ReadonlySet<string>) => void;

const cellKey = (sheetId: string, rowId: string, columnId: string) => `${sheetId}\u0000${rowId}\u0000${columnId}`;

export class ConflictIndex {
  /** Open conflicts by cell, oldest first. */
  private readonly byCell = new Map<string, ConflictRecord[]>();
  /** Where each conflict was indexed, to take it out again. */
  private readonly indexed = new Map<string, ConflictRecord>();
  private readonly listeners = new Set<ConflictListener>();
  private readonly conflicts: Y.Map<YConflict>;
  private readonly observer = (events: Array<Y.YEvent<any>>) => this.onEvents(events);

  constructor(doc: Y.Doc) {
    this.conflicts = getConflicts(doc);
    for (const id of this.conflicts.keys()) this.read(id);
    this.conflicts.observeDeep(this.observer);
  }

  destroy(): void {
    this.conflicts.unobserveDeep(this.observer);
    this.listeners.clear();
  }

  /** Called with the ids of the rows whose open conflicts changed. */
  onChange(listener: ConflictListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The open conflicts of one cell, oldest first. */
  openAt(sheetId: string, rowId: string, columnId: string): readonly ConflictRecord[] {
    return this.byCell.get(cellKey(sheetId, rowId, columnId)) ?? [];
  }

  /** The open conflicts of one sheet, in no particular order. */
  openIn(sheetId: string): ConflictRecord[] {
    return [...this.indexed.values()].filter((c) => c.sheet === sheetId);
  }

  get openCount(): number {
    return this.indexed.size;
  }

  private onEvents(events: Array<Y.YEvent<any>>): void {
    const ids = new Set<string>();
    for (const event of events) {
      if (event.target === this.conflicts) for (const key of (event as Y.YMapEvent<unknown>).keysChanged) ids.add(key);
      else if (typeof event.path[0] === 'string') ids.add(event.path[0]);
    }
    const rows = new Set<string>();
    for (const id of ids) {
      const before = this.indexed.get(id);
      if (before) rows.add(before.row);
      const after = this.read(id);
      if (after) rows.add(after.row);
    }
    if (rows.size === 0) return;
    for (const listener of this.listeners) listener(rows);
  }

  /** Re-reads one conflict into the index; returns it if it is open. */
  private read(id: string): ConflictRecord | null {
    const before = this.indexed.get(id);
    if (before) {
      const key = cellKey(before.sheet, before.row, before.column);
      const left = (this.byCell.get(key) ?? []).filter((c) => c.id !== id);
      if (left.length > 0) this.byCell.set(key, left);
      else this.byCell.delete(key);
      this.indexed.delete(id);
    }
    const entry = this.conflicts.get(id);
    if (!(entry instanceof Y.Map)) return null;
    const record = readConflict(id, entry);
    if (record.status !== 'open') return null;
    const key = cellKey(record.sheet, record.row, record.column);
    this.byCell.set(key, [...(this.byCell.get(key) ?? []), record]);
    this.indexed.set(id, record);
    return record;
  }
}
