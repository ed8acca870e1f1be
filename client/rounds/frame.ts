/** What every double-coding page shares: the dataset it belongs to, the trail in the top bar, errors. */
import { api, ApiError } from '../api';
import type { Column } from '../../model/columns';
import type { DatasetDetail, User as Me } from '../../model/http';
import { renderNotFound, topBar } from '../pages/layout';
import { datasetPath, roundsPath } from '../router';
import { h, replaceChildren } from '../ui/dom';

/** Loads the dataset, or shows why not (not found, or the error) and gives null. */
export async function loadDataset(app: HTMLElement, me: Me, datasetId: string): Promise<DatasetDetail | null> {
  replaceChildren(app, topBar(me, [h('a', { href: '/' }, 'Datasets'), datasetId]), h('main', { class: 'loading' }, 'Opening…'));
  try {
    return await api.get('/api/datasets/{id}', { params: { id: datasetId } });
  } catch (err) {
    showError(app, me, err, `There is no dataset “${datasetId}”, or you may not open it.`);
    return null;
  }
}

/** A 404 as "not found" with `notFound`; anything else as the error it is. */
export function showError(app: HTMLElement, me: Me, err: unknown, notFound: string): void {
  if (err instanceof ApiError && err.status === 404) renderNotFound(app, me, notFound);
  else replaceChildren(app, topBar(me, []), h('main', { class: 'page-error' }, `Could not load: ${(err as Error).message}`));
}

/** The top bar: Datasets › dataset › Rounds › …more. */
export function roundsTopBar(me: Me, dataset: DatasetDetail, more: Array<string | HTMLElement>, ...extras: HTMLElement[]): HTMLElement {
  const rounds = more.length === 0 ? 'Rounds' : h('a', { href: roundsPath(dataset.id) }, 'Rounds');
  return topBar(me, [h('a', { href: '/' }, 'Datasets'), h('a', { href: datasetPath(dataset.id) }, dataset.name), rounds, ...more], ...extras);
}

/** A sheet's columns by id (empty when the sheet is gone). */
export function sheetColumns(dataset: DatasetDetail, sheetId: string): Map<string, Column> {
  const sheet = dataset.sheets.find((s) => s.id === sheetId);
  return new Map((sheet?.columns ?? []).map((c) => [c.id, c as Column]));
}

export function sheetName(dataset: DatasetDetail, sheetId: string): string {
  return dataset.sheets.find((s) => s.id === sheetId)?.name ?? sheetId;
}

/** A dataset admin (or a global admin) manages rounds: starts them, reads reports, adjudicates. */
export function managesRounds(dataset: DatasetDetail, me: Me): boolean {
  return (dataset.role ?? me.role) === 'admin';
}

/** A round's row as people find it: its place in the round ("Row 2"), its id beside it for the grid and the history. */
export function roundRowLabel(rows: readonly string[], rowId: string): HTMLElement {
  const at = rows.indexOf(rowId);
  return h('span', { class: 'round-row', title: `Row id ${rowId}` },
    at === -1 ? 'Row' : `Row ${at + 1}`, ' ', h('code', { class: 'muted small' }, rowId));
}
