/**
 * Conflicts in the grid: the mark on a cell two people changed without seeing each other's change,
 * its tooltip, and redrawing just the rows whose conflicts changed, live for everyone.
 */
import type { GridApi } from 'ag-grid-community';
import type { ConflictRecord, ConflictValue } from '../../model/conflicts';
import { toText } from '../grid/values';
import type { ConflictIndex } from './conflict-index';

/** What the grid asks of conflicts (see SheetGridOptions.conflicts). */
export interface GridConflicts {
  /** A cell's open conflicts as tooltip text, or null when it has none. */
  conflictAt(rowId: string, columnId: string): string | null;
}

/** A value as the tooltip and the menu quote it: “text”, or (empty). */
export function quote(value: ConflictValue): string {
  if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) return '(empty)';
  const text = Array.isArray(value) && value.some((v) => typeof v === 'object')
    ? (value as Array<{ exact?: unknown }>).map((a) => String(a.exact ?? '')).join('; ')
    : toText(value as Parameters<typeof toText>[0]);
  return `“${text.length > 80 ? `${text.slice(0, 79)}…` : text}”`;
}

/** "Ana's value “X” was replaced by Ben's value “Y”". */
export function describeConflict(c: ConflictRecord): string {
  return `${c.lostBy ?? 'Someone'}'s value ${quote(c.lost)} was replaced by ${c.keptBy ?? 'someone else'}'s value ${quote(c.kept)}`;
}

export function gridConflicts(index: ConflictIndex, sheetId: () => string): GridConflicts {
  return {
    conflictAt(rowId, columnId) {
      const open = index.openAt(sheetId(), rowId, columnId);
      return open.length === 0 ? null : `⚠ ${open.map(describeConflict).join('\n⚠ ')}`;
    },
  };
}

/** Redraws the rows whose conflicts changed; a cell being edited is redrawn when its edit ends, so the editor stays. */
export class ConflictMarks {
  private readonly off: Array<() => void> = [];
  private deferred = new Set<string>();

  constructor(private readonly api: GridApi, index: ConflictIndex, private readonly rowIdOf: (data: unknown) => string | undefined) {
    this.off.push(index.onChange((rows) => this.refresh(rows)));
    const onStopped = () => {
      const rows = this.deferred;
      this.deferred = new Set();
      this.refresh(rows);
    };
    api.addEventListener('cellEditingStopped', onStopped);
    this.off.push(() => {
      if (!api.isDestroyed()) api.removeEventListener('cellEditingStopped', onStopped);
    });
  }

  destroy(): void {
    for (const off of this.off) off();
  }

  private refresh(rowIds: ReadonlySet<string>): void {
    if (this.api.isDestroyed()) return;
    const editing = new Map(this.api.getEditingCells().map((c) => [this.rowIdOf(this.api.getDisplayedRowAtIndex(c.rowIndex)?.data), c.column?.getColId()]));
    for (const rowId of rowIds) {
      const node = this.api.getRowNode(rowId);
      if (!node) continue;
      const editedColumn = editing.get(rowId);
      if (editedColumn !== undefined) this.deferred.add(rowId);
      const columns = this.api.getAllDisplayedColumns().map((c) => c.getColId()).filter((c) => c !== editedColumn);
      this.api.refreshCells({ rowNodes: [node], columns, force: true });
    }
  }
}
