/** A sheet's rows: paged, as map points, imported, and their duplicates. */
import { z } from 'zod';
import { Dismissed, DismissBody, DuplicateGroups, ImportQuery, ImportReport, MergeBody, MergeResult, RoundValue } from '../http';
import { REVIEW_STATUSES } from '../document';
import { routes } from './route';

/** `?offset=&limit=&sort=&q=&filter[COLUMN]=&id=`: `filter[…]` keys are any column's, so other keys pass. */
export const RowsQuery = z.looseObject({
  offset: z.string().optional(),
  limit: z.string().optional(),
  sort: z.string().optional(),
  q: z.string().optional(),
  /** Only the rows of these ids (repeated, at most 200). */
  id: z.union([z.string(), z.array(z.string())]).optional(),
});

export const RowsPage = z.object({
  total: z.number().int(),
  offset: z.number().int(),
  /** Each row: its id, every column of the sheet (null when empty), its review status. */
  rows: z.array(z.intersection(z.object({ row_id: z.string(), review_status: z.enum(REVIEW_STATUSES) }), z.record(z.string(), RoundValue))),
});

export const PointsPage = z.object({
  total: z.number().int(),
  offset: z.number().int(),
  columns: z.object({ place: z.string().nullable(), date: z.string().nullable(), colour: z.string().nullable() }),
  points: z.array(z.object({
    row_id: z.string(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    name: z.string().nullable(),
    date: z.string().nullable(),
    code: z.string().nullable(),
  })),
});

/** Each row asked for: its index in the order asked, or null when the search or filters leave it out (or it is gone). */
export const RowPositions = z.object({ positions: z.record(z.string(), z.number().int().nullable()) });

/** What taking back a merge did: the rows back, the kept row's cells set back, the references moved back. */
export const Unmerged = z.object({ keep: z.string(), restored: z.array(z.string()), cells: z.number().int(), refs: z.number().int() });

export const rowRoutes = routes({
  'GET /api/datasets/{id}/sheets/{sheetId}/rows': {
    summary: 'One page of the sheet\'s stored rows, sorted, searched and filtered by the server; `id` (repeated) keeps the rows of those ids',
    who: 'dataset viewer',
    query: RowsQuery,
    responses: { 200: RowsPage },
  },
  'GET /api/datasets/{id}/sheets/{sheetId}/points': {
    summary: 'The sheet\'s rows as its map reads them, searched and filtered as `…/rows`; `colour` names a code column',
    who: 'dataset viewer',
    query: RowsQuery.extend({ colour: z.string().optional() }),
    responses: { 200: PointsPage },
  },
  'GET /api/datasets/{id}/sheets/{sheetId}/row-positions': {
    summary: 'Where rows stand (0 the first) in the order `…/rows` pages them with the same `sort`, `q` and filters; null for a row they leave out',
    who: 'dataset viewer',
    query: RowsQuery.extend({ row: z.union([z.string(), z.array(z.string())]).optional() }),
    responses: { 200: RowPositions },
  },
  'POST /api/datasets/{id}/sheets/{sheetId}/import': {
    summary: 'Imports a CSV file or XLSX workbook into the sheet; 422 with the same report when records were rejected',
    who: 'dataset editor',
    query: ImportQuery,
    body: { file: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] },
    responses: { 200: ImportReport, 422: ImportReport },
  },
  'GET /api/datasets/{id}/sheets/{sheetId}/duplicates': {
    summary: 'Groups of rows that likely code the same event, best first; dates at most `days` apart',
    who: 'dataset viewer',
    query: z.object({ days: z.string().optional() }),
    responses: { 200: DuplicateGroups },
  },
  'POST /api/datasets/{id}/sheets/{sheetId}/duplicates/merge': {
    summary: 'Merges rows into `keep`: it gains their evidence and fills its empty cells; they are deleted',
    who: 'dataset editor',
    body: MergeBody,
    responses: { 200: MergeResult },
  },
  'POST /api/datasets/{id}/sheets/{sheetId}/duplicates/unmerge': {
    summary: 'Takes back the user\'s merge: the merged rows come back, the kept row\'s cells the merge wrote are set back; 409 when not theirs',
    who: 'dataset editor',
    body: MergeBody,
    responses: { 200: Unmerged },
  },
  'GET /api/datasets/{id}/sheets/{sheetId}/duplicates/rows': {
    summary: 'The cells of a few rows (`row` repeated, at most 200), by row id, where rows are not in the browser',
    who: 'dataset viewer',
    query: z.object({ row: z.union([z.string(), z.array(z.string())]).optional() }),
    responses: { 200: z.record(z.string(), z.record(z.string(), RoundValue)) },
  },
  'POST /api/datasets/{id}/sheets/{sheetId}/duplicates/dismiss': {
    summary: 'Marks rows as not the same event: they are not paired again',
    who: 'dataset editor',
    body: DismissBody,
    responses: { 200: Dismissed },
  },
});
