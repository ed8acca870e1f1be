/** Datasets: the list and creation, and the routes of one dataset (`/api/datasets/:id`). */
import { Hono } from 'hono';
import { DatasetPatch, NewDatasetBody, SettingsPatch } from '../../model/http';
import { roleOn } from '../access';
import { assertRole, type AuthEnv } from '../auth/middleware';
import type { Services } from '../context';
import { createDataset } from '../datasets';
import { exportResponse } from '../export/export';
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
    .get('/', (c) => {
      const user = c.get('user');
      return c.json(storage.datasets.list()
        .filter((d) => roleOn(storage.datasets, user, d) !== null)
        .map(({ id, name, template, createdAt }) => ({ id, name, template, createdAt })));
    })
    .post('/', async (c) => {
      assertRole(c.get('user'), 'admin');
      const body = await readBody(c, NewDatasetBody);
      const created = createDataset(storage.datasets, {
        id: body.id ?? idFromName(body.name),
        name: body.name,
        template: body.template,
        createdBy: c.get('user').id,
      });
      return c.json(created, 201);
    });
}

/** `/api/datasets/:id/…`, behind the dataset scope. */
export function datasetRoutes({ storage, peers }: Services) {
  const { datasets, readModel } = storage;
  return new Hono<DatasetEnv>()
    .get('/', (c) => {
      const { settings: _settings, ...dataset } = c.get('dataset');
      return c.json({ ...dataset, role: c.get('role'), sheets: datasets.sheets(dataset.id) });
    })
    .patch('/', async (c) => {
      requireRole(c, 'admin');
      const dataset = c.get('dataset');
      const patch = await readBody(c, DatasetPatch);
      if (patch.access !== undefined && patch.access !== dataset.access) {
        datasets.setAccess(dataset.id, patch.access);
        storage.users.audit({ actorId: c.get('user').id, action: 'dataset.access', target: dataset.id, detail: { from: dataset.access, to: patch.access } });
        peers.recheck({ datasetId: dataset.id });
      }
      const { settings: _settings, ...now } = datasets.get(dataset.id)!;
      return c.json({ ...now, role: c.get('role') });
    })
    .get('/history', (c) => c.json(readModel.history(c.get('dataset').id, c.req.query('row'))))
    .get('/sheets/:sheetId/export', (c) => exportResponse(storage, c))
    .get('/progress', (c) => c.json(progress(datasets, readModel, c.get('dataset').id)))
    .get('/settings', (c) => c.json(c.get('dataset').settings))
    .patch('/settings', async (c) => {
      requireRole(c, 'admin');
      const dataset = c.get('dataset');
      const settings = { ...dataset.settings, ...(await readBody(c, SettingsPatch)) };
      datasets.updateSettings(dataset.id, settings);
      return c.json(settings);
    });
}
