/**
 * History records as both stores keep them (`cell_changes`), read back as the history API answers: one entry
 * per cell change. A record of a whole imported row (column `IMPORTED_ROW`, its cells as JSON in `new`) is one
 * entry per cell, from nothing to the cell's value, as if each cell had been written on its own.
 */
import type { CellValue } from '../model/columns';
import type { HistoryEntry } from '../model/history';
import { IMPORTED_ROW } from '../server/sync/store';
import { fromJson } from './read-rows';

export interface HistoryRecord {
  sheet: string;
  row: string;
  column: string;
  old: string | null;
  new: string | null;
  by: string | null;
  at: number;
  note: string | null;
}

/** The entries of `records` (oldest first), at most `limit` of them. */
export function historyEntries(records: readonly HistoryRecord[], limit = Number.POSITIVE_INFINITY): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const { note, ...h } of records) {
    if (entries.length >= limit) break;
    const at = new Date(h.at).toISOString();
    if (h.column === IMPORTED_ROW) {
      const cells = fromJson(h.new) as Record<string, CellValue> | null;
      for (const [column, value] of Object.entries(cells ?? {})) entries.push({ sheet: h.sheet, row: h.row, column, old: null, new: value, by: h.by, at });
      continue;
    }
    entries.push({
      ...h, old: fromJson(h.old), new: fromJson(h.new), at,
      // A note carries what the change was besides a value (an adjudication with the coders' values).
      ...(note !== null && (JSON.parse(note) as Pick<HistoryEntry, 'adjudication'>)),
    });
  }
  return entries.length > limit ? entries.slice(0, limit) : entries;
}
