/** A dataset's members: who may open a members-only dataset, and each one's role on it. */
import { Hono } from 'hono';
import { MemberBody } from '../../model/http';
import { DatasetAdmin } from '../admin/datasets';
import type { Services } from '../context';
import { readBody } from '../validate';
import { actorOn, type DatasetEnv } from './dataset-scope';

export function memberRoutes(services: Services) {
  const { storage: { datasets } } = services;
  const admin = new DatasetAdmin(services);
  return new Hono<DatasetEnv>()
    .get('/members', async (c) => c.json((await datasets.members(c.get('dataset').id)).map(({ name, role, addedAt }) => ({ name, role, addedAt }))))
    .put('/members/:userName', async (c) => {
      const { role } = await readBody(c, MemberBody);
      return c.json(await admin.setMember(actorOn(c), c.req.param('userName'), role));
    })
    .delete('/members/:userName', async (c) => c.json(await admin.removeMember(actorOn(c), c.req.param('userName'))));
}
