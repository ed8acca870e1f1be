import { Hono } from 'hono';
import { NewDatasetBody } from '../../model/http';
import { assertRole, type AuthEnv } from '../auth/middleware';
import type { Services } from '../context';
import { createDataset, getDataset, listDatasets } from '../datasets';
import { exportResponse } from '../export/export';
import { rowHistory } from '../history';
import { readBody } from '../validate';

/** A dataset id made from its name when none is given. */
function idFromName(name: string): string {
  const slug = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `${slug || 'dataset'}-${Date.now().toString(36)}`;
}

export function datasetsRoutes(services: Services) {
  const { db, store } = services;
  return new Hono<AuthEnv>()
    .get('/', (c) => c.json(listDatasets(db)))
    .post('/', async (c) => {
      assertRole(c.get('user'), 'admin');
      const body = await readBody(c, NewDatasetBody);
      const created = createDataset(db, store, {
        id: body.id ?? idFromName(body.name),
        name: body.name,
        template: body.template,
        createdBy: c.get('user').id,
      });
      return c.json(created, 201);
    })
    .get('/:id', (c) => {
      const { settings: _settings, ...dataset } = getDataset(db, c.req.param('id'));
      return c.json(dataset);
    })
    .get('/:id/history', (c) => {
      const id = c.req.param('id');
      getDataset(db, id);
      return c.json(rowHistory(db, id, c.req.query('row')));
    })
    .get('/:id/sheets/:sheetId/export', (c) => exportResponse(services, c));
}
