/** A dataset's members: who may open a members-only dataset, and each one's role on it. */
import { Hono } from 'hono';
import { MemberBody } from '../../model/http';
import type { Services } from '../context';
import { notFound } from '../errors';
import { readBody } from '../validate';
import { type DatasetEnv, requireRole } from './dataset-scope';

export function memberRoutes({ storage: { datasets, users }, peers }: Services) {
  const userNamed = (name: string) => {
    const user = users.byName(name);
    if (!user) throw notFound(`No user "${name}"`);
    return user;
  };
  return new Hono<DatasetEnv>()
    .get('/members', (c) => c.json(datasets.members(c.get('dataset').id).map(({ name, role, addedAt }) => ({ name, role, addedAt }))))
    .put('/members/:userName', async (c) => {
      requireRole(c, 'admin');
      const { role } = await readBody(c, MemberBody);
      const user = userNamed(c.req.param('userName'));
      const datasetId = c.get('dataset').id;
      datasets.setMember(datasetId, user.id, role, c.get('user').id);
      users.audit({ actorId: c.get('user').id, action: 'member.set', target: datasetId, detail: { user: user.name, role } });
      peers.recheck({ userId: user.id, datasetId });
      return c.json({ name: user.name, role });
    })
    .delete('/members/:userName', (c) => {
      requireRole(c, 'admin');
      const user = userNamed(c.req.param('userName'));
      const datasetId = c.get('dataset').id;
      if (!datasets.removeMember(datasetId, user.id)) throw notFound(`"${user.name}" is not a member of this dataset`);
      users.audit({ actorId: c.get('user').id, action: 'member.remove', target: datasetId, detail: { user: user.name } });
      peers.recheck({ userId: user.id, datasetId });
      return c.json({ name: user.name, removed: true });
    });
}
