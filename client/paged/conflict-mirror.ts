/**
 * The conflicts a paged grid shows, in a document of this tab's own that is never synced. In the `rows`
 * layout a row's conflicts are kept in the row's own document, and a tab cannot hold every row's; it
 * holds what it was told: every open conflict (the list, read once the dataset's room is synced, and
 * again after each reconnect), the conflicts of each row document it opened as the server synced it,
 * and those the server sent in row deltas since. `ConflictIndex` reads it as it reads a dataset's
 * document. A row's document never drops a conflict (it closes it), so what it says of one is merged in
 * by id.
 */
import * as Y from 'yjs';
import type { RowDelta } from '../../model/codes';
import { type ConflictRecord, allConflicts, findConflict, getConflicts, putConflict, readConflict } from '../../model/conflicts';
import { api } from '../api';

export class ConflictMirror {
  readonly doc = new Y.Doc();
  /** Conflicts told of since the list was last asked for: the list (read from what is stored) may be older. */
  private readonly live = new Set<string>();

  constructor(private readonly datasetId: string) {}

  destroy(): void {
    this.doc.destroy();
  }

  /** Reads the open conflicts, in place of what was known: after (re)connecting, deltas may have been missed. */
  async load(): Promise<void> {
    this.live.clear();
    const listed = await api.get('/api/datasets/{id}/conflicts', { params: { id: this.datasetId }, query: { status: 'open' } }) as ConflictRecord[];
    const ids = new Set(listed.map((c) => c.id));
    this.doc.transact(() => {
      const conflicts = getConflicts(this.doc);
      for (const id of [...conflicts.keys()]) if (!ids.has(id) && !this.live.has(id)) conflicts.delete(id);
      for (const record of listed) if (!this.live.has(record.id)) this.put(record);
    });
  }

  /** Conflicts the server sent with row deltas. */
  deltas(deltas: readonly RowDelta[]): void {
    this.told(deltas.flatMap((d) => d.conflicts ?? []));
  }

  /** The conflicts of a row's own document, as the server synced it. */
  fromRow(doc: Y.Doc): void {
    this.told(allConflicts(doc));
  }

  private told(records: readonly ConflictRecord[]): void {
    if (records.length === 0) return;
    this.doc.transact(() => {
      for (const record of records) {
        this.live.add(record.id);
        this.put(record);
      }
    });
  }

  /** Writes a conflict unless the mirror has it as it is (an unchanged one redraws nothing). */
  private put(record: ConflictRecord): void {
    const entry = findConflict(this.doc, record.id);
    if (entry && sameConflict(readConflict(record.id, entry), record)) return;
    putConflict(this.doc, record);
  }
}

const FIELDS = ['sheet', 'row', 'column', 'kept', 'keptBy', 'lost', 'lostBy', 'at', 'status', 'resolvedBy', 'resolvedAt'] as const;

function sameConflict(a: ConflictRecord, b: ConflictRecord): boolean {
  return FIELDS.every((key) => JSON.stringify(a[key] ?? null) === JSON.stringify(b[key] ?? null));
}
