/**
 * A dataset's sources, the evidence crosswalk and a sheet's problems (docs/sources.md).
 * `POST /sources` takes JSON, or the file itself as text/plain, text/markdown or text/html.
 */
import { Hono } from 'hono';
import { NewSourceBody } from '../../model/http';
import type { Services } from '../context';
import { badRequest, notFound } from '../errors';
import { acceptBody } from '../http/body-limit';
import type { EvidenceCheck } from '../sources/evidence';
import { sourceAnchors } from '../sources/anchors';
import { evidenceExport, sourcesExport } from '../sources/export';
import { sheetProblems } from '../sources/problems';
import { addSource, type NewSource, removeSource, toSummary } from '../sources/sources';
import { fromUpload, UPLOAD_TYPES, type UploadType } from '../sources/text';
import { readBody } from '../validate';
import { type DatasetEnv, requireRole, storeApplied } from './dataset-scope';

/** Largest source, JSON or uploaded. */
export const MAX_SOURCE_BYTES = 10 * 1024 * 1024;

export function sourceRoutes({ storage, registry }: Services, evidence: EvidenceCheck) {
  const { sources } = storage;
  return new Hono<DatasetEnv>()
    .get('/sources', async (c) => {
      // `?q=`: only sources whose title or text contains it, for the reading pane's search.
      const query = c.req.query('q')?.trim();
      return c.json((await sources.list(c.get('dataset').id, query || undefined)).map(toSummary));
    })
    .get('/sources/export', storeApplied(registry), (c) => sourcesExport(storage, c))
    .get('/sources/:sourceId', async (c) => {
      const source = await sources.get(c.get('dataset').id, c.req.param('sourceId'));
      if (!source) throw notFound(`No source "${c.req.param('sourceId')}"`);
      return c.json({ ...toSummary(source), text: source.text });
    })
    .get('/sources/:sourceId/anchors', storeApplied(registry), async (c) => {
      // Rows written in their own rooms reach the read model as they are stored: what was applied is stored first.
      const datasetId = c.get('dataset').id;
      const sourceId = c.req.param('sourceId');
      const found = await sourceAnchors(storage, datasetId, sourceId);
      // No anchor: is there such a source at all? (Asked only then: its text may be megabytes.)
      if (found.anchors.length === 0 && !(await sources.get(datasetId, sourceId))) throw notFound(`No source "${sourceId}"`);
      return c.json(found);
    })
    .post('/sources', acceptBody({ types: UPLOAD_TYPES, maxBytes: MAX_SOURCE_BYTES }), async (c) => {
      requireRole(c, 'editor');
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      let input: NewSource;
      if ((UPLOAD_TYPES as readonly string[]).includes(type)) {
        // The text is read as UTF-8: a file in another encoding would be stored garbled.
        const charset = /;\s*charset="?([^";\s]+)/i.exec(c.req.header('content-type') ?? '')?.[1]?.toLowerCase();
        if (charset && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') {
          throw badRequest(`Send the text as UTF-8 (got charset=${charset})`);
        }
        // A byte-order mark says how the file is encoded; it is not part of the text.
        const body = (await c.req.text()).replace(/^\uFEFF/, '');
        const { text, title } = fromUpload(type as UploadType, body);
        const q = c.req.query();
        const parsed = NewSourceBody.safeParse({
          title: q.title ?? title ?? 'Untitled source', text,
          ...(q.url && { url: q.url }), ...(q.outlet && { outlet: q.outlet }), ...(q.publishedAt && { publishedAt: q.publishedAt }),
        });
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw badRequest(`${issue.path.join('.')}: ${issue.message}`);
        }
        input = parsed.data;
      } else {
        input = await readBody(c, NewSourceBody);
      }
      return c.json(await addSource(sources, c.get('dataset').id, input, c.get('user').id), 201);
    })
    .delete('/sources/:sourceId', async (c) => {
      requireRole(c, 'editor');
      const datasetId = c.get('dataset').id;
      const sourceId = c.req.param('sourceId');
      // Anchors applied in this turn reach the read model when the document is flushed: flush first.
      await registry.storeApplied(datasetId);
      await removeSource(sources, datasetId, sourceId);
      evidence.forget(datasetId, sourceId);
      return c.json({ id: sourceId, deleted: true });
    })
    .get('/evidence/export', storeApplied(registry), (c) => evidenceExport(storage, c))
    .get('/sheets/:sheetId/problems', async (c) => {
      const datasetId = c.get('dataset').id;
      const sheetId = c.req.param('sheetId');
      const sheets = await storage.datasets.sheets(datasetId);
      if (!sheets.some((s) => s.id === sheetId)) throw notFound(`Dataset "${datasetId}" has no sheet "${sheetId}"`);
      await registry.storeApplied(datasetId);
      return c.json(await sheetProblems(storage.readModel, datasetId, sheets, sheetId));
    });
}
