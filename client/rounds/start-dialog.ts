/**
 * Starting a double-coding round (dataset admins), from the dataset page: which rows (the selected
 * ones, or a seeded random sample of the rows not yet double-coded), which columns with the level
 * each is judged at, and which coders. The server makes each coder's blind copy.
 */
import { api, ApiError } from '../api';
import type { Column } from '../../model/columns';
import type { AgreementLevel, NewRoundBody, Round, User as Me } from '../../model/http';
import { h } from '../ui/dom';
import { levelsFor } from './report-model';
import './rounds.css';

export interface RoundSheet {
  id: string;
  name: string;
  columns: readonly Column[];
}

export interface StartRoundInput {
  datasetId: string;
  me: Me;
  sheet: RoundSheet;
  /** The rows selected in the grid: the round's units when chosen. */
  selectedRows: readonly string[];
}

/** Opens the dialog; resolves with the round the server made, or null when cancelled. */
export function startRoundDialog(input: StartRoundInput): Promise<Round | null> {
  const { datasetId, sheet, selectedRows } = input;
  return new Promise((resolve) => {
    const name = h('input', { type: 'text', maxlength: 200, 'data-testid': 'round-name', placeholder: `${sheet.name}, double coding` });
    const bySelection = h('input', { type: 'radio', name: 'units', value: 'selected', 'data-testid': 'round-units-selected', disabled: selectedRows.length === 0 });
    const bySample = h('input', { type: 'radio', name: 'units', value: 'sample', 'data-testid': 'round-units-sample' });
    (selectedRows.length > 0 ? bySelection : bySample).checked = true;
    const percent = h('input', { type: 'number', min: 1, max: 100, step: 'any', value: 10, class: 'number-input', 'data-testid': 'round-percent', 'aria-label': 'Percent of the rows' });
    const seed = h('input', { type: 'number', min: 0, step: 1, class: 'seed-input', 'data-testid': 'round-seed', placeholder: 'any', 'aria-label': 'Seed' });

    const codable = sheet.columns.filter((c) => c.type !== 'evidence');
    const columnChecks = new Map<string, HTMLInputElement>();
    const levelPicks = new Map<string, HTMLSelectElement>();
    const columnRows = codable.map((c) => {
      const check = h('input', { type: 'checkbox', value: c.id, 'data-testid': `round-column-${c.id}` });
      const levels = levelsFor(c);
      const level = h('select', { class: 'small-select', 'data-testid': `round-level-${c.id}`, 'aria-label': `Level of ${c.name}`, disabled: levels.length === 1 },
        ...levels.map((l) => h('option', { value: l }, l)));
      columnChecks.set(c.id, check);
      levelPicks.set(c.id, level);
      return h('tr', {}, h('td', {}, h('label', { class: 'check' }, check, h('span', {}, c.name))), h('td', {}, level));
    });

    const coderList = h('div', { class: 'round-coders', 'data-testid': 'round-coders' }, h('span', { class: 'muted small' }, 'Loading people…'));
    const coderChecks = new Map<string, HTMLInputElement>();
    void loadPeople(input).then((people) => {
      coderList.replaceChildren(...people.map((p) => {
        const check = h('input', { type: 'checkbox', value: p.name, 'data-testid': `round-coder-${p.name}` });
        coderChecks.set(p.name, check);
        return h('label', { class: 'check' }, check, h('span', {}, p.name), h('span', { class: 'muted small' }, p.role));
      }));
      if (people.length === 0) coderList.replaceChildren(h('span', { class: 'muted small' }, 'Nobody to pick.'));
    }, (err: unknown) => coderList.replaceChildren(h('span', { class: 'form-error' }, `Could not load people: ${(err as Error).message}`)));

    const error = h('p', { class: 'form-error', role: 'alert' });
    error.hidden = true;
    const submit = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'round-start' }, 'Start round');
    const cancel = h('button', { type: 'button', class: 'button' }, 'Cancel');
    const form = h('form', { class: 'round-form' },
      h('p', { class: 'dialog-message' }, `Double-code rows of “${sheet.name}”`),
      h('p', { class: 'dialog-detail' }, 'Each coder codes the chosen columns blind, in a copy of their own; the other columns show as they are.'),
      h('label', {}, h('span', { class: 'field-label' }, 'Name'), name),
      h('fieldset', {},
        h('legend', {}, 'Rows'),
        h('label', { class: 'check' }, bySelection, h('span', {}, selectedRows.length === 0
          ? 'The selected rows (select rows in the grid first)'
          : `The ${selectedRows.length} selected row${selectedRows.length === 1 ? '' : 's'}`)),
        h('label', { class: 'check' }, bySample, h('span', {}, 'A random sample of'), percent,
          h('span', {}, '% of the rows not yet double-coded, seed'), seed),
        h('p', { class: 'hint' }, 'Leave the seed empty and one is picked; the round shows it, so the same sample can be drawn again.'),
      ),
      h('fieldset', {},
        h('legend', {}, 'Columns to code, and the level each is judged at'),
        h('div', { class: 'round-columns-box' }, h('table', { class: 'round-columns' }, h('tbody', {}, ...columnRows))),
      ),
      h('fieldset', {}, h('legend', {}, 'Coders (at least two)'), coderList),
      error,
      h('div', { class: 'dialog-actions' }, cancel, submit),
    );
    const dialog = h('dialog', { class: 'dialog round-dialog', 'data-testid': 'round-dialog', 'aria-label': 'Start a double-coding round' }, form);

    let done = false;
    const close = (round: Round | null) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      resolve(round);
    };
    const fail = (message: string) => {
      error.textContent = message;
      error.hidden = false;
    };
    cancel.addEventListener('click', () => close(null));
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(null);
    });
    percent.addEventListener('focus', () => { bySample.checked = true; });
    seed.addEventListener('focus', () => { bySample.checked = true; });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const columns = codable.filter((c) => columnChecks.get(c.id)!.checked);
      const coders = [...coderChecks].filter(([, check]) => check.checked).map(([coder]) => coder);
      if (columns.length === 0) return fail('Pick at least one column to code.');
      if (coders.length < 2) return fail('Pick at least two coders.');
      const body: NewRoundBody = { sheet: sheet.id, columns: columns.map((c) => c.id), coders };
      if (name.value.trim() !== '') body.name = name.value.trim();
      const levels: Record<string, AgreementLevel> = {};
      for (const c of columns) levels[c.id] = levelPicks.get(c.id)!.value as AgreementLevel;
      body.levels = levels;
      if (bySelection.checked) {
        body.rows = [...selectedRows];
      } else {
        const share = Number(percent.value);
        if (!(share > 0 && share <= 100)) return fail('The sample is a percent above 0, up to 100.');
        body.sample = seed.value.trim() === '' ? { percent: share } : { percent: share, seed: Number(seed.value) };
      }
      error.hidden = true;
      submit.disabled = true;
      try {
        close(await api.post('/api/datasets/{id}/rounds', { params: { id: datasetId }, body }));
      } catch (err) {
        fail(err instanceof ApiError ? err.message : `Could not start the round: ${(err as Error).message}`);
        submit.disabled = false;
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    name.focus();
  });
}

/** Whom a round can name as coders: every active user for a global admin, else the dataset's members. */
async function loadPeople({ datasetId, me }: StartRoundInput): Promise<Array<{ name: string; role: string }>> {
  if (me.role === 'admin') {
    return (await api.get('/api/users')).filter((u) => !u.disabled).map(({ name, role }) => ({ name, role }));
  }
  return (await api.get('/api/datasets/{id}/members', { params: { id: datasetId } })).map(({ name, role }) => ({ name, role }));
}
