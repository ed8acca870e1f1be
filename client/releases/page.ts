/**
 * A dataset's releases (`/d/:dataset/-/releases`): each with its date, author, row counts, sha256 and
 * notes, its package to download and its changelog; a form for dataset admins to make the next one,
 * which first says what the release would carry (open problems, open flags); and the difference
 * between any two releases.
 */
import { api, ApiError, releaseChangelog, releaseZipUrl } from '../api';
import type { DatasetDetail, Release, User as Me } from '../../model/http';
import { codebookPath, datasetPath } from '../router';
import { h, replaceChildren, toast } from '../ui/dom';
import { renderNotFound, topBar } from '../pages/layout';
import { diffView } from './diff-view';
import { releasePreviewDialog } from './preview-dialog';

export async function renderReleases(app: HTMLElement, me: Me, datasetId: string): Promise<void> {
  document.title = 'Releases · Tessera';
  replaceChildren(app, topBar(me, [h('a', { href: '/' }, 'Datasets'), datasetId, 'Releases']), h('main', { class: 'loading' }, 'Loading…'));
  let dataset: DatasetDetail;
  let releases: Release[];
  try {
    [dataset, releases] = await Promise.all([
      api.get('/api/datasets/{id}', { params: { id: datasetId } }),
      api.get('/api/datasets/{id}/releases', { params: { id: datasetId } }),
    ]);
  } catch (err) {
    if ((err as { status?: number }).status === 404) renderNotFound(app, me, `There is no dataset “${datasetId}”.`);
    else replaceChildren(app, topBar(me, []), h('main', { class: 'page-error' }, `Could not load the releases: ${(err as Error).message}`));
    return;
  }
  document.title = `Releases · ${dataset.name} · Tessera`;
  const view = new ReleasesView(dataset, releases);
  replaceChildren(app,
    topBar(me, [h('a', { href: '/' }, 'Datasets'), h('a', { href: datasetPath(datasetId) }, dataset.name), 'Releases']),
    view.element,
  );
}

const sheetList = (rows: Record<string, number>) => Object.entries(rows).map(([sheet, n]) => `${sheet} ${n}`).join(', ');

class ReleasesView {
  readonly element: HTMLElement;
  private readonly list = h('tbody', { 'data-testid': 'releases-list' });
  private readonly fromSelect = h('select', { 'aria-label': 'From release', 'data-testid': 'diff-from' });
  private readonly toSelect = h('select', { 'aria-label': 'To release', 'data-testid': 'diff-to' });
  private readonly diffHost = h('div', { class: 'diff-host' });
  private readonly compareCard: HTMLElement;
  private readonly sheetNames: Map<string, string>;

  constructor(private readonly dataset: DatasetDetail, private releases: Release[]) {
    this.sheetNames = new Map(dataset.sheets.map((s) => [s.id, s.name]));
    this.compareCard = h('section', { class: 'card' },
      h('h2', {}, 'Compare releases'),
      h('form', { class: 'inline-form', onsubmit: (e: Event) => { e.preventDefault(); void this.compare(); } },
        h('label', {}, h('span', {}, 'From '), this.fromSelect),
        h('label', {}, h('span', {}, 'to '), this.toSelect),
        h('button', { type: 'submit', class: 'button', 'data-testid': 'diff-compare' }, 'Compare')),
      this.diffHost);
    this.element = h('main', { class: 'page wide releases', 'data-testid': 'releases' },
      h('div', { class: 'page-head' },
        h('h1', {}, `Releases of ${dataset.name}`),
        h('a', { class: 'button', href: codebookPath(dataset.id) }, 'Codebook')),
      h('p', { class: 'muted' }, 'A release is a frozen, numbered copy of the dataset: a Frictionless Data Package (CSV files, ',
        'datapackage.json, the codebook and a changelog) whose bytes never change. Cite its version and sha256.'),
      dataset.role === 'admin' ? this.newReleaseForm() : null,
      h('section', { class: 'card' },
        h('table', { class: 'data-table release-table' },
          h('thead', {}, h('tr', {}, ...['Version', 'Made', 'By', 'Rows', 'sha256', 'Notes', ''].map((t) => h('th', {}, t)))),
          this.list)),
      this.compareCard,
    );
    this.render();
  }

  private render(): void {
    const newestFirst = [...this.releases].reverse();
    replaceChildren(this.list, ...(newestFirst.length === 0
      ? [h('tr', {}, h('td', { colspan: 7, class: 'muted', 'data-testid': 'no-releases' }, 'No release yet.'))]
      : newestFirst.map((r) => this.row(r))));
    const options = (selected: string | undefined) => newestFirst.map((r) => h('option', { value: r.version, selected: r.version === selected }, r.version));
    replaceChildren(this.fromSelect, ...options(newestFirst[1]?.version ?? newestFirst[0]?.version));
    replaceChildren(this.toSelect, ...options(newestFirst[0]?.version));
    this.compareCard.hidden = this.releases.length < 2;
  }

  private row(release: Release): HTMLElement {
    const changelog = h('pre', { class: 'changelog', 'data-testid': 'changelog' });
    const details = h('details', { class: 'release-changelog' }, h('summary', {}, 'Changelog'), changelog);
    details.addEventListener('toggle', async () => {
      if (!details.open || changelog.textContent) return;
      try {
        changelog.textContent = await releaseChangelog(this.dataset.id, release.version);
      } catch (err) {
        changelog.textContent = `Could not load the changelog: ${(err as Error).message}`;
      }
    });
    return h('tr', { class: 'release', 'data-version': release.version },
      h('td', {}, h('strong', { 'data-testid': 'release-version' }, release.version),
        release.rowFilter === 'approved' ? h('div', { class: 'muted small' }, 'approved rows') : null),
      h('td', {}, h('time', { datetime: release.createdAt, title: release.createdAt }, new Date(release.createdAt).toLocaleString())),
      h('td', {}, release.createdBy ?? ''),
      h('td', { 'data-testid': 'release-rows' }, sheetList(release.rows)),
      h('td', {}, h('code', { class: 'sha256', 'data-testid': 'release-sha256', title: release.sha256 }, release.sha256)),
      h('td', {}, release.notes ? h('p', { class: 'release-notes' }, release.notes) : null, details),
      h('td', {}, h('a', {
        class: 'button small', href: releaseZipUrl(this.dataset.id, release.version), download: `${this.dataset.id}-${release.version}.zip`,
        'data-testid': 'release-download',
      }, 'Download')),
    );
  }

  private newReleaseForm(): HTMLElement {
    const version = h('input', { name: 'version', placeholder: 'next minor', pattern: '(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)', 'aria-label': 'Version', 'data-testid': 'release-version-input', size: 10 });
    const notes = h('textarea', { name: 'notes', rows: 2, placeholder: 'What is in this release, for whoever cites it', 'aria-label': 'Notes', 'data-testid': 'release-notes-input' });
    const rows = h('select', { name: 'rows', 'aria-label': 'Rows', 'data-testid': 'release-rows-input' },
      h('option', { value: 'all' }, 'All rows'), h('option', { value: 'approved' }, 'Approved rows only'));
    const submit = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'release-create' }, 'Make release');
    const form = h('form', { class: 'card new-release', 'data-testid': 'new-release' },
      h('h2', {}, 'New release'),
      h('div', { class: 'inline-form' },
        h('label', {}, h('span', {}, 'Version '), version),
        h('label', {}, h('span', {}, 'Rows '), rows)),
      h('label', { class: 'block' }, h('span', {}, 'Notes'), notes),
      submit);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      submit.disabled = true;
      try {
        const chosen = rows.value as 'all' | 'approved';
        if (!await releasePreviewDialog(await api.get('/api/datasets/{id}/releases/preview', { params: { id: this.dataset.id }, query: { rows: chosen } }), version.value.trim() || null)) return;
        const made = await api.post('/api/datasets/{id}/releases', { params: { id: this.dataset.id }, body: {
          ...(version.value.trim() && { version: version.value.trim() }),
          ...(notes.value.trim() && { notes: notes.value.trim() }),
          rows: chosen,
        } });
        this.releases = [...this.releases, made];
        form.reset();
        this.render();
        toast(`Release ${made.version} made`);
      } catch (err) {
        toast(err instanceof ApiError ? err.message : `Could not make the release: ${(err as Error).message}`, 'error');
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  private async compare(): Promise<void> {
    const from = this.fromSelect.value;
    const to = this.toSelect.value;
    replaceChildren(this.diffHost, h('p', { class: 'muted' }, 'Comparing…'));
    try {
      replaceChildren(this.diffHost, diffView(await api.get('/api/datasets/{id}/releases/{version}/diff', { params: { id: this.dataset.id, version: to }, query: { from } }), from, to, this.sheetNames));
    } catch (err) {
      replaceChildren(this.diffHost, h('p', { class: 'page-error' }, `Could not compare: ${(err as Error).message}`));
    }
  }
}
