/**
 * What the server put into a sheet's page (server/first-screen.ts): the signed-in user, the dataset and the
 * first page of a `rows` sheet, so that the client asks for none of them again; and the table of those rows,
 * shown until the grid has painted its own.
 */
import type { DatasetDetail, User } from '../model/http';
import type { RowsPage } from './api';

export interface Boot {
  me: User;
  dataset?: DatasetDetail;
  sheet?: string;
  page?: RowsPage;
}

let boot: Boot | null | undefined;

/** The page's data, read once (then gone from the page); null when the page came without it. */
export function takeBoot(): Boot | null {
  if (boot !== undefined) return boot;
  const element = document.getElementById('tessera-boot');
  boot = null;
  if (element) {
    try {
      boot = JSON.parse(element.textContent ?? '') as Boot;
    } catch {
      boot = null;
    }
    element.remove();
  }
  return boot;
}

/**
 * Removes the first rows' table once the grid in `app` shows rows of its own, or once `app` shows anything but
 * a grid (another page, an error); at the latest when `done` (the page's start) settles.
 */
export function dropPreviewWhenReplaced(app: HTMLElement, done: Promise<unknown>): void {
  const preview = document.getElementById('sheet-preview');
  if (!preview) return;
  const replaced = () => app.querySelector('.ag-row[row-id]') !== null
    || (app.childElementCount > 0 && app.querySelector('[data-testid=grid]') === null);
  const drop = () => {
    observer.disconnect();
    preview.remove();
  };
  // Called before the browser paints the change: the frame that shows the grid's rows no longer shows these.
  const observer = new MutationObserver(() => {
    if (replaced()) drop();
  });
  observer.observe(app, { childList: true, subtree: true });
  void done.then(drop, drop);
}
