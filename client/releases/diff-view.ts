/** The difference between two releases, drawn per sheet: rows added, rows removed, and changed rows with each changed cell (old → new). */
import type { ReleaseDiff } from '../../model/http';
import { isAnchor } from '../../model/columns';
import { h } from '../ui/dom';

type Value = ReleaseDiff['sheets'][string]['changed'][number]['old'];

/** A cell value as text: codes joined with "; ", passages as sourceId:start-end, nothing as "empty". */
export function valueText(value: Value): string {
  if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) return 'empty';
  if (Array.isArray(value)) return value.map((v) => (isAnchor(v) ? `${v.source}:${v.start}-${v.end}` : String(v))).join('; ');
  return String(value);
}

export function diffView(diff: ReleaseDiff, from: string, to: string, sheetNames: ReadonlyMap<string, string>): HTMLElement {
  const sheets = Object.entries(diff.sheets);
  const total = sheets.reduce((n, [, s]) => n + s.added.length + s.removed.length + s.changed.length, 0);
  return h('div', { class: 'release-diff', 'data-testid': 'diff-view', 'data-from': from, 'data-to': to },
    h('h3', {}, `From ${from} to ${to}`),
    total === 0 ? h('p', { class: 'muted', 'data-testid': 'diff-empty' }, 'No rows differ.') : null,
    ...sheets.map(([sheetId, sheet]) => {
      const changedRows = [...new Set(sheet.changed.map((c) => c.row))];
      return h('section', { class: 'diff-sheet', 'data-sheet': sheetId },
        h('h4', {}, sheetNames.get(sheetId) ?? sheetId, ' ',
          h('span', { class: 'muted small' }, `${sheet.added.length} added · ${sheet.removed.length} removed · ${changedRows.length} changed`)),
        h('ul', { class: 'diff-rows' },
          ...sheet.added.map((row) => h('li', { class: 'diff-added', 'data-row': row }, h('span', { class: 'diff-mark' }, '+'), h('code', {}, row), ' added')),
          ...sheet.removed.map((row) => h('li', { class: 'diff-removed', 'data-row': row }, h('span', { class: 'diff-mark' }, '−'), h('code', {}, row), ' removed')),
          ...changedRows.map((row) => h('li', { class: 'diff-changed', 'data-row': row },
            h('span', { class: 'diff-mark' }, '~'), h('code', {}, row),
            h('ul', { class: 'diff-cells' }, ...sheet.changed.filter((c) => c.row === row).map((c) => h('li', { 'data-column': c.column },
              h('code', {}, c.column), ': ',
              h('del', { class: 'diff-old' }, valueText(c.old)), ' → ', h('ins', { class: 'diff-new' }, valueText(c.new)))))))),
      );
    }),
  );
}
