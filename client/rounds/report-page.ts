/**
 * A round's agreement report (dataset admins): Krippendorff's alpha per column at its level, drawn as
 * bars against the 0.667 and 0.800 thresholds, with percent agreement and pairable units; the
 * coder-pair matrix of each column in heat colours; the units the coders disagree on most; the CSV.
 */
import { api, agreementCsvUrl } from '../api';
import type { Agreement, DatasetDetail, User as Me, Round, RoundUnits } from '../../model/http';
import { renderNotFound } from '../pages/layout';
import { roundsPath } from '../router';
import { toText } from '../grid/values';
import { h, replaceChildren } from '../ui/dom';
import { loadDataset, managesRounds, roundRowLabel, roundsTopBar, sheetColumns, showError } from './frame';
import {
  RELIABILITY_LABELS, RELIABLE, TENTATIVE, type ColumnRow, columnRows, formatAlpha, formatPercent, heatColour, pairMatrix,
} from './report-model';
import './rounds.css';

/** How many units the "most disagreement" list shows. */
const WORST_UNITS = 10;

export async function renderReport(app: HTMLElement, me: Me, datasetId: string, roundId: string): Promise<void> {
  const dataset = await loadDataset(app, me, datasetId);
  if (!dataset) return;
  if (!managesRounds(dataset, me)) {
    renderNotFound(app, me, 'Only the dataset’s admins read a round’s report.');
    return;
  }
  let round: Round;
  let agreement: Agreement;
  let units: RoundUnits;
  try {
    [round, agreement, units] = await Promise.all([
      api.get('/api/datasets/{id}/rounds/{roundId}', { params: { id: datasetId, roundId } }),
      api.get('/api/datasets/{id}/rounds/{roundId}/agreement', { params: { id: datasetId, roundId } }),
      api.get('/api/datasets/{id}/rounds/{roundId}/units', { params: { id: datasetId, roundId } }),
    ]);
  } catch (err) {
    showError(app, me, err, 'There is no such round here.');
    return;
  }
  document.title = `Report · ${round.name} · Tessera`;
  const columns = sheetColumns(dataset, round.sheet);
  const names = new Map([...columns].map(([id, c]) => [id, c.name]));
  const rows = columnRows(agreement, names);
  replaceChildren(app,
    roundsTopBar(me, dataset, [h('a', { href: roundsPath(datasetId) }, round.name), 'Report']),
    h('main', { class: 'page wide round-report', 'data-testid': 'round-report' },
      h('div', { class: 'page-head' },
        h('div', {}, h('h1', {}, `Agreement: ${round.name}`), h('p', { class: 'muted small' }, summary(round, dataset))),
        h('div', { class: 'head-actions' },
          h('a', { class: 'button', href: agreementCsvUrl(datasetId, roundId), download: `${round.id}-agreement.csv`, 'data-testid': 'report-csv' }, 'Download CSV'),
          h('a', { class: 'button primary', href: roundsPath(datasetId, roundId, 'adjudicate') }, 'Adjudicate'))),
      round.status === 'open'
        ? h('p', { class: 'round-banner', 'data-state': 'coding' }, 'Not every coder has submitted yet: the numbers may still change.')
        : null,
      alphaChart(rows),
      pairsCard(agreement, round, rows),
      worstUnits(units, round, names, datasetId),
    ),
  );
}

function summary(round: Round, dataset: DatasetDetail): string {
  const sheet = dataset.sheets.find((s) => s.id === round.sheet)?.name ?? round.sheet;
  const sample = round.sample ? `, a ${round.sample.percent}% sample (seed ${round.sample.seed})` : '';
  return `${round.rows.length} rows of ${sheet}${sample}, coded by ${round.coders.join(', ')}.`;
}

/** One bar per column on a 0–1 axis, the two thresholds drawn across. */
function alphaChart(rows: ColumnRow[]): HTMLElement {
  const line = (at: number, label: string) =>
    h('span', { class: 'threshold', style: `left: ${at * 100}%`, title: label }, h('span', { class: 'threshold-label' }, at.toFixed(3)));
  return h('section', { class: 'card' },
    h('h2', {}, 'Krippendorff’s alpha per column'),
    h('p', { class: 'muted small' }, `Rely on a column at α ≥ ${RELIABLE.toFixed(3)}; draw tentative conclusions only at α ≥ ${TENTATIVE.toFixed(3)}.`),
    h('div', { class: 'alpha-chart', role: 'table', 'aria-label': 'Alpha per column' },
      h('div', { class: 'alpha-row alpha-head', role: 'row' },
        h('span', { role: 'columnheader' }, 'Column'),
        h('span', { role: 'columnheader', class: 'alpha-axis' }, line(TENTATIVE, 'tentative'), line(RELIABLE, 'reliable')),
        h('span', { role: 'columnheader' }, 'α'),
        h('span', { role: 'columnheader' }, 'Agreement'),
        h('span', { role: 'columnheader' }, 'Units')),
      ...rows.map((r) => h('div', { class: `alpha-row ${r.reliability}`, role: 'row', 'data-column': r.column, title: RELIABILITY_LABELS[r.reliability] },
        h('span', { role: 'cell', class: 'alpha-name' }, r.name, h('span', { class: 'muted small' }, ` ${r.level}`)),
        h('span', { role: 'cell', class: 'alpha-track' },
          h('span', { class: 'alpha-bar', style: `width: ${r.bar}%` }),
          h('span', { class: 'threshold', style: `left: ${TENTATIVE * 100}%` }),
          h('span', { class: 'threshold', style: `left: ${RELIABLE * 100}%` })),
        h('span', { role: 'cell', class: 'alpha-value', 'data-testid': `alpha-${r.column}` }, formatAlpha(r.alpha)),
        h('span', { role: 'cell', 'data-testid': `percent-${r.column}` }, formatPercent(r.percent)),
        h('span', { role: 'cell', 'data-testid': `units-${r.column}` }, String(r.units)))),
    ),
    h('p', { class: 'legend small' },
      ...(['reliable', 'tentative', 'unreliable', 'none'] as const).map((band) =>
        h('span', { class: `legend-item ${band}` }, h('span', { class: 'swatch' }), RELIABILITY_LABELS[band]))),
  );
}

/** Per column, a square of coders: each cell the pair's alpha and percent agreement, coloured by reliability. */
function pairsCard(agreement: Agreement, round: Round, rows: ColumnRow[]): HTMLElement {
  return h('section', { class: 'card' },
    h('h2', {}, 'Coder pairs'),
    h('p', { class: 'muted small' }, 'Alpha and percent agreement of each pair of coders, per column: a pair well below the others points at a coder to talk to.'),
    h('div', { class: 'pair-matrices' }, ...rows.map((r) => {
      const m = pairMatrix(agreement, r.column, round.coders);
      return h('table', { class: 'pair-matrix', 'data-column': r.column },
        h('caption', {}, r.name),
        h('thead', {}, h('tr', {}, h('th', {}), ...m.coders.map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...m.coders.map((a) => h('tr', {}, h('th', { scope: 'row' }, a), ...m.coders.map((b) => {
          if (a === b) return h('td', { class: 'diagonal' });
          const cell = m.cell(a, b);
          const td = h('td', { title: cell ? `${a} and ${b}: ${cell.units} units` : `${a} and ${b}: no shared values` },
            h('span', { class: 'pair-alpha' }, formatAlpha(cell?.alpha ?? null)),
            h('span', { class: 'pair-percent muted small' }, formatPercent(cell?.percent ?? null)));
          td.style.background = heatColour(cell?.alpha ?? null);
          return td;
        })))));
    })),
  );
}

function worstUnits(units: RoundUnits, round: Round, names: ReadonlyMap<string, string>, datasetId: string): HTMLElement {
  const worst = units.filter((u) => u.disagreement > 0).slice(0, WORST_UNITS);
  return h('section', { class: 'card' },
    h('h2', {}, 'Most disagreement'),
    worst.length === 0
      ? h('p', { class: 'muted' }, 'The coders agree on every unit.')
      : h('table', { class: 'table worst-units', 'data-testid': 'worst-units' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Row'), h('th', {}, 'Column'), ...round.coders.map((c) => h('th', {}, c)), h('th', {}, 'Disagreement'))),
        h('tbody', {}, ...worst.map((u) => h('tr', {},
          h('td', {}, roundRowLabel(round.rows, u.row)),
          h('td', {}, names.get(u.column) ?? u.column),
          ...round.coders.map((c) => h('td', {}, toText(u.values[c] ?? null) || h('span', { class: 'muted' }, 'empty'))),
          h('td', {}, u.disagreement.toFixed(2)))))),
    worst.length > 0 ? h('p', {}, h('a', { href: roundsPath(datasetId, round.id, 'adjudicate') }, 'Adjudicate the disagreements →')) : null,
  );
}
