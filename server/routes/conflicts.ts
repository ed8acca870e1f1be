/** Concurrent-edit conflicts of a dataset: listing (from the read model) and resolving. The rules are in `conflicts/`. */
import { Hono } from 'hono';
import { ConflictListQuery, ResolveConflictBody } from '../../model/http';
import type { Conflicts } from '../conflicts/conflicts';
import { badRequest } from '../errors';
import { readBody } from '../validate';
import { type DatasetEnv, requireRole } from './dataset-scope';

export function conflictRoutes(conflicts: Conflicts) {
  return new Hono<DatasetEnv>()
    .get('/conflicts', async (c) => {
      const query = ConflictListQuery.safeParse(c.req.query());
      if (!query.success) throw badRequest('status is open or resolved');
      return c.json(await conflicts.list(c.get('dataset').id, query.data.status));
    })
    .post('/conflicts/:conflictId/resolve', async (c) => {
      requireRole(c, 'editor');
      // The body may be left out: the kept value stays.
      const { value } = (await c.req.text()).trim() === '' ? {} : await readBody(c, ResolveConflictBody);
      return c.json(await conflicts.resolve(c.get('dataset').id, c.get('user'), c.req.param('conflictId'), value ?? 'kept'));
    });
}
