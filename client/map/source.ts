/**
 * Where the map and the timeline take their rows from: the rows the grid shows, after its filters and
 * its search, as the grid has them, told of every change (an edit, a row added or deleted, a filter or
 * a search changed).
 */
import type { CellValue, Column } from '../../model/columns';
import { api, ApiError } from '../api';
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
  /**
   * Told which code column colours the points (a source that reads only what the map needs); true when it
   * reads its rows again for it: the rows it has now lack that column's codes, and the map waits for them.
   */
  setColour?(columnId: string | null): boolean;
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

/** Rows asked for per request, and at most in all: past that the map says how many it left out. */
const POINTS_PAGE = 5000;
export const MAX_SERVER_POINTS = 100_000;
/** Changes arrive in bursts (a paste, an import): the points are asked for again once they settle. */
const SETTLE_MS = 400;

export interface ServerSourceOptions {
  datasetId: string;
  sheetId: string;
  columns(): Column[];
  /** The grid's search and filters, as `GET …/rows` takes them (`q`, `filter[col]`). */
  query(): URLSearchParams;
  /** The rows of the sheet, shown or not, when known. */
  sheetTotal(): number;
  /** Calls back when rows or the grid's search or filters change; returns the way to stop. */
  listen(changed: () => void): () => void;
}

/**
 * The rows of a rows-layout sheet (whose rows are not in the browser) from the server, a page of points at a
 * time, searched and filtered as the grid is; asked for again after every change, once changes settle.
 */
export function serverSource(options: ServerSourceOptions): MapSource & { setColour(columnId: string | null): boolean } {
  let rows: MapRow[] = [];
  let colour: string | null = null;
  let ticket = 0;
  const listeners = new Set<() => void>();
  let timer: number | null = null;
  const load = async () => {
    const mine = ++ticket;
    const found: MapRow[] = [];
    for (let offset = 0; offset < MAX_SERVER_POINTS;) {
      const params = options.query();
      params.set('offset', String(offset));
      params.set('limit', String(POINTS_PAGE));
      if (colour) params.set('colour', colour);
      let page;
      try {
        page = await api.get('/api/datasets/{id}/sheets/{sheetId}/points', {
          params: { id: options.datasetId, sheetId: options.sheetId }, query: params, retry: false,
        });
      } catch (err) {
        if (mine !== ticket) return;
        // The server's heavy reads are limited per user (the grid's pages may be asking at the same moment):
        // a refusal to wait is asked again once the grid settles, sooner than the server's Retry-After.
        if (err instanceof ApiError && (err.status === 429 || err.status === 503)) reload();
        return;
      }
      if (mine !== ticket) return;
      for (const p of page.points) {
        const cells: Record<string, CellValue> = {};
        if (page.columns.place && p.name !== null) {
          cells[page.columns.place] = { name: p.name, country: null, lat: p.lat, lon: p.lon, precision: 1, geonameid: null };
        }
        if (page.columns.date && p.date !== null) cells[page.columns.date] = p.date;
        if (page.columns.colour && p.code !== null) cells[page.columns.colour] = p.code;
        found.push({ id: p.row_id, cells });
      }
      offset += page.points.length;
      if (page.points.length === 0 || offset >= page.total) break;
    }
    rows = found;
    for (const changed of listeners) changed();
  };
  const reload = () => {
    if (timer !== null) clearTimeout(timer);
    timer = window.setTimeout(() => {
      timer = null;
      void load();
    }, SETTLE_MS);
  };
  return {
    columns: () => options.columns(),
    rows: () => rows,
    total: () => Math.max(options.sheetTotal(), rows.length),
    setColour(columnId) {
      if (columnId === colour) return false;
      colour = columnId;
      void load();
      return true;
    },
    subscribe(changed) {
      listeners.add(changed);
      const off = options.listen(reload);
      void load();
      return () => {
        listeners.delete(changed);
        off();
        ticket++;
        if (timer !== null) clearTimeout(timer);
      };
    },
  };
}
