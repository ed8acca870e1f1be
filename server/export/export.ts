/** GET /api/datasets/:id/sheets/:sheetId/export (CONTRACT §8): streamed CSV or JSON. */
import type { Context } from 'hono';
import type { Services } from '../context';
import { getDataset } from '../datasets';
import { badRequest, notFound } from '../errors';
import { csvField, csvLines, exportHeader, exportRecord } from './format';
import { exportRows, ROW_FILTERS, type RowFilter } from './rows';

const BATCH = 500;

export function exportResponse({ db }: Services, c: Context): Response {
  const datasetId = c.req.param('id')!;
  const sheetId = c.req.param('sheetId')!;
  const format = c.req.query('format') ?? 'csv';
  const filter = (c.req.query('rows') ?? 'all') as RowFilter;
  if (format !== 'csv' && format !== 'json') throw badRequest('format must be csv or json');
  if (!ROW_FILTERS.includes(filter)) throw badRequest(`rows must be one of ${ROW_FILTERS.join(', ')}`);
  const dataset = getDataset(db, datasetId);
  const sheet = dataset.sheets.find((s) => s.id === sheetId);
  if (!sheet) throw notFound(`Dataset "${datasetId}" has no sheet "${sheetId}"`);

  const rows = exportRows(db, datasetId, sheetId, filter);
  const header = exportHeader(sheet.columns);
  const encoder = new TextEncoder();
  let chunks: Iterator<string>;
  if (format === 'csv') {
    const excelSafe = c.req.query('excel_safe') !== '0';
    chunks = csvChunks(header, rows, (record) => header.map((id) => csvField(record[id] ?? null, excelSafe)), c.req.query('bom') === '1');
  } else {
    chunks = jsonChunks({
      dataset: datasetId, sheet: sheetId, exportedAt: new Date().toISOString(), columns: sheet.columns,
    }, rows, sheet.columns);
  }
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
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

  function* csvChunks(
    ids: string[], source: Iterable<Parameters<typeof exportRecord>[1]>,
    fields: (record: ReturnType<typeof exportRecord>) => string[], bom: boolean,
  ): Generator<string> {
    yield (bom ? '\uFEFF' : '') + csvLines([ids]);
    let batch: string[][] = [];
    for (const row of source) {
      batch.push(fields(exportRecord(sheet!.columns, row)));
      if (batch.length === BATCH) {
        yield csvLines(batch);
        batch = [];
      }
    }
    if (batch.length > 0) yield csvLines(batch);
  }
}

function* jsonChunks(
  head: Record<string, unknown>, source: Iterable<Parameters<typeof exportRecord>[1]>, columns: Parameters<typeof exportRecord>[0],
): Generator<string> {
  yield `${JSON.stringify(head).slice(0, -1)},"rows":[`;
  let first = true;
  let batch = '';
  let n = 0;
  for (const row of source) {
    batch += (first ? '\n' : ',\n') + JSON.stringify(exportRecord(columns, row));
    first = false;
    if (++n % BATCH === 0) {
      yield batch;
      batch = '';
    }
  }
  yield `${batch}\n]}\n`;
}
