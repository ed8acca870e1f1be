/**
 * Page addresses: `/`, `/admin`, `/account`, `/signin`, `/d/:datasetId[/:sheetId]`, and a dataset's own pages
 * `/d/:datasetId/-/progress`, `/-/codebook`, `/-/releases` and its double-coding rounds
 * `/-/rounds[/:roundId[/report|/adjudicate]]`.
 */
import { isDatasetId } from '../model/ids';

export type Route =
  | { page: 'signin' }
  | { page: 'datasets' }
  | { page: 'admin' }
  | { page: 'account' }
  | { page: 'dataset'; datasetId: string; sheetId?: string }
  | { page: 'progress'; datasetId: string }
  | { page: 'codebook'; datasetId: string }
  | { page: 'releases'; datasetId: string }
  | { page: 'rounds'; datasetId: string }
  | { page: 'round'; datasetId: string; roundId: string; view: RoundView }
  | { page: 'not-found' };

/** A round's pages: the coder's copy, the agreement report, the adjudication. */
export type RoundView = 'code' | 'report' | 'adjudicate';
const ROUND_VIEWS: readonly string[] = ['report', 'adjudicate'];
/** Round ids as the server makes them (model/http.ts's ROUND_ID; a value import there would bring zod into the page). */
const ROUND_ID = /^[0-9A-Za-z]{1,64}$/;

export function parseRoute(pathname: string): Route {
  let parts: string[];
  try {
    parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { page: 'not-found' }; // a malformed %-escape
  }
  if (parts.length === 0) return { page: 'datasets' };
  const [first, datasetId, sheetId, ...rest] = parts;
  if (first === 'signin' && parts.length === 1) return { page: 'signin' };
  if (first === 'admin' && parts.length === 1) return { page: 'admin' };
  if (first === 'account' && parts.length === 1) return { page: 'account' };
  if (first !== 'd' || datasetId === undefined || !isDatasetId(datasetId)) return { page: 'not-found' };
  // `-` can start no sheet id, so the dataset's own pages live under it.
  if (sheetId === '-' && rest.length === 1 && rest[0] === 'progress') return { page: 'progress', datasetId };
  if (sheetId === '-' && rest.length === 1 && rest[0] === 'codebook') return { page: 'codebook', datasetId };
  if (sheetId === '-' && rest.length === 1 && rest[0] === 'releases') return { page: 'releases', datasetId };
  if (sheetId === '-' && rest[0] === 'rounds') return roundRoute(datasetId, rest.slice(1));
  if (rest.length === 0) {
    return sheetId === undefined ? { page: 'dataset', datasetId } : { page: 'dataset', datasetId, sheetId };
  }
  return { page: 'not-found' };
}

function roundRoute(datasetId: string, parts: string[]): Route {
  const [roundId, view, ...more] = parts;
  if (roundId === undefined) return { page: 'rounds', datasetId };
  if (!ROUND_ID.test(roundId) || more.length > 0) return { page: 'not-found' };
  if (view === undefined) return { page: 'round', datasetId, roundId, view: 'code' };
  return ROUND_VIEWS.includes(view) ? { page: 'round', datasetId, roundId, view: view as RoundView } : { page: 'not-found' };
}

export const datasetPath = (datasetId: string, sheetId?: string): string =>
  `/d/${encodeURIComponent(datasetId)}${sheetId === undefined ? '' : `/${encodeURIComponent(sheetId)}`}`;

/** The sign-in page that comes back here afterwards. */
export function signInPath(error?: string): string {
  const params = new URLSearchParams();
  const here = location.pathname + location.search;
  if (location.pathname !== '/signin' && here !== '/') params.set('next', here);
  if (error) params.set('error', error);
  const query = params.toString();
  return `/signin${query ? `?${query}` : ''}`;
}

/** A dataset's progress view. */
export const progressPath = (datasetId: string): string => `/d/${encodeURIComponent(datasetId)}/-/progress`;
/** A dataset's codebook. */
export const codebookPath = (datasetId: string): string => `/d/${encodeURIComponent(datasetId)}/-/codebook`;
/** A dataset's releases. */
export const releasesPath = (datasetId: string): string => `/d/${encodeURIComponent(datasetId)}/-/releases`;

/** A dataset's double-coding rounds, or one round's page (the coder's copy without `view`). */
export function roundsPath(datasetId: string, roundId?: string, view: RoundView = 'code'): string {
  const base = `/d/${encodeURIComponent(datasetId)}/-/rounds`;
  if (roundId === undefined) return base;
  return `${base}/${encodeURIComponent(roundId)}${view === 'code' ? '' : `/${view}`}`;
}
