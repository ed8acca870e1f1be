/** The browser app: finds the page for the address, after checking who is signed in. */
import './styles.css';
import './first-screen.css';
import { api, getMe, rowsPage } from './api';
import { dropPreviewWhenReplaced, takeBoot } from './boot';
import { renderAccount } from './pages/account';
import { renderAdmin } from './pages/admin';
import { renderDatasets } from './pages/datasets';
import { renderNotFound } from './pages/layout';
import { renderSignIn } from './pages/signin';
import { parseRoute, signInPath } from './router';

/** The first page the paged grid asks for (client/paged/page.ts), asked for here before its code loads. */
const FIRST_PAGE_QUERY = { offset: '0', limit: '100' };

async function start(): Promise<void> {
  const app = document.getElementById('app')!;
  const route = parseRoute(location.pathname);
  if (route.page === 'signin') {
    renderSignIn(app);
    return;
  }
  // A sheet's page may carry who is signed in, the dataset and its first rows (server/first-screen.ts).
  const boot = route.page === 'dataset' ? takeBoot() : null;
  const booted = route.page === 'dataset' && boot?.dataset?.id === route.datasetId ? boot.dataset : undefined;
  // Otherwise a sheet's dataset is asked for beside who is signed in: its layout decides which grid's code loads.
  const dataset = route.page === 'dataset' ? (booted ? Promise.resolve(booted) : api.get('/api/datasets/{id}', { params: { id: route.datasetId } }).catch(() => undefined)) : undefined;
  const me = boot?.me ?? await getMe();
  if (!me) {
    location.replace(signInPath());
    return;
  }
  switch (route.page) {
    case 'datasets':
      return renderDatasets(app, me);
    case 'admin':
      return renderAdmin(app, me);
    case 'account':
      return renderAccount(app, me);
    case 'dataset': {
      const detail = await dataset;
      // A dataset whose rows are documents of their own, of any size, opens in the paged grid: its first rows
      // are asked for while its code loads.
      if (detail?.layout === 'rows') {
        const sheet = detail.sheets.find((s) => s.id === route.sheetId) ?? detail.sheets[0];
        const firstRows = sheet && (booted && boot?.page && boot.sheet === sheet.id
          ? Promise.resolve(boot.page)
          : rowsPage(detail.id, sheet.id, new URLSearchParams(FIRST_PAGE_QUERY)).catch(() => undefined));
        return (await import('./paged/page')).renderPagedDataset(app, me, detail, sheet?.id, firstRows);
      }
      // The grid (AG Grid, Yjs) loads only with a sheet: the sign-in page and the list stay small (docs/bundle.md).
      return (await import('./pages/dataset')).renderDataset(app, me, route.datasetId, route.sheetId);
    }
    case 'progress':
      // chart.js loads only with the progress view.
      return (await import('./pages/progress')).renderProgress(app, me, route.datasetId);
    case 'codebook':
      return (await import('./codebook/page')).renderCodebook(app, me, route.datasetId);
    case 'releases':
      return (await import('./releases/page')).renderReleases(app, me, route.datasetId);
    // The double-coding pages load only when opened.
    case 'rounds':
      return (await import('./rounds/rounds-page')).renderRounds(app, me, route.datasetId);
    case 'round': {
      const { datasetId, roundId, view } = route;
      if (view === 'report') return (await import('./rounds/report-page')).renderReport(app, me, datasetId, roundId);
      if (view === 'adjudicate') return (await import('./rounds/adjudication-page')).renderAdjudication(app, me, datasetId, roundId);
      return (await import('./rounds/coding-page')).renderCoding(app, me, datasetId, roundId);
    }
    case 'not-found':
      return renderNotFound(app, me);
  }
}

const started = start();
dropPreviewWhenReplaced(document.getElementById('app')!, started);
started.catch((err: unknown) => {
  console.error(err);
  const app = document.getElementById('app');
  if (app) {
    app.innerHTML = '';
    const box = document.createElement('div');
    box.className = 'page-error';
    box.textContent = `Tessera could not start: ${err instanceof Error ? err.message : String(err)}`;
    app.append(box);
  }
});
