/**
 * A dataset's codebook (`/d/:dataset/-/codebook`): every sheet and column with its id, name, type,
 * whether it is required, its description, and each code with its label and the rows holding it.
 */
import { api, codebookMarkdownUrl } from '../api';
import type { Codebook, User as Me } from '../../model/http';
import { datasetPath, releasesPath } from '../router';
import { h, replaceChildren } from '../ui/dom';
import { renderNotFound, topBar } from '../pages/layout';

type CodebookColumn = Codebook['sheets'][number]['columns'][number];

export async function renderCodebook(app: HTMLElement, me: Me, datasetId: string): Promise<void> {
  document.title = 'Codebook · Tessera';
  replaceChildren(app, topBar(me, [h('a', { href: '/' }, 'Datasets'), datasetId, 'Codebook']), h('main', { class: 'loading' }, 'Counting…'));
  let book: Codebook;
  try {
    book = await api.get('/api/datasets/{id}/codebook', { params: { id: datasetId } });
  } catch (err) {
    if ((err as { status?: number }).status === 404) renderNotFound(app, me, `There is no dataset “${datasetId}”.`);
    else replaceChildren(app, topBar(me, []), h('main', { class: 'page-error' }, `Could not load the codebook: ${(err as Error).message}`));
    return;
  }
  document.title = `Codebook · ${book.dataset.name} · Tessera`;
  replaceChildren(app,
    topBar(me, [h('a', { href: '/' }, 'Datasets'), h('a', { href: datasetPath(datasetId) }, book.dataset.name), 'Codebook']),
    h('main', { class: 'page wide codebook', 'data-testid': 'codebook' },
      h('div', { class: 'page-head' },
        h('h1', {}, `Codebook of ${book.dataset.name}`),
        h('div', { class: 'page-actions' },
          h('a', { class: 'button', href: codebookMarkdownUrl(datasetId), download: `${datasetId}-codebook.md` }, 'Download as Markdown'),
          h('a', { class: 'button', href: releasesPath(datasetId) }, 'Releases'))),
      h('p', { class: 'muted' }, 'Every column of every sheet, as coders see it; the counts are of the rows as they are now.'),
      ...book.sheets.map((sheet) => h('section', { class: 'card codebook-sheet', 'data-sheet': sheet.id },
        h('h2', {}, sheet.name, ' ', h('code', { class: 'muted small' }, sheet.id)),
        h('p', { class: 'muted small' }, `${sheet.rows} row${sheet.rows === 1 ? '' : 's'}`),
        h('table', { class: 'data-table' },
          h('thead', {}, h('tr', {}, ...['Column', 'Type', 'Required', 'Filled', 'Description and codes'].map((t) => h('th', {}, t)))),
          h('tbody', {}, ...sheet.columns.map((column) => columnRow(column, sheet.rows)))),
      )),
    ),
  );
}

function columnRow(column: CodebookColumn, rows: number): HTMLElement {
  return h('tr', { 'data-column': column.id },
    h('td', {}, h('div', {}, column.name), h('code', { class: 'muted small' }, column.id)),
    h('td', {}, column.type === 'ref' && column.ref ? `ref → ${column.ref}` : column.type),
    h('td', {}, column.required ? 'yes' : ''),
    h('td', { class: 'number' }, `${column.filled} / ${rows}`),
    h('td', {},
      column.description ? h('p', { class: 'codebook-description' }, column.description) : null,
      column.codes.length > 0
        ? h('ul', { class: 'codebook-codes' }, ...column.codes.map((code) => h('li', { 'data-code': code.code },
          h('code', {}, code.code), code.label ? ` ${code.label}` : '', h('span', { class: 'muted small code-count' }, ` ${code.count}`))))
        : null,
      column.unlisted.length > 0
        ? h('p', { class: 'hint' }, 'Not in the code list: ', column.unlisted.map((u) => `${u.code} (${u.count})`).join(', '))
        : null,
    ),
  );
}
