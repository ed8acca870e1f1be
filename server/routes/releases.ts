/** A dataset's codebook and its releases (docs/releases.md). */
import { strFromU8, Unzip, UnzipInflate } from 'fflate';
import { Hono } from 'hono';
import { NewReleaseBody } from '../../model/http';
import { codebookMarkdown, SheetTally } from '../codebook/codebook';
import type { Services } from '../context';
import { badRequest, notFound } from '../errors';
import { inTurns } from '../http/turns';
import { streamOf } from '../export/export';
import { exportRecord } from '../export/format';
import { releasePreview } from '../releases/preview';
import { createRelease, releaseDiff } from '../releases/releases';
import { readBody } from '../validate';
import { type DatasetEnv, requireRole, storeApplied } from './dataset-scope';

export function releaseRoutes({ storage, registry }: Services) {
  const { datasets, readModel, releases } = storage;
  return new Hono<DatasetEnv>()
    .get('/codebook', storeApplied(registry), async (c) => {
      const { id, name } = c.get('dataset');
      const format = c.req.query('format') ?? 'json';
      if (format !== 'json' && format !== 'md') throw badRequest('format must be json or md');
      // Counted a row at a time: a sheet of a million rows is never held.
      const sheets = [];
      for (const sheet of await datasets.sheets(id)) {
        const tally = new SheetTally(sheet);
        for await (const row of inTurns(readModel.exportRows(id, sheet.id, 'all'))) tally.add(exportRecord(sheet.columns, row));
        sheets.push(tally.sheet());
      }
      const book = { dataset: { id, name }, sheets };
      if (format === 'json') return c.json(book);
      return c.body(codebookMarkdown(book), 200, {
        'content-type': 'text/markdown; charset=utf-8',
        'content-disposition': `inline; filename="${id}-codebook.md"`,
      });
    })
    .get('/releases', async (c) => c.json(await releases.list(c.get('dataset').id)))
    .get('/releases/preview', storeApplied(registry), async (c) => {
      const rows = c.req.query('rows') ?? 'all';
      if (rows !== 'all' && rows !== 'approved') throw badRequest('rows must be all or approved');
      return c.json(await releasePreview(storage, c.get('dataset'), rows));
    })
    .post('/releases', async (c) => {
      requireRole(c, 'admin');
      await registry.storeApplied(c.get('dataset').id);
      const body = await readBody(c, NewReleaseBody);
      return c.json(await createRelease(storage, c.get('dataset'), c.get('user').name, body), 201);
    })
    .get('/releases/:version/package.zip', async (c) => {
      const { id } = c.get('dataset');
      const version = c.req.param('version');
      const zip = await releases.zip(id, version);
      if (!zip) throw notFound(`No release ${version}`);
      // Sent a stored part at a time: a release of a million rows is never held whole.
      return new Response(streamOf(zip[Symbol.asyncIterator]()), {
        headers: {
          'content-type': 'application/zip',
          'content-disposition': `attachment; filename="${id}-${version}.zip"`,
          // Immutable: the same version is always the same bytes.
          'cache-control': 'private, max-age=31536000, immutable',
        },
      });
    })
    .get('/releases/:version/CHANGELOG.md', async (c) => {
      const version = c.req.param('version');
      const zip = await releases.zip(c.get('dataset').id, version);
      const changelog = zip && await fileInZip(zip, 'CHANGELOG.md');
      if (!changelog) throw notFound(`No release ${version}`);
      return c.body(strFromU8(changelog), 200, { 'content-type': 'text/markdown; charset=utf-8' });
    })
    .get('/releases/:version/diff', async (c) => {
      const from = c.req.query('from');
      if (!from) throw badRequest('Name the release to compare with: ?from=VERSION');
      return c.json(await releaseDiff(storage, c.get('dataset').id, from, c.req.param('version')));
    });
}

/** One file of a zip read as its parts come, without holding the rest. */
async function fileInZip(parts: AsyncIterable<Uint8Array>, name: string): Promise<Uint8Array | undefined> {
  const found: Uint8Array[] = [];
  let complete = false;
  let failure: Error | null = null;
  const unzip = new Unzip((file) => {
    if (file.name !== name) return;
    file.ondata = (error, data, final) => {
      if (error) failure = error;
      found.push(data);
      if (final) complete = true;
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  for await (const part of parts) {
    unzip.push(part);
    if (complete || failure) break;
  }
  if (failure) throw failure;
  return complete ? Buffer.concat(found) : undefined;
}
