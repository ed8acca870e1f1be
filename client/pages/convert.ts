/**
 * Converting a dataset from its whole document to rows by page (docs/sync.md#converting-a-dataset-to-rows-by-page):
 * the admin's confirmation and request, from the dataset list or from the banner a large sheet shows.
 */
import { api } from '../api';
import { confirmDialog, h, toast } from '../ui/dom';
import { count } from '../ui/plural';

/** Rows in one sheet past which the whole-document grid suggests converting to rows by page. */
export const SUGGEST_CONVERSION_ROWS = 20_000;

/** Asks, then converts; resolves true once converted. Open grids of the dataset reload by themselves. */
export async function convertDataset(id: string, name: string): Promise<boolean> {
  const ok = await confirmDialog(`Convert “${name}” to rows by page?`, 'Convert',
    'Each row becomes a document of its own, and the grid reads the rows a page at a time: for sheets of any size. '
    + 'Rows, reviews, history and sources stay as they are; open grids reload. It cannot be undone.');
  if (!ok) return false;
  const done = await api.post('/api/datasets/{id}/layout', { params: { id }, body: { layout: 'rows' } });
  const rows = Object.values(done.rows).reduce((sum, n) => sum + n, 0);
  toast(`“${name}” converted: ${count(rows, 'row')} by page`);
  return true;
}

/** For a dataset's admins, over a sheet of `rows` rows held in one document: why and how to convert it. */
export function conversionBanner(id: string, name: string, rows: number): HTMLElement {
  const banner: HTMLElement = h('p', { class: 'access-banner', role: 'status', 'data-testid': 'convert-banner' },
    h('span', {}, `This dataset holds ${rows.toLocaleString('en')} rows in one sheet, all in one document that every open grid loads whole. `
      + 'Converted to rows by page, the grid reads a page at a time and stays fast at any size.'),
    h('button', {
      type: 'button', class: 'button', 'data-testid': 'convert-dataset',
      onclick: () => void convertDataset(id, name).catch((err: unknown) => toast((err as Error).message, 'error')),
    }, 'Convert to rows by page'),
    h('button', { type: 'button', class: 'button icon', title: 'Dismiss', 'aria-label': 'Dismiss', onclick: () => banner.remove() }, '×'));
  return banner;
}
