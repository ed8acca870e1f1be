/** Sources and the evidence anchored in them (docs/sources.md). */
import { z } from 'zod';
import { NewSourceBody, SheetProblems, SourceAnchors, SourceDetail, SourceList, SourceSummary } from '../http';
import { file, routes } from './route';

export const SourceDeleted = z.object({ id: z.string(), deleted: z.literal(true) });

const FileExportQuery = z.object({
  format: z.enum(['csv', 'json']).optional(), excel_safe: z.enum(['0', '1']).optional(), bom: z.enum(['0', '1']).optional(),
});

export const sourceRoutes = routes({
  'GET /api/datasets/{id}/sources': {
    summary: 'The dataset\'s sources without their texts; `q` keeps those whose title or text contains it',
    who: 'dataset viewer',
    query: z.object({ q: z.string().optional() }),
    responses: { 200: SourceList },
  },
  'POST /api/datasets/{id}/sources': {
    summary: 'Stores a source: JSON, or the file itself (`?title=&url=&outlet=&publishedAt=`), up to 10 MiB',
    who: 'dataset editor',
    query: z.object({ title: z.string().optional(), url: z.string().optional(), outlet: z.string().optional(), publishedAt: z.string().optional() }),
    body: { json: NewSourceBody, file: ['text/plain', 'text/markdown', 'text/html'] },
    responses: { 201: SourceSummary },
  },
  'GET /api/datasets/{id}/sources/export': {
    summary: 'Every source with its text, as CSV or JSON',
    who: 'dataset viewer',
    query: FileExportQuery,
    responses: { 200: file('text/csv', 'application/json') },
  },
  'GET /api/datasets/{id}/sources/{sourceId}': {
    summary: 'One source with its text',
    who: 'dataset viewer',
    responses: { 200: SourceDetail },
  },
  'GET /api/datasets/{id}/sources/{sourceId}/anchors': {
    summary: 'The passages rows anchor to in the source, for its highlights',
    who: 'dataset viewer',
    responses: { 200: SourceAnchors },
  },
  'DELETE /api/datasets/{id}/sources/{sourceId}': {
    summary: 'Deletes a source; 409 while any row anchors to it',
    who: 'dataset editor',
    responses: { 200: SourceDeleted },
  },
  'GET /api/datasets/{id}/evidence/export': {
    summary: 'One record per anchor: the row–source crosswalk, as CSV or JSON',
    who: 'dataset viewer',
    query: FileExportQuery,
    responses: { 200: file('text/csv', 'application/json') },
  },
  'GET /api/datasets/{id}/sheets/{sheetId}/problems': {
    summary: 'What the grid marks in the sheet, and quotes not in their evidence',
    who: 'dataset viewer',
    responses: { 200: SheetProblems },
  },
});
