/**
 * Export: this sheet or the whole dataset (a zip, one file per sheet), as CSV for analysis (every text
 * exactly as typed, no byte-order mark), CSV for Excel (byte-order mark, formula-like text prefixed) or
 * JSON, with all, approved, flagged or unflagged rows.
 */
import { type CsvFlavour, type ExportFormat, type ExportRows, exportUrl, zipExportUrl } from '../api';
import { h } from '../ui/dom';
import { closesLikeAMenu } from '../ui/menu';

const ROWS: Array<[ExportRows, string]> = [
  ['all', 'All rows'],
  ['approved', 'Approved rows'],
  ['flagged', 'Rows with open flags'],
  ['unflagged', 'Rows without open flags'],
];

interface Kind {
  key: string;
  format: ExportFormat;
  flavour: CsvFlavour;
  label: string;
  detail: string;
}

const KINDS: Kind[] = [
  { key: 'csv-analysis', format: 'csv', flavour: 'analysis', label: 'CSV for analysis', detail: 'exact text, for R and pandas' },
  { key: 'csv-excel', format: 'csv', flavour: 'excel', label: 'CSV for Excel', detail: 'byte-order mark, formula-safe' },
  { key: 'json', format: 'json', flavour: 'analysis', label: 'JSON', detail: 'with the codebook' },
];

export function exportMenu(datasetId: string, sheetId: string): HTMLElement {
  const rows = h('select', { 'data-testid': 'export-rows', 'aria-label': 'Which rows' },
    ...ROWS.map(([value, label]) => h('option', { value }, label)));
  const links: Array<{ link: HTMLAnchorElement; href: (rows: ExportRows) => string }> = [];
  const link = (scope: 'sheet' | 'dataset', kind: Kind) => {
    const href = (r: ExportRows) => (scope === 'sheet'
      ? exportUrl(datasetId, sheetId, kind.format, r, kind.flavour)
      : zipExportUrl(datasetId, kind.format, r, kind.flavour));
    const a = h('a', {
      class: 'export-choice', href: href('all'), download: '', 'data-testid': `export-${scope}-${kind.key}`,
    }, h('span', { class: 'export-label' }, kind.label), h('span', { class: 'export-detail' }, kind.detail));
    links.push({ link: a, href });
    return a;
  };
  rows.addEventListener('change', () => {
    for (const { link: a, href } of links) a.href = href(rows.value as ExportRows);
  });
  const menu = h('details', { class: 'menu export-menu', 'data-testid': 'export' },
    h('summary', { class: 'button' }, 'Export'),
    h('div', { class: 'menu-body' },
      h('label', { class: 'export-rows' }, h('span', {}, 'Rows'), rows),
      h('p', { class: 'menu-title' }, 'This sheet'),
      h('div', { class: 'export-choices' }, ...KINDS.map((k) => link('sheet', k))),
      h('p', { class: 'menu-title' }, 'Whole dataset (zip, one file per sheet)'),
      h('div', { class: 'export-choices' }, ...KINDS.map((k) => link('dataset', k))),
      h('p', { class: 'hint' }, 'UTF-8, review status and provenance included. In pandas, keep codes such as 036 as text: read_csv(…, dtype=str, keep_default_na=False).'),
    ),
  );
  // A download leaves the page where it is: the menu closes once one has started.
  menu.addEventListener('click', (e) => {
    if ((e.target as Element).closest('a.export-choice')) setTimeout(() => { menu.open = false; });
  });
  closesLikeAMenu(menu);
  return menu;
}
