/** Datasets: the list and creation, and the routes of one dataset (`/api/datasets/:id`). */
import { type Context, Hono } from 'hono';
import type * as Y from 'yjs';
import { getSheet, readColumns, sheetName, sheetRows } from '../../model/document';
import { DatasetPatch, DeleteDatasetBody, NewDatasetBody, NewSheetBody, SettingsPatch, SheetPatch } from '../../model/http';
import { datasetRole, managesDataset, ownRole, ownRoleOn, roleOn } from '../access';
import { assertRole, type AuthEnv } from '../auth/middleware';
import type { Services } from '../context';
import { addSheet, archiveDataset, changeSheet, createDataset, deleteDataset, deleteSheet, renameDataset } from '../datasets';
import { badRequest, forbidden } from '../errors';
import { exportResponse, zipExportResponse } from '../export/export';
import { progress } from '../progress';
import { readBody } from '../validate';
import { type DatasetEnv, requireRole } from './dataset-scope';

/** A dataset id made from its name when none is given. */
function idFromName(name: string): string {
  const slug = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `${slug || 'dataset'}-${Date.now().toString(36)}`;
}

/** `/api/datasets`: the datasets the user may open, and creating one. */
export function datasetsRoutes({ storage }: Services) {
  return new Hono<AuthEnv>()
    .get('/', async (c) => {
      const user = c.get('user');
      // Archived datasets only when asked for (`?archived=1`): then every dataset, archived ones marked.
      const withArchived = c.req.query('archived') === '1';
      const listed = [];
      for (const d of await storage.datasets.list()) {
        if (!withArchived && d.archivedAt !== null) continue;
        const memberRole = await storage.datasets.memberRole(d.id, user.id);
        const role = datasetRole(user, d, memberRole);
        const { id, name, template, createdAt, archivedAt, access } = d;
        // `role` is what the user acts with now (an archive caps it at viewer), `ownRole` theirs apart from the archive.
        if (role !== null) listed.push({ id, name, template, createdAt, archivedAt, access, role, ownRole: ownRole(user, d, memberRole) });
      }
      return c.json(listed);
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
      }, storage.users);
      return c.json(created, 201);
    });
}

/** `/api/datasets/:id/…`, behind the dataset scope. */
export function datasetRoutes({ storage, registry, peers }: Services) {
  const { datasets, readModel } = storage;
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
      await requireManager(c);
      const { id } = c.get('dataset');
      const body = await readBody(c, DatasetPatch);
      const actor = { userId: c.get('user').id, users: storage.users };
      // A rename of an archived dataset waits for its restore: the archive is read-only.
      if (body.archived === false) await archiveDataset(datasets, id, false, actor);
      if (body.name !== undefined) {
        if ((await datasets.get(id))!.archivedAt !== null) throw forbidden('This dataset is archived: restore it to rename it');
        await renameDataset(datasets, registry, id, body.name, c.get('user').id);
      }
      if (body.archived === true) await archiveDataset(datasets, id, true, actor);
      const before = c.get('dataset');
      if (body.access !== undefined && body.access !== before.access) {
        await datasets.setAccess(id, body.access);
        await storage.users.audit({ actorId: c.get('user').id, action: 'dataset.access', target: id, detail: { from: before.access, to: body.access } });
      }
      // Open sockets follow at once: read-only when archived, closed for users who lost access.
      await peers.recheck({ datasetId: id });
      const role = await roleOn(datasets, c.get('user'), (await datasets.get(id))!);
      if (role) c.set('role', role);
      return c.json(await detail(c, id));
    })
    .delete('/', async (c) => {
      await requireManager(c);
      const { id } = c.get('dataset');
      const { confirm } = await readBody(c, DeleteDatasetBody);
      if (confirm !== id) throw badRequest(`To delete this dataset, send {"confirm": "${id}"}: its id, typed out`);
      await deleteDataset(storage, registry, id, { userId: c.get('user').id, users: storage.users });
      return c.json({ id, deleted: true });
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
    .get('/export.zip', (c) => zipExportResponse(storage, c))
    .get('/history', async (c) => c.json(await readModel.history(c.get('dataset').id, c.req.query('row'))))
    .get('/sheets/:sheetId/export', (c) => exportResponse(storage, c))
    .get('/progress', async (c) => c.json(await progress(datasets, readModel, c.get('dataset').id)))
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
