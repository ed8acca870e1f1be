/**
 * The import dialog of a sheet: pick or drop a CSV or XLSX file; map each column of the file
 * to a column of the sheet (matched by id or name, adjustable, or ignored) with a preview of the first
 * rows; choose insert only or an upsert key, and whether to write the good records when some are
 * rejected; check (a dry run: what would be inserted, updated, rejected and marked), then import, with
 * the upload's progress.
 */
import type { Column } from '../../model/columns';
import type { ImportReport } from '../../model/http';
import { append, h, replaceChildren, toast } from '../ui/dom';
import { autoMapping, duplicateTargets, unmatched } from './mapping';
import { PLACE_PARTS } from '../../model/places';
import { CSV_TYPE, type ImportRequest, uploadImport, XLSX_TYPE } from './upload';
import { xlsxHead } from './xlsx-head';
import { csvHead } from './csv-head';

/** How much of a CSV file is read for the header and the preview. */
const PREVIEW_BYTES = 256 * 1024;
const PREVIEW_ROWS = 5;
/** Rejected values and warnings shown in the dialog (the report counts them all). */
const SHOWN = 50;

export interface ImportDialogOptions {
  datasetId: string;
  sheetId: string;
  sheetName: string;
  columns: readonly Column[];
}

interface Chosen {
  file: File;
  type: ImportRequest['type'];
  /** The header and the first rows, for the mapping and the preview (none for a workbook too large to preview). */
  header?: string[];
  rows?: string[][];
  mapping?: string[];
}

function fileType(file: File): ImportRequest['type'] | null {
  const name = file.name.toLowerCase();
  if (name.endsWith('.xlsx') || file.type === XLSX_TYPE) return XLSX_TYPE;
  if (name.endsWith('.csv') || name.endsWith('.txt') || file.type === CSV_TYPE) return CSV_TYPE;
  return null;
}

export function openImportDialog(options: ImportDialogOptions): void {
  const { columns } = options;
  let chosen: Chosen | null = null;
  let busy = false;

  const dialog = h('dialog', { class: 'dialog import-dialog', 'data-testid': 'import-dialog', 'aria-label': `Import into ${options.sheetName}` });
  const input = h('input', { type: 'file', accept: '.csv,.xlsx,text/csv', 'data-testid': 'import-file', class: 'import-file' });
  const drop = h('label', { class: 'import-drop', 'data-testid': 'import-drop' },
    h('span', {}, 'Drop a CSV or XLSX file here, or '), h('span', { class: 'link' }, 'choose one'), input);
  const fileInfo = h('p', { class: 'import-file-info muted', 'data-testid': 'import-file-info' });
  const mappingHost = h('div', { class: 'import-mapping', 'data-testid': 'import-mapping' });
  const keyMode = h('select', { 'data-testid': 'import-key', 'aria-label': 'How records are matched' },
    h('option', { value: '' }, 'Insert every record as a new row'),
    h('option', { value: 'row_id' }, 'Update rows with the same row_id, insert the others'),
    h('option', { value: 'column' }, 'Update rows with the same value in a column, insert the others'));
  const keyColumn = h('select', { 'data-testid': 'import-key-column', 'aria-label': 'Key column', hidden: true },
    ...columns.map((c) => h('option', { value: c.id }, `${c.name} (${c.id})`)));
  const partial = h('input', { type: 'checkbox', 'data-testid': 'import-partial' });
  const progress = h('progress', { class: 'import-progress', max: 1, value: 0, hidden: true, 'data-testid': 'import-progress' });
  const report = h('div', { class: 'import-report', 'data-testid': 'import-report', 'aria-live': 'polite' });
  const checkButton = h('button', { type: 'button', class: 'button', 'data-testid': 'import-check', disabled: true }, 'Check');
  const importButton = h('button', { type: 'button', class: 'button primary', 'data-testid': 'import-run', disabled: true }, 'Import');
  const closeButton = h('button', { type: 'button', class: 'button', 'data-testid': 'import-close' }, 'Close');

  const close = () => {
    if (busy) return;
    dialog.close();
    dialog.remove();
  };
  keyMode.addEventListener('change', () => { keyColumn.hidden = keyMode.value !== 'column'; });

  const key = () => (keyMode.value === 'column' ? keyColumn.value : keyMode.value || undefined);
  const request = (dryRun: boolean): ImportRequest | null => {
    if (!chosen) return null;
    return {
      datasetId: options.datasetId, sheetId: options.sheetId, file: chosen.file, type: chosen.type,
      key: key(), dryRun, partial: partial.checked, ...(chosen.mapping && { mapping: chosen.mapping }),
    };
  };

  const mappingProblem = (): string | null => {
    if (!chosen?.mapping) return null;
    const twice = duplicateTargets(chosen.mapping);
    if (twice.length > 0) return `Two columns of the file go to ${twice.map((t) => `“${t}”`).join(', ')}: choose one.`;
    if (!chosen.mapping.some((m) => m !== '' && m !== 'row_id')) return 'No column of the file goes to a column of this sheet.';
    if (keyMode.value === 'row_id' && !chosen.mapping.includes('row_id')) return 'To update by row_id, one column of the file must go to row_id.';
    if (keyMode.value === 'column' && !chosen.mapping.includes(keyColumn.value)) return `To update by ${keyColumn.value}, one column of the file must go to it.`;
    return null;
  };
  const refreshButtons = () => {
    const problem = mappingProblem();
    checkButton.disabled = importButton.disabled = busy || !chosen || problem !== null;
    if (problem) replaceChildren(report, h('p', { class: 'import-error', 'data-testid': 'import-mapping-problem' }, problem));
  };
  keyMode.addEventListener('change', refreshButtons);
  keyColumn.addEventListener('change', refreshButtons);

  const renderMapping = () => {
    if (!chosen?.header || !chosen.mapping) {
      replaceChildren(mappingHost, chosen ? h('p', { class: 'muted' }, 'This workbook is too large to preview here: its first sheet is read, and its header row names the columns (by id or name).') : null);
      return;
    }
    const { header, rows = [], mapping } = chosen;
    const misses = new Set(unmatched(header, columns));
    const select = (i: number) => {
      const s = h('select', { 'data-testid': `import-map-${i}`, 'aria-label': `Column “${header[i]}” goes to` },
        h('option', { value: '' }, '— ignore —'),
        h('option', { value: 'row_id' }, 'row_id'),
        // A place column takes its parts too, as the CSV export writes them.
        ...columns.flatMap((c) => [h('option', { value: c.id }, `${c.name} (${c.id})`),
          ...(c.type === 'place' ? PLACE_PARTS.map((p) => h('option', { value: `${c.id}_${p}` }, `${c.name}: ${p} (${c.id}_${p})`)) : [])]));
      s.value = mapping[i] ?? '';
      s.addEventListener('change', () => {
        mapping[i] = s.value;
        replaceChildren(report);
        refreshButtons();
      });
      return s;
    };
    replaceChildren(mappingHost,
      h('table', { class: 'import-preview' },
        h('thead', {},
          h('tr', {}, ...header.map((cell, i) => h('th', { class: misses.has(i) ? 'unmatched' : undefined, title: misses.has(i) ? 'Not a column of this sheet: map it, or it is ignored' : undefined }, cell || `(column ${i + 1})`))),
          h('tr', {}, ...header.map((_, i) => h('th', {}, select(i))))),
        h('tbody', {}, ...rows.map((row) => h('tr', {}, ...header.map((_, i) => h('td', {}, (row[i] ?? '').slice(0, 80))))))),
      misses.size > 0 ? h('p', { class: 'muted' }, `${misses.size} column${misses.size === 1 ? '' : 's'} of the file match${misses.size === 1 ? 'es' : ''} no column of this sheet and ${misses.size === 1 ? 'is' : 'are'} ignored unless you map ${misses.size === 1 ? 'it' : 'them'}.`) : null,
    );
  };

  const choose = async (file: File) => {
    const type = fileType(file);
    replaceChildren(report);
    if (!type) {
      chosen = null;
      fileInfo.textContent = `${file.name}: not a CSV or XLSX file`;
      renderMapping();
      refreshButtons();
      return;
    }
    chosen = { file, type };
    fileInfo.textContent = `${file.name} · ${(file.size / 1024).toFixed(file.size < 10240 ? 1 : 0)} KB`;
    const head = type === CSV_TYPE ? await csvHead(file, PREVIEW_BYTES, PREVIEW_ROWS) : await xlsxHead(file, PREVIEW_ROWS);
    if (head) {
      chosen.header = head.header;
      chosen.rows = head.rows;
      chosen.mapping = autoMapping(head.header, columns);
    }
    renderMapping();
    refreshButtons();
  };

  input.addEventListener('change', () => { if (input.files?.[0]) void choose(input.files[0]); });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) void choose(file);
  });

  const run = async (dryRun: boolean) => {
    const r = request(dryRun);
    if (!r) return;
    busy = true;
    refreshButtons();
    progress.hidden = false;
    progress.value = 0;
    replaceChildren(report, h('p', { class: 'muted' }, dryRun ? 'Checking…' : 'Importing…'));
    const answer = await uploadImport(r, (f) => {
      progress.value = f;
      // A large file takes the server a while after the upload: say what it is doing.
      if (f >= 1) replaceChildren(report, h('p', { class: 'muted' }, dryRun ? 'Uploaded; checking every record…' : 'Uploaded; checking every record, then writing the rows…'));
    });
    busy = false;
    progress.hidden = true;
    refreshButtons();
    if (!answer.ok) {
      replaceChildren(report, h('p', { class: 'import-error', 'data-testid': 'import-error' }, answer.message));
      return;
    }
    renderReport(report, answer.report, dryRun, answer.status);
    if (!dryRun && answer.report.written) toast(`Imported into ${options.sheetName}: ${summary(answer.report)}`);
  };
  checkButton.addEventListener('click', () => void run(true));
  importButton.addEventListener('click', () => void run(false));
  closeButton.addEventListener('click', close);
  dialog.addEventListener('cancel', (e) => {
    e.preventDefault();
    close();
  });

  append(dialog,
    h('p', { class: 'dialog-message' }, `Import into ${options.sheetName}`),
    drop,
    fileInfo,
    mappingHost,
    h('div', { class: 'import-options' },
      h('label', {}, h('span', {}, 'Records'), keyMode, keyColumn),
      h('label', { class: 'toggle', title: 'Write the good records even when some are rejected' }, partial,
        h('span', {}, 'Import the good records when some are rejected')),
    ),
    progress,
    report,
    h('div', { class: 'dialog-actions' }, closeButton, checkButton, importButton),
  );
  renderMapping();
  document.body.append(dialog);
  dialog.showModal();
}

const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;

function summary(r: ImportReport): string {
  return `${plural(r.inserted, 'new row')}, ${plural(r.updated, 'updated row')}, ${r.unchanged.toLocaleString()} unchanged`;
}

function renderReport(host: HTMLElement, r: ImportReport, dryRun: boolean, status: number): void {
  const head = status === 422
    ? h('p', { class: 'import-error', 'data-testid': 'import-outcome' },
      `${plural(r.rejectedTotal, 'value')} cannot be imported, so nothing was written${dryRun ? ' (this was a check)' : ''}. Fix the file, or tick “Import the good records”.`)
    : h('p', { class: 'import-ok', 'data-testid': 'import-outcome' },
      `${dryRun ? 'Would import' : 'Imported'}: ${summary(r)}${r.rejectedTotal > 0 ? `; ${plural(r.rejectedTotal, 'rejected value')} left out` : ''}${dryRun ? '. Nothing was written (this was a check)' : ''}.`);
  const rejected = r.rejected.length === 0 ? null : h('div', {},
    h('p', { class: 'menu-title' }, `Rejected (${r.rejectedTotal.toLocaleString()})`),
    h('table', { class: 'import-rejected', 'data-testid': 'import-rejected' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Line'), h('th', {}, 'Column'), h('th', {}, 'Value'), h('th', {}, 'Why'))),
      h('tbody', {}, ...r.rejected.slice(0, SHOWN).map((x) => h('tr', {},
        h('td', {}, String(x.line)), h('td', {}, x.column ?? ''), h('td', {}, x.value.slice(0, 80)), h('td', {}, x.message))))));
  const warnings = r.warnings.length === 0 ? null : h('div', {},
    h('p', { class: 'menu-title' }, `Problems the grid will mark (${r.warningsTotal.toLocaleString()})`),
    h('ul', { class: 'import-warnings', 'data-testid': 'import-warnings' },
      ...r.warnings.slice(0, SHOWN).map((w) => h('li', {}, `Line ${w.line}: ${w.message}`))));
  replaceChildren(host, head, rejected, warnings);
}
