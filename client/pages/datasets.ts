/**
 * The list of datasets (archived ones greyed in a section of their own), and for admins a form to
 * create one from a template and the actions to rename, archive, restore and delete one.
 */
import { api, listSources } from '../api';
import type { DatasetSummary, User as Me } from '../../model/http';
import { DATASET_ID_RULE, isDatasetId } from '../../model/ids';
import { TEMPLATE_IDS, type TemplateId } from '../../model/templates';
import { datasetPath } from '../router';
import { confirmDialog, h, replaceChildren, toast } from '../ui/dom';
import { count } from '../ui/plural';
import { promptDialog } from '../ui/prompt';
import { convertDataset } from './convert';
import { roleName, topBar } from './layout';

const TEMPLATE_NAMES: Record<TemplateId, string> = {
  'events-statements': 'Events and statements',
  blank: 'Blank sheet',
};

export async function renderDatasets(app: HTMLElement, me: Me): Promise<void> {
  document.title = 'Datasets · Tessera';
  const list = h('div', { class: 'dataset-list', 'data-testid': 'datasets', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading…'));
  const archived = h('section', { class: 'archived-section', 'data-testid': 'archived-datasets' });
  archived.hidden = true;
  replaceChildren(app,
    topBar(me, ['Datasets']),
    h('main', { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', {}, 'Datasets')),
      list,
      archived,
      me.role === 'admin' ? newDatasetForm() : null,
    ),
  );
  const refresh = async () => {
    try {
      const all = await api.get('/api/datasets', { query: true ? { archived: '1' } : {} });
      showList(list, all.filter((d) => !d.archivedAt), me, refresh);
      const gone = all.filter((d) => d.archivedAt);
      archived.hidden = gone.length === 0;
      replaceChildren(archived, h('h2', {}, 'Archived'),
        h('p', { class: 'muted' }, 'Read-only for everyone until an admin restores them.'),
        h('div', { class: 'dataset-list archived' }, ...gone.map((d) => datasetRow(d, me, refresh))));
    } catch (err) {
      replaceChildren(list, h('p', { class: 'form-error' }, `Could not load the datasets: ${(err as Error).message}`));
    }
    list.removeAttribute('aria-busy');
  };
  await refresh();
}

function showList(list: HTMLElement, datasets: DatasetSummary[], me: Me, refresh: () => Promise<void>): void {
  if (datasets.length === 0) {
    replaceChildren(list, h('p', { class: 'muted' }, 'No datasets yet.'));
    return;
  }
  replaceChildren(list, ...datasets.map((d) => datasetRow(d, me, refresh)));
}

function datasetRow(d: DatasetSummary, me: Me, refresh: () => Promise<void>): HTMLElement {
  const card = h('a', { class: 'dataset-card', href: datasetPath(d.id), 'data-dataset': d.id },
    h('span', { class: 'dataset-name' }, d.name,
      roleBadge(d),
      d.archivedAt
        ? h('span', { class: 'badge read-only', 'data-testid': 'dataset-read-only', title: 'Archived: nobody changes it until an admin restores it' }, 'Read-only')
        : null,
      d.access === 'members'
        ? h('span', { class: 'badge members-only', 'data-testid': 'members-only', title: 'Only its members and global admins may open it' }, 'Members only')
        : null),
    h('span', { class: 'dataset-meta' },
      h('code', {}, d.id),
      d.template ? h('span', {}, TEMPLATE_LABELS[d.template] ?? d.template) : null,
      d.createdAt ? h('span', {}, `created ${new Date(d.createdAt).toLocaleDateString()}`) : null,
      d.archivedAt ? h('span', {}, `archived ${new Date(d.archivedAt).toLocaleDateString()}`) : null,
    ),
  );
  // Global admins manage every dataset; a dataset's own admins manage it too, archived or not.
  if (me.role !== 'admin' && (d.ownRole ?? d.role) !== 'admin') return h('div', { class: 'dataset-row', 'data-row': d.id }, card);
  const act = (label: string, testId: string, run: () => Promise<unknown>) =>
    h('button', {
      type: 'button', class: 'button subtle', 'data-testid': testId, 'data-for': d.id,
      onclick: async () => {
        try {
          await run();
          await refresh();
        } catch (err) {
          toast((err as Error).message, 'error');
        }
      },
    }, label);
  const rename = act('Rename', 'rename-dataset', async () => {
    const name = await promptDialog('Rename the dataset', { value: d.name, confirmLabel: 'Rename' });
    if (name !== null && name !== d.name) await api.patch('/api/datasets/{id}', { params: { id: d.id }, body: { name } });
  });
  const archive = d.archivedAt
    ? act('Restore', 'restore-dataset', () => api.patch('/api/datasets/{id}', { params: { id: d.id }, body: { archived: false } }))
    : act('Archive', 'archive-dataset', async () => {
      const ok = await confirmDialog(`Archive “${d.name}”?`, 'Archive',
        'It leaves the list and becomes read-only for everyone, open grids included. An admin can restore it.');
      if (ok) await api.patch('/api/datasets/{id}', { params: { id: d.id }, body: { archived: true } });
    });
  const remove = act('Delete', 'delete-dataset', async () => {
    const typed = await promptDialog(`Delete “${d.name}” for good?`, {
      detail: `${await whatGoesWith(d.id)} This cannot be undone. Type its id, ${d.id}, to confirm.`,
      confirmLabel: 'Delete', kind: 'danger', accept: (text) => text.trim() === d.id,
    });
    if (typed !== null) await api.delete('/api/datasets/{id}', { params: { id: d.id }, body: { confirm: typed } });
  });
  // A dataset that outgrew one document: its rows become documents of their own, read by page (docs/sync.md).
  const convert = d.layout === 'document'
    ? act('Convert to rows by page', 'convert-dataset', () => convertDataset(d.id, d.name))
    : null;
  return h('div', { class: 'dataset-row', 'data-row': d.id }, card,
    h('div', { class: 'dataset-actions' }, ...(d.archivedAt ? [archive, remove] : [rename, convert, archive, remove])));
}

/**
 * The user's own role on the dataset. On an archived one they act as a viewer (everyone does), but a
 * badge saying *Viewer* would misname an admin: the archive shows as its own *Read-only* badge instead.
 */
function roleBadge(d: DatasetSummary): HTMLElement | null {
  const role = d.ownRole ?? d.role;
  if (!role) return null;
  return h('span', {
    class: `role role-${role}`, 'data-testid': 'dataset-role',
    title: d.archivedAt ? `Your role on this dataset; archived, it is read-only for you as for everyone` : 'Your role on this dataset',
  }, roleName(role));
}

/** Everything a deletion takes with it, counted, for the dialog that asks: rows per sheet, releases, sources, rounds. */
async function whatGoesWith(id: string): Promise<string> {
  try {
    const [dataset, releases, sources, rounds] = await Promise.all([
      api.get('/api/datasets/{id}', { params: { id } }),
      api.get('/api/datasets/{id}/releases', { params: { id } }),
      listSources(id),
      api.get('/api/datasets/{id}/rounds', { params: { id } }),
    ]);
    const sheets = dataset.sheets.map((s) => `${count(s.rowCount, 'row')} in ${s.name}`);
    return `With it go ${sheets.length > 0 ? sheets.join(', ') : 'its sheets (none)'}, with their history, flags and evidence; `
      + `${count(releases.length, 'release')}, ${count(sources.length, 'source')} and ${count(rounds.length, 'double-coding round')}.`;
  } catch {
    return 'Its rows, history, flags, releases, sources and rounds go with it.';
  }
}

/** How the list names a dataset's template; the demo dataset comes with coded rows. */
const TEMPLATE_LABELS: Record<string, string> = { ...TEMPLATE_NAMES, demo: 'Events and statements, coded demo' };

function newDatasetForm(): HTMLElement {
  const name = h('input', { name: 'name', required: true, placeholder: 'e.g. Korean peninsula 2024' });
  const id = h('input', { name: 'id', placeholder: 'made from the name', spellcheck: false, autocapitalize: 'off' });
  const template = h('select', { name: 'template' },
    ...TEMPLATE_IDS.map((t) => h('option', { value: t }, TEMPLATE_NAMES[t])));
  // Chosen once: a dataset keeps its layout (docs/sync.md#rooms).
  const layout = h('select', { name: 'layout', title: 'How the rows are kept: chosen once, for the dataset’s life' },
    h('option', { value: 'document' }, 'Up to 50,000 rows a sheet, all in the browser'),
    h('option', { value: 'rows' }, 'Any number of rows, read by page'));
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
      h('label', {}, h('span', {}, 'Size'), layout),
    ),
    h('p', { class: 'muted small' }, 'A large dataset (UCDP or ACLED size) is read page by page: the grid holds the rows on screen, '
      + 'and the rows you open are kept offline. A smaller one is held whole in the browser and works offline throughout.'),
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
      const created = await api.post('/api/datasets', { body: {
        name: name.value.trim(),
        id: wantedId || undefined,
        template: template.value as TemplateId,
        layout: layout.value === 'rows' ? 'rows' : 'document',
      } });
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
