/**
 * Who is where in the paged grid: this tab says which cell it is in (sheet, row id, column) in its
 * awareness state on the dataset's room, which it is connected to already for the row deltas; other
 * people's cells are outlined in their colour with their name, on whatever page those rows are, and
 * redrawn as people move.
 */
import type { GridApi } from 'ag-grid-community';
import { outlinePresence } from '../grid/renderer';
import { type CellRef, Presence, type PresenceUser } from '../sync/presence';

type Row = { row_id: string };

const key = (rowId: string, columnId: string) => `${rowId}\u0000${columnId}`;

export class PagedPresence {
  private cells = new Map<string, PresenceUser[]>();
  private api: GridApi<Row> | null = null;
  private sheetId = '';
  private readonly off: () => void;

  constructor(readonly presence: Presence) {
    this.off = presence.onChange(() => this.update());
  }

  attach(api: GridApi<Row>, sheetId: string): void {
    this.api = api;
    this.sheetId = sheetId;
    this.cells.clear();
    this.update();
  }

  /** This tab's cell (null: none focused). */
  setCell(cell: CellRef | null): void {
    this.presence.setCell(cell);
  }

  /** Other people in a cell. */
  at(rowId: string, columnId: string): readonly PresenceUser[] {
    return this.cells.get(key(rowId, columnId)) ?? [];
  }

  /** Outlines a cell element for whoever else is in it; returns their name tag, or null. */
  decorate(cell: HTMLElement, rowId: string | undefined, columnId: string): HTMLElement | null {
    return outlinePresence(cell, rowId === undefined ? [] : this.at(rowId, columnId));
  }

  destroy(): void {
    this.off();
    this.presence.destroy();
  }

  private update(): void {
    const next = new Map<string, PresenceUser[]>();
    for (const user of this.presence.others()) {
      if (user.cell?.sheet !== this.sheetId) continue;
      const k = key(user.cell.row, user.cell.column);
      next.set(k, [...(next.get(k) ?? []), user]);
    }
    const sig = (users: PresenceUser[] | undefined) => users?.map((u) => `${u.clientId}:${u.name}:${u.color}`).join();
    const changed = [...new Set([...next.keys(), ...this.cells.keys()])].filter((k) => sig(next.get(k)) !== sig(this.cells.get(k)));
    this.cells = next;
    const api = this.api;
    if (!api || api.isDestroyed()) return;
    for (const k of changed) {
      const [rowId, columnId] = k.split('\u0000') as [string, string];
      const node = api.getRowNode(rowId);
      if (node) api.refreshCells({ rowNodes: [node], columns: [columnId], force: true });
    }
  }
}
