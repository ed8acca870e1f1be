/**
 * A sheet's first screen inside its page (docs/large-sheets.md#the-first-screen). For `/d/:id[/:sheet]` with a
 * session cookie, the page carries what the client would ask for first: the signed-in user, the dataset and,
 * for a dataset in the `rows` layout, the first page of the sheet's rows, both as data for the client
 * (`<script type="application/json" id="tessera-boot">`, read by client/boot.ts) and as a plain HTML table
 * painted with the page, before any script runs, until the grid has painted its own rows.
 *
 * Each part is asked of the API itself, in process, with the request's cookie: whoever may not read it
 * through the API gets an error answer here and the part is left out, so the access checks are the API's
 * own. Every text is escaped for HTML, and the data for a script element.
 */
import type { Context, Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { anchorLabel } from '../model/anchors';
import type { Anchor } from '../model/anchors';
import type { CellValue } from '../model/columns';
import type { DatasetDetail, User } from '../model/http';
import { SESSION_COOKIE } from './auth/middleware';

/** The first page the paged grid asks for (client/paged/page.ts): rows 0–99 in row id order. */
export const FIRST_PAGE_ROWS = 100;

export interface RowsPage {
  total: number;
  offset?: number;
  rows: Array<Record<string, CellValue> & { row_id: string }>;
}

/** What the page hands the client (client/boot.ts reads it). */
export interface Boot {
  me: User;
  dataset?: DatasetDetail;
  /** The sheet the first page is of, and the page: `offset=0&limit=100`, no sort, search or filter. */
  sheet?: string;
  page?: RowsPage;
}

export interface FirstScreen {
  boot: Boot;
  /** The HTML table of the first rows; '' when there is none to show. */
  preview: string;
}

/** `/d/:id` or `/d/:id/:sheet` (a sheet id never starts with `-`, the dataset's own pages do). */
export function sheetAddress(path: string): { datasetId: string; sheetId?: string } | null {
  const match = /^\/d\/([^/]+)(?:\/([^/]+))?\/?$/.exec(path);
  if (!match) return null;
  try {
    const datasetId = decodeURIComponent(match[1]!);
    const sheetId = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    if (sheetId?.startsWith('-')) return null;
    return { datasetId, sheetId };
  } catch {
    return null;
  }
}

/** Request headers an API call from the page would carry that decide who asks (and from where). */
const FORWARDED = ['cookie', 'user-agent', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded'];

/**
 * The first screen of a sheet address for the request's session; null when nobody is signed in (the page
 * then sends the client to sign in, as before).
 */
export async function firstScreen(app: Hono<any>, c: Context, datasetId: string, sheetId?: string): Promise<FirstScreen | null> {
  if (!getCookie(c, SESSION_COOKIE)) return null;
  const headers = new Headers({ accept: 'application/json' });
  for (const name of FORWARDED) {
    const value = c.req.header(name);
    if (value !== undefined) headers.set(name, value);
  }
  const ask = async <T>(path: string): Promise<T | undefined> => {
    const res = await app.fetch(new Request(new URL(path, c.req.url), { headers }), c.env);
    return res.ok ? (await res.json()) as T : undefined;
  };
  const datasetPath = `/api/datasets/${encodeURIComponent(datasetId)}`;
  const query = new URLSearchParams({ offset: '0', limit: String(FIRST_PAGE_ROWS) });
  const rowsOf = (sheet: string) => ask<RowsPage>(`${datasetPath}/sheets/${encodeURIComponent(sheet)}/rows?${query}`);
  // With the sheet in the address its first page is asked for beside the dataset (and kept only if the dataset
  // turns out to be in the `rows` layout).
  const named = sheetId === undefined ? undefined : rowsOf(sheetId);
  const [me, dataset] = await Promise.all([ask<User>('/api/me'), ask<DatasetDetail>(datasetPath)]);
  if (!me) return null;
  if (!dataset || dataset.id !== datasetId) return { boot: { me }, preview: '' };
  // A dataset in the document layout opens as before: its grid's rows come from its document.
  const sheet = dataset.sheets.find((s) => s.id === sheetId) ?? dataset.sheets[0];
  if (dataset.layout !== 'rows' || !sheet) return { boot: { me, dataset }, preview: '' };
  const page = await (sheet.id === sheetId && named ? named : rowsOf(sheet.id));
  if (!page) return { boot: { me, dataset }, preview: '' };
  return { boot: { me, dataset, sheet: sheet.id, page }, preview: previewTable(dataset, sheet.id, page) };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or an attribute's value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

/**
 * JSON for the inside of a script element: no `<` (so no `</script>` or `<!--`), and no line separators
 * U+2028/U+2029; JSON.parse reads the escapes back as the same characters.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A cell as the grid shows it (client/grid/values.ts `toText`). */
function cellText(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : anchorLabel(v as Anchor))).join('; ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object') return String(value.name ?? '');
  return String(value);
}

/**
 * The preview's column widths, those of the paged grid (AG Grid's default column width; client/paged/page.ts's
 * row number column). The table is laid out by them alone (client/first-screen.css, `table-layout: fixed`): laid
 * out by its contents, 100 rows of 20 columns took the browser 150–300 ms before any script could run.
 */
const PREVIEW_ROW_NUMBER_WIDTH = 80;
/**
 * Rows in the table: more than a tall screen shows (at 30 px a row). Each row more is laid out and styled again
 * when the grid's stylesheet comes, in the same frames as the grid's first rows; the client has the whole page.
 */
export const PREVIEW_ROWS = 50;
const PREVIEW_COLUMN_WIDTH = 200;

/**
 * The page's first screen while the grid's code loads: the top bar, the sheet tabs and the first page of rows
 * as a table, over the whole window (client/styles.css `.sheet-preview`). The client removes it once the
 * grid has painted its rows (client/boot.ts).
 */
function previewTable(dataset: DatasetDetail, sheetId: string, page: RowsPage): string {
  if (page.rows.length === 0) return '';
  const sheet = dataset.sheets.find((s) => s.id === sheetId)!;
  const columns = sheet.columns;
  const head = `<tr><th class="row-number">#</th>${columns.map((c) => `<th data-col-id="${escapeHtml(c.id)}">${escapeHtml(c.name)}</th>`).join('')}</tr>`;
  const body = page.rows.slice(0, PREVIEW_ROWS).map((row, i) =>
    `<tr data-row-id="${escapeHtml(row.row_id)}"><td class="row-number">${i + 1}</td>${
      columns.map((c) => `<td data-col-id="${escapeHtml(c.id)}">${escapeHtml(cellText(row[c.id]))}</td>`).join('')}</tr>`).join('\n');
  const tabs = dataset.sheets.map((s) =>
    `<span class="tab${s.id === sheetId ? ' active' : ''}">${escapeHtml(s.name)}</span>`).join('');
  const total = `${page.total.toLocaleString('en')} row${page.total === 1 ? '' : 's'}`;
  return `<div id="sheet-preview" class="sheet-preview" data-testid="sheet-preview" aria-busy="true">
<header class="topbar"><a class="brand" href="/"><span class="logo" aria-hidden="true"><span></span><span></span><span></span><span></span></span><span>Tessera</span></a>`
    + `<nav class="crumbs" aria-label="Where you are"><span class="crumb"><a href="/">Datasets</a></span><span class="crumb">${escapeHtml(dataset.name)}</span></nav></header>
<div class="tabs">${tabs}</div>
<div class="sheet-preview-rows"><table style="width: ${PREVIEW_ROW_NUMBER_WIDTH + columns.length * PREVIEW_COLUMN_WIDTH}px"><thead>${head}</thead><tbody>
${body}
</tbody></table></div>
<footer class="sheet-footer"><span>${total}</span><span>Loading the grid…</span></footer>
</div>`;
}
