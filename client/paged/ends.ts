/**
 * The first and last rows of a paged sheet at a keystroke. Ctrl+Home / Ctrl+End (Cmd on a Mac) go to the
 * first / last row from anywhere on the sheet's page; and as soon as the first page of an order arrives, its
 * last page is read ahead, so that the jump to the end waits for no server.
 */
import type { GridApi, IDatasource, IGetRowsParams } from 'ag-grid-community';

type Page = { rows: unknown[]; lastRow?: number } | null;

/** Which rows of which order a request is for: pages read ahead answer only the same question. */
const question = (p: Pick<IGetRowsParams, 'startRow' | 'endRow' | 'sortModel' | 'filterModel'>) =>
  JSON.stringify([p.startRow, p.endRow, p.sortModel, p.filterModel]);

/**
 * `source`, with the last page (and the one before it, when the last holds less than half a page) read
 * ahead whenever the first page is read. A page read ahead answers once, the first request for it.
 */
export function readEndAhead(source: IDatasource, pageRows: number): IDatasource {
  const ahead = new Map<string, Promise<Page>>();
  const read = (params: IGetRowsParams, startRow: number): void => {
    const wanted = { ...params, startRow, endRow: startRow + pageRows };
    const key = question(wanted);
    if (ahead.has(key)) return;
    ahead.set(key, new Promise<Page>((resolve) => source.getRows({
      ...wanted,
      successCallback: (rows, lastRow) => resolve({ rows, lastRow }),
      failCallback: () => resolve(null),
    })));
  };
  return {
    getRows(params) {
      const key = question(params);
      const early = ahead.get(key);
      if (early) {
        ahead.delete(key);
        void early.then((page) => (page ? params.successCallback(page.rows, page.lastRow) : source.getRows(params)));
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
  };
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
