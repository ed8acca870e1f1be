/**
 * Where the map and the timeline take their rows from: the rows the grid shows, after its filters and
 * its search, as the grid has them, told of every change (an edit, a row added or deleted, a filter or
 * a search changed).
 */
import type { Column } from '../../model/columns';
import type { SheetBinding } from '../grid/binding';
import type { SheetGrid } from '../grid/grid';
import type { MapRow } from './points';

export interface MapSource {
  columns(): Column[];
  /** The rows shown, in the grid's order. */
  rows(): MapRow[];
  /** All rows of the sheet, shown or not. */
  total(): number;
  /** Calls back after any change of the rows shown or their cells; returns the way to stop. */
  subscribe(changed: () => void): () => void;
}

/** The rows a document-layout sheet's grid shows. */
export function gridSource(grid: SheetGrid, binding: SheetBinding): MapSource {
  return {
    columns: () => binding.columns(),
    rows() {
      const rows: MapRow[] = [];
      grid.api.forEachNodeAfterFilterAndSort((node) => {
        if (node.data) rows.push(node.data);
      });
      return rows;
    },
    total: () => binding.rowCount,
    subscribe(changed) {
      // A cell edit updates its row without a model update (grid.ts): the binding tells of those.
      const offRows = binding.on('rows', changed);
      const offColumns = binding.on('columns', changed);
      const api = grid.api;
      api.addEventListener('modelUpdated', changed);
      api.addEventListener('filterChanged', changed);
      return () => {
        offRows();
        offColumns();
        if (!api.isDestroyed()) {
          api.removeEventListener('modelUpdated', changed);
          api.removeEventListener('filterChanged', changed);
        }
      };
    },
  };
}
