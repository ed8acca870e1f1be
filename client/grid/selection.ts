/**
 * The selected block of cells: AG Grid community has no range selection, so we keep our own, as
 * two corners by row id and column id (ids survive remote inserts and sorting; indices do not).
 */

export interface CellPos {
  rowId: string;
  colId: string;
}

/** A block in display coordinates, inclusive. */
export interface Bounds {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export class BlockSelection {
  anchor: CellPos | null = null;
  extent: CellPos | null = null;

  /** Starts a new block at one cell. */
  set(pos: CellPos | null): void {
    this.anchor = pos;
    this.extent = pos;
  }

  /** Moves the far corner, keeping the anchor (Shift+arrow, Shift+click, drag). */
  extendTo(pos: CellPos): void {
    if (this.anchor === null) this.anchor = pos;
    this.extent = pos;
  }

  /** The block in display indices, or null if a corner is not displayed. */
  bounds(rowIndexOf: (rowId: string) => number | null, colIndexOf: (colId: string) => number | null): Bounds | null {
    const { anchor, extent } = this;
    if (!anchor || !extent) return null;
    const r1 = rowIndexOf(anchor.rowId);
    const r2 = rowIndexOf(extent.rowId);
    const c1 = colIndexOf(anchor.colId);
    const c2 = colIndexOf(extent.colId);
    if (r1 === null || r2 === null || c1 === null || c2 === null) return null;
    return { top: Math.min(r1, r2), bottom: Math.max(r1, r2), left: Math.min(c1, c2), right: Math.max(c1, c2) };
  }
}

export function boundsSize(b: Bounds): { rows: number; columns: number } {
  return { rows: b.bottom - b.top + 1, columns: b.right - b.left + 1 };
}

export function inBounds(b: Bounds | null, rowIndex: number, colIndex: number): boolean {
  return b !== null && rowIndex >= b.top && rowIndex <= b.bottom && colIndex >= b.left && colIndex <= b.right;
}
