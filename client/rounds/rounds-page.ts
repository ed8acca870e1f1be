/**
 * A dataset's double-coding rounds: each with its rows, columns and coders, and per coder how far
 * they are (cells coded, rows done, submitted). Coders open their copy from here; dataset admins the
 * report and the adjudication. Kept fresh while shown.
 */
import { api } from '../api';
import type { DatasetDetail, User as Me, RoundCoderStatus, RoundList, RoundSummary } from '../../model/http';
import { datasetPath, roundsPath } from '../router';
import { h, replaceChildren } from '../ui/dom';
import { loadDataset, managesRounds, roundsTopBar, sheetColumns, sheetName } from './frame';
import './rounds.css';

const REFRESH_MS = 5_000;

export async function renderRounds(app: HTMLElement, me: Me, datasetId: string): Promise<void> {
  const dataset = await loadDataset(app, me, datasetId);
  if (!dataset) return;
  document.title = `Rounds · ${dataset.name} · Tessera`;
  const list = h('div', { 'data-testid': 'rounds' }, h('p', { class: 'muted' }, 'Loading…'));
  const admin = managesRounds(dataset, me);
  replaceChildren(app,
    roundsTopBar(me, dataset, []),
    h('main', { class: 'page wide rounds-page' },
      h('div', { class: 'page-head' },
        h('div', {}, h('h1', {}, 'Double coding'),
          h('p', { class: 'muted small' }, admin
            ? 'Start a round from the grid: select the rows (or none, for a random sample), then “Double-code…”.'
            : 'The rounds you code. Each coder codes blind, in a copy of their own.')),
        h('a', { class: 'button', href: datasetPath(datasetId) }, '← Back to the grid')),
      list,
    ),
  );
  let last = '';
  const refresh = async () => {
    try {
      const rounds = await api.get('/api/datasets/{id}/rounds', { params: { id: datasetId } });
      const key = JSON.stringify(rounds);
      if (key !== last) {
        last = key;
        replaceChildren(list, roundsTable(dataset, me, rounds));
      }
    } catch (err) {
      replaceChildren(list, h('p', { class: 'form-error' }, `Could not load the rounds: ${(err as Error).message}`));
    }
  };
  await refresh();
  const tick = () => {
    if (!list.isConnected) return;
    if (document.visibilityState === 'visible') void refresh();
    setTimeout(tick, REFRESH_MS);
  };
  setTimeout(tick, REFRESH_MS);
}

function roundsTable(dataset: DatasetDetail, me: Me, rounds: RoundList): HTMLElement {
  if (rounds.length === 0) return h('p', { class: 'muted', 'data-testid': 'no-rounds' }, 'No rounds yet.');
  const admin = managesRounds(dataset, me);
  return h('table', { class: 'table rounds-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Round'), h('th', {}, 'Rows'), h('th', {}, 'Columns'), h('th', {}, 'Coders'), h('th', {}, ''))),
    h('tbody', {}, ...rounds.map((round) => roundRow(dataset, me, round, admin))),
  );
}

function roundRow(dataset: DatasetDetail, me: Me, round: RoundSummary, admin: boolean): HTMLElement {
  const columns = sheetColumns(dataset, round.sheet);
  const cellsPerCoder = round.units;
  const mine = round.progress.find((p) => p.name === me.name);
  const actions = [
    round.isCoder
      ? h('a', { class: `button${mine?.submittedAt ? '' : ' primary'}`, href: roundsPath(dataset.id, round.id), 'data-testid': 'code-round' },
        mine?.submittedAt ? 'My copy' : 'Code')
      : null,
    admin ? h('a', { class: 'button', href: roundsPath(dataset.id, round.id, 'report'), 'data-testid': 'round-report' }, 'Report') : null,
    admin ? h('a', { class: 'button', href: roundsPath(dataset.id, round.id, 'adjudicate'), 'data-testid': 'round-adjudicate' }, 'Adjudicate') : null,
  ];
  return h('tr', { 'data-round': round.id, 'data-status': round.status },
    h('td', {},
      h('div', { class: 'round-name' }, round.name),
      h('div', { class: 'muted small' }, `${sheetName(dataset, round.sheet)} · by ${round.createdBy}, ${new Date(round.createdAt).toLocaleDateString()}`),
      round.sample ? h('div', { class: 'muted small', 'data-testid': 'round-sample' }, `Sample of ${round.sample.percent}%, seed ${round.sample.seed}`) : null,
      h('span', { class: `round-status ${round.status}`, 'data-testid': 'round-status' }, round.status === 'submitted' ? 'All submitted' : 'Open'),
    ),
    h('td', {}, String(round.rowCount)),
    h('td', {}, round.columns.map((id) => `${columns.get(id)?.name ?? id} (${round.levels[id] ?? 'nominal'})`).join(', ')),
    h('td', {}, h('ul', { class: 'coder-progress' }, ...round.progress.map((p) => coderLine(p, cellsPerCoder, round.rowCount)))),
    h('td', { class: 'round-actions' }, ...actions),
  );
}

function coderLine(p: RoundCoderStatus, cells: number, rows: number): HTMLElement {
  return h('li', { 'data-coder': p.name },
    h('span', { class: 'coder-name' }, p.name),
    h('span', { class: 'muted small', 'data-testid': 'coder-coded' }, `${p.coded}/${cells} cells, ${p.rowsDone}/${rows} rows`),
    p.submittedAt
      ? h('span', { class: 'round-status submitted', 'data-testid': 'coder-submitted' }, 'submitted')
      : h('span', { class: 'round-status open' }, 'coding'),
  );
}
