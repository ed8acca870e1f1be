/** A dataset's members: who may open a members-only dataset, and each one's role on it. */
import { Hono } from 'hono';
import { MemberBody } from '../../model/http';
import type { Services } from '../context';
import { notFound } from '../errors';
import { readBody } from '../validate';
import { type DatasetEnv, requireRole } from './dataset-scope';

export function memberRoutes({ storage: { datasets, users }, peers }: Services) {
  const userNamed = async (name: string) => {
    const user = await users.byName(name);
    if (!user) throw notFound(`No user "${name}"`);
    return user;
  };
  return new Hono<DatasetEnv>()
    .get('/members', async (c) => c.json((await datasets.members(c.get('dataset').id)).map(({ name, role, addedAt }) => ({ name, role, addedAt }))))
    .put('/members/:userName', async (c) => {
      requireRole(c, 'admin');
      const { role } = await readBody(c, MemberBody);
      const user = await userNamed(c.req.param('userName'));
      const datasetId = c.get('dataset').id;
      await datasets.setMember(datasetId, user.id, role, c.get('user').id);
      await users.audit({ actorId: c.get('user').id, action: 'member.set', target: datasetId, detail: { user: user.name, role } });
      await peers.recheck({ userId: user.id, datasetId });
      return c.json({ name: user.name, role });
    })
    .delete('/members/:userName', async (c) => {
      requireRole(c, 'admin');
      const user = await userNamed(c.req.param('userName'));
      const datasetId = c.get('dataset').id;
      if (!await datasets.removeMember(datasetId, user.id)) throw notFound(`"${user.name}" is not a member of this dataset`);
      await users.audit({ actorId: c.get('user').id, action: 'member.remove', target: datasetId, detail: { user: user.name } });
      await peers.recheck({ userId: user.id, datasetId });
      return c.json({ name: user.name, removed: true });
    });
}
