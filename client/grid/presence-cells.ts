/**
 * Other people's cells on this sheet, for the cell renderer: who is where, and which cells must be
 * redrawn when someone moves. A cell I am editing is redrawn only after my edit, so my editor stays.
 */
import type { GridApi, IRowNode } from 'ag-grid-community';
import type { Presence, PresenceUser } from '../sync/presence';
import type { RowData } from './binding';

const key = (rowId: string, columnId: string) => `${rowId}\u0000${columnId}`;

export class PresenceCells {
  private cells = new Map<string, PresenceUser[]>();
  private deferred = new Set<string>();
  private api: GridApi<RowData> | null = null;

  constructor(private readonly presence: Presence, private readonly sheetId: string) {}

  /** The grid to redraw; set once it exists. */
  attach(api: GridApi<RowData>): void {
    this.api = api;
    this.update();
  }

  /** Who else is in a cell. */
  at(rowId: string, columnId: string): readonly PresenceUser[] {
    return this.cells.get(key(rowId, columnId)) ?? [];
  }

  /** Recomputes who is where (on an awareness change) and redraws the cells that changed. */
  update(): void {
    const next = new Map<string, PresenceUser[]>();
    for (const user of this.presence.others()) {
      if (user.cell?.sheet !== this.sheetId) continue;
      const k = key(user.cell.row, user.cell.column);
      next.set(k, [...(next.get(k) ?? []), user]);
    }
    const changed = [...new Set([...next.keys(), ...this.cells.keys()])]
      .filter((k) => signature(next.get(k)) !== signature(this.cells.get(k)));
    this.cells = next;
    const api = this.api;
    if (!api) return;
    const editing = new Set(api.getEditingCells().map((c) =>
      key(api.getDisplayedRowAtIndex(c.rowIndex)?.data?.id ?? '', c.column?.getColId() ?? '')));
    for (const k of changed) {
      if (editing.has(k)) this.deferred.add(k);
      else this.redraw(k);
    }
  }

  /** Redraws the cells whose presence changed while they were being edited. */
  editingStopped(): void {
    const keys = [...this.deferred];
    this.deferred.clear();
    for (const k of keys) this.redraw(k);
  }

  private redraw(k: string): void {
    const [rowId, columnId] = k.split('\u0000') as [string, string];
    const node: IRowNode<RowData> | undefined = this.api?.getRowNode(rowId);
    if (node) this.api!.refreshCells({ rowNodes: [node], columns: [columnId], force: true });
  }
}

function signature(users: PresenceUser[] | undefined): string | undefined {
  return users?.map((u) => `${u.clientId}:${u.name}:${u.color}`).join();
}
