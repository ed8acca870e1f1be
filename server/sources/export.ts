/**
 * The evidence crosswalk (one record per anchor: sheet, row, source, offsets, text) and the sources with
 * their texts, as CSV or JSON, streamed record by record (docs/sources.md#exports).
 */
import type { Context } from 'hono';
import { anchorsOf } from '../../model/anchors';
import type { CellValue } from '../../model/columns';
import { badRequest } from '../errors';
import { csvField, csvLines } from '../export/format';
import type { DatasetEnv } from '../routes/dataset-scope';
import type { Storage } from '../storage';

type Value = string | number | null;
type Record_ = Record<string, Value>;

const BATCH = 100;

export const EVIDENCE_FIELDS = ['sheet', 'row_id', 'source_id', 'start', 'end', 'exact'] as const;
export const SOURCE_FIELDS = ['id', 'title', 'url', 'outlet', 'published_at', 'sha256', 'text'] as const;

async function* evidenceRecords({ datasets, readModel }: Storage, datasetId: string): AsyncGenerator<Record_> {
  for (const sheet of await datasets.sheets(datasetId)) {
    const columns = sheet.columns.filter((c) => c.type === 'evidence');
    if (columns.length === 0) continue;
    for await (const row of readModel.exportRows(datasetId, sheet.id, 'all')) {
      for (const column of columns) {
        for (const a of anchorsOf(row.cells[column.id])) {
          yield { sheet: sheet.id, row_id: row.rowId, source_id: a.source, start: a.start, end: a.end, exact: a.exact };
        }
      }
    }
  }
}

async function* sourceRecords({ sources }: Storage, datasetId: string): AsyncGenerator<Record_> {
  for await (const s of sources.all(datasetId)) {
    yield { id: s.id, title: s.title, url: s.url, outlet: s.outlet, published_at: s.publishedAt, sha256: s.sha256, text: s.text };
  }
}

export function evidenceExport(storage: Storage, c: Context<DatasetEnv>): Response {
  const id = c.get('dataset').id;
  return streamed(c, `${id}-evidence`, EVIDENCE_FIELDS, evidenceRecords(storage, id));
}

export function sourcesExport(storage: Storage, c: Context<DatasetEnv>): Response {
  const id = c.get('dataset').id;
  return streamed(c, `${id}-sources`, SOURCE_FIELDS, sourceRecords(storage, id));
}

/** CSV (the sheet export's rules: RFC 4180, formula-like text prefixed unless `excel_safe=0`) or a JSON array. */
function streamed(c: Context<DatasetEnv>, name: string, fields: readonly string[], records: AsyncIterator<Record_>): Response {
  const format = c.req.query('format') ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw badRequest('format must be csv or json');
  const excelSafe = c.req.query('excel_safe') !== '0';
  const bom = c.req.query('bom') === '1';
  let started = false;
  let done = false;
  let written = 0;
  const encoder = new TextEncoder();
  const next = async (): Promise<string | null> => {
    if (done) return null;
    let out = '';
    if (!started) {
      started = true;
      out = format === 'csv' ? (bom ? '\uFEFF' : '') + csvLines([[...fields]]) : '[';
    }
    const batch: Record_[] = [];
    for (let r = await records.next(); ; r = await records.next()) {
      if (r.done) {
        done = true;
        break;
      }
      batch.push(r.value);
      if (batch.length === BATCH) break;
    }
    if (format === 'csv') {
      if (batch.length > 0) out += csvLines(batch.map((rec) => fields.map((f) => csvField((rec[f] ?? null) as CellValue, excelSafe))));
    } else {
      for (const rec of batch) out += `${written++ === 0 ? '\n' : ',\n'}${JSON.stringify(rec)}`;
      if (done) out += '\n]\n';
    }
    return out;
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Other requests are served between batches.
      await new Promise((resolve) => setImmediate(resolve));
      const chunk = await next();
      if (chunk === null) controller.close();
      else controller.enqueue(encoder.encode(chunk));
    },
  });
  return new Response(body, {
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${name}.${format}"`,
      'cache-control': 'no-store',
    },
  });
}
