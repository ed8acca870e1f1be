/**
 * `POST /api/datasets/:id/sheets/:sheetId/import` (editor): a CSV file or an XLSX workbook into a sheet
 * (docs/import.md). The body is read as it arrives for CSV; an XLSX is read whole (its directory is at
 * its end) and checked before anything in it is inflated.
 */
import { Hono } from 'hono';
import { ImportMapping, ImportQuery } from '../../model/http';
import type { Services } from '../context';
import { AppError, badRequest } from '../errors';
import { acceptBody } from '../http/body-limit';
import { importRecords } from '../import/import';
import { MAX_IMPORT_BYTES, MAX_ROWS_LAYOUT_IMPORT_BYTES } from '../import/limits';
import { csvRecords } from '../import/read-csv';
import { xlsxRecords } from '../import/read-xlsx';
import { looksLikeZip } from '../import/zip';
import { type DatasetEnv, requireRole } from './dataset-scope';

export const CSV_TYPE = 'text/csv';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const IMPORT_TYPES = [CSV_TYPE, XLSX_TYPE] as const;

export function importRoutes({ storage, registry, rowFeed }: Services) {
  return new Hono<DatasetEnv>()
    .post('/sheets/:sheetId/import', acceptBody({ types: IMPORT_TYPES, maxBytes: MAX_ROWS_LAYOUT_IMPORT_BYTES }), async (c) => {
      requireRole(c, 'editor');
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!(IMPORT_TYPES as readonly string[]).includes(type)) {
        throw new AppError('unsupported_type', `Send a CSV file (Content-Type: ${CSV_TYPE}) or an XLSX workbook (Content-Type: ${XLSX_TYPE})`);
      }
      const charset = /;\s*charset="?([^";\s]+)/i.exec(c.req.header('content-type') ?? '')?.[1]?.toLowerCase();
      if (charset && charset !== 'utf-8' && charset !== 'utf8') throw badRequest(`Send the CSV as UTF-8 (got charset=${charset})`);
      const parsed = ImportQuery.safeParse(c.req.query());
      if (!parsed.success) throw badRequest(parsed.error.issues[0]!.message);
      const query = parsed.data;
      let mapping: string[] | undefined;
      if (query.mapping !== undefined) {
        let json: unknown;
        try { json = JSON.parse(query.mapping); } catch { throw badRequest('mapping must be a JSON array of column ids'); }
        const checked = ImportMapping.safeParse(json);
        if (!checked.success) throw badRequest('mapping must be a JSON array of column ids ("" to ignore a column)');
        mapping = checked.data;
      }
      // A CSV into the `rows` layout is read a slice at a time; everything else is held in memory, and smaller.
      const rowsLayout = c.get('dataset').layout === 'rows';
      const maxBytes = rowsLayout && type === CSV_TYPE ? MAX_ROWS_LAYOUT_IMPORT_BYTES : MAX_IMPORT_BYTES;
      if (Number(c.req.header('content-length') ?? 0) > maxBytes) throw tooLarge(maxBytes);
      const raw = c.req.raw.body;
      if (!raw) throw badRequest('The file is empty: it has no header row');
      const body = limited(raw, maxBytes);
      let records;
      if (type === CSV_TYPE) {
        records = csvRecords(body);
      } else {
        const bytes = new Uint8Array(await new Response(body).arrayBuffer());
        if (bytes.length === 0) throw badRequest('The file is empty: it has no header row');
        if (!looksLikeZip(bytes)) throw badRequest('The file is not an XLSX workbook (an XLSX is a zip file); for CSV send Content-Type: text/csv');
        records = xlsxRecords(bytes);
      }
      const stored = rowsLayout ? { docs: storage.docs, readModel: storage.readModel } : undefined;
      const { status, report } = await importRecords({ registry, sources: storage.sources, stored, rowFeed }, {
        datasetId: c.get('dataset').id,
        sheetId: c.req.param('sheetId'),
        userId: c.get('user').id,
        key: query.key,
        dryRun: query.dry_run === '1',
        partial: query.partial === '1',
        mapping,
      }, records);
      return c.json(report, status);
    });
}

const tooLarge = (maxBytes: number) => new AppError('too_large', `The request body is larger than ${maxBytes} bytes`);

/** The body as it arrives, failing with `too_large` as soon as it passes `maxBytes`. */
function limited(body: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > maxBytes) controller.error(tooLarge(maxBytes));
      else controller.enqueue(chunk);
    },
  }));
}
