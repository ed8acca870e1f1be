/** The codebook and releases (docs/releases.md). */
import { z } from 'zod';
import { Codebook, NewReleaseBody, Release, ReleaseDiff, ReleaseList, ReleasePreview } from '../http';
import { file, routes } from './route';

export const releaseRoutes = routes({
  'GET /api/datasets/{id}/codebook': {
    summary: 'Every sheet and column with codes, labels and row counts; `format=md` as Markdown',
    who: 'dataset viewer',
    query: z.object({ format: z.enum(['json', 'md']).optional() }),
    responses: { 200: Codebook },
    formats: ['text/markdown'],
  },
  'GET /api/datasets/{id}/releases': {
    summary: 'The releases, oldest first',
    who: 'dataset viewer',
    responses: { 200: ReleaseList },
  },
  'GET /api/datasets/{id}/releases/preview': {
    summary: 'What a release of those rows would hold and carry now: rows, problems, open flags',
    who: 'dataset viewer',
    query: z.object({ rows: z.enum(['all', 'approved']).optional() }),
    responses: { 200: ReleasePreview },
  },
  'POST /api/datasets/{id}/releases': {
    summary: 'Makes a release; the version defaults to the next minor one; 409 if it exists or is not above the last',
    who: 'dataset admin',
    body: NewReleaseBody,
    responses: { 201: Release },
  },
  'GET /api/datasets/{id}/releases/{version}/package.zip': {
    summary: 'The release\'s Frictionless Data Package: the same bytes every time',
    who: 'dataset viewer',
    responses: { 200: file('application/zip') },
  },
  'GET /api/datasets/{id}/releases/{version}/CHANGELOG.md': {
    summary: 'The release\'s changelog',
    who: 'dataset viewer',
    responses: { 200: file('text/markdown') },
  },
  'GET /api/datasets/{id}/releases/{version}/diff': {
    summary: 'Rows added, removed and cells changed from release `from` to this one',
    who: 'dataset viewer',
    query: z.object({ from: z.string() }),
    responses: { 200: ReleaseDiff },
  },
});
