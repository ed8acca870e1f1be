/**
 * GET /api/datasets/:id/sheets/:sheetId/export: streamed CSV or JSON of one sheet, and
 * GET /api/datasets/:id/export.zip: every sheet of the dataset, one file each, in one zip (docs/export.md#over-the-api).
 */
import type { Context } from 'hono';
import type { Column } from '../../model/columns';
import type { DatasetEnv } from '../routes/dataset-scope';
import { badRequest, notFound } from '../errors';
import { type ExportRow, ROW_FILTERS, type RowFilter, type SheetSummary, type Storage } from '../storage';
import { csvHeader, csvLines, csvLineWriter, exportRecord } from './format';
import { zipChunks } from './zip';

/** Rows rendered per chunk of the response: small enough that a chunk takes a few ms, so the event loop turns often. */
const BATCH = 100;

export type ExportFormat = 'csv' | 'json';

/** What an export request asks for: format, rows, and the CSV options. */
export interface ExportRequest {
  format: ExportFormat;
  filter: RowFilter;
  excelSafe: boolean;
  bom: boolean;
}

function exportRequest(c: Context<DatasetEnv>): ExportRequest {
  const format = c.req.query('format') ?? 'csv';
  const filter = (c.req.query('rows') ?? 'all') as RowFilter;
  if (format !== 'csv' && format !== 'json') throw badRequest('format must be csv or json');
  if (!ROW_FILTERS.includes(filter)) throw badRequest(`rows must be one of ${ROW_FILTERS.join(', ')}`);
  return { format, filter, excelSafe: c.req.query('excel_safe') !== '0', bom: c.req.query('bom') === '1' };
}

/** The file name of a sheet's export: the same alone and inside the dataset's zip. */
function sheetFileName(datasetId: string, sheetId: string, { format, filter }: ExportRequest): string {
  return `${datasetId}-${sheetId}${filter === 'all' ? '' : `-${filter}`}.${format}`;
}

/** A sheet's export as text chunks, read page by page from the read model. */
function sheetChunks({ readModel }: Storage, datasetId: string, sheet: SheetSummary, request: ExportRequest): AsyncGenerator<string> {
  const rows = readModel.exportRows(datasetId, sheet.id, request.filter);
  return request.format === 'csv'
    ? csvChunks(sheet.columns, rows, request)
    : jsonChunks({ dataset: datasetId, sheet: sheet.id, exportedAt: new Date().toISOString(), columns: sheet.columns }, sheet.columns, rows);
}

/**
 * Pulled chunk by chunk: the sheet is never one string in memory. Each chunk waits for the event loop's
 * next turn first, so other requests and sockets are served between the pages of a large export.
 */
export function streamOf(chunks: AsyncIterator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setImmediate(resolve));
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
}

async function* encoded(chunks: AsyncIterable<string>): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for await (const chunk of chunks) yield encoder.encode(chunk);
}

function download(body: ReadableStream<Uint8Array>, contentType: string, filename: string): Response {
  return new Response(body, {
    headers: {
      'content-type': contentType,
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  });
}

export async function exportResponse(storage: Storage, c: Context<DatasetEnv>): Promise<Response> {
  const datasetId = c.get('dataset').id;
  const sheetId = c.req.param('sheetId')!;
  const request = exportRequest(c);
  const sheet = (await storage.datasets.sheets(datasetId)).find((s) => s.id === sheetId);
  if (!sheet) throw notFound(`Dataset "${datasetId}" has no sheet "${sheetId}"`);
  const contentType = request.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
  return download(streamOf(encoded(sheetChunks(storage, datasetId, sheet, request))), contentType, sheetFileName(datasetId, sheetId, request));
}

/** Every sheet of the dataset, in tab order, one file each (named as its own export would be), in one zip. */
export async function zipExportResponse(storage: Storage, c: Context<DatasetEnv>): Promise<Response> {
  const datasetId = c.get('dataset').id;
  const request = exportRequest(c);
  const files = (await storage.datasets.sheets(datasetId)).map((sheet) => ({
    name: sheetFileName(datasetId, sheet.id, request),
    chunks: () => encoded(sheetChunks(storage, datasetId, sheet, request)),
  }));
  const filename = `${datasetId}${request.filter === 'all' ? '' : `-${request.filter}`}-${request.format}.zip`;
  return download(streamOf(zipChunks(files)), 'application/zip', filename);
}

async function* csvChunks(columns: Column[], rows: AsyncIterable<ExportRow>, options: { excelSafe: boolean; bom: boolean }): AsyncGenerator<string> {
  yield (options.bom ? '\uFEFF' : '') + csvLines([csvHeader(columns)]);
  const line = csvLineWriter(columns, options.excelSafe);
  let batch = '';
  let n = 0;
  for await (const row of rows) {
    batch += line(row);
    if (++n % BATCH === 0) {
      yield batch;
      batch = '';
    }
  }
  if (batch !== '') yield batch;
}

async function* jsonChunks(head: Record<string, unknown>, columns: Column[], rows: AsyncIterable<ExportRow>): AsyncGenerator<string> {
  yield `${JSON.stringify(head).slice(0, -1)},"rows":[`;
  let batch = '';
  let n = 0;
  for await (const row of rows) {
    batch += (n === 0 ? '\n' : ',\n') + JSON.stringify(exportRecord(columns, row));
    if (++n % BATCH === 0) {
      yield batch;
      batch = '';
    }
  }
  yield `${batch}\n]}\n`;
}
