/**
 * Page addresses: `/`, `/admin`, `/account`, `/signin`, `/d/:datasetId[/:sheetId]`, and a dataset's own pages
 * `/d/:datasetId/-/progress`, `/-/codebook` and `/-/releases`.
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
  | { page: 'not-found' };

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
  if (rest.length === 0) {
    return sheetId === undefined ? { page: 'dataset', datasetId } : { page: 'dataset', datasetId, sheetId };
  }
  return { page: 'not-found' };
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
