/** The list of datasets, and (for admins) a form to create one from a template. */
import { createDataset, listDatasets } from '../api';
import type { DatasetSummary, User as Me } from '../../model/http';
import { DATASET_ID_RULE, isDatasetId } from '../../model/ids';
import { TEMPLATE_IDS, type TemplateId } from '../../model/templates';
import { datasetPath } from '../router';
import { h, replaceChildren } from '../ui/dom';
import { topBar } from './layout';

const TEMPLATE_NAMES: Record<TemplateId, string> = {
  'events-statements': 'Events and statements',
  blank: 'Blank sheet',
};

export async function renderDatasets(app: HTMLElement, me: Me): Promise<void> {
  document.title = 'Datasets · Tessera';
  const list = h('div', { class: 'dataset-list', 'data-testid': 'datasets' }, h('p', { class: 'muted' }, 'Loading…'));
  replaceChildren(app,
    topBar(me, ['Datasets']),
    h('main', { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', {}, 'Datasets')),
      list,
      me.role === 'admin' ? newDatasetForm() : null,
    ),
  );
  try {
    showList(list, await listDatasets());
  } catch (err) {
    replaceChildren(list, h('p', { class: 'form-error' }, `Could not load the datasets: ${(err as Error).message}`));
  }
}

function showList(list: HTMLElement, datasets: DatasetSummary[]): void {
  if (datasets.length === 0) {
    replaceChildren(list, h('p', { class: 'muted' }, 'No datasets yet.'));
    return;
  }
  replaceChildren(list, ...datasets.map((d) =>
    h('a', { class: 'dataset-card', href: datasetPath(d.id), 'data-dataset': d.id },
      h('span', { class: 'dataset-name' }, d.name),
      h('span', { class: 'dataset-meta' },
        h('code', {}, d.id),
        d.template ? h('span', {}, TEMPLATE_LABELS[d.template] ?? d.template) : null,
        d.createdAt ? h('span', {}, `created ${new Date(d.createdAt).toLocaleDateString()}`) : null,
      ),
    )));
}

/** How the list names a dataset's template; the demo dataset comes with coded rows. */
const TEMPLATE_LABELS: Record<string, string> = { ...TEMPLATE_NAMES, demo: 'Events and statements, coded demo' };

function newDatasetForm(): HTMLElement {
  const name = h('input', { name: 'name', required: true, placeholder: 'e.g. Korean peninsula 2024' });
  const id = h('input', { name: 'id', placeholder: 'made from the name', spellcheck: false, autocapitalize: 'off' });
  const template = h('select', { name: 'template' },
    ...TEMPLATE_IDS.map((t) => h('option', { value: t }, TEMPLATE_NAMES[t])));
  const error = h('p', { class: 'form-error', role: 'alert' });
  error.hidden = true;
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Create dataset');
  name.addEventListener('input', () => {
    id.placeholder = slug(name.value) || 'made from the name';
  });
  const form = h('form', { class: 'card form-card', 'aria-label': 'New dataset' },
    h('h2', {}, 'New dataset'),
    h('div', { class: 'form-row' },
      h('label', {}, h('span', {}, 'Name'), name),
      h('label', {}, h('span', {}, 'Id (in addresses and exports)'), id),
      h('label', {}, h('span', {}, 'Template'), template),
    ),
    error,
    h('div', { class: 'form-actions' }, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const wantedId = id.value.trim() || slug(name.value);
    if (wantedId !== '' && !isDatasetId(wantedId)) {
      error.textContent = `Id: ${DATASET_ID_RULE}.`;
      error.hidden = false;
      id.focus();
      return;
    }
    error.hidden = true;
    submit.disabled = true;
    try {
      const created = await createDataset({
        name: name.value.trim(),
        id: wantedId || undefined,
        template: template.value as TemplateId,
      });
      location.href = datasetPath(created.id);
    } catch (err) {
      error.textContent = (err as Error).message;
      error.hidden = false;
      submit.disabled = false;
    }
  });
  return form;
}

function slug(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
}
