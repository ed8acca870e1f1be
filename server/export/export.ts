/** GET /api/datasets/:id/sheets/:sheetId/export: streamed CSV or JSON (README "Export"). */
import type { Context } from 'hono';
import type { Column } from '../../model/columns';
import type { DatasetEnv } from '../routes/dataset-scope';
import { badRequest, notFound } from '../errors';
import { type ExportRow, ROW_FILTERS, type RowFilter, type Storage } from '../storage';
import { csvField, csvLines, exportHeader, exportRecord } from './format';

/** Rows rendered per chunk of the response: small enough that a chunk takes a few ms, so the event loop turns often. */
const BATCH = 100;

export function exportResponse({ datasets, readModel }: Storage, c: Context<DatasetEnv>): Response {
  const datasetId = c.get('dataset').id;
  const sheetId = c.req.param('sheetId')!;
  const format = c.req.query('format') ?? 'csv';
  const filter = (c.req.query('rows') ?? 'all') as RowFilter;
  if (format !== 'csv' && format !== 'json') throw badRequest('format must be csv or json');
  if (!ROW_FILTERS.includes(filter)) throw badRequest(`rows must be one of ${ROW_FILTERS.join(', ')}`);
  const sheet = datasets.sheets(datasetId).find((s) => s.id === sheetId);
  if (!sheet) throw notFound(`Dataset "${datasetId}" has no sheet "${sheetId}"`);

  const rows = readModel.exportRows(datasetId, sheetId, filter);
  const chunks = format === 'csv'
    ? csvChunks(sheet.columns, rows, { excelSafe: c.req.query('excel_safe') !== '0', bom: c.req.query('bom') === '1' })
    : jsonChunks({ dataset: datasetId, sheet: sheetId, exportedAt: new Date().toISOString(), columns: sheet.columns }, sheet.columns, rows);
  // Pulled chunk by chunk: the sheet is never one string in memory. Each chunk waits for the event loop's
  // next turn first, so other requests and sockets are served between the pages of a large export.
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setImmediate(resolve));
      const next = chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  const filename = `${datasetId}-${sheetId}${filter === 'all' ? '' : `-${filter}`}.${format}`;
  return new Response(body, {
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  });
}

function* csvChunks(columns: Column[], rows: Iterable<ExportRow>, options: { excelSafe: boolean; bom: boolean }): Generator<string> {
  const header = exportHeader(columns);
  yield (options.bom ? '\uFEFF' : '') + csvLines([header]);
  let batch: string[][] = [];
  for (const row of rows) {
    const record = exportRecord(columns, row);
    batch.push(header.map((id) => csvField(record[id] ?? null, options.excelSafe)));
    if (batch.length === BATCH) {
      yield csvLines(batch);
      batch = [];
    }
  }
  if (batch.length > 0) yield csvLines(batch);
}

function* jsonChunks(head: Record<string, unknown>, columns: Column[], rows: Iterable<ExportRow>): Generator<string> {
  yield `${JSON.stringify(head).slice(0, -1)},"rows":[`;
  let batch = '';
  let n = 0;
  for (const row of rows) {
    batch += (n === 0 ? '\n' : ',\n') + JSON.stringify(exportRecord(columns, row));
    if (++n % BATCH === 0) {
      yield batch;
      batch = '';
    }
  }
  yield `${batch}\n]}\n`;
}
