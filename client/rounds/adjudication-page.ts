/**
 * Adjudication (dataset admins): each unit (a row × a round column) with every coder's value side by
 * side; where all agree the value is already chosen; otherwise the admin picks one coder's value or
 * types one, and "Write" puts it into the dataset's cell (the history keeps the coders' values).
 * Keyboard: arrows move between the choices, Enter writes, Tab goes on to the next unit.
 */
import { api } from '../api';
import type { CellValue, Column } from '../../model/columns';
import type { User as Me, Round, RoundUnit } from '../../model/http';
import { fromText, toText } from '../grid/values';
import { renderNotFound } from '../pages/layout';
import { roundsPath } from '../router';
import { h, replaceChildren, toast } from '../ui/dom';
import { choices, emptyCoders, sameValue, startValue, tally, unitState, unitsByRow } from './adjudication-model';
import { loadDataset, managesRounds, roundRowLabel, roundsTopBar, sheetColumns, showError } from './frame';
import './rounds.css';

export async function renderAdjudication(app: HTMLElement, me: Me, datasetId: string, roundId: string): Promise<void> {
  const dataset = await loadDataset(app, me, datasetId);
  if (!dataset) return;
  if (!managesRounds(dataset, me)) {
    renderNotFound(app, me, 'Only the dataset’s admins adjudicate a round.');
    return;
  }
  let round: Round;
  let units: RoundUnit[];
  try {
    [round, units] = await Promise.all([
      api.get('/api/datasets/{id}/rounds/{roundId}', { params: { id: datasetId, roundId } }),
      api.get('/api/datasets/{id}/rounds/{roundId}/units', { params: { id: datasetId, roundId } }),
    ]);
  } catch (err) {
    showError(app, me, err, 'There is no such round here.');
    return;
  }
  document.title = `Adjudicate · ${round.name} · Tessera`;
  const view = new AdjudicationView(round, units, sheetColumns(dataset, round.sheet));
  replaceChildren(app,
    roundsTopBar(me, dataset, [h('a', { href: roundsPath(datasetId) }, round.name), 'Adjudicate']),
    view.element,
  );
}

class AdjudicationView {
  readonly element: HTMLElement;
  private readonly counts = h('p', { class: 'muted small', 'data-testid': 'adjudication-counts', role: 'status' });
  private readonly openOnly = h('input', { type: 'checkbox', 'data-testid': 'open-only' });
  private readonly writeAgreed = h('button', { type: 'button', class: 'button', 'data-testid': 'write-agreed' });
  private readonly list = h('div', { class: 'adj-list', 'data-testid': 'adjudication' });
  private readonly unitViews = new Map<RoundUnit, UnitView>();

  constructor(private readonly round: Round, private readonly units: RoundUnit[], private readonly columns: ReadonlyMap<string, Column>) {
    this.element = h('main', { class: 'page wide adjudication-page' },
      h('div', { class: 'page-head' },
        h('div', {}, h('h1', {}, `Adjudicate: ${round.name}`), this.counts),
        h('div', { class: 'head-actions' },
          h('label', { class: 'toggle' }, this.openOnly, h('span', {}, 'Only units still to write')),
          this.writeAgreed,
          h('a', { class: 'button', href: roundsPath(round.dataset, round.id, 'report') }, 'Report'))),
      h('p', { class: 'muted small' },
        'Each coder’s value side by side; where all agree it is chosen already. Pick a value (arrow keys) or type one, then Write (Enter): it goes into the dataset’s cell, and the history keeps every coder’s value.'),
      this.list,
    );
    this.openOnly.addEventListener('change', () => this.render());
    this.writeAgreed.addEventListener('click', () => void this.writeAllAgreed());
    this.render();
  }

  private render(): void {
    const groups = unitsByRow(this.units, this.round.columns);
    this.unitViews.clear();
    replaceChildren(this.list, ...groups.map(({ row, units }) => {
      const shown = this.openOnly.checked ? units.filter((u) => unitState(u) !== 'done') : units;
      if (shown.length === 0) return null;
      return h('section', { class: 'card adj-row', 'data-row': row },
        h('h2', {}, roundRowLabel(this.round.rows, row)),
        ...shown.map((unit) => {
          const view = new UnitView(unit, this.round.coders, this.columns.get(unit.column), (value) => this.write(unit, value));
          this.unitViews.set(unit, view);
          return view.element;
        }));
    }));
    if (this.list.childElementCount === 0) this.list.append(h('p', { class: 'muted' }, this.units.length === 0 ? 'This round has no units.' : 'Every unit is written.'));
    this.renderCounts();
  }

  private renderCounts(): void {
    const t = tally(this.units);
    this.counts.textContent = `${t.done} written, ${t.agreed} agreed and not yet written, ${t.open} to decide.`;
    this.writeAgreed.textContent = `Write all agreed (${t.agreed})`;
    this.writeAgreed.disabled = t.agreed === 0;
  }

  /** Writes one decision; on success the unit shows it, and the focus goes on to the next unit to decide. */
  private async write(unit: RoundUnit, value: CellValue): Promise<boolean> {
    try {
      unit.adjudication = await api.post('/api/datasets/{id}/rounds/{roundId}/adjudicate', { params: { id: this.round.dataset, roundId: this.round.id }, body: { row: unit.row, column: unit.column, value } });
      unit.current = value;
    } catch (err) {
      toast(`Could not write ${unit.row} · ${unit.column}: ${(err as Error).message}`, 'error');
      return false;
    }
    this.unitViews.get(unit)?.update();
    this.renderCounts();
    return true;
  }

  private async writeAllAgreed(): Promise<void> {
    this.writeAgreed.disabled = true;
    for (const unit of this.units) {
      if (unitState(unit) !== 'agreed' || unit.agreed === undefined) continue;
      if (!(await this.write(unit, unit.agreed))) break;
    }
    this.renderCounts();
  }
}

/** One unit: the coders' values as a radio group, "other" with a text field, Write, and its state. */
class UnitView {
  readonly element: HTMLElement;
  private readonly radios: HTMLInputElement[] = [];
  private readonly otherRadio: HTMLInputElement;
  private readonly otherText: HTMLInputElement;
  private readonly writeButton = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'write' }, 'Write');
  private readonly state = h('span', { class: 'adj-state', 'data-testid': 'adj-state' });
  private readonly options: Array<{ radio: HTMLInputElement; value: CellValue; coders: string[] }> = [];

  constructor(private readonly unit: RoundUnit, coders: readonly string[], private readonly column: Column | undefined, private readonly onWrite: (value: CellValue) => Promise<boolean>) {
    const group = `adj-${unit.row}-${unit.column}`;
    const label = column?.name ?? unit.column;
    for (const choice of choices(unit, coders)) {
      const radio = h('input', { type: 'radio', name: group, 'data-testid': 'choice' });
      this.options.push({ radio, value: choice.value, coders: choice.coders });
      this.radios.push(radio);
    }
    this.otherRadio = h('input', { type: 'radio', name: group, 'data-testid': 'choice-other', 'aria-label': `Another value for ${label}` });
    this.radios.push(this.otherRadio);
    const codes = column?.options ?? [];
    const listId = codes.length > 0 ? `${group}-codes` : undefined;
    this.otherText = h('input', { type: 'text', class: 'adj-other', 'data-testid': 'other-value', placeholder: 'Another value', list: listId, 'aria-label': `Value for ${label}` });
    this.otherText.addEventListener('input', () => { this.otherRadio.checked = true; });
    const empty = emptyCoders(unit, coders);
    const form = h('form', { class: 'adj-unit-form' },
      h('fieldset', { class: 'adj-choices' },
        h('legend', {}, label, h('span', { class: 'muted small' }, ` ${unit.level}`)),
        ...this.options.map((o) => h('label', { class: 'adj-choice' }, o.radio,
          h('span', { class: 'adj-value', 'data-testid': 'choice-value' }, toText(o.value)),
          h('span', { class: 'adj-coders muted small' }, o.coders.join(', ')))),
        h('label', { class: 'adj-choice' }, this.otherRadio, this.otherText),
        listId ? h('datalist', { id: listId }, ...codes.map((code) => h('option', { value: code }))) : null,
        empty.length > 0 ? h('span', { class: 'muted small adj-empty' }, `Left empty by ${empty.join(', ')}`) : null,
      ),
      h('div', { class: 'adj-actions' }, this.state, this.writeButton),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    // Enter on a choice writes it (a radio alone does not submit its form).
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target instanceof HTMLInputElement && e.target.type === 'radio') {
        e.preventDefault();
        void this.submit();
      }
    });
    this.element = h('div', { class: 'adj-unit', 'data-row': unit.row, 'data-column': unit.column }, form);
    this.preselect();
    this.update();
  }

  /** Shows the unit's state: written (with the value), agreed, or still to decide. */
  update(): void {
    const state = unitState(this.unit);
    this.element.dataset.state = state;
    const a = this.unit.adjudication;
    this.state.textContent = a ? `Written: ${toText(a.value) || 'empty'} (${a.by})` : state === 'agreed' ? 'All agree' : 'To decide';
    this.writeButton.textContent = a ? 'Write again' : 'Write';
  }

  private preselect(): void {
    const start = startValue(this.unit);
    if (start === undefined) return;
    const match = this.options.find((o) => sameValue(o.value, start));
    if (match) {
      match.radio.checked = true;
    } else {
      this.otherRadio.checked = true;
      this.otherText.value = toText(start);
    }
  }

  private chosen(): CellValue | undefined {
    if (this.otherRadio.checked) return this.column ? fromText(this.column, this.otherText.value) : this.otherText.value.trim() || null;
    return this.options.find((o) => o.radio.checked)?.value;
  }

  private async submit(): Promise<void> {
    const value = this.chosen();
    if (value === undefined) {
      toast('Pick a value first, or type one.');
      this.radios[0]?.focus();
      return;
    }
    this.writeButton.disabled = true;
    const ok = await this.onWrite(value);
    this.writeButton.disabled = false;
    if (ok) focusNextOpen(this.element);
  }
}

/** Moves the focus to the next unit still to decide (its first choice), so a keyboard user goes on. */
function focusNextOpen(from: HTMLElement): void {
  const all = [...document.querySelectorAll<HTMLElement>('.adj-unit')];
  const next = all.slice(all.indexOf(from) + 1).find((el) => el.dataset.state !== 'done');
  next?.querySelector<HTMLInputElement>('input[type=radio]:checked, input[type=radio]')?.focus();
}
