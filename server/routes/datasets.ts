/** Datasets: the list and creation, and the routes of one dataset (`/api/datasets/:id`). */
import { type Context, Hono } from 'hono';
import type * as Y from 'yjs';
import { getSheet, readColumns, sheetName, sheetRows } from '../../model/document';
import { DatasetPatch, DeleteDatasetBody, LayoutBody, NewDatasetBody, NewSheetBody, SettingsPatch, SheetPatch } from '../../model/http';
import { DatasetAdmin } from '../admin/datasets';
import { managesDataset, ownRoleOn, roleOn } from '../access';
import { assertRole, type AuthEnv } from '../auth/middleware';
import type { Services } from '../context';
import { addSheet, changeSheet, createDataset, deleteDataset, deleteSheet } from '../datasets';
import { convertToRows, legacyDocument, legacyStateVector } from '../convert-layout';
import { badRequest, forbidden, notFound } from '../errors';
import { exportResponse, zipExportResponse } from '../export/export';
import { progress } from '../progress';
import { readBody } from '../validate';
import { actorOn, type DatasetEnv, requireRole, storeApplied as storingFirst } from './dataset-scope';

/** A dataset id made from its name when none is given. */
function idFromName(name: string): string {
  const slug = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `${slug || 'dataset'}-${Date.now().toString(36)}`;
}

/** `/api/datasets`: the datasets the user may open, and creating one. */
export function datasetsRoutes(services: Services) {
  const { storage } = services;
  const admin = new DatasetAdmin(services);
  return new Hono<AuthEnv>()
    .get('/', async (c) => {
      // Archived datasets only when asked for (`?archived=1`): then every dataset, archived ones marked.
      const listed = await admin.list(c.get('user'), c.req.query('archived') === '1');
      // `role` is what the user acts with now (an archive caps it at viewer), `ownRole` theirs apart from the archive.
      return c.json(listed.map(({ dataset: { id, name, template, createdAt, archivedAt, access, layout }, role, ownRole }) =>
        ({ id, name, template, createdAt, archivedAt, access, layout, role, ownRole })));
    })
    .post('/', async (c) => {
      assertRole(c.get('user'), 'admin');
      const body = await readBody(c, NewDatasetBody);
      const created = await createDataset(storage.datasets, {
        id: body.id ?? idFromName(body.name),
        name: body.name,
        template: body.template,
        layout: body.layout,
        createdBy: c.get('user').id,
      }, true);
      return c.json(created, 201);
    });
}

/** `/api/datasets/:id/…`, behind the dataset scope. */
export function datasetRoutes(services: Services) {
  const { storage, registry } = services;
  const { datasets, readModel } = storage;
  const admin = new DatasetAdmin(services);
  const storeApplied = storingFirst(registry);
  const detail = async (c: Context<DatasetEnv>, id: string) => {
    const record = (await datasets.get(id))!;
    const { settings: _settings, ...dataset } = record;
    return { ...dataset, role: c.get('role'), ownRole: await ownRoleOn(datasets, c.get('user'), record), sheets: await datasets.sheets(id) };
  };
  /** Renaming, archiving, restoring and deleting: the dataset's admins, archived or not. */
  const requireManager = async (c: Context<DatasetEnv>) => {
    if (!await managesDataset(datasets, c.get('user'), c.get('dataset'))) throw forbidden('Only an admin may rename, archive or delete a dataset');
  };
  return new Hono<DatasetEnv>()
    .get('/', async (c) => c.json(await detail(c, c.get('dataset').id)))
    .patch('/', async (c) => {
      const body = await readBody(c, DatasetPatch);
      const changed = await admin.change(actorOn(c), body);
      const role = await roleOn(datasets, c.get('user'), changed);
      if (role) c.set('role', role);
      return c.json(await detail(c, changed.id));
    })
    .delete('/', async (c) => {
      await requireManager(c);
      const { id } = c.get('dataset');
      const { confirm } = await readBody(c, DeleteDatasetBody);
      if (confirm !== id) throw badRequest(`To delete this dataset, send {"confirm": "${id}"}: its id, typed out`);
      await deleteDataset(storage, registry, id, { userId: c.get('user').id });
      return c.json({ id, deleted: true });
    })
    .post('/layout', async (c) => {
      requireRole(c, 'admin');
      await readBody(c, LayoutBody);
      return c.json(await convertToRows(storage, registry, services.log, c.get('dataset').id, c.get('user').id));
    })
    .get('/legacy', async (c) => {
      requireRole(c, 'editor');
      const { id } = c.get('dataset');
      const legacy = c.req.query('part') === 'state-vector' ? await legacyStateVector(storage, id) : await legacyDocument(storage, id);
      if (!legacy) throw notFound('This dataset was not converted: it has no earlier document');
      return c.body(legacy as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' });
    })
    .post('/sheets', async (c) => {
      requireRole(c, 'admin');
      const body = await readBody(c, NewSheetBody);
      const sheet = await addSheet(registry, c.get('dataset').id, body, c.get('user').id);
      return c.json({ ...sheet, rowCount: 0 }, 201);
    })
    .patch('/sheets/:sheetId', async (c) => {
      requireRole(c, 'admin');
      const { id } = c.get('dataset');
      const sheetId = c.req.param('sheetId');
      await changeSheet(registry, id, sheetId, await readBody(c, SheetPatch), c.get('user').id);
      // The read model follows at the end of this turn; the document has the answer now.
      const sheet = await registry.with(id, (shared) => shared.read((doc) => summarize(doc, sheetId)));
      return c.json(sheet);
    })
    .delete('/sheets/:sheetId', async (c) => {
      requireRole(c, 'admin');
      return c.json(await deleteSheet(registry, c.get('dataset').id, c.req.param('sheetId'), c.get('user').id));
    })
    .get('/export.zip', storeApplied, (c) => zipExportResponse(storage, c))
    .get('/history', storeApplied, async (c) => c.json(await readModel.history(c.get('dataset').id, c.req.query('row'))))
    .get('/sheets/:sheetId/export', storeApplied, (c) => exportResponse(storage, c))
    .get('/progress', storeApplied, async (c) => c.json(await progress(datasets, readModel, c.get('dataset').id)))
    .get('/settings', (c) => c.json(c.get('dataset').settings))
    .patch('/settings', async (c) => {
      requireRole(c, 'admin');
      const dataset = c.get('dataset');
      const settings = { ...dataset.settings, ...(await readBody(c, SettingsPatch)) };
      await datasets.updateSettings(dataset.id, settings);
      return c.json(settings);
    });
}

/** A sheet of the document as the API describes one. */
function summarize(doc: Y.Doc, sheetId: string) {
  const sheet = getSheet(doc, sheetId)!;
  return { id: sheetId, name: sheetName(sheet), columns: readColumns(sheet), rowCount: sheetRows(sheet).size };
}
