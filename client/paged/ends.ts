/**
 * The first and last rows of a paged sheet at a keystroke, and pages read before AG Grid asks for them.
 * Ctrl+Home / Ctrl+End (Cmd on a Mac) go to the first / last row from anywhere on the sheet's page; as soon as
 * the first page of an order arrives, its last page is read ahead, so that the jump to the end waits for no
 * server. A jump by the scrollbar reads the pages it lands on as the scroll happens: AG Grid asks for them only
 * after it has drawn the rows it has no data for, which on a loaded machine is a few hundred milliseconds later.
 */
import type { GridApi, IDatasource, IGetRowsParams } from 'ag-grid-community';

type Page = { rows: unknown[]; lastRow?: number } | null;

/** Which rows of which order a request is for: pages read ahead answer only the same question. */
const question = (p: Pick<IGetRowsParams, 'startRow' | 'endRow' | 'sortModel' | 'filterModel'>) =>
  JSON.stringify([p.startRow, p.endRow, p.sortModel, p.filterModel]);

/** Pages read at a scroll position at most at once; a position scrolled to meanwhile waits for one of them. */
const SCROLL_READS = 2;

/** A page read ahead: its answer, its rows' ids once it came, and whether a scroll asked for it. */
interface Ahead { page: Promise<Page>; rowIds?: ReadonlySet<string>; scroll: boolean }

/** A datasource that also reads pages before they are asked for (`readEndAhead`). */
export interface ReadAheadSource extends IDatasource {
  /** Reads the pages holding rows `first` to `last` (of the order last asked for) that are not read or asked yet. */
  readRows(first: number, last: number, has: (startRow: number) => boolean): void;
  /** Drops the pages read ahead that hold any of these rows (all of them when none are named), and those not come yet. */
  forget(rowIds?: readonly string[]): void;
}

const rowIdOf = (row: unknown): string | undefined => (row as { row_id?: string } | null)?.row_id;

/**
 * `source`, with the last page (and the one before it, when the last holds less than half a page) read
 * ahead whenever the first page is read, and the pages of a scroll position read when asked (`readRows`).
 * A page read ahead answers once, the first request for it; a row that changed since drops it (`forget`).
 */
export function readEndAhead(source: IDatasource, pageRows: number): ReadAheadSource {
  const ahead = new Map<string, Ahead>();
  /** The order of the last request: what the pages of a scroll are read in. */
  let lastAsked: IGetRowsParams | undefined;
  let scrollReads = 0;
  let waiting: (() => void) | undefined;
  const read = (params: IGetRowsParams, startRow: number, scroll = false): void => {
    const wanted = { ...params, startRow, endRow: startRow + pageRows };
    const key = question(wanted);
    if (ahead.has(key)) return;
    const entry: Ahead = {
      scroll,
      page: new Promise<Page>((resolve) => source.getRows({
        ...wanted,
        successCallback: (rows, lastRow) => {
          entry.rowIds = new Set(rows.map(rowIdOf).filter((id) => id !== undefined));
          resolve({ rows, lastRow });
        },
        failCallback: () => resolve(null),
      })),
    };
    ahead.set(key, entry);
    if (!scroll) return;
    scrollReads += 1;
    void entry.page.then(() => {
      scrollReads -= 1;
      const next = waiting;
      waiting = undefined;
      next?.();
    });
  };
  return {
    getRows(params) {
      const key = question(params);
      lastAsked = params;
      const early = ahead.get(key);
      if (early) {
        ahead.delete(key);
        void early.page.then((page) => (page ? params.successCallback(page.rows, page.lastRow) : source.getRows(params)));
        return;
      }
      // The first page of a new order, search or filter: what was read ahead for another one is of no use.
      if (params.startRow === 0) ahead.clear();
      source.getRows({
        ...params,
        successCallback: (rows, lastRow) => {
          params.successCallback(rows, lastRow);
          if (params.startRow !== 0 || lastRow === undefined || lastRow <= params.endRow) return;
          const last = Math.floor((lastRow - 1) / pageRows) * pageRows;
          read(params, last);
          if (lastRow - last < pageRows / 2 && last - pageRows >= params.endRow) read(params, last - pageRows);
        },
      });
    },
    readRows(first, last, has) {
      const order = lastAsked;
      if (!order || last < first) return;
      if (scrollReads >= SCROLL_READS) {
        // The latest position is read once a read in flight comes back (one a drag passed over is not).
        waiting = () => this.readRows(first, last, has);
        return;
      }
      waiting = undefined;
      const starts: number[] = [];
      for (let start = Math.floor(Math.max(0, first) / pageRows) * pageRows; start <= last; start += pageRows) starts.push(start);
      const wanted = new Set(starts.map((start) => question({ ...order, startRow: start, endRow: start + pageRows })));
      // A position scrolled past: its pages, unless asked for already, are of no use.
      for (const [key, entry] of ahead) if (entry.scroll && !wanted.has(key)) ahead.delete(key);
      for (const start of starts) if (!has(start)) read(order, start, true);
    },
    forget(rowIds) {
      for (const [key, entry] of ahead) {
        if (!rowIds || !entry.rowIds || rowIds.some((id) => entry.rowIds!.has(id))) ahead.delete(key);
      }
    },
  };
}

/**
 * The rows on screen once a scroller (the grid's viewport or its scrollbar) stands at `scrollTop`: AG Grid maps
 * the scroller's range onto the rows' whole height linearly (also when that height is more than a browser lets
 * an element have), so the share of the range scrolled is the share of the rows above the screen. With
 * `buffer` rows either side, as the grid draws them.
 */
export function rowsInView(
  scroller: { scrollTop: number; scrollHeight: number; clientHeight: number }, rowCount: number, rowHeight: number, buffer: number,
): { first: number; last: number } | undefined {
  const range = scroller.scrollHeight - scroller.clientHeight;
  if (rowCount <= 0 || rowHeight <= 0 || range <= 0) return undefined;
  const onScreen = Math.ceil(scroller.clientHeight / rowHeight);
  const top = Math.floor(Math.min(1, Math.max(0, scroller.scrollTop / range)) * Math.max(0, rowCount * rowHeight - scroller.clientHeight) / rowHeight);
  return { first: Math.max(0, top - buffer), last: Math.min(rowCount - 1, top + onScreen + buffer) };
}

/**
 * Ctrl+Home / Ctrl+End on the sheet's page, but not in a text field or an open editor: the grid scrolls to
 * its first / last row and focuses its cell in the column focused before (the first column when the focus was
 * outside the grid). Taken before AG Grid sees the keys, whose own handling of them in a grid read by page
 * does not move.
 */
export function bindEndKeys(host: HTMLElement, grid: () => GridApi | null): void {
  document.addEventListener('keydown', (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || (event.key !== 'End' && event.key !== 'Home')) return;
    const api = grid();
    const target = event.target as Element | null;
    if (!api || !host.isConnected || api.getEditingCells().length > 0) return;
    if (target?.closest('input, textarea, select, [contenteditable], dialog')) return;
    const count = api.getDisplayedRowCount();
    const focused = host.contains(target) ? api.getFocusedCell()?.column : undefined;
    const column = focused ?? api.getAllDisplayedColumns()[0];
    if (count === 0 || !column) return;
    event.preventDefault();
    event.stopPropagation();
    const index = event.key === 'End' ? count - 1 : 0;
    api.ensureIndexVisible(index, event.key === 'End' ? 'bottom' : 'top');
    api.setFocusedCell(index, column);
  }, { capture: true });
}
