/** Export of the current sheet: CSV or JSON, all / approved / flagged / unflagged rows. */
import { type ExportFormat, type ExportRows, exportUrl } from '../api';
import { h } from '../ui/dom';

const ROWS: Array<[ExportRows, string]> = [
  ['all', 'All rows'],
  ['approved', 'Approved rows'],
  ['flagged', 'Rows with open flags'],
  ['unflagged', 'Rows without open flags'],
];

export function exportMenu(datasetId: string, sheetId: string): HTMLElement {
  const link = (format: ExportFormat, rows: ExportRows) =>
    h('a', {
      class: 'export-link', href: exportUrl(datasetId, sheetId, format, rows), download: '',
      'data-format': format, 'data-rows': rows,
    }, format.toUpperCase());
  const menu = h('details', { class: 'menu export-menu', 'data-testid': 'export' },
    h('summary', { class: 'button' }, 'Export'),
    h('div', { class: 'menu-body' },
      h('p', { class: 'menu-title' }, 'Download this sheet'),
      h('table', { class: 'export-table' },
        h('tbody', {}, ...ROWS.map(([rows, label]) =>
          h('tr', {}, h('th', {}, label), h('td', {}, link('csv', rows)), h('td', {}, link('json', rows))))),
      ),
      h('p', { class: 'hint' }, 'UTF-8 CSV (RFC 4180) or JSON with the codebook; review status and provenance included.'),
    ),
  );
  // Close when clicking elsewhere, like a menu; the listener goes with the menu.
  const outside = (e: MouseEvent) => {
    if (!menu.isConnected) document.removeEventListener('click', outside);
    else if (menu.open && !menu.contains(e.target as Node)) menu.open = false;
  };
  document.addEventListener('click', outside);
  return menu;
}
