/** Datasets and their sheets, settings, progress, history and exports. */
import { z } from 'zod';
import {
  DatasetCreated, DatasetDetail, DatasetList, DatasetPatch, DatasetSettings, DeleteDatasetBody, History, LayoutBody, LayoutChanged, NewDatasetBody, NewSheetBody,
  Progress, SettingsPatch, SheetDeleted, SheetPatch, SheetSummary,
} from '../http';
import { file, routes } from './route';

export const DatasetDeleted = z.object({ id: z.string(), deleted: z.literal(true) });

/** How an export is written: `format`, which `rows`, and for CSV `excel_safe=0` (texts exactly) or `bom=1`. */
export const ExportQuery = z.object({
  format: z.enum(['csv', 'json']).optional(),
  rows: z.enum(['all', 'approved', 'flagged', 'unflagged']).optional(),
  excel_safe: z.enum(['0', '1']).optional(),
  bom: z.enum(['0', '1']).optional(),
});

const EXPORT_TYPES = ['text/csv', 'application/json'];

export const datasetRoutes = routes({
  'GET /api/datasets': {
    summary: 'The active datasets the user may open, with their role on each; `archived=1` adds the archived ones',
    who: 'any user',
    query: z.object({ archived: z.enum(['0', '1']).optional() }),
    responses: { 200: DatasetList },
  },
  'POST /api/datasets': {
    summary: 'Creates a dataset from a template; 409 if the id exists',
    who: 'admin',
    body: NewDatasetBody,
    responses: { 201: DatasetCreated },
  },
  'GET /api/datasets/{id}': {
    summary: 'The dataset with its sheets in tab order and the user\'s role on it',
    who: 'dataset viewer',
    responses: { 200: DatasetDetail },
  },
  'PATCH /api/datasets/{id}': {
    summary: 'Renames, archives or restores the dataset, or changes who may reach it',
    who: 'dataset admin (archived or not)',
    body: DatasetPatch,
    responses: { 200: DatasetDetail },
  },
  'DELETE /api/datasets/{id}': {
    summary: 'Deletes the dataset and everything stored for it; `confirm` is its id',
    who: 'dataset admin (archived or not)',
    body: DeleteDatasetBody,
    responses: { 200: DatasetDeleted },
  },
  'POST /api/datasets/{id}/layout': {
    summary: 'Converts a `document` dataset to `rows` (each row a document of its own), for good; 409 if it is `rows` already',
    who: 'dataset admin',
    body: LayoutBody,
    responses: { 200: LayoutChanged },
  },
  'GET /api/datasets/{id}/legacy': {
    summary: 'A converted dataset\'s earlier document as last stored (its Yjs updates, each a varUint8Array after their count; `part=state-vector`: its state vector), for changes a browser made to it and never sent; 404 if it was not converted',
    who: 'dataset editor',
    query: z.object({ part: z.enum(['state-vector']).optional() }),
    responses: { 200: file('application/octet-stream') },
  },
  'POST /api/datasets/{id}/sheets': {
    summary: 'Adds a sheet as the last tab; 409 if it exists',
    who: 'dataset admin',
    body: NewSheetBody,
    responses: { 201: SheetSummary },
  },
  'PATCH /api/datasets/{id}/sheets/{sheetId}': {
    summary: 'Renames a sheet or moves it to tab `position`',
    who: 'dataset admin',
    body: SheetPatch,
    responses: { 200: SheetSummary },
  },
  'DELETE /api/datasets/{id}/sheets/{sheetId}': {
    summary: 'Removes a sheet from the document; its rows stay in the history',
    who: 'dataset admin',
    responses: { 200: SheetDeleted },
  },
  'GET /api/datasets/{id}/export.zip': {
    summary: 'The whole dataset: a zip with one file per sheet (docs/export.md)',
    who: 'dataset viewer',
    query: ExportQuery,
    responses: { 200: file('application/zip') },
  },
  'GET /api/datasets/{id}/history': {
    summary: 'Cell changes, oldest first; `row` keeps one row\'s',
    who: 'dataset viewer',
    query: z.object({ row: z.string().optional() }),
    responses: { 200: History },
  },
  'GET /api/datasets/{id}/sheets/{sheetId}/export': {
    summary: 'The sheet as CSV or JSON (docs/export.md)',
    who: 'dataset viewer',
    query: ExportQuery,
    responses: { 200: file(...EXPORT_TYPES) },
  },
  'GET /api/datasets/{id}/progress': {
    summary: 'Rows per status, per coder and per day, and dated rows for the timeline',
    who: 'dataset viewer',
    responses: { 200: Progress },
  },
  'GET /api/datasets/{id}/settings': {
    summary: 'The flag reasons, and whether four eyes hold',
    who: 'dataset viewer',
    responses: { 200: DatasetSettings },
  },
  'PATCH /api/datasets/{id}/settings': {
    summary: 'Changes the flag reasons, or turns four eyes off for a team of one',
    who: 'dataset admin',
    body: SettingsPatch,
    responses: { 200: DatasetSettings },
  },
});
